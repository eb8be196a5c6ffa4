"""Keeping the knowledge base in step with the shipped knowledge folder (KNOWLEDGE_DIR) at every start.

New and changed files are ingested (an unchanged file costs one hash). A document that came from the folder and
whose file is no longer there is removed from SQL, Chroma and BM25, so a release that drops an outdated programme
document stops it being cited. Only documents the sync itself ingested (origin "knowledge_dir") are ever removed:
staff uploads and `cafebot ingest` documents are people's decisions, including a shipped document that staff have
since replaced by an upload.

A shipped document a person removed (staff on Telegram, `cafebot remove`) is a decision too: the removal recorded
its files' bytes (kb_removed_files, registry.delete_document) and a folder file with those bytes is not ingested
again. A release that ships different bytes under that path brings new content, not the removed one: it comes
back as a new document, with an info log line, and the old record goes.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select

from bot.knowledge import registry
from bot.knowledge.errors import DocumentRejected
from bot.knowledge.loaders import SUPPORTED_EXTENSIONS
from bot.knowledge.registry import (
    CLI,
    KNOWLEDGE_DIR,
    UPLOAD,
    DocumentInfo,
    DocumentOrigin,
)
from bot.knowledge.service import KnowledgeBase
from bot.storage.models import KnowledgeDocument, KnowledgeVersion, RemovedFile

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    """What one sync did: documents added or updated, removed, and folder files it left alone."""

    changed: int = 0
    removed: list[DocumentInfo] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # paths relative to the folder
    replaced_by_hand: list[str] = field(default_factory=list)
    removed_by_hand: list[str] = field(default_factory=list)


def folder_files(directory: Path) -> dict[str, Path]:
    """The folder's ingestible files (recursively), keyed by their POSIX path relative to it, in a stable order."""
    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS)
    return {p.relative_to(directory).as_posix(): p for p in files}


def sync_shipped_folder(kb: KnowledgeBase, directory: Path) -> SyncReport:
    """Ingest the folder's new and changed files, then remove the folder documents whose file is gone.

    A missing or empty folder removes nothing (most likely KNOWLEDGE_DIR is wrong, not a release without documents).
    """
    report = SyncReport()
    if not directory.is_dir():
        log.warning("knowledge folder %s not found; starting with what the database has, removing nothing", directory)
        return report
    files = folder_files(directory)
    if not files:
        log.warning("knowledge folder %s holds no documents; removing nothing (is KNOWLEDGE_DIR right?)", directory)
        kb.sweep()
        return report
    _claim_unknown_origins(kb, files)
    with kb.db.session() as s:
        shipped_before = set(s.scalars(select(KnowledgeDocument.id).where(KnowledgeDocument.origin == KNOWLEDGE_DIR)))

    with kb.db.session() as s:
        removals = {r.content_hash: r for r in s.scalars(select(RemovedFile))}
    seen: set[str] = set()  # documents the folder's files resolve to now
    for rel, path in files.items():
        content_hash = registry.file_hash(path)
        with kb.db.session() as s:
            shown = registry.find_by_hash(s, content_hash) is not None  # then ingest_file reports it unchanged
        removal = None if shown else removals.get(content_hash)
        if removal is not None:
            log.info("not ingesting %s: %s removed its document %r on %s", rel, removal.removed_by, removal.title,
                     removal.removed_at.date().isoformat())
            report.removed_by_hand.append(rel)
            continue
        owner = None if shown else _replaced_by_hand(kb, content_hash)
        if owner is not None:
            # Re-ingesting it would bring the old text back over what staff (or an operator) put in its place.
            log.info("not ingesting %s: its document %s has since been replaced by hand", rel, owner)
            report.replaced_by_hand.append(rel)
            continue
        try:
            result = kb.ingest_file(path, origin=DocumentOrigin(KNOWLEDGE_DIR, rel))
        except DocumentRejected as rejected:
            log.warning("rejected %s: %s %s", path, rejected.reason.value, rejected.detail)
            report.rejected.append(rel)
            continue
        seen.add(result.document.id)
        if result.status == "unchanged":
            _claim(kb, result.document.id, rel)  # keeps origin_path right when a release renames a file
        else:
            report.changed += 1
            _supersede_removals(kb, rel, result.document, [r for r in removals.values() if r.origin_path == rel])

    kept = set(report.rejected) | set(report.replaced_by_hand) | set(report.removed_by_hand)
    _remove_dropped(kb, directory, seen, shipped_before, kept, report)
    kb.sweep()
    return report


def _claim_unknown_origins(kb: KnowledgeBase, files: dict[str, Path]) -> None:
    """Backfill for documents ingested before origins were recorded (origin NULL, see migration 0006).

    Such a document whose active version's file name is the name of a file in the folder was almost certainly
    ingested from it by an earlier start, so it becomes a folder document (and is removed if that file now
    ingests into another document, e.g. a release retitled it). The rest stay NULL and are never removed
    automatically: a document whose file was dropped before this upgrade cannot be told from a `cafebot ingest`
    one, and keeping a stale document is better than deleting an operator's. A name shared by two files of the
    folder is ambiguous and claims nothing.
    """
    names = Counter(Path(rel).name for rel in files)
    by_name = {Path(rel).name: rel for rel in files if names[Path(rel).name] == 1}
    with kb.db.session() as s:
        rows = s.execute(
            select(KnowledgeDocument, KnowledgeVersion.file_name)
            .join(KnowledgeVersion, KnowledgeVersion.id == KnowledgeDocument.active_version_id)
            .where(KnowledgeDocument.origin.is_(None))
        ).all()
        for doc, file_name in rows:
            rel = by_name.get(file_name)
            if rel is not None:
                doc.origin, doc.origin_path = KNOWLEDGE_DIR, rel
                log.info("document %s (%s) recorded as coming from the knowledge folder's %s", doc.id, doc.title, rel)


def _claim(kb: KnowledgeBase, document_id: str, rel: str) -> None:
    """Record that an unchanged folder file is this document's source, unless a person owns the document."""
    with kb.db.session() as s:
        doc = s.get(KnowledgeDocument, document_id)
        if doc is not None and doc.origin in (None, KNOWLEDGE_DIR) and (doc.origin, doc.origin_path) != (
            KNOWLEDGE_DIR, rel
        ):
            doc.origin, doc.origin_path = KNOWLEDGE_DIR, rel


def _supersede_removals(kb: KnowledgeBase, rel: str, document: DocumentInfo, removals: list[RemovedFile]) -> None:
    """A removed shipped file came back with different bytes: new content from a release, so it is answered from
    again (the decision was about the old text). The old record goes, so the log line is written once."""
    if not removals:
        return
    for r in removals:
        log.info("%s is back as document %s (%s): %s removed the earlier %r on %s, this release ships different "
                 "content", rel, document.id, document.title, r.removed_by, r.title, r.removed_at.date().isoformat())
    with kb.db.session() as s:
        s.execute(delete(RemovedFile).where(RemovedFile.content_hash.in_([r.content_hash for r in removals])))


def _replaced_by_hand(kb: KnowledgeBase, content_hash: str) -> str | None:
    """The staff- or CLI-owned document that once had exactly these bytes as a version and has another one now
    (the caller checked that no document shows them now)."""
    with kb.db.session() as s:
        return s.scalar(
            select(KnowledgeDocument.id)
            .join(KnowledgeVersion, KnowledgeVersion.document_id == KnowledgeDocument.id)
            .where(KnowledgeVersion.content_hash == content_hash, KnowledgeDocument.origin.in_((UPLOAD, CLI)))
            .limit(1)
        )


def _remove_dropped(
    kb: KnowledgeBase, directory: Path, seen: set[str], shipped_before: set[str], unresolved: set[str],
    report: SyncReport,
) -> None:
    """Remove the folder documents no file of the folder resolved to this time.

    A file that is still there but was refused or skipped keeps its document: a damaged file in a release
    should not make the previous good version disappear.
    """
    with kb.db.session() as s:
        rows = s.execute(
            select(KnowledgeDocument.id, KnowledgeDocument.title, KnowledgeDocument.origin_path)
            .where(KnowledgeDocument.origin == KNOWLEDGE_DIR)
        ).all()
    dropped = [(doc_id, title, rel) for doc_id, title, rel in rows if doc_id not in seen and rel not in unresolved]
    if not dropped:
        return
    if shipped_before and not shipped_before & seen:
        # Not one document of the previous sync is in this folder: far more likely a KNOWLEDGE_DIR pointing at
        # another folder than a release replacing every document.
        log.warning("none of the %d documents from the knowledge folder is in %s any more; removing nothing "
                    "(is KNOWLEDGE_DIR right? remove them with `cafebot remove` if not)", len(shipped_before),
                    directory)
        return
    for doc_id, title, rel in dropped:
        with kb.db.session() as s:
            doc = s.get(KnowledgeDocument, doc_id)
            if doc is None or doc.origin != KNOWLEDGE_DIR:
                continue  # removed by another replica, or taken over by an upload since the query above
        try:
            info = kb.remove_document(doc_id)
        except KeyError:
            continue  # another replica starting at the same time removed it first
        log.info("removed document %s (%s): its file %s is no longer in the knowledge folder %s",
                    doc_id, title, rel, directory)
        report.removed.append(info)
