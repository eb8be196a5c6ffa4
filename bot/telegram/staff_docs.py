"""What the staff document handlers (commands and buttons, uploads) share besides their buttons."""

from __future__ import annotations

from bot.knowledge.registry import DocumentInfo
from bot.strings import t

# Set by /doc's "replace with a new file" (after confirmation): the next upload becomes that document's new version.
REPLACE_NEXT_KEY = "staff_replace_next"


def valid_text(doc: DocumentInfo, lang: str) -> str:
    """The document's valid-until date, or "none"."""
    return doc.valid_until.isoformat() if doc.valid_until else t("staff.upload.none", lang)


def document_summary(doc: DocumentInfo, status: str, lang: str) -> str:
    """Title, id, version, size, programme and validity, after `status` (what just happened, or "")."""
    return t("staff.upload.summary", lang, status=status, title=doc.title, id=doc.id, version=doc.version,
             pages=doc.page_count, chunks=doc.chunk_count, programme=doc.programme or t("staff.upload.none", lang),
             valid=valid_text(doc, lang))
