"""Answers without an LLM: the sentence of the retrieved passages that answers the question, quoted as written
with its citation, or nothing when no sentence does.

A sentence is eligible only if it could be the answer: it is a statement (not a FAQ question, heading, table
header or placeholder: see bot.knowledge.quotes), it carries the kind of answer asked for (an amount for
"얼마", a verdict for "돼요?"), and its statement, heading or document names every key entity of the question.
Among eligible sentences the closest to the question wins; a second is added only from the same statement or
passage and nearly as close. The same gate decides, in LLM mode, whether the model is asked at all.

A question cafe staff answered for everyone (a curated answer, bot/knowledge/curated.py) comes first: when the
founder's question asks the same thing, the staff answer is quoted whole; a curated answer is never quoted for a
question it only resembles.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from bot.answering.answer_types import (
    AnswerType,
    answers_all,
    asked_types,
    carries,
    checked,
)
from bot.answering.entities import (
    Entity,
    key_entities,
    normalise,
    other_year,
    programme_year,
    speaks_of,
)
from bot.knowledge.curated import asks_the_same, is_curated, read_pair
from bot.knowledge.embeddings import CachedEmbeddings
from bot.knowledge.morphemes import terms, topic_nouns
from bot.knowledge.quotes import quotable_sentences
from bot.knowledge.reader import Vocabulary
from bot.knowledge.search import Passage

MAX_PASSAGES = 4
MAX_CANDIDATES = 40
# A second quote must be nearly as close to the question as the best one, or it is padding.
KEEP_WITHIN = 0.02
OVERLAP_WEIGHT = 0.01
# A yes/no question is answered by the sentence that gives the verdict ("불가합니다.", "네, 가능합니다").
VERDICT_BONUS = 0.02
_VERDICT_FIRST = re.compile(r"^\s*(?:불가|가능|네[,.]|예[,.]|아니[요오]|아닙니다|안\s*됩니다|됩니다|"
                            r"그렇습니다|해당|없습니다|"
                            r"yes\b|no\b)", re.IGNORECASE)
# A long statement (a pledge, a table dumped as text) matches many questions a little: it is rarely the answer.
LONG_QUOTE_CHARS = 200
LONG_QUOTE_PENALTY = 0.01  # per LONG_QUOTE_CHARS beyond the first
# The share (by IDF) of the question's topic nouns a statement must name, unless it is very close to the question.
MIN_ASPECT_COVERAGE = 0.25
CLOSE_ENOUGH = 0.92
# A document saying it does not hold the answer ("…은 이 문서에 담겨 있지 않습니다") answers nothing.
_NOT_COVERED = re.compile(
    r"(?:문서|자료|챗봇|지식베이스)\S*\s*(?:에는?|에서는?)?\s*(?:\S+\s+){0,3}(?:담겨\s*있지\s*않|없습니다|나와\s*있지\s*않|"
    r"포함되어\s*있지\s*않|등록되어\s*있지\s*않)"
    r"|(?:not|isn't|aren't)\s+(?:covered|included|in\s+(?:this|these|the)\s+(?:document|page|knowledge\s+base)s?)",
    re.IGNORECASE)


class Decline(StrEnum):
    """Why the documents were judged not to answer."""

    NOTHING_QUOTABLE = "nothing_quotable"
    ENTITY = "entity"  # no statement names what the question is about
    ANSWER_TYPE = "answer_type"  # none carries what was asked (an amount, a date …)
    WEAK = "weak"  # the best statement is not close enough to the question
    ASPECT = "aspect"  # no close statement speaks of what the question asks about (가입비, 경쟁률 …)
    OTHER_YEAR = "other_year"  # the question is about another year's call than the documents
    NOT_COVERED = "not_covered"  # the closest statement says the documents do not cover it


@dataclass(frozen=True)
class Quote:
    text: str
    passage_index: int  # index into the passages given
    similarity: float = 0.0


@dataclass(frozen=True)
class Evidence:
    """The quotes that answer, or why none does."""

    quotes: list[Quote] = field(default_factory=list)
    declined: Decline | None = None
    types: frozenset[AnswerType] = frozenset()
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True)
class _Candidate:
    passage_index: int
    order: int  # position in the passage
    sentence: str
    unit: str
    context: str  # heading: sentence, what is embedded
    evidence: str  # statement, heading and document title: where entities must appear


def _candidates(passages: list[Passage]) -> list[_Candidate]:
    out: list[_Candidate] = []
    for pi, passage in enumerate(passages[:MAX_PASSAGES]):
        if is_curated(passage.origin):
            continue  # a staff answer answers its own question only (_curated_evidence), never by resemblance
        for si, q in enumerate(quotable_sentences(passage.text)):
            evidence = f"{passage.title}\n{passage.programme or ''}\n{q.heading}\n{q.unit}\n{q.sentence}"
            out.append(_Candidate(pi, si, q.sentence, q.unit, q.embedding_text, evidence))
    return out[:MAX_CANDIDATES]


def _aliases(passage: Passage, programme_titles: dict[str, list[str]]) -> str:
    if not passage.programme:
        return ""
    return normalise(" ".join([passage.programme, *programme_titles.get(passage.programme, [])]))


def _words(text: str) -> set[str]:
    """Content words for a rough overlap: Korean nouns and English words of four letters or more."""
    return set(topic_nouns(text)) | {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)} - _EN_FILLER


_EN_FILLER = frozenset({"what", "when", "where", "which", "there", "this", "that", "with", "from", "have", "does",
                        "will", "would", "could", "should", "about", "your", "they", "them", "their", "documents",
                        "document", "knowledge", "base", "page", "cafe", "cafes", "startup", "seoul"})


def _coverage(aspects: list[str], evidence: str, idf: Callable[[str], float]) -> float:
    text = normalise(evidence)
    weights = {a: idf(a) for a in aspects}
    total = sum(weights.values())
    return sum(w for a, w in weights.items() if a in text) / total if total > 0 else 1.0


def _checkable(entity: Entity, programme_titles: dict[str, list[str]]) -> bool:
    """An English name is checked only when some document's title or programme uses it: otherwise a Korean
    document cannot show it by name, and dense retrieval alone bridges the languages."""
    if entity.kind != "english_name":
        return True
    return any(entity.key in normalise(" ".join([p, *ts])) for p, ts in programme_titles.items())


def _on_topic(
    question: str, entities: tuple[Entity, ...], candidates: list[_Candidate], sims: np.ndarray, vocabulary: Vocabulary
) -> list[int]:
    """Indexes of the candidates that name enough of the question's topic nouns (by IDF), or are very close.

    A noun no document uses is left to the caller, which raises the similarity floor for it."""
    entity_keys = [e.key for e in entities]
    aspects = [a for a in dict.fromkeys(topic_nouns(question)) if not any(a in k for k in entity_keys)]
    aspects = [a for a in aspects if vocabulary.knows(a)]
    if not aspects:
        return list(range(len(candidates)))
    return [i for i, c in enumerate(candidates) if float(sims[i]) >= CLOSE_ENOUGH
            or _coverage(aspects, c.evidence, vocabulary.idf) >= MIN_ASPECT_COVERAGE]


def _scores(question: str, types: frozenset[AnswerType], candidates: list[_Candidate], sims: np.ndarray) -> list[float]:
    """Similarity, nudged by shared terms, a verdict leading a yes/no answer, and against long statements."""
    q_terms = set(terms(question))
    scores = []
    for c, sim in zip(candidates, sims, strict=True):
        overlap = len(q_terms & set(terms(c.context))) / max(len(q_terms), 1)
        bonus = VERDICT_BONUS if AnswerType.YES_NO in types and _VERDICT_FIRST.match(c.sentence) else 0.0
        excess = max(0, len(c.sentence) - LONG_QUOTE_CHARS) / LONG_QUOTE_CHARS
        scores.append(float(sim) + OVERLAP_WEIGHT * overlap + bonus - LONG_QUOTE_PENALTY * excess)
    return scores


def _unit(vector: list[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def _curated_evidence(
    question: str, passages: list[Passage], embeddings: CachedEmbeddings, types: frozenset[AnswerType],
    entities: tuple[Entity, ...], vocabulary: Vocabulary | None, year: str | None,
) -> Evidence | None:
    """A curated answer whose question asks what this question asks (bot/knowledge/curated.py): its whole answer,
    quoted as staff wrote it. None when no curated answer among the passages matches.

    Matched question to question (curated.asks_the_same), before any document sentence is weighed. Staff answered
    that question, so a yes/no verdict is not required of the answer; an asked value (an amount, a date, a time …),
    the question's key entities and its year still are."""
    curated = [i for i, p in enumerate(passages) if is_curated(p.origin) and p.similarity is not None]
    if not curated:
        return None
    best_document = max((p.similarity for p in passages if not is_curated(p.origin) and p.similarity is not None),
                        default=0.0)
    wanted = checked(set(types)) - {AnswerType.YES_NO}
    programme_titles = vocabulary.programme_titles if vocabulary is not None else {}
    idf = vocabulary.idf if vocabulary is not None else (lambda _term: float("inf"))
    qv: np.ndarray | None = None
    best: tuple[float, int, list[str]] | None = None
    for i in curated:
        passage = passages[i]
        pair = read_pair(passage.text)
        if pair is None or (year and other_year(passage.title, year)):
            continue
        evidence = f"{passage.title}\n{passage.programme or ''}\n{pair.question}\n{pair.answer}"
        if not all(speaks_of(e, evidence, _aliases(passage, programme_titles)) for e in entities):
            continue
        if wanted and not any(carries(pair.answer, t) for t in wanted):
            continue
        qv = _unit(embeddings.embed_query(question)) if qv is None else qv
        similarity = float(_unit(embeddings.embed_query(pair.question)) @ qv)
        assert passage.similarity is not None
        if (best is None or similarity > best[0]) and asks_the_same(
                question, pair, question_similarity=similarity, pair_similarity=passage.similarity,
                best_document=best_document, idf=idf, embed_query=embeddings.embed_query):
            best = (similarity, i, [line for line in pair.answer.splitlines() if line.strip()])
    if best is None:
        return None
    similarity, index, lines = best
    return Evidence(quotes=[Quote(line, index, similarity) for line in lines], types=types, entities=entities)


def select_evidence(
    question: str, passages: list[Passage], embeddings: CachedEmbeddings, *, min_similarity: float = 0.0,
    max_quotes: int = 2, vocabulary: Vocabulary | None = None, typed_min_similarity: float | None = None,
) -> Evidence:
    """The one or two sentences of the top passages that answer the question, or why none does.

    `min_similarity` is the floor for the best sentence; `typed_min_similarity` (lower) applies instead when the
    evidence is corroborated: it carries the asked value (an amount, a date …) or names the question's entities."""
    types = frozenset(asked_types(question))
    titles = vocabulary.programme_titles if vocabulary is not None else {}
    entities = tuple(e for e in key_entities(question) if _checkable(e, titles))
    year = programme_year(question)
    # A question staff have answered for everyone is answered with their answer.
    curated = _curated_evidence(question, passages, embeddings, types, entities, vocabulary, year)
    if curated is not None:
        return curated
    candidates = _candidates(passages)
    if year:
        candidates = [c for c in candidates if not other_year(passages[c.passage_index].title, year)]
        if not candidates:
            return Evidence(declined=Decline.OTHER_YEAR, types=types, entities=entities)
    if not candidates:
        return Evidence(declined=Decline.NOTHING_QUOTABLE, types=types, entities=entities)
    aliases = [_aliases(p, titles) for p in passages[:MAX_PASSAGES]]
    named = [c for c in candidates if all(speaks_of(e, c.evidence, aliases[c.passage_index]) for e in entities)]
    if not named:
        return Evidence(declined=Decline.ENTITY, types=types, entities=entities)
    eligible = [c for c in named if answers_all(c.sentence, set(types))]
    if not eligible:
        return Evidence(declined=Decline.ANSWER_TYPE, types=types, entities=entities)

    qv = np.asarray(embeddings.embed_query(question), dtype=np.float32)
    matrix = np.asarray(embeddings.embed_documents([c.context for c in eligible]), dtype=np.float32)
    sims = matrix @ qv
    if vocabulary is not None:
        kept = _on_topic(question, entities, eligible, sims, vocabulary)
        if not kept:
            return Evidence(declined=Decline.ASPECT, types=types, entities=entities)
        eligible, sims = [eligible[i] for i in kept], sims[kept]
    wanted = checked(set(types))
    scores = _scores(question, types, eligible, sims)
    order = sorted(range(len(eligible)), key=lambda i: -scores[i])
    best = order[0]
    # Corroborated evidence (it carries the asked value, or names what the question names) may be a little less
    # close than uncorroborated evidence.
    floor = min_similarity
    corroborated = (wanted and any(carries(eligible[best].sentence, t) for t in wanted)) or any(
        e.kind == "name" for e in entities)
    if typed_min_similarity is not None and corroborated:
        floor = min(floor, typed_min_similarity)
    if float(sims[best]) < floor:
        return Evidence(declined=Decline.WEAK, types=types, entities=entities)
    # Among the closest statements, one saying the documents do not hold what is asked settles it.
    q_words = _words(question)
    for i in order[:3]:
        statement = eligible[i].sentence
        close = scores[i] >= scores[best] - KEEP_WITHIN
        if _NOT_COVERED.search(statement) and (i == best or (close and q_words & _words(statement))):
            return Evidence(declined=Decline.NOT_COVERED, types=types, entities=entities)
    chosen = [best]
    for i in order[1:]:
        if len(chosen) >= max_quotes or scores[i] < scores[best] - KEEP_WITHIN:
            break
        same_place = eligible[i].passage_index == eligible[best].passage_index and (
            eligible[i].unit == eligible[best].unit or abs(eligible[i].order - eligible[best].order) <= 1)
        if same_place:
            chosen.append(i)
    chosen.sort(key=lambda i: (eligible[i].passage_index, eligible[i].order))  # read in document order
    quotes = [Quote(eligible[i].sentence, eligible[i].passage_index, float(sims[i])) for i in chosen]
    return Evidence(quotes=quotes, types=types, entities=entities)
