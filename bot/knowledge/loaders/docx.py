"""DOCX loader on python-docx: paragraphs and tables in body order, sections at heading styles."""

from __future__ import annotations

import re
from collections.abc import Iterator

import docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph
from langchain_core.documents import Document
from lxml import etree

from bot.knowledge.errors import RejectReason
from bot.knowledge.loaders.archive import open_checked_zip
from bot.knowledge.loaders.base import (
    Block,
    FormatLoader,
    meaningful_title,
    section_documents,
    split_by_heading_lines,
)

_HEADING_STYLE = re.compile(r"^(?:heading|제목|title)\s*(\d?)", re.IGNORECASE)


def _heading_level(paragraph: Paragraph) -> int:
    """1-6 for a heading-styled paragraph ("Heading 2", "제목 1", "Title"), 0 otherwise."""
    try:
        name = paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, ValueError):
        return 0
    m = _HEADING_STYLE.match(name or "")
    if not m:
        return 0
    return int(m.group(1)) if m.group(1) else 1


def table_lines(table: Table) -> list[str]:
    """One line per row, cells joined by " | "; a merged cell appears once; nested tables are flattened."""
    lines: list[str] = []
    for row in table.rows:
        seen: set[int] = set()
        cells: list[str] = []
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            parts = [p.text for p in cell.paragraphs]
            parts += [" / ".join(table_lines(t)) for t in cell.tables]
            text = " ".join(" ".join(parts).split())
            if text:
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return lines


class DocxLoader(FormatLoader):
    """Loads a Word document into one Document per heading section."""

    kind = "docx"
    _first_heading: str | None = None

    def _open(self) -> DocxDocument:
        open_checked_zip(self.path, self.file_name).close()
        try:
            return docx.Document(str(self.path))
        except (KeyError, ValueError, OSError, etree.XMLSyntaxError, Exception) as exc:  # noqa: BLE001
            # python-docx raises a zoo of types for damaged packages; all of them mean "cannot read".
            raise self.reject(RejectReason.CORRUPT, f"not a readable Word document: {exc}") from exc

    def _blocks(self, document: DocxDocument) -> list[Block]:
        blocks: list[tuple[str | None, int, list[str]]] = [(None, 1, [])]
        for item in document.iter_inner_content():
            if isinstance(item, Paragraph):
                level = _heading_level(item)
                text = item.text.strip()
                if level and text:
                    blocks.append((text, level, []))
                    self._first_heading = self._first_heading or text
                elif text:
                    blocks[-1][2].append(text)
            elif isinstance(item, Table):
                blocks[-1][2].extend(table_lines(item))
        if len(blocks) == 1:
            # No heading styles (common in documents converted from HWP): fall back to numbered headings.
            return split_by_heading_lines(blocks[0][2])
        return [(h, lvl, "\n".join(body)) for h, lvl, body in blocks]

    def lazy_load(self) -> Iterator[Document]:
        """Yield one cleaned Document per heading section."""
        document = self._open()
        try:
            blocks = self._blocks(document)
            self.title_hint = meaningful_title(document.core_properties.title)
        except (KeyError, ValueError, AttributeError, etree.XMLSyntaxError) as exc:
            raise self.reject(RejectReason.CORRUPT, f"damaged Word content: {exc}") from exc
        if not self.title_hint and self._first_heading:
            self.title_hint = meaningful_title(self._first_heading)
        yield from section_documents(blocks)
