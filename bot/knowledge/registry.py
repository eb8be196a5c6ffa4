"""The document registry in SQL: documents, their versions and chunks, and the revision every index follows."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.knowledge.lexical import LexicalEntry
from bot.storage.models import (
    KnowledgeChunk,
    KnowledgeDocument,
    KnowledgeState,
    KnowledgeVectorGC,
    KnowledgeVersion,
    RemovedFile,
    utcnow,
)

NO_EXPIRY = 99991231
# kb_documents.origin values (Final: type checkers see the literals DocumentOrigin.kind takes).
KNOWLEDGE_DIR: Final = "knowledge_dir"
UPLOAD: Final = "upload"
CLI: Final = "cli"
# A staff answer saved for everyone (bot/knowledge/curated.py); origin_path holds the key of its question.
CURATED: Final = "curated"


@dataclass(frozen=True)
class DocumentOrigin:
    """Where a new version comes from: the shipped folder (with the file's path relative to it), staff (an upload, or
    a curated answer with its question's key), or the CLI.

    The document takes it over with the version, so a staff upload onto a shipped document makes it staff's.
    """

    kind: Literal["knowledge_dir", "upload", "cli", "curated"]
    path: str | None = None


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes: how an unchanged file is recognised (kb_versions.content_hash)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def title_key(title: str) -> str:
    """Titles that differ only in spacing, case or punctuation name the same document."""
    norm = unicodedata.normalize("NFKC", title).lower()
    return re.sub(r"[\W_]+", "", norm)[:300]


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def date_int(d: date | None) -> int:
    return d.year * 10000 + d.month * 100 + d.day if d else NO_EXPIRY


@dataclass(frozen=True)
class DocumentInfo:
    """What staff and the CLI see of a document."""

    id: str
    title: str
    programme: str | None
    valid_until: date | None
    lang: str | None
    source: str | None
    version: int
    version_id: str
    file_name: str
    kind: str
    page_count: int
    chunk_count: int
    ingested_at: datetime
    # A cafe's own notice (kb_documents.cafe_id): it answers that cafe's founders; None: city-wide.
    cafe_id: str | None = None


def bump_revision(session: Session) -> int:
    """Advance the knowledge base revision inside the caller's transaction."""
    state = session.get(KnowledgeState, 1, with_for_update=True)
    if state is None:
        state = KnowledgeState(id=1, revision=0)
        session.add(state)
    state.revision = (state.revision or 0) + 1
    state.updated_at = utcnow()
    return state.revision


def current_revision(session: Session) -> int:
    return session.scalar(select(KnowledgeState.revision).where(KnowledgeState.id == 1)) or 0


def find_by_hash(session: Session, content_hash: str) -> KnowledgeDocument | None:
    """The document whose active version has exactly these bytes."""
    return session.scalar(
        select(KnowledgeDocument)
        .join(KnowledgeVersion, KnowledgeVersion.id == KnowledgeDocument.active_version_id)
        .where(KnowledgeVersion.content_hash == content_hash)
    )


def find_by_title(session: Session, title: str) -> KnowledgeDocument | None:
    return session.scalar(select(KnowledgeDocument).where(KnowledgeDocument.title_key == title_key(title)))


def next_version_number(session: Session, document_id: str) -> int:
    latest = session.scalar(
        select(func.max(KnowledgeVersion.version)).where(KnowledgeVersion.document_id == document_id)
    )
    return (latest or 0) + 1


def mark_for_sweep(session: Session, version_id: str) -> None:
    if session.get(KnowledgeVectorGC, version_id) is None:
        session.add(KnowledgeVectorGC(version_id=version_id))


def unmark_for_sweep(session: Session, version_id: str) -> None:
    session.execute(delete(KnowledgeVectorGC).where(KnowledgeVectorGC.version_id == version_id))


def sweep_candidates(session: Session, older_than: timedelta) -> list[str]:
    """Version ids whose vectors should go: marked long enough ago and not active."""
    cutoff = datetime.now(UTC) - older_than
    active = select(KnowledgeDocument.active_version_id).where(KnowledgeDocument.active_version_id.is_not(None))
    rows = session.scalars(
        select(KnowledgeVectorGC.version_id).where(
            KnowledgeVectorGC.created_at <= cutoff, KnowledgeVectorGC.version_id.not_in(active)
        )
    )
    return list(rows)


def delete_document(session: Session, doc: KnowledgeDocument, removed_by: str | None) -> list[str]:
    """Delete a document (its versions and chunks go with it), marking its vectors for the sweep; returns its
    version ids.

    `removed_by` ("staff:<Telegram id>" or "cli") says a person decided it: the bytes of every version it had are
    remembered in kb_removed_files, so the start-up sync does not bring the shipped folder's copy back. The sync's
    own removals (a file dropped from the folder) pass None: nothing to remember, the file is gone.
    """
    versions = list(doc.versions)
    for v in versions:
        mark_for_sweep(session, v.id)
    if removed_by is not None:
        path = doc.origin_path if doc.origin == KNOWLEDGE_DIR else None
        for content_hash in sorted({v.content_hash for v in versions}):
            row = session.get(RemovedFile, content_hash) or RemovedFile(content_hash=content_hash)
            row.title, row.origin_path, row.removed_by, row.removed_at = doc.title, path, removed_by, utcnow()
            session.add(row)
    session.delete(doc)
    return [v.id for v in versions]


def forget_removal(session: Session, content_hash: str) -> None:
    """Ingesting these bytes on purpose (a staff upload, `cafebot ingest`) undoes an earlier removal of them."""
    session.execute(delete(RemovedFile).where(RemovedFile.content_hash == content_hash))


def drop_inactive_chunks(session: Session, document_id: str, keep_version_id: str | None) -> list[str]:
    """Delete the chunk rows of every version but `keep_version_id`; returns the versions whose vectors must go."""
    versions = list(
        session.scalars(select(KnowledgeVersion.id).where(KnowledgeVersion.document_id == document_id))
    )
    stale = [v for v in versions if v != keep_version_id]
    if stale:
        session.execute(delete(KnowledgeChunk).where(KnowledgeChunk.version_id.in_(stale)))
        session.execute(update(KnowledgeVersion).where(KnowledgeVersion.id.in_(stale)).values(chunk_count=0))
    return stale


def active_version_ids(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(KnowledgeDocument.active_version_id).where(KnowledgeDocument.active_version_id.is_not(None))
        )
    )


def lexical_entries(session: Session) -> list[LexicalEntry]:
    """Tokens and filter fields of every active chunk, for building the BM25 snapshot."""
    rows = session.execute(
        select(KnowledgeChunk.id, KnowledgeChunk.tokens, KnowledgeDocument.programme, KnowledgeDocument.valid_until,
               KnowledgeDocument.cafe_id)
        .join(KnowledgeVersion, KnowledgeVersion.id == KnowledgeChunk.version_id)
        .join(KnowledgeDocument, KnowledgeDocument.active_version_id == KnowledgeVersion.id)
        .order_by(KnowledgeChunk.id)
    )
    return [LexicalEntry(cid, tokens.split(), prog, date_int(valid), cafe)
            for cid, tokens, prog, valid, cafe in rows]


def cafe_versions(session: Session) -> dict[str, str]:
    """The active version of every cafe notice, with its cafe (city-wide documents are left out)."""
    rows = session.execute(
        select(KnowledgeDocument.active_version_id, KnowledgeDocument.cafe_id).where(
            KnowledgeDocument.active_version_id.is_not(None), KnowledgeDocument.cafe_id.is_not(None)
        )
    )
    return {version: cafe for version, cafe in rows if version and cafe}


def visible_to(cafe_id: str | None, document_cafe: str | None) -> bool:
    """Whether a founder of `cafe_id` is answered from a document of `document_cafe`: city-wide documents answer
    everyone; a cafe's notice answers its own founders and founders who chose no cafe (labelled with the cafe, see
    bot/answering/citations.py), never another cafe's founders, who would take its hours or events for their own."""
    return document_cafe is None or cafe_id is None or document_cafe == cafe_id


def programme_titles(session: Session) -> dict[str, list[str]]:
    """The titles of the active documents of each programme: the names a programme goes by."""
    rows = session.execute(
        select(KnowledgeDocument.programme, KnowledgeDocument.title).where(
            KnowledgeDocument.active_version_id.is_not(None), KnowledgeDocument.programme.is_not(None)
        )
    )
    out: dict[str, list[str]] = {}
    for programme, title in rows:
        if programme:
            out.setdefault(programme, []).append(title)
    return out


def list_documents(session: Session) -> list[DocumentInfo]:
    rows = session.execute(
        select(KnowledgeDocument, KnowledgeVersion)
        .join(KnowledgeVersion, KnowledgeVersion.id == KnowledgeDocument.active_version_id)
        .order_by(KnowledgeDocument.title)
    )
    return [_info(d, v) for d, v in rows]


def get_document(session: Session, document_id: str) -> DocumentInfo | None:
    row = session.execute(
        select(KnowledgeDocument, KnowledgeVersion)
        .join(KnowledgeVersion, KnowledgeVersion.id == KnowledgeDocument.active_version_id)
        .where(KnowledgeDocument.id == document_id)
    ).first()
    return _info(*row) if row else None


def _info(d: KnowledgeDocument, v: KnowledgeVersion) -> DocumentInfo:
    return DocumentInfo(
        id=d.id, title=d.title, programme=d.programme, valid_until=d.valid_until, lang=d.lang, source=d.source,
        version=v.version, version_id=v.id, file_name=v.file_name, kind=v.kind, page_count=v.page_count,
        chunk_count=v.chunk_count, ingested_at=v.ingested_at, cafe_id=d.cafe_id,
    )
