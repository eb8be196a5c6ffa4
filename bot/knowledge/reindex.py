"""Rebuild the search indexes from SQL, the source of truth: the Chroma collection of the current embedding model
and the stored Kiwi tokens BM25 is built from. Needed after switching EMBEDDINGS_PROVIDER (each model has its own
collection, empty at first), after `cafebot import`, or when a Chroma server lost its data."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from bot.knowledge import registry
from bot.knowledge.morphemes import terms
from bot.storage.models import (
    KnowledgeChunk,
    KnowledgeDocument,
    KnowledgeVectorGC,
    KnowledgeVersion,
)

if TYPE_CHECKING:
    from bot.knowledge.service import KnowledgeBase

log = logging.getLogger(__name__)

ReindexProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ReindexResult:
    documents: int
    chunks: int
    removed_vectors: int
    collection: str
    seconds: float


def active_chunk_count(kb: KnowledgeBase) -> int:
    """Chunks of active versions: what both indexes should hold."""
    with kb.db.session() as s:
        return s.scalar(
            select(func.count(KnowledgeChunk.id))
            .join(KnowledgeDocument, KnowledgeDocument.active_version_id == KnowledgeChunk.version_id)
        ) or 0


def warn_if_vectors_missing(kb: KnowledgeBase) -> bool:
    """Log a warning naming `cafebot reindex` when the collection holds fewer vectors than SQL has active chunks.

    Deliberately not an automatic reindex: with OpenAI embeddings it costs money, on two cores the local model
    needs minutes per thousand chunks, and several replicas starting together would all do it at once. Until
    the operator reindexes, BM25 still answers. Returns whether vectors are missing.
    """
    try:
        chunks, vectors = active_chunk_count(kb), kb.vectors.count()
    except Exception:
        log.warning("could not compare the vector store with the database", exc_info=True)
        return False
    if vectors >= chunks:
        return False
    log.warning("the vector collection %s has %d vectors for %d active chunks (embedding model changed, or data "
                "imported?): run `cafebot reindex`; until then dense search misses them", kb.vectors.collection.name,
                vectors, chunks)
    return True


def reindex(kb: KnowledgeBase, progress: ReindexProgressCallback | None = None, batch: int = 256) -> ReindexResult:
    """Re-embed every active chunk into the current model's collection and recompute its BM25 tokens.

    Searches keep working meanwhile: vectors are upserted under their existing ids, and only vectors of
    versions that are neither active nor staged by an ingestion in flight are deleted at the end. The revision
    is bumped so every process sharing the database rebuilds its BM25 snapshot.
    """
    started = time.perf_counter()
    report = progress or (lambda _done, _total: None)
    with kb._write_lock:
        with kb.db.session() as s:
            rows = s.execute(
                select(KnowledgeChunk, KnowledgeVersion, KnowledgeDocument)
                .join(KnowledgeVersion, KnowledgeVersion.id == KnowledgeChunk.version_id)
                .join(KnowledgeDocument, KnowledgeDocument.active_version_id == KnowledgeVersion.id)
                .order_by(KnowledgeChunk.id)
            ).all()
        total = len(rows)
        report(0, total)
        title_terms: dict[str, str] = {}
        for start in range(0, total, batch):
            part = rows[start : start + batch]
            texts = [c.text for c, _v, _d in part]
            vectors = kb.embeddings.embed_documents([f"{d.title}\n{c.text}" for c, _v, d in part])
            metadatas = [
                kb._chunk_metadata(d.id, v.id, v.version, d.title, v.file_name, d.programme, d.valid_until,
                                   d.lang or "ko", {"page": c.page, "section": c.section}, c.content_hash,
                                   v.ingested_at.isoformat())
                for c, v, d in part
            ]
            kb.vectors.add([c.id for c, _v, _d in part], texts, metadatas, vectors)
            for _c, _v, d in part:
                if d.title not in title_terms:
                    title_terms[d.title] = " ".join(terms(d.title))
            tokens = [{"id": c.id, "tokens": " ".join(terms(c.text)) + " " + title_terms[d.title]} for c, _v, d in part]
            with kb.db.session() as s:
                s.execute(update(KnowledgeChunk), tokens)
            report(start + len(part), total)
        removed = _drop_stray_vectors(kb)
        with kb.db.session() as s:
            registry.bump_revision(s)
    kb.refresh()
    result = ReindexResult(
        documents=len({d.id for _c, _v, d in rows}), chunks=total, removed_vectors=removed,
        collection=kb.vectors.collection.name, seconds=time.perf_counter() - started,
    )
    log.info("reindexed %d chunks of %d documents into %s in %.1fs (%d stray vectors removed)", result.chunks,
             result.documents, result.collection, result.seconds, removed)
    return result


def _drop_stray_vectors(kb: KnowledgeBase) -> int:
    """Delete vectors of versions that are not active, except those an ingestion has staged (the sweep's job)."""
    with kb.db.session() as s:
        keep = set(registry.active_version_ids(s)) | set(s.scalars(select(KnowledgeVectorGC.version_id)))
    stray = sorted(kb.vectors.version_ids() - keep)
    for version_id in stray:
        kb.vectors.delete_version(version_id)
    return len(stray)
