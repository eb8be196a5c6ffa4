"""HWP 5.x loader: our own reader of the record format over olefile (no AGPL pyhwp)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import olefile
from langchain_core.documents import Document

from bot.knowledge.errors import RejectReason
from bot.knowledge.loaders import hwp_records as hr
from bot.knowledge.loaders.base import (
    FormatLoader,
    first_title_line,
    meaningful_title,
    section_documents,
    section_number,
    split_by_heading_lines,
)

# Controls whose paragraphs are not body text: page headers/footers repeat on every page.
_SKIPPED_CONTROLS = frozenset({"head", "foot"})
_SECTION_STREAM = re.compile(r"^Section(\d+)$")


def _paragraph_lines(para: hr.Record) -> list[str]:
    """A paragraph's own text, then the text of the controls anchored in it (tables, text boxes, notes)."""
    lines: list[str] = []
    for child in para.children:
        if child.tag == hr.TAG_PARA_TEXT:
            text = hr.decode_para_text(child.data).strip()
            if text:
                lines.append(text)
        elif child.tag == hr.TAG_CTRL_HEADER:
            cid = hr.ctrl_id(child)
            if cid in _SKIPPED_CONTROLS:
                continue
            lines.extend(_table_lines(child) if cid == "tbl " else _nested_lines(child))
    return lines


def _nested_lines(node: hr.Record) -> list[str]:
    """Text of every paragraph somewhere below a non-table control (text boxes, footnotes, grouped shapes)."""
    lines: list[str] = []
    for child in node.children:
        if child.tag == hr.TAG_PARA_HEADER:
            lines.extend(_paragraph_lines(child))
        elif child.tag == hr.TAG_CTRL_HEADER and hr.ctrl_id(child) == "tbl ":
            lines.extend(_table_lines(child))
        else:
            lines.extend(_nested_lines(child))
    return lines


def _table_lines(ctrl: hr.Record) -> list[str]:
    """One line per table row, cells joined by " | ".

    A cell is a LIST_HEADER (with its row/column address) followed by its paragraphs as siblings; a merged cell
    is reported once, in its first row. A nested table inside a cell is flattened into that cell's text.
    """
    cells: dict[tuple[int, int], list[str]] = {}
    current: list[str] | None = None
    for child in ctrl.children:
        if child.tag == hr.TAG_LIST_HEADER:
            current = cells.setdefault(hr.cell_address(child), [])
        elif child.tag == hr.TAG_PARA_HEADER and current is not None:
            current.extend(_paragraph_lines(child))
    rows: dict[int, list[tuple[int, str]]] = {}
    for (row, col), parts in cells.items():
        text = " ".join(" ".join(parts).split())
        if text:
            rows.setdefault(row, []).append((col, text))
    return [" | ".join(t for _, t in sorted(cols)) for _, cols in sorted(rows.items())]


class HwpLoader(FormatLoader):
    """Loads HWP 5 documents (BodyText/Section* streams) into one Document per heading section."""

    kind = "hwp"

    def _open(self) -> olefile.OleFileIO:
        try:
            return olefile.OleFileIO(str(self.path))
        except (OSError, ValueError, IndexError, TypeError) as exc:
            raise self.reject(RejectReason.CORRUPT, f"not a readable HWP container: {exc}") from exc

    def _section_streams(self, ole: olefile.OleFileIO) -> list[list[str]]:
        names = [e for e in ole.listdir() if len(e) == 2 and e[0] == "BodyText" and _SECTION_STREAM.match(e[1])]
        return sorted(names, key=lambda e: section_number(_SECTION_STREAM, e[1]))

    def _read_lines(self) -> list[str]:
        ole = self._open()
        try:
            if not ole.exists("FileHeader"):
                raise self.reject(RejectReason.CORRUPT, "no FileHeader stream")
            try:
                header = hr.parse_file_header(ole.openstream("FileHeader").read())
            except hr.HwpFormatError as exc:
                raise self.reject(RejectReason.CORRUPT, str(exc)) from exc
            if header.encrypted:
                raise self.reject(RejectReason.ENCRYPTED, "password-protected HWP")
            if header.distribution or ole.exists("ViewText"):
                raise self.reject(RejectReason.ENCRYPTED, "distribution (배포용) HWP: its text is encrypted")
            streams = self._section_streams(ole)
            if not streams:
                raise self.reject(RejectReason.CORRUPT, "no BodyText sections")
            self.title_hint = _summary_title(ole)
            lines: list[str] = []
            for name in streams:
                raw = ole.openstream(name).read()
                try:
                    data = hr.inflate(raw) if header.compressed else raw
                    roots = hr.parse_records(data)
                except hr.HwpBombError as exc:
                    raise self.reject(RejectReason.ARCHIVE_BOMB, str(exc)) from exc
                except hr.HwpFormatError as exc:
                    raise self.reject(RejectReason.CORRUPT, f"{'/'.join(name)}: {exc}") from exc
                for rec in roots:
                    if rec.tag == hr.TAG_PARA_HEADER:
                        lines.extend(_paragraph_lines(rec))
            return lines
        except OSError as exc:
            raise self.reject(RejectReason.CORRUPT, f"unreadable stream: {exc}") from exc
        finally:
            ole.close()

    def lazy_load(self) -> Iterator[Document]:
        """Yield one cleaned Document per heading section."""
        lines = self._read_lines()
        if not self.title_hint:
            self.title_hint = first_title_line("\n".join(lines))
        yield from section_documents(split_by_heading_lines(lines))


def _summary_title(ole: olefile.OleFileIO) -> str | None:
    """The title property of \\x05HwpSummaryInformation, if the author filled it in."""
    try:
        if not ole.exists("\x05HwpSummaryInformation"):
            return None
        props = ole.getproperties("\x05HwpSummaryInformation", convert_time=True)
    except Exception:  # noqa: BLE001 - a damaged summary stream must not block the document's text
        return None
    title = props.get(2)  # PIDSI_TITLE
    if isinstance(title, bytes):
        title = title.decode("utf-8", "ignore")
    return meaningful_title(title) if isinstance(title, str) else None
