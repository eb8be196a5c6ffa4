"""Staff uploads: checks before downloading, ingestion with progress, and what can follow it (undo, replace).

Uploaded files are kept under the data dir so "make it replace an existing document" can re-ingest them.
"""

from __future__ import annotations

import logging
import shutil
from datetime import date
from pathlib import Path

from bot.cafes.registry import StaffScope
from bot.config import Settings
from bot.knowledge.errors import DocumentRejected, RejectReason
from bot.knowledge.loaders import SUPPORTED_EXTENSIONS
from bot.knowledge.registry import UPLOAD, DocumentInfo, DocumentOrigin
from bot.knowledge.service import IngestResult, KnowledgeBase, ProgressCallback
from bot.observability.metrics import count_rejections

log = logging.getLogger(__name__)

# What api.telegram.org lets a bot download; a self-hosted Bot API server (--local) has no such limit.
CLOUD_DOWNLOAD_LIMIT_MB = 20


def upload_limit_mb(settings: Settings) -> int:
    """The largest file staff can upload: Telegram's 20 MB unless a self-hosted Bot API server is used."""
    if settings.telegram_local_mode:
        return settings.max_upload_mb
    return min(settings.max_upload_mb, CLOUD_DOWNLOAD_LIMIT_MB)


class UploadService:
    def __init__(self, settings: Settings, knowledge: KnowledgeBase) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.store_dir = settings.data_dir / "uploads"

    @count_rejections
    def check_before_download(self, file_name: str, size: int | None, limit_mb: int) -> None:
        """Refuse what cannot succeed before spending a download on it. Raises DocumentRejected."""
        if Path(file_name).suffix.lower() not in SUPPORTED_EXTENSIONS:
            raise DocumentRejected(file_name, RejectReason.UNSUPPORTED_TYPE)
        if size is not None and size > limit_mb * 1024 * 1024:
            raise DocumentRejected(file_name, RejectReason.TOO_LARGE, f"{size} bytes")

    def staging_path(self, upload_key: str, file_name: str) -> Path:
        """Where to download a file before ingestion (the name keeps only its extension: it is staff input)."""
        folder = self.store_dir / "incoming"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{upload_key}{Path(file_name).suffix.lower()}"

    def ingest(self, path: Path, file_name: str, uploaded_by: int, progress: ProgressCallback | None = None,
               replace_document_id: str | None = None, scope: StaffScope | None = None) -> IngestResult:
        """Ingest a downloaded file; keep it for a later "replace"; the staging copy is removed either way.

        `scope`: the uploader's cafes; the file never becomes a new version of another cafe's document (see
        KnowledgeBase.ingest_file: PermissionError for an explicit replacement, a numbered title otherwise)."""
        try:
            # Origin "upload": the document is staff's from now on, and the knowledge folder sync leaves it alone.
            result = self.knowledge.ingest_file(path, display_name=file_name, uploaded_by=uploaded_by,
                                                progress=progress, replace_document_id=replace_document_id,
                                                origin=DocumentOrigin(UPLOAD),
                                                may_update=scope.allows if scope is not None else None)
            kept = self._kept_path(result.document.id)
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, kept)
            (kept.parent / "name").write_text(file_name, encoding="utf-8")
            return result
        finally:
            path.unlink(missing_ok=True)

    def _kept_path(self, document_id: str) -> Path:
        return self.store_dir / "kept" / document_id / "file"

    def undo(self, document_id: str, staff_id: int) -> DocumentInfo:
        """Remove a just-added document again: a removal like `remove` (an upload that undid an earlier removal
        of a shipped document puts that removal back)."""
        return self.remove(document_id, staff_id)

    def _drop(self, document_id: str, removed_by: str | None) -> DocumentInfo:
        info = self.knowledge.remove_document(document_id, removed_by=removed_by)
        shutil.rmtree(self._kept_path(document_id).parent, ignore_errors=True)
        return info

    def replace_with(self, new_document_id: str, target_id: str, staff_id: int,
                     scope: StaffScope | None = None) -> IngestResult:
        """Make the just-uploaded document a new version of `target_id` instead of a document of its own (it keeps
        the target's cafe). Raises PermissionError when `scope` does not allow either document."""
        if scope is not None:
            self.check(new_document_id, scope)
            self.check(target_id, scope)
        kept = self._kept_path(new_document_id)
        if not kept.is_file():
            raise KeyError(new_document_id)
        name = (kept.parent / "name").read_text(encoding="utf-8")
        staged = self.staging_path(f"replace-{new_document_id}", name)
        shutil.copyfile(kept, staged)
        result = self.ingest(staged, name, staff_id, replace_document_id=target_id, scope=scope)
        if new_document_id != target_id:
            self._drop(new_document_id, None)  # not a removal of its bytes: they live on as the target's version
        return result

    def remove(self, document_id: str, staff_id: int) -> DocumentInfo:
        """Remove a document for good: a shipped one stays removed after restarts while the folder ships the
        same file (registry.delete_document)."""
        return self._drop(document_id, f"staff:{staff_id}")

    # --- cafe notices ---------------------------------------------------------------------------------

    def check(self, document_id: str, scope: StaffScope) -> DocumentInfo:
        """The document, if the staff member may change it: city-wide documents are every staff member's, a cafe's
        notice is that cafe's staff's (and city-wide admins' and staff of no cafe). Raises KeyError for an unknown
        document, PermissionError for another cafe's."""
        doc = self.knowledge.get_document(document_id)
        if doc is None:
            raise KeyError(document_id)
        if not scope.allows(doc.cafe_id):
            log.warning("refused a change to document %s: it is cafe %s's", document_id, doc.cafe_id)
            raise PermissionError(document_id)
        return doc

    def set_cafe(self, document_id: str, cafe_id: str | None, scope: StaffScope, staff_id: int) -> DocumentInfo:
        """Make a document `cafe_id`'s own notice, or city-wide again (None). Only staff who may change the
        document, and who work at `cafe_id`, may; a cafe's staff make a city-wide document their cafe's only when
        they uploaded it (or it would vanish for every other cafe's founders). PermissionError otherwise; KeyError
        for an unknown document."""
        doc = self.check(document_id, scope)
        if cafe_id is not None and scope.cafes is not None and cafe_id not in scope.cafes:
            log.warning("refused making document %s cafe %s's: not the staff member's cafe", document_id, cafe_id)
            raise PermissionError(cafe_id)
        if (cafe_id is not None and doc.cafe_id is None and scope.cafes is not None
                and self.knowledge.uploaded_by(document_id) != staff_id):
            log.warning("refused making city-wide document %s cafe %s's: staff %s did not upload it", document_id,
                        cafe_id, staff_id)
            raise PermissionError(document_id)
        return self.knowledge.set_cafe(document_id, cafe_id)

    def set_title(self, document_id: str, title: str) -> DocumentInfo:
        return self.knowledge.update_metadata(document_id, title=title.strip()[:200])

    def set_programme(self, document_id: str, programme: str) -> DocumentInfo:
        return self.knowledge.update_metadata(document_id, programme=programme.strip()[:100])

    def set_valid_until(self, document_id: str, text: str) -> DocumentInfo:
        """ISO date (2025-03-31), or "-" to clear. Raises ValueError for anything else."""
        text = text.strip()
        if text in ("-", "없음", "none"):
            return self.knowledge.update_metadata(document_id, clear_valid_until=True)
        return self.knowledge.update_metadata(document_id, valid_until=date.fromisoformat(text.replace(".", "-")))
