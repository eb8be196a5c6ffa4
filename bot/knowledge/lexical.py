"""The lexical index: BM25 (bm25s) over Kiwi morphemes, rebuilt from the database's stored tokens whenever
the knowledge base revision moves, so every process that shares the database sees the same index."""

from __future__ import annotations

import bisect
import logging
import math
from collections import Counter
from dataclasses import dataclass

import bm25s
import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LexicalEntry:
    chunk_id: str
    tokens: list[str]
    programme: str | None
    valid_until: int  # yyyymmdd; 99991231 when the document does not expire
    cafe_id: str | None = None  # a cafe's own notice; None: city-wide


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    score: float


class LexicalIndex:
    """An immutable BM25 snapshot of the active chunks at one revision."""

    def __init__(self, entries: list[LexicalEntry], revision: int) -> None:
        self.revision = revision
        self.ids = [e.chunk_id for e in entries]
        self._programmes = np.array([e.programme or "" for e in entries], dtype=object)
        self._valid = np.array([e.valid_until for e in entries], dtype=np.int64)
        self._cafes = np.array([e.cafe_id or "" for e in entries], dtype=object)
        self._bm25: bm25s.BM25 | None = None
        self._sorted_vocab: list[str] | None = None
        corpus = [e.tokens or ["\u2205"] for e in entries]
        self._df = Counter(t for e in entries for t in set(e.tokens))
        if corpus:
            self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
            self._bm25.index(corpus, show_progress=False)

    def knows(self, term: str) -> bool:
        """Whether any active chunk contains the term, or a longer form of it (광운대 → 광운대학교)."""
        if self._bm25 is None:
            return False
        if term in self._bm25.vocab_dict:
            return True
        if self._sorted_vocab is None:
            self._sorted_vocab = sorted(self._bm25.vocab_dict)
        i = bisect.bisect_left(self._sorted_vocab, term)
        return i < len(self._sorted_vocab) and self._sorted_vocab[i].startswith(term)

    def idf(self, term: str) -> float:
        """Inverse document frequency over the active chunks; a term no chunk has weighs the most."""
        n = len(self.ids)
        return math.log((n + 1) / (self._df.get(term, 0) + 0.5))

    def knows_phrase(self, phrase: str) -> bool:
        """Whether the phrase, or every content morpheme of it, is known ("수자원공사" → 수자원 + 공사)."""
        from bot.knowledge.morphemes import terms

        if self.knows(phrase.lower()):
            return True
        parts = terms(phrase)
        return bool(parts) and all(self.knows(p) for p in parts)

    def __len__(self) -> int:
        return len(self.ids)

    def search(
        self, query_terms: list[str], k: int, *, programme: str | None = None, valid_on: int | None = None,
        cafe_id: str | None = None,
    ) -> list[LexicalHit]:
        """Top-k chunks by BM25 among those passing the filters; chunks with no shared term are left out. With
        `cafe_id`, other cafes' notices are left out (city-wide chunks stay; see registry.visible_to)."""
        if self._bm25 is None or not query_terms:
            return []
        vocab = self._bm25.vocab_dict
        known = [t for t in query_terms if t in vocab]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        if programme is not None:
            scores = np.where(self._programmes == programme, scores, 0.0)
        if valid_on is not None:
            scores = np.where(self._valid >= valid_on, scores, 0.0)
        if cafe_id is not None:
            scores = np.where((self._cafes == "") | (self._cafes == cafe_id), scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [LexicalHit(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
