"""Document loaders: turn an uploaded file into cleaned page/section Documents, or refuse it with a reason.

`load_file` is the one entry point: it checks existence, size, extension and magic bytes, runs the format's
LangChain loader and decides the title. Every problem with the input surfaces as DocumentRejected.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.documents import Document

from bot.knowledge.errors import DocumentRejected, RejectReason
from bot.knowledge.loaders.base import FormatLoader, meaningful_title, title_from_file_name
from bot.knowledge.loaders.docx import DocxLoader
from bot.knowledge.loaders.html import HtmlLoader
from bot.knowledge.loaders.hwp import HwpLoader
from bot.knowledge.loaders.hwpx import HwpxLoader
from bot.knowledge.loaders.pdf import PdfLoader
from bot.knowledge.loaders.text import TextLoader

__all__ = [
    "SUPPORTED_EXTENSIONS", "LoadedFile", "load_file", "loader_for",
    "DocxLoader", "HtmlLoader", "HwpLoader", "HwpxLoader", "PdfLoader", "TextLoader",
]

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(
    {".pdf", ".hwp", ".hwpx", ".docx", ".md", ".markdown", ".txt", ".html", ".htm"}
)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Fewer letters/digits than this in the whole document means there is nothing to answer questions from.
MIN_MEANINGFUL_CHARS = 20

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_TEXT_EXTENSIONS = frozenset({".md", ".markdown", ".txt", ".html", ".htm"})
# Well-known binary signatures: such a file renamed to .txt would otherwise decode as CP949 noise.
_BINARY_MAGICS = (b"%PDF-", b"PK\x03\x04", _OLE_MAGIC, b"\x7fELF", b"MZ\x90\x00", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
_MEANINGFUL = re.compile(r"[0-9A-Za-z가-힣\u4e00-\u9fff]")


@dataclass(frozen=True)
class LoadedFile:
    """A loaded document: cleaned pages (PDF) or sections (other formats) plus what it says about itself."""

    file_name: str
    kind: str
    pages: list[Document]
    front_matter: dict[str, str] = field(default_factory=dict)
    title: str = ""
    page_count: int = 0


def _sniff(path: Path, ext: str, name: str) -> None:
    """Check that the content matches the extension before a parser sees it."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise DocumentRejected(name, RejectReason.NO_TEXT, "empty file")
    if ext == ".pdf":
        if b"%PDF-" not in head:
            raise DocumentRejected(name, RejectReason.CORRUPT, "not a PDF (no %PDF- header)")
    elif ext == ".hwp":
        if head.startswith(b"HWP Document File V3"):
            raise DocumentRejected(name, RejectReason.UNSUPPORTED_TYPE, "HWP 3.x files are not supported")
        if not head.startswith(_OLE_MAGIC):
            raise DocumentRejected(name, RejectReason.CORRUPT, "not an HWP 5 file")
    elif ext in _TEXT_EXTENSIONS:
        if head.startswith(_BINARY_MAGICS):
            raise DocumentRejected(name, RejectReason.CORRUPT, f"binary data in a {ext} file")
    elif ext in (".docx", ".hwpx"):
        if head.startswith(_OLE_MAGIC):
            _reject_ole_office(path, name, ext)
        if not head.startswith(_ZIP_MAGIC):
            raise DocumentRejected(name, RejectReason.CORRUPT, f"not a {ext[1:].upper()} (zip) file")


def _reject_ole_office(path: Path, name: str, ext: str) -> None:
    """An OLE file named .docx/.hwpx is an encrypted OOXML package or a legacy binary document."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
                raise DocumentRejected(name, RejectReason.ENCRYPTED, "password-protected Office document")
            if ole.exists("FileHeader"):
                raise DocumentRejected(name, RejectReason.UNSUPPORTED_TYPE, f"an HWP 5 file named {ext}")
    except DocumentRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to read the OLE container means it is damaged
        raise DocumentRejected(name, RejectReason.CORRUPT, f"damaged OLE container: {exc}") from exc
    raise DocumentRejected(name, RejectReason.UNSUPPORTED_TYPE, "legacy binary Office document (.doc)")


def _extension(path: Path, display_name: str | None) -> str:
    """The display name's extension (uploads may sit in temp files), else the path's."""
    return (Path(display_name).suffix if display_name else "").lower() or path.suffix.lower()


def loader_for(path: Path, display_name: str | None = None) -> FormatLoader:
    """The LangChain loader for a file's extension (no checks: `load_file` is the safe entry point)."""
    ext = _extension(path, display_name)
    name = display_name or path.name
    if ext == ".pdf":
        return PdfLoader(path, name)
    if ext == ".hwp":
        return HwpLoader(path, name)
    if ext == ".hwpx":
        return HwpxLoader(path, name)
    if ext == ".docx":
        return DocxLoader(path, name)
    if ext in (".md", ".markdown", ".txt"):
        return TextLoader(path, name, markdown=ext != ".txt")
    if ext in (".html", ".htm"):
        return HtmlLoader(path, name)
    raise DocumentRejected(name, RejectReason.UNSUPPORTED_TYPE, f"{ext or 'no extension'} is not supported")


def _choose_title(loader: FormatLoader, name: str) -> str:
    """Front matter, then embedded metadata/first heading, then a meaningful file name, then any file name.

    A telling file name ("[공고문] 2025년도 … 수정공고.pdf") beats the document's first big line, which is
    often an issuing body or a cover label and would make distinct documents share a title.
    """
    explicit = meaningful_title(loader.front_matter.get("title"))
    if explicit:
        return explicit
    from_name = title_from_file_name(name)
    if loader.kind in ("markdown", "text", "html", "docx") and loader.title_hint:
        # Authored formats: a declared title or top heading is deliberate.
        return loader.title_hint
    return meaningful_title(from_name) or loader.title_hint or from_name


def load_file(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, display_name: str | None = None
) -> LoadedFile:
    """Load a supported document into cleaned Documents, or raise DocumentRejected with the reason."""
    path = Path(path)
    name = display_name or path.name
    ext = _extension(path, display_name)
    if not path.is_file():
        raise DocumentRejected(name, RejectReason.NOT_FOUND)
    if ext not in SUPPORTED_EXTENSIONS:
        raise DocumentRejected(name, RejectReason.UNSUPPORTED_TYPE, f"{ext or 'no extension'} is not supported")
    size = path.stat().st_size
    if size > max_bytes:
        raise DocumentRejected(name, RejectReason.TOO_LARGE, f"{size} bytes > {max_bytes}")
    try:
        _sniff(path, ext, name)
        loader = loader_for(path, display_name)
        pages = list(loader.lazy_load())
    except DocumentRejected:
        raise
    except MemoryError as exc:
        raise DocumentRejected(name, RejectReason.TOO_LARGE, "too large to process") from exc
    except RecursionError as exc:
        raise DocumentRejected(name, RejectReason.CORRUPT, "structure nested too deeply") from exc
    except Exception as exc:  # noqa: BLE001 - the contract: bad input never escapes as another type
        log.warning("loader failed on %s", name, exc_info=True)
        raise DocumentRejected(name, RejectReason.CORRUPT, f"{type(exc).__name__}: {exc}") from exc
    meaningful = sum(len(_MEANINGFUL.findall(p.page_content)) for p in pages)
    if meaningful < MIN_MEANINGFUL_CHARS:
        detail = "no extractable text (a scanned image?)" if ext == ".pdf" else "no meaningful text"
        raise DocumentRejected(name, RejectReason.NO_TEXT, detail)
    page_count = getattr(loader, "page_count", 0) or len(pages)
    return LoadedFile(
        file_name=name,
        kind=loader.kind,
        pages=pages,
        front_matter=dict(loader.front_matter),
        title=_choose_title(loader, name),
        page_count=page_count,
    )
