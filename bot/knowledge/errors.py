"""Why a document was refused. The reason code maps to a user-facing message in bot.strings."""

from __future__ import annotations

from enum import StrEnum


class RejectReason(StrEnum):
    UNSUPPORTED_TYPE = "unsupported_type"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    NO_TEXT = "no_text"
    TOO_LARGE = "too_large"
    ARCHIVE_BOMB = "archive_bomb"
    NOT_FOUND = "not_found"


class DocumentRejected(Exception):
    """A file cannot become part of the knowledge base; nothing was changed."""

    def __init__(self, file_name: str, reason: RejectReason, detail: str = "") -> None:
        self.file_name = file_name
        self.reason = reason
        self.detail = detail
        super().__init__(f"{file_name}: {reason.value}" + (f" ({detail})" if detail else ""))
