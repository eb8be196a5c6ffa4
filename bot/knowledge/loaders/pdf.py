"""PDF loader on PDFium (pypdfium2): one Document per page, text rebuilt from glyph positions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from langchain_core.documents import Document

from bot.knowledge.errors import RejectReason
from bot.knowledge.loaders.base import FormatLoader, meaningful_title
from bot.knowledge.loaders.pdf_layout import extract_page
from bot.knowledge.textclean import clean_text

# PDFium is not thread-safe: the knowledge service may ingest from several threads.
_PDFIUM_LOCK = threading.Lock()


class PdfLoader(FormatLoader):
    """Loads a PDF into one cleaned Document per page with metadata {"page": n} (1-based)."""

    kind = "pdf"

    def __init__(self, path: Path, file_name: str | None = None) -> None:
        super().__init__(path, file_name)
        self.page_count = 0

    def _open(self) -> pdfium.PdfDocument:
        try:
            return pdfium.PdfDocument(str(self.path))
        except pdfium.PdfiumError as exc:
            if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
                raise self.reject(RejectReason.ENCRYPTED, "password-protected PDF") from exc
            if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
                raise self.reject(RejectReason.ENCRYPTED, "unsupported PDF security handler") from exc
            raise self.reject(RejectReason.CORRUPT, str(exc)) from exc

    def lazy_load(self) -> Iterator[Document]:
        """Yield one Document per page that has text (image-only pages yield nothing)."""
        with _PDFIUM_LOCK:
            pages = self._extract()
        yield from pages

    def _extract(self) -> list[Document]:
        doc = self._open()
        try:
            self.page_count = len(doc)
            meta = doc.get_metadata_dict(skip_empty=True)
            self.title_hint = meaningful_title(meta.get("Title"))
            out: list[Document] = []
            for index in range(self.page_count):
                page = doc[index]
                try:
                    extracted = extract_page(page)
                    text = clean_text(extracted.text)
                    if index == 0 and not self.title_hint:
                        self.title_hint = meaningful_title(extracted.title)
                except pdfium.PdfiumError as exc:
                    raise self.reject(RejectReason.CORRUPT, f"page {index + 1}: {exc}") from exc
                finally:
                    page.close()
                if text:
                    out.append(Document(page_content=text, metadata={"page": index + 1}))
            return out
        finally:
            doc.close()
