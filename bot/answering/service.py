"""The founders' Q&A service: intent routing, follow-up rewrite, hybrid retrieval, a grounded LLM answer
or an extractive one, citations, memory and the question log. Knows nothing of Telegram."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace

from bot.answering.citations import cite, label_cafe_notices
from bot.answering.extractive import Decline, Evidence, select_evidence
from bot.answering.followup import standalone_question
from bot.answering.intent import (
    LLMIntentClassifier,
    NearestExampleClassifier,
    overrule,
    ruled_intent,
)
from bot.answering.language import detect_language, is_korean
from bot.answering.llm import NOT_FOUND, LLMAnswerer, LLMUnavailable, make_chat_model
from bot.answering.memory import ConversationStore
from bot.answering.routing_rules import asks_for_nearest_cafe
from bot.answering.types import Answer, AnswerKind, DeltaCallback, Intent
from bot.cafes.registry import CafeRegistry
from bot.config import Settings
from bot.knowledge.search import Passage
from bot.knowledge.service import KnowledgeBase
from bot.observability.logs import user_ref
from bot.observability.metrics import observe_answers
from bot.strings import t

log = logging.getLogger(__name__)

_CANNED: dict[Intent, AnswerKind] = {
    "idea_review": "idea_review", "human": "human", "smalltalk": "smalltalk", "out_of_scope": "out_of_scope",
    "injection": "refused",
}


class AnswerService:
    """Answers one founder message at a time; safe to call concurrently for different conversations."""

    def __init__(self, settings: Settings, knowledge: KnowledgeBase, store: ConversationStore,
                 cafes: CafeRegistry | None = None) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.store = store
        self.cafes = cafes
        self.local_intents = NearestExampleClassifier(knowledge.embeddings)
        self.llm: LLMAnswerer | None = None
        self.llm_intents: LLMIntentClassifier | None = None
        if settings.llm_enabled:
            model = make_chat_model(settings)
            self.llm = LLMAnswerer(model, retry_delay=settings.llm_retry_delay_seconds)
            self.llm_intents = LLMIntentClassifier(model, self.local_intents)

    def warm_up(self) -> None:
        """Load the models and indexes before the first founder waits for them."""
        self.local_intents.warm_up()
        self.knowledge.refresh()
        self.knowledge.search("창업 지원", 1)

    async def classify(self, message: str, lang: str) -> Intent:
        """The rules first (injection, idea review); then the model or the nearest example, whose idea review
        the rules must confirm."""
        ruled = ruled_intent(message)
        if ruled is not None:
            return ruled
        if self.llm_intents:
            return overrule(message, await self.llm_intents.aclassify(message, lang))
        return overrule(message, await asyncio.to_thread(self.local_intents.classify, message))

    def relevant(self, passages: list[Passage], question: str = "") -> list[Passage]:
        """Passages strong enough to answer from; empty means "not in the documents"."""
        floor = self.settings.relevance_min_similarity
        if question and not is_korean(question):
            floor = self.settings.relevance_min_similarity_en
        return [p for p in passages if p.similarity is not None and p.similarity >= floor]

    @observe_answers
    async def answer(
        self, conversation_id: str, message: str, *, user_id: int | None = None, lang: str | None = None,
        on_delta: DeltaCallback | None = None, route_intents: bool = True, cafe_id: str | None = None,
    ) -> Answer:
        """Answer a founder's message. `on_delta` receives the growing answer text while an LLM streams.

        `cafe_id` is the founder's cafe (looked up from `user_id` when not given): its notices answer them, other
        cafes' do not; a founder with no cafe gets every cafe's notices, cited with the cafe's name."""
        started = time.perf_counter()
        lang = detect_language(message, default=lang or self.settings.default_language)
        intent = await self.classify(message, lang) if route_intents else "question"
        if intent in _CANNED:
            kind = _CANNED[intent]
            answer = Answer(kind, t(f"answer.{kind}", lang), lang, "none", message, message)
            return await self._finish(conversation_id, user_id, answer, started, remember=False)

        if self.cafes is not None and asks_for_nearest_cafe(message):
            nearest = await asyncio.to_thread(self._nearest_cafe, message, lang)
            if nearest is not None:
                return await self._finish(conversation_id, user_id, nearest, started)

        history = await asyncio.to_thread(self.store.history, conversation_id, self.settings.history_turns)
        if self.llm and history:
            standalone = await self.llm.condense(message, history, lang)
        else:
            standalone = standalone_question(message, history)
        if cafe_id is None and user_id is not None and self.cafes is not None:
            cafe_id = await asyncio.to_thread(self.cafes.founder_cafe, user_id)
        passages, evidence = await asyncio.to_thread(self.evidence, standalone, cafe_id)
        if evidence.declined is not None:
            log.info("not answered from the documents: %s", evidence.declined.value)
            answer = Answer("not_found", t("answer.not_found", lang), lang, "none", message, standalone)
            return await self._finish(conversation_id, user_id, answer, started)
        # Labelled after the gate, which judges the documents' own words and titles.
        if any(p.cafe_id not in (None, cafe_id) for p in passages):
            passages = await asyncio.to_thread(self.label_cafes, passages, cafe_id, lang)

        if self.llm:
            try:
                answer = await self._llm_answer(message, standalone, passages, lang, on_delta)
                return await self._finish(conversation_id, user_id, answer, started)
            except LLMUnavailable:
                log.warning("LLM unavailable; answering extractively")
        answer = self._extractive_answer(message, standalone, passages, evidence, lang)
        return await self._finish(conversation_id, user_id, answer, started)

    def _nearest_cafe(self, message: str, lang: str) -> Answer | None:
        """The cafes in the district the founder names, from the cafes file; all of them when none is named.
        None when this deployment has no cafes file (the documents may still answer)."""
        assert self.cafes is not None
        cafes = self.cafes.cafes()
        if not cafes:
            return None
        near = self.cafes.near(message)
        lines = "\n".join(t("answer.cafe_line", lang, name=c.name(lang), district=c.district or "-",
                             address=c.address or "-", hours=c.hours or "-") for c in (near or cafes))
        text = t("answer.cafes_near" if near else "answer.cafes_all", lang, cafes=lines)
        return Answer("answer", text, lang, "none", message, message)

    def label_cafes(self, passages: list[Passage], cafe_id: str | None, lang: str) -> list[Passage]:
        """Other cafes' notices titled with their cafe (citations.label_cafe_notices)."""
        def name(other: str) -> str | None:
            cafe = self.cafes.get(other) if self.cafes is not None else None
            return cafe.name(lang) if cafe is not None else None

        return label_cafe_notices(passages, cafe_id, name, lang)

    def evidence(self, question: str, cafe_id: str | None = None) -> tuple[list[Passage], Evidence]:
        """Retrieve for a standalone question and decide whether the documents answer it (see select_evidence).
        The same gate runs before an LLM is asked. `cafe_id`: the founder's cafe; other cafes' notices are not
        searched for them (bot.knowledge.registry.visible_to)."""
        passages = self.relevant(self.knowledge.search(question, self.settings.retrieval_k, cafe_id=cafe_id),
                                 question)
        if not passages:
            return [], Evidence(declined=Decline.WEAK)
        vocabulary = self.knowledge.vocabulary()
        # A Korean question about a name no document mentions (부산, TIPS) cannot be answered from them. English
        # questions are exempt: their words are rarely in Korean documents, yet dense search bridges that.
        korean = is_korean(question)
        if korean and vocabulary.unknown_names(question):
            return passages, Evidence(declined=Decline.ENTITY)
        settings = self.settings
        floor = settings.quote_min_similarity if korean else settings.quote_min_similarity_en
        typed_floor = settings.quote_min_similarity_typed if korean else None
        # A noun no document uses (주차, 가입비) is often what the question is about: only a statement closer to
        # the question may answer it then.
        if korean and vocabulary.unknown_nouns(question):
            floor += settings.quote_unknown_noun_margin
            typed_floor = (typed_floor or floor) + settings.quote_unknown_noun_margin
        evidence = select_evidence(
            question, passages, self.knowledge.embeddings, min_similarity=floor, typed_min_similarity=typed_floor,
            vocabulary=vocabulary,
        )
        return passages, evidence

    async def _llm_answer(
        self, message: str, standalone: str, passages: list[Passage], lang: str, on_delta: DeltaCallback | None
    ) -> Answer:
        assert self.llm is not None
        text = ""
        async for text in self.llm.stream_answer(standalone, passages, lang):
            # Hold back while the text could still be the not-found sentinel, so founders never see it.
            if on_delta and not NOT_FOUND.startswith(text.strip()):
                await on_delta(text)
        if NOT_FOUND in text:
            return Answer("not_found", t("answer.not_found", lang), lang, "llm", message, standalone)
        body, sources = cite(text, passages, lang)
        return Answer("answer", body, lang, "llm", message, standalone, sources)

    def _extractive_answer(
        self, message: str, standalone: str, passages: list[Passage], evidence: Evidence, lang: str
    ) -> Answer:
        quoted = {q.passage_index for q in evidence.quotes}
        # A founder asking in English gets Korean evidence quoted as written, and is told so.
        translated = lang == "en" and any(passages[i].lang not in (None, "en") for i in quoted)
        lines = [t("answer.extractive_intro_korean" if translated else "answer.extractive_intro", lang)]
        lines += [f"• {q.text} [{q.passage_index + 1}]" for q in evidence.quotes]
        body, sources = cite("\n".join(lines), passages, lang)
        return Answer("answer", body, lang, "extractive", message, standalone, sources)

    async def _finish(
        self, conversation_id: str, user_id: int | None, answer: Answer, started: float, remember: bool = True
    ) -> Answer:
        answer = replace(answer, latency_ms=int((time.perf_counter() - started) * 1000))
        qid = await asyncio.to_thread(self.store.log_question, user_id, conversation_id, answer)
        if remember:
            await asyncio.to_thread(
                self.store.append, conversation_id, user_id, answer.question, answer.text,
                self.settings.history_turns * 2,
            )
        # The conversation id holds the chat id (a founder's user id in private chats): logged as a pseudonym.
        log.info("answered conversation=%s kind=%s mode=%s sources=%d latency_ms=%d", user_ref(conversation_id),
                 answer.kind, answer.mode, len(answer.sources), answer.latency_ms)
        return replace(answer, question_id=qid)

    def reset(self, conversation_id: str) -> None:
        self.store.reset(conversation_id)
