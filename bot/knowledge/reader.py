"""The read side of the knowledge base: a BM25 snapshot and the active version set, kept in step with the
database revision, and hybrid search over them and Chroma."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.answering.language import is_korean
from bot.knowledge import curated, registry
from bot.knowledge.embeddings import CachedEmbeddings
from bot.knowledge.lexical import LexicalIndex
from bot.knowledge.morphemes import proper_names, terms, topic_nouns
from bot.knowledge.search import NON_KOREAN_LEXICAL_WEIGHT, Passage, SearchMode, fuse
from bot.knowledge.vectorstore import DenseHit, VectorIndex
from bot.storage.db import Database
from bot.storage.models import KnowledgeChunk, KnowledgeDocument, KnowledgeVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Vocabulary:
    """What the active documents say at one revision: their BM25 terms, and the titles each programme goes by."""

    lexical: LexicalIndex
    programme_titles: dict[str, list[str]]

    def knows(self, term: str) -> bool:
        return self.lexical.knows(term)

    def idf(self, term: str) -> float:
        return self.lexical.idf(term)

    def unknown_names(self, query: str) -> list[str]:
        """Proper nouns and foreign words of the query that no active document mentions (e.g. a city the
        documents never name): a sign the documents cannot answer it, whatever the similarity says."""
        return [name for name in proper_names(query) if not self.lexical.knows_phrase(name)]

    def unknown_nouns(self, query: str) -> list[str]:
        """Topic nouns of a Korean query that no active document mentions (주차, 가입비): what it asks about may
        simply not be in the documents."""
        return [noun for noun in topic_nouns(query) if not self.lexical.knows_phrase(noun)]


@dataclass(frozen=True)
class CuratedQuestions:
    """The question of every active curated answer (bot/knowledge/curated.py) at one revision, for matching a
    founder's question question-to-question: one row per curated chunk."""

    chunk_ids: tuple[str, ...] = ()
    pairs: tuple[curated.CuratedPair, ...] = ()
    programmes: tuple[str | None, ...] = ()
    valid_until: tuple[int, ...] = ()
    questions: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))  # unit query vectors
    chunks: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))  # unit chunk vectors


def _unit(vector: object) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def curated_rows(session: Session) -> list[tuple[str, str, str | None, int]]:
    """(chunk id, text, programme, valid-until) of every active curated answer's chunks."""
    rows = session.execute(
        select(KnowledgeChunk.id, KnowledgeChunk.text, KnowledgeDocument.programme, KnowledgeDocument.valid_until)
        .join(KnowledgeVersion, KnowledgeVersion.id == KnowledgeChunk.version_id)
        .join(KnowledgeDocument, KnowledgeDocument.active_version_id == KnowledgeVersion.id)
        .where(KnowledgeDocument.origin == registry.CURATED)
        .order_by(KnowledgeChunk.id)
    )
    return [(cid, text, programme, registry.date_int(valid)) for cid, text, programme, valid in rows]


class IndexReader:
    """Searches active chunks only; rebuilds its BM25 snapshot when any process moves the revision."""

    def __init__(self, db: Database, vectors: VectorIndex, embeddings: CachedEmbeddings, default_k: int) -> None:
        self.db = db
        self.vectors = vectors
        self.embeddings = embeddings
        self.default_k = default_k
        self._read_lock = threading.Lock()
        self._lexical = LexicalIndex([], -1)
        self._active: list[str] = []
        self._cafe_versions: dict[str, str] = {}  # active version -> its cafe, for cafe notices only
        self._vocabulary = Vocabulary(self._lexical, {})
        self._curated = CuratedQuestions()
        # Vectors of curated questions and chunks, kept across revisions: a new curated answer embeds one question.
        self._question_vectors: dict[str, np.ndarray] = {}
        self._chunk_vectors: dict[str, np.ndarray] = {}

    def refresh(self) -> int:
        """Rebuild the BM25 snapshot and active set if another writer (here or in another process) moved the
        revision."""
        with self.db.session() as s:
            revision = registry.current_revision(s)
        if revision == self._lexical.revision:
            return revision
        with self._read_lock:
            if revision == self._lexical.revision:
                return revision
            with self.db.session() as s:
                revision = registry.current_revision(s)
                entries = registry.lexical_entries(s)
                active = registry.active_version_ids(s)
                cafe_versions = registry.cafe_versions(s)
                titles = registry.programme_titles(s)
                curated_chunks = curated_rows(s)
            curated_questions = self._curated_questions(curated_chunks)
            self._lexical = LexicalIndex(entries, revision)
            self._active = active
            self._cafe_versions = cafe_versions
            self._vocabulary = Vocabulary(self._lexical, titles)
            self._curated = curated_questions
            log.debug("knowledge base at revision %d: %d chunks", revision, len(entries))
        return revision

    def search(
        self, query: str, k: int | None = None, *, programme: str | None = None, only_valid: bool = True,
        mode: SearchMode = "hybrid", today: date | None = None, cafe_id: str | None = None,
    ) -> list[Passage]:
        """The k most relevant passages of active, still-valid documents. `cafe_id` is the asking founder's cafe:
        other cafes' notices are left out before ranking (registry.visible_to); None searches every document."""
        k = k or self.default_k
        valid_on = registry.date_int(today or date.today()) if only_valid else None
        depth = max(30, k * 4)
        query_vector = self.embeddings.embed_query(query) if mode in ("hybrid", "dense") else None
        # An English question's words only match English documents: in hybrid mode BM25 gets a vote only when the
        # question is Korean (None = the normal lexical weight).
        lexical_weight = NON_KOREAN_LEXICAL_WEIGHT if mode == "hybrid" and not is_korean(query) else None
        query_terms = terms(query) if mode == "bm25" or (mode == "hybrid" and lexical_weight != 0) else []
        for _attempt in range(3):
            revision = self.refresh()
            lexical, active, curated_questions = self._lexical, self._active, self._curated
            cafe_versions = self._cafe_versions
            if cafe_id is not None and cafe_versions:
                active = [v for v in active if registry.visible_to(cafe_id, cafe_versions.get(v))]
            if not active:
                return []
            dense = []
            if query_vector is not None:
                dense = self._dense(query_vector, depth, active, programme, valid_on)
            lex = lexical.search(query_terms, depth, programme=programme, valid_on=valid_on,
                                 cafe_id=cafe_id) if query_terms else []
            ranked = fuse(dense, lex, k, lexical_weight=lexical_weight)
            if query_vector is not None:
                ranked = self._curated_first(query, query_vector, dense, ranked, curated_questions, lexical,
                                             programme, valid_on)
            passages = self._hydrate(ranked)
            # A writer switched versions while we searched: the snapshot is stale, so search the new one.
            if len(passages) == len(ranked) or self.refresh() == revision:
                break
        # Curated answers are matched outside the filtered indexes, and a document may have changed cafe since the
        # snapshot: what a founder of `cafe_id` must not get is dropped here too.
        return [p for p in passages if registry.visible_to(cafe_id, p.cafe_id)]

    def _curated_questions(self, rows: list[tuple[str, str, str | None, int]]) -> CuratedQuestions:
        """Question and chunk vectors of the curated answers (chunk vectors as Chroma holds them; a chunk without
        one, e.g. after an import before `cafebot reindex`, cannot be matched and is left out)."""
        pairs = [(cid, pair, programme, valid) for cid, text, programme, valid in rows
                 if (pair := curated.read_pair(text)) is not None]
        if not pairs:
            self._question_vectors.clear()
            self._chunk_vectors.clear()
            return CuratedQuestions()
        missing = [cid for cid, *_ in pairs if cid not in self._chunk_vectors]
        if missing:
            got = self.vectors.collection.get(ids=missing, include=["embeddings"])
            embeddings = got.get("embeddings")
            for cid, vector in zip(got.get("ids") or [], [] if embeddings is None else embeddings, strict=True):
                self._chunk_vectors[cid] = _unit(vector)
        kept = [p for p in pairs if p[0] in self._chunk_vectors]
        for _, pair, _, _ in kept:
            if pair.question not in self._question_vectors:
                self._question_vectors[pair.question] = _unit(self.embeddings.embed_query(pair.question))
        live_ids, live_questions = {p[0] for p in kept}, {p[1].question for p in kept}
        self._chunk_vectors = {c: v for c, v in self._chunk_vectors.items() if c in live_ids}
        self._question_vectors = {q: v for q, v in self._question_vectors.items() if q in live_questions}
        if not kept:
            return CuratedQuestions()
        return CuratedQuestions(
            chunk_ids=tuple(p[0] for p in kept), pairs=tuple(p[1] for p in kept),
            programmes=tuple(p[2] for p in kept), valid_until=tuple(p[3] for p in kept),
            questions=np.stack([self._question_vectors[p[1].question] for p in kept]),
            chunks=np.stack([self._chunk_vectors[p[0]] for p in kept]),
        )

    def _curated_first(
        self, query: str, query_vector: list[float], dense: list[DenseHit], ranked: list[Passage],
        questions: CuratedQuestions, lexical: LexicalIndex, programme: str | None, valid_on: int | None,
    ) -> list[Passage]:
        """Curated answers whose question asks what the query asks (curated.asks_the_same) go first, whether or
        not the fusion ranked them; the other curated answers go: a staff answer is given for its own question,
        never quoted for a question it merely resembles. The documents keep their order."""
        if not questions.chunk_ids:
            return ranked
        qv = _unit(query_vector)
        to_question = questions.questions @ qv
        to_chunk = questions.chunks @ qv
        own = set(questions.chunk_ids)
        best_document = max((h.similarity for h in dense if h.chunk_id not in own), default=0.0)
        matched = [
            i for i in range(len(questions.chunk_ids))
            if (programme is None or questions.programmes[i] == programme)
            and (valid_on is None or questions.valid_until[i] >= valid_on)
            and curated.asks_the_same(query, questions.pairs[i], question_similarity=float(to_question[i]),
                                      pair_similarity=float(to_chunk[i]), best_document=best_document,
                                      idf=lexical.idf, embed_query=self.embeddings.embed_query)
        ]
        if not matched:
            return [p for p in ranked if p.chunk_id not in own]
        matched.sort(key=lambda i: -float(to_question[i]))
        fused = {p.chunk_id: p for p in ranked}
        front = [
            replace(fused.get(questions.chunk_ids[i]) or Passage(chunk_id=questions.chunk_ids[i], score=0.0),
                    similarity=float(to_chunk[i]))
            for i in matched
        ]
        return front + [p for p in ranked if p.chunk_id not in own]

    def vocabulary(self) -> Vocabulary:
        """The active documents' vocabulary at the current revision (one refresh for everything an answer asks)."""
        self.refresh()
        return self._vocabulary

    def unknown_names(self, query: str) -> list[str]:
        """See Vocabulary.unknown_names."""
        return self.vocabulary().unknown_names(query)

    def _dense(
        self, vector: list[float], depth: int, active: list[str], programme: str | None, valid_on: int | None
    ) -> list[DenseHit]:
        """The `depth` nearest active, valid chunks.

        Chroma evaluates a `where` clause against every record's metadata on each query (bench/speed.py: 45 ms
        at 10k chunks, against 5 ms unfiltered), so without a programme filter the nearest chunks are fetched
        unfiltered with a margin and filtered here; only when too few of them pass (many superseded or expired
        chunks) does the filtered query run. Both give the same chunks (up to HNSW approximation).
        """
        if programme is None:
            fetch = depth * 2
            hits = self.vectors.search(vector, fetch, None)
            allowed = set(active)
            kept = [
                h for h in hits
                if h.document.metadata.get("version_id") in allowed
                and (valid_on is None or int(h.document.metadata.get("valid_until", registry.NO_EXPIRY)) >= valid_on)
            ]
            if len(kept) >= depth or len(hits) < fetch:
                return kept[:depth]
        return self.vectors.search(vector, depth, self._where(active, programme, valid_on))

    @staticmethod
    def _where(active: list[str], programme: str | None, valid_on: int | None) -> dict[str, Any]:
        clauses: list[dict[str, Any]] = [{"version_id": {"$in": active}}]
        if programme:
            clauses.append({"programme": programme})
        if valid_on is not None:
            clauses.append({"valid_until": {"$gte": valid_on}})
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def _hydrate(self, ranked: list[Passage]) -> list[Passage]:
        if not ranked:
            return []
        with self.db.session() as s:
            rows = s.execute(
                select(KnowledgeChunk, KnowledgeVersion, KnowledgeDocument)
                .join(KnowledgeVersion, KnowledgeVersion.id == KnowledgeChunk.version_id)
                .join(KnowledgeDocument, KnowledgeDocument.id == KnowledgeVersion.document_id)
                .where(KnowledgeChunk.id.in_([p.chunk_id for p in ranked]))
            ).all()
        by_id = {c.id: (c, v, d) for c, v, d in rows}
        out = []
        for p in ranked:
            if p.chunk_id not in by_id:
                continue  # superseded between index read and hydration: never show a stale passage
            c, v, d = by_id[p.chunk_id]
            out.append(replace(
                p, text=c.text, page=c.page, section=c.section, document_id=d.id, title=d.title,
                source=v.file_name, version=v.version, programme=d.programme, valid_until=d.valid_until,
                lang=d.lang, origin=d.origin, ingested_at=v.ingested_at, cafe_id=d.cafe_id,
            ))
        return out
