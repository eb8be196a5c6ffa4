"""Knowledge base tables: documents, versions, chunks, revision, vector sweep list, files removed by hand."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.storage.models.base import Base, utcnow
from bot.storage.types import UtcDateTime

# --- knowledge base -------------------------------------------------------------------------


class KnowledgeDocument(Base):
    """A programme document as founders know it (one title); its text lives in versions."""

    __tablename__ = "kb_documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    # Normalised title: a new upload with the same title supersedes this document.
    title_key: Mapped[str] = mapped_column(String(300), unique=True)
    programme: Mapped[str | None] = mapped_column(String(120))
    # A cafe's own notice (its hours, an event): it answers that cafe's founders and is labelled with the cafe for
    # everyone else. NULL: city-wide.
    cafe_id: Mapped[str | None] = mapped_column(String(32), index=True)
    valid_until: Mapped[date | None] = mapped_column(Date)
    lang: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str | None] = mapped_column(String(500))
    active_version_id: Mapped[str | None] = mapped_column(String(32))
    # Who owns the active version: "knowledge_dir" (the shipped folder; origin_path is the file's path relative
    # to it, so the start-up sync can remove the document once a release drops the file), "upload" (staff) or
    # "cli" (`cafebot ingest`), which the sync never touches. NULL: ingested before migration 0006 and not yet
    # claimed by a sync (see bot/knowledge/shipped_sync.py).
    origin: Mapped[str | None] = mapped_column(String(16))
    origin_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    versions: Mapped[list[KnowledgeVersion]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )


class KnowledgeVersion(Base):
    """One ingested file of a document. Only the document's active version is searchable."""

    __tablename__ = "kb_versions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("kb_documents.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by: Mapped[int | None] = mapped_column(BigInteger)
    ingested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    document: Mapped[KnowledgeDocument] = relationship(back_populates="versions")
    chunks: Mapped[list[KnowledgeChunk]] = relationship(
        back_populates="version", cascade="all, delete-orphan", passive_deletes=True
    )


class KnowledgeChunk(Base):
    """A retrievable passage. Text and BM25 tokens are kept here so every process can rebuild its lexical index."""

    __tablename__ = "kb_chunks"
    __table_args__ = (UniqueConstraint("version_id", "ordinal"),)

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("kb_versions.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    tokens: Mapped[str] = mapped_column(Text)

    version: Mapped[KnowledgeVersion] = relationship(back_populates="chunks")


class KnowledgeState(Base):
    """A single row whose revision changes with every visible change to the knowledge base."""

    __tablename__ = "kb_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class KnowledgeVectorGC(Base):
    """Versions whose vectors may sit in Chroma without being active: staged by an ingestion in flight,
    or superseded/removed but not yet deleted there. A sweep deletes the vectors of those not active."""

    __tablename__ = "kb_vector_gc"

    version_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RemovedFile(Base):
    """The bytes of a document a person removed (staff on Telegram, an operator with `cafebot remove`): the
    start-up sync of the shipped folder does not ingest a file with these bytes again, so a shipped document
    removed on purpose stays removed across restarts and redeploys. One row per version the document had.

    Different bytes under the same path (a release updating the file) are new content and come back; an explicit
    ingestion of these bytes (a staff upload, `cafebot ingest`) deletes the row. See bot/knowledge/shipped_sync.py.
    """

    __tablename__ = "kb_removed_files"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    # The file's path in the shipped folder when the document came from it (NULL: an upload or `cafebot ingest`).
    origin_path: Mapped[str | None] = mapped_column(String(500))
    # "staff:<Telegram user id>" or "cli".
    removed_by: Mapped[str] = mapped_column(String(32))
    removed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
