"""The read side of the knowledge base: a BM25 snapshot and the active version set, kept in step with the
database revision, and hybrid search over them and Chroma."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.answering.language import is_korean
from bot.knowledge import registry
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
        self._vocabulary = Vocabulary(self._lexical, {})

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
                titles = registry.programme_titles(s)
            self._lexical = LexicalIndex(entries, revision)
            self._active = active
            self._vocabulary = Vocabulary(self._lexical, titles)
            log.debug("knowledge base at revision %d: %d chunks", revision, len(entries))
        return revision

    def search(
        self, query: str, k: int | None = None, *, programme: str | None = None, only_valid: bool = True,
        mode: SearchMode = "hybrid", today: date | None = None,
    ) -> list[Passage]:
        """The k most relevant passages of active, still-valid documents."""
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
            lexical, active = self._lexical, self._active
            if not active:
                return []
            dense = []
            if query_vector is not None:
                dense = self._dense(query_vector, depth, active, programme, valid_on)
            lex = lexical.search(query_terms, depth, programme=programme, valid_on=valid_on) if query_terms else []
            ranked = fuse(dense, lex, k, lexical_weight=lexical_weight)
            passages = self._hydrate(ranked)
            # A writer switched versions while we searched: the snapshot is stale, so search the new one.
            if len(passages) == len(ranked) or self.refresh() == revision:
                return passages
        return passages

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
                lang=d.lang,
            ))
        return out
