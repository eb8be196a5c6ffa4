"""Answers without an LLM: the one to three sentences of the retrieved passages that best match the question,
quoted as written, each with its citation number."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.knowledge.morphemes import sentences, terms
from bot.knowledge.search import Passage

_HEADING_LINE = re.compile(r"^\s*(#{1,6}\s|[□■◆◇▣]\s*)")
_BULLET = re.compile(r"^\s*(?:[○◦●◎\-–·•▪※*]|[①-⑳]|\d{1,2}[.)])\s*")


@dataclass(frozen=True)
class Quote:
    text: str
    passage_index: int  # index into the passages given


def _candidate_sentences(passage: Passage) -> list[str]:
    out = []
    for line in passage.text.splitlines():
        if not line.strip() or _HEADING_LINE.match(line):
            continue  # headings are context for the passage, not statements
        line = _BULLET.sub("", line).strip()
        out.extend(s for s in sentences(line) if len(s) >= 8)
    return out


def select_quotes(
    question: str, passages: list[Passage], embeddings: Embeddings | None = None, max_quotes: int = 3,
) -> list[Quote]:
    """Pick the sentences that share the most content terms with the question (weighted by passage rank).

    When the question shares no terms with the passages (an English question over Korean documents),
    rank the top passages' sentences by embedding similarity instead.
    """
    q_terms = set(terms(question))
    scored: list[tuple[float, int, int, str]] = []
    for pi, passage in enumerate(passages[:3]):
        rank_weight = 1.0 / (1 + 0.5 * pi)
        for si, sent in enumerate(_candidate_sentences(passage)):
            overlap = len(q_terms & set(terms(sent)))
            scored.append((overlap * rank_weight, pi, si, sent))
    if not scored:
        return []
    if max(s[0] for s in scored) == 0 and embeddings is not None:
        pool = [s for s in scored if s[1] < 2][:16]
        qv = np.asarray(embeddings.embed_query(question), dtype=np.float32)
        sims = [float(np.dot(qv, np.asarray(embeddings.embed_query(s[3]), dtype=np.float32))) for s in pool]
        scored = [(sim / (1 + 0.5 * s[1]), s[1], s[2], s[3]) for sim, s in zip(sims, pool)]
    best = sorted(scored, key=lambda s: (-s[0], s[1], s[2]))
    chosen: list[tuple[int, int, str]] = []
    top_score = best[0][0]
    for score, pi, si, sent in best:
        if len(chosen) == max_quotes or (chosen and score < top_score * 0.5):
            break
        if any(sent == c[2] for c in chosen):
            continue
        chosen.append((pi, si, sent))
    # Read in document order: passage rank, then position within the passage.
    chosen.sort()
    return [Quote(text=sent, passage_index=pi) for pi, _si, sent in chosen]
