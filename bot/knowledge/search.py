"""Search results and rank fusion of the dense and lexical sides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.knowledge.lexical import LexicalHit
from bot.knowledge.vectorstore import DenseHit

SearchMode = Literal["hybrid", "dense", "bm25"]

# Tuned in bench/ (bench/tune.py, bench/RESULTS.md): with k=5 instead of the textbook 60 each side's top
# ranks count for more; better on both the AutoRAG Korean set and the bot's own questions (k 3-5 is a plateau).
RRF_K = 5
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
# BM25 cannot cross languages: the words of a question that is not mostly Hangul (English) only match the few
# English documents, and letting those hits vote in the fusion crowded out the dense side's cross-lingual
# matches in the Korean documents (bench/: hybrid recall@5 of English questions 0.65 vs 0.87 for dense alone).
NON_KOREAN_LEXICAL_WEIGHT = 0.0


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with everything needed to quote and cite it."""

    chunk_id: str
    score: float
    similarity: float | None = None
    bm25: float | None = None
    text: str = ""
    document_id: str = ""
    title: str = ""
    source: str = ""
    page: int | None = None
    section: str | None = None
    version: int = 0
    programme: str | None = None
    valid_until: date | None = None
    lang: str | None = None
    origin: str | None = None  # kb_documents.origin: "curated" for a staff answer saved for everyone
    ingested_at: datetime | None = None  # when this version was ingested (a curated answer: when it was saved)
    cafe_id: str | None = None  # kb_documents.cafe_id: a cafe's own notice; None: city-wide

    @property
    def location(self) -> str:
        """Page number or section for a citation."""
        if self.page is not None:
            return f"p.{self.page}"
        return self.section or ""


def fuse(
    dense: Sequence[DenseHit], lexical: Sequence[LexicalHit], k: int, *, lexical_weight: float | None = None
) -> list[Passage]:
    """Weighted reciprocal rank fusion; keeps each side's raw score for thresholds and display."""
    lexical_weight = LEXICAL_WEIGHT if lexical_weight is None else lexical_weight
    scores: dict[str, float] = {}
    sim: dict[str, float] = {}
    bm: dict[str, float] = {}
    for rank, hit in enumerate(dense):
        scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + DENSE_WEIGHT / (RRF_K + rank + 1)
        sim[hit.chunk_id] = hit.similarity
    for rank, lhit in enumerate(lexical):
        scores[lhit.chunk_id] = scores.get(lhit.chunk_id, 0.0) + lexical_weight / (RRF_K + rank + 1)
        bm[lhit.chunk_id] = lhit.score
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:k]
    return [Passage(chunk_id=cid, score=s, similarity=sim.get(cid), bm25=bm.get(cid)) for cid, s in ranked]
