"""Curated answers: a question cafe staff answered, saved for every founder who asks it again.

The pair is written as a one-question Markdown FAQ (`Q. …` / `A. …` with a front-matter header) and ingested
through the same path as a staff upload (KnowledgeBase.ingest_file): it is a document like any other — versioned,
listed in /docs, removed with the normal remove, carried by export/import, rebuilt by reindex — with origin
"curated", which the shipped-folder sync never touches. The structure reader sees one FAQ pair, so the chunker
makes it one chunk and the extractive answer quotes the answer, never the question.

Saving an answer to the same question again (same words once case, spacing and punctuation are ignored) makes a
new version of the same document: the document is found by its question's key, kept in kb_documents.origin_path.

Answering (bot/answering/extractive.py) matches a founder's question to the curated *question* first: a
paraphrase close enough to it gets the staff answer, cited as "카페 직원 답변 (date)" (see `citation_label`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np

from bot.answering.language import is_korean
from bot.knowledge.morphemes import topic_nouns
from bot.knowledge.registry import CURATED, title_key
from bot.knowledge.structure import ANSWER_MARK, UnitKind, units
from bot.strings import t

KST = timezone(timedelta(hours=9))

# Question-to-question matching (e5 query vectors of the founder's question and the curated question). e5-small
# scores related but different questions high too (0.83-0.92), so closeness alone is not enough: the curated pair
# must also be about as close to the question as any document passage — a question a document speaks of more
# closely ("주말에도 전문가 상담 받을 수 있나요?" against "주말에도 문 열어요?") is left to the documents. Tuned on
# the pairs of tests/test_curated_answers.py and bench/curated_answer.py (each paraphrase sharing few words with its
# question) and near misses sharing words but asking something else; see `question_match`.
MATCH_MIN = 0.86  # a Korean question
MATCH_MIN_EN = 0.82  # a question that is not Korean: cross-lingual similarities run lower
SAME_QUESTION = 0.95  # the same question in other words: matched whatever the documents hold
DOCUMENT_MARGIN = 0.01  # how much closer than the curated pair a document passage may be
# Questions of one frame about different things score high too ("카페에 전자레인지 있어요?" against "카페에 정수기
# 있어요?": 0.89). So a rare noun of the question (IDF over the active chunks at least OBJECT_IDF: a handful of
# chunks use it, or none), likely the thing asked about, must be in the curated pair or close to one of its nouns
# (인쇄기 → 프린터 0.93; 전자레인지 → 정수기 0.86, but 택배 → 주차 0.88: single words are noisy), compared as e5
# query vectors of the single words.
OBJECT_IDF = 4.5
NOUN_MATCH = 0.89
# kb_documents.title holds 300 characters; the question is cut to leave room for the label around it.
MAX_TITLE_QUESTION = 200
_MARKDOWN_MARKS = re.compile(r"^\s*(?:#{1,6}\s+|-{3,}\s*$|```|~~~)")
_QUESTION_MARK = re.compile(r"^\s*(?:Q|질문|문)\s*\d{0,3}\s*[.:)|]\s*")


@dataclass(frozen=True)
class CuratedPair:
    """A curated document's question and answer, as read back from its chunk."""

    question: str
    answer: str


def question_key(question: str) -> str:
    """What makes two saved questions the same one: its words without case, spacing or punctuation (hashed to fit
    kb_documents.origin_path)."""
    return "q:" + hashlib.sha256(title_key_full(question).encode()).hexdigest()


def title_key_full(text: str) -> str:
    """registry.title_key without its length cut: long questions that share their first 300 characters differ."""
    return title_key(text) if len(text) < 300 else title_key(text[:300]) + title_key(text[300:])


def one_line(text: str) -> str:
    return " ".join(text.split())


def clean_question(question: str) -> str:
    """The question on one line, without a "Q." of its own."""
    return one_line(_QUESTION_MARK.sub("", one_line(question)))


def clean_answer(answer: str) -> list[str]:
    """The answer's lines, kept as staff wrote them but unable to change the document's structure: no Markdown
    headings, rules or fences, no line that would read as a new FAQ question or answer mark, at most one blank
    line in a row."""
    lines: list[str] = []
    for raw in answer.strip().splitlines():
        line = raw.strip()
        line = _MARKDOWN_MARKS.sub("", line).strip()
        line = _QUESTION_MARK.sub("", line) if _QUESTION_MARK.match(line) else line
        if not line:
            if lines and lines[-1]:
                lines.append("")
            continue
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def document_title(question: str, lang: str) -> str:
    question = clean_question(question)
    if len(question) > MAX_TITLE_QUESTION:
        question = question[: MAX_TITLE_QUESTION - 1].rstrip() + "…"
    return t("kb.curated_title", lang, question=question)


def saved_day(moment: datetime) -> date:
    """The day (Seoul time) a curated answer was saved, as founders see it in the citation."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(KST).date()


def citation_label(saved_at: datetime | None, lang: str) -> str:
    """"카페 직원 답변 (2026-12-02)" / "Cafe staff answer (2026-12-02)"."""
    day = saved_day(saved_at).isoformat() if saved_at is not None else "-"
    return t("answer.curated_source", lang, date=day)


def _yaml_string(value: str) -> str:
    """A double-quoted YAML scalar (titles may hold ':' or '#')."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_markdown(
    question: str, answer: str, *, title: str, lang: str, saved_at: datetime, programme: str | None = None,
    valid_until: date | None = None,
) -> str:
    """The pair as the Markdown FAQ the loaders and the structure reader already know.

    Raises ValueError for an empty question or answer."""
    q = clean_question(question)
    lines = clean_answer(answer)
    if not q or not lines:
        raise ValueError("a curated answer needs a question and an answer")
    day = saved_day(saved_at).isoformat()
    header = ["---", f"title: {_yaml_string(title)}", f"lang: {lang}",
              f"source: {_yaml_string(citation_label(saved_at, lang))}", f"saved: {day}"]
    if programme:
        header.append(f"programme: {_yaml_string(programme)}")
    if valid_until:
        header.append(f"valid_until: {valid_until.isoformat()}")
    header.append("---")
    return "\n".join([*header, f"Q. {q}", f"A. {lines[0]}", *lines[1:]]) + "\n"


def read_pair(text: str) -> CuratedPair | None:
    """The question and answer of a curated chunk (its first FAQ question and the statements after it)."""
    question = ""
    answer: list[str] = []
    for unit in units(text):
        if unit.kind == UnitKind.QUESTION and not question:
            question = _QUESTION_MARK.sub("", unit.text.lstrip("# ")).strip()
            continue
        if question and unit.kind != UnitKind.HEADING:
            answer.append(ANSWER_MARK.sub("", unit.text).strip())
    answer = [a for a in answer if a]
    if not question or not answer:
        return None
    return CuratedPair(question, "\n".join(answer))


def is_curated(origin: str | None) -> bool:
    return origin == CURATED


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower())


def _unit(vector: list[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def unexplained_nouns(
    question: str, pair: CuratedPair, idf: Callable[[str], float], embed_query: Callable[[str], list[float]],
) -> list[str]:
    """The question's rare nouns (see OBJECT_IDF) that the curated pair neither uses nor has a close synonym of."""
    text = _squash(f"{pair.question} {pair.answer}")
    rare = [n for n in dict.fromkeys(topic_nouns(question)) if n not in text and idf(n) >= OBJECT_IDF]
    if not rare:
        return []
    own = list(dict.fromkeys(topic_nouns(f"{pair.question} {pair.answer}")))
    if not own:
        return rare
    matrix = np.stack([_unit(embed_query(n)) for n in own])
    return [n for n in rare if float(np.max(matrix @ _unit(embed_query(n)))) < NOUN_MATCH]


def asks_the_same(
    question: str, pair: CuratedPair, *, question_similarity: float, pair_similarity: float, best_document: float,
    idf: Callable[[str], float], embed_query: Callable[[str], list[float]],
) -> bool:
    """Whether a founder's question asks what the curated pair answers: `question_match`, and no rare noun of the
    question left unexplained by the pair (`unexplained_nouns`)."""
    return question_match(question_similarity, pair_similarity, best_document, is_korean(question)) and not \
        unexplained_nouns(question, pair, idf, embed_query)


def question_match(question_similarity: float, pair_similarity: float, best_document: float, korean: bool) -> bool:
    """Whether a founder's question asks what a curated question asks.

    `question_similarity`: between the two questions (query vectors); `pair_similarity`: between the founder's
    question and the curated chunk (the dense similarity retrieval uses); `best_document`: the same for the closest
    passage of any other document (0 when none)."""
    if question_similarity >= SAME_QUESTION:
        return True
    floor = MATCH_MIN if korean else MATCH_MIN_EN
    return question_similarity >= floor and pair_similarity >= best_document - DOCUMENT_MARGIN
