"""What a founder's message asks for: information, an idea review, a person, small talk, or something else.

With an LLM the model classifies (prompts/intent.*.md); without one, the nearest example phrase
(prompts/intent_examples.json) on the local embeddings decides.
"""

from __future__ import annotations

import logging
import threading
from typing import cast

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from bot.answering.prompts import intent_examples, single_prompt
from bot.answering.routing_rules import (
    about_the_programmes,
    asks_about_something,
    asks_for_idea_review,
    asks_for_person,
    is_injection,
)
from bot.answering.types import Intent

log = logging.getLogger(__name__)

INTENTS: tuple[Intent, ...] = ("question", "idea_review", "human", "smalltalk", "out_of_scope")


def ruled_intent(message: str) -> Intent | None:
    """What the routing rules decide on their own: an injection attempt or an idea review; None leaves it open."""
    if is_injection(message):
        return "injection"
    if asks_for_idea_review(message):
        return "idea_review"
    return None


def overrule(message: str, proposed: Intent) -> Intent:
    """A classifier's label other than "question" stands only when the rules agree: an idea review or a person
    must be asked for, and small talk or an off-topic request must not be about the programmes. A wrong turn
    away from the documents costs the founder an answer."""
    if proposed == "idea_review" and not asks_for_idea_review(message):
        return "question"
    if proposed == "human" and not asks_for_person(message):
        return "question"
    if proposed in ("smalltalk", "out_of_scope") and (about_the_programmes(message) or asks_about_something(message)):
        return "question"
    return proposed


class NearestExampleClassifier:
    """The nearest example phrase by cosine similarity decides; it must beat the nearest `question`
    example by a margin, because routing away from the documents costs the founder an answer."""

    def __init__(self, embeddings: Embeddings, margin: float = 0.02) -> None:
        self.embeddings = embeddings
        self.margin = margin
        self._matrix: np.ndarray | None = None
        self._labels: list[str] = []
        self._lock = threading.Lock()

    def _ensure(self) -> None:
        with self._lock:
            if self._matrix is not None:
                return
            labels, texts = [], []
            for label, examples in intent_examples().items():
                labels.extend([label] * len(examples))
                texts.extend(examples)
            # e5 wants the query prefix on both sides for symmetric (message-to-message) similarity.
            self._matrix = np.array([self.embeddings.embed_query(t) for t in texts], dtype=np.float32)
            self._labels = labels

    def warm_up(self) -> None:
        self._ensure()

    def classify(self, message: str) -> Intent:
        self._ensure()
        assert self._matrix is not None
        sims = self._matrix @ np.asarray(self.embeddings.embed_query(message), dtype=np.float32)
        best: dict[str, float] = {}
        for label, sim in zip(self._labels, sims, strict=True):
            best[label] = max(best.get(label, -1.0), float(sim))
        winner = max(best, key=lambda lbl: best[lbl])
        if winner != "question" and best[winner] < best.get("question", -1.0) + self.margin:
            winner = "question"
        return cast(Intent, winner)


class LLMIntentClassifier:
    """Asks the chat model for one label; anything unparseable counts as a question."""

    def __init__(self, llm: BaseChatModel, fallback: NearestExampleClassifier) -> None:
        self.llm = llm
        self.fallback = fallback

    async def aclassify(self, message: str, lang: str) -> Intent:
        try:
            reply = await self.llm.ainvoke(single_prompt("intent", lang).format(message=message))
            text = str(reply.content).strip().lower()
            for label in INTENTS:
                if label in text:
                    return label
            return "question"
        except Exception:
            log.warning("intent classification by LLM failed; using the local classifier", exc_info=True)
            return self.fallback.classify(message)
