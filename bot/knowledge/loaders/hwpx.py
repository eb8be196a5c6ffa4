"""HWPX (OWPML) loader: a zip of XML parts; text in <hp:t> inside <hp:p>, tables as <hp:tbl>/<hp:tr>/<hp:tc>."""

from __future__ import annotations

import re
from collections.abc import Iterator

from langchain_core.documents import Document
from lxml import etree

from bot.knowledge.errors import RejectReason
from bot.knowledge.loaders.archive import open_checked_zip, read_member
from bot.knowledge.loaders.base import (
    Block,
    FormatLoader,
    first_title_line,
    looks_like_heading,
    section_documents,
    section_number,
)

_SECTION_PART = re.compile(r"^Contents/section(\d+)\.xml$", re.IGNORECASE)
_OUTLINE_STYLE = re.compile(r"^(?:개요|outline|heading|제목)\s*(\d?)", re.IGNORECASE)
# No entities, no network, no huge trees: the XML comes from an untrusted upload.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def _local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _t_text(t: etree._Element) -> str:
    """Text of an <hp:t>, whose children mark tabs and line breaks between text runs."""
    parts = [t.text or ""]
    for child in t:
        name = _local(child)
        parts.append("\t" if name == "tab" else "\n" if name == "lineBreak" else "")
        parts.append(child.tail or "")
    return "".join(parts)


class _Walker:
    """Turns OWPML paragraphs into lines, knowing which paragraph styles are outline headings."""

    def __init__(self, heading_styles: dict[str, int]) -> None:
        self.heading_styles = heading_styles

    def paragraph(self, p: etree._Element) -> list[tuple[str, int]]:
        """(line, heading level or 0) for a paragraph: its own text first, then tables/boxes anchored in it."""
        text: list[str] = []
        extra: list[tuple[str, int]] = []
        self._collect(p, text, extra)
        own = "".join(text).strip()
        level = self.heading_styles.get(p.get("styleIDRef", ""), 0)
        return ([(own, level)] if own else []) + extra

    def _collect(self, el: etree._Element, text: list[str], extra: list[tuple[str, int]]) -> None:
        for child in el:
            name = _local(child)
            if name == "t":
                text.append(_t_text(child))
            elif name == "tbl":
                extra.extend((line, 0) for line in self.table(child))
            elif name == "p":  # a paragraph inside a text box or note: its own line
                extra.extend(self.paragraph(child))
            else:
                self._collect(child, text, extra)

    def table(self, tbl: etree._Element) -> list[str]:
        """One line per <hp:tr>, cells joined by " | "; nested tables are flattened into their cell."""
        lines: list[str] = []
        for tr in (c for c in tbl if _local(c) == "tr"):
            cells: list[str] = []
            for tc in (c for c in tr if _local(c) == "tc"):
                paras = [p for sub in tc if _local(sub) == "subList" for p in sub if _local(p) == "p"]
                parts = [line for p in paras for line, _ in self.paragraph(p)]
                text = " ".join(" ".join(parts).split())
                if text:
                    cells.append(text)
            if cells:
                lines.append(" | ".join(cells))
        return lines


def _heading_styles(header_xml: bytes | None) -> dict[str, int]:
    """Style id → outline level for styles named like "개요 1" / "Outline 2" in Contents/header.xml."""
    if not header_xml:
        return {}
    try:
        root = etree.fromstring(header_xml, _PARSER)
    except etree.XMLSyntaxError:
        return {}
    styles: dict[str, int] = {}
    for el in root.iter():
        if _local(el) != "style" or el.get("type", "PARA").upper() != "PARA":
            continue
        for name in (el.get("name", ""), el.get("engName", "")):
            m = _OUTLINE_STYLE.match(name)
            if m and el.get("id") is not None:
                styles[el.get("id", "")] = int(m.group(1)) if m.group(1) else 1
                break
    return styles


class HwpxLoader(FormatLoader):
    """Loads an HWPX document into one Document per heading section."""

    kind = "hwpx"

    def lazy_load(self) -> Iterator[Document]:
        """Yield one cleaned Document per heading section."""
        with open_checked_zip(self.path, self.file_name) as zf:
            names = {n: n for n in zf.namelist()}
            sections = sorted(
                (n for n in names if _SECTION_PART.match(n)),
                key=lambda n: section_number(_SECTION_PART, n),
            )
            if not sections:
                raise self.reject(RejectReason.CORRUPT, "no Contents/section*.xml")
            header = read_member(zf, "Contents/header.xml", self.file_name) if "Contents/header.xml" in names else None
            walker = _Walker(_heading_styles(header))
            lines: list[tuple[str, int]] = []
            for name in sections:
                try:
                    root = etree.fromstring(read_member(zf, name, self.file_name), _PARSER)
                except etree.XMLSyntaxError as exc:
                    raise self.reject(RejectReason.CORRUPT, f"{name}: {exc}") from exc
                for p in (c for c in root if _local(c) == "p"):
                    lines.extend(walker.paragraph(p))
        blocks: list[tuple[str | None, int, list[str]]] = [(None, 1, [])]
        for line, level in lines:
            if level or looks_like_heading(line):
                blocks.append((line, level or 1, []))
            else:
                blocks[-1][2].append(line)
        done: list[Block] = [(h, lvl, "\n".join(body)) for h, lvl, body in blocks]
        self.title_hint = first_title_line("\n".join(line for line, _ in lines))
        yield from section_documents(done)
