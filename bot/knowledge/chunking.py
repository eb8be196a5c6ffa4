"""Chunking for Korean programme documents: keeps sentences whole, follows the □ ○ - ※ ① bullet hierarchy,
and carries the current heading into every chunk so a passage makes sense on its own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from langchain_core.documents import Document
from langchain_text_splitters import TextSplitter

from bot.knowledge.morphemes import sentences

TokenCounter = Callable[[str], int]

# Level 0: document headings and □/■ items; level 1: ○/◦/●; level 2: -, ·, ※, ①…, 1), 가.
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_TOP = re.compile(r"^\s*[□■◆◇▣]\s*")
_MID = re.compile(r"^\s*[○◦●◎]\s*")
_LOW = re.compile(r"^\s*(?:[-–·•▪※*]|[①-⑳]|\d{1,2}[.)]|[가-하][.)]|\(\d{1,2}\)|\([가-하]\))\s*")
_TABLE_ROW = re.compile(r"\s\|\s")
# FAQ questions ("Q. …") head their answers the way headings do.
_FAQ_QUESTION = re.compile(r"^\s*(?:Q|질문)\s*[.:)]\s*\S")


@dataclass
class _Unit:
    text: str
    level: int  # 0 heading/top bullet, 1 mid bullet, 2 low bullet or paragraph, 3 table row
    is_heading: bool


def units(text: str) -> list[_Unit]:
    """Group lines into structural units: a bullet with its continuation lines, a paragraph, a table row."""
    units: list[_Unit] = []
    current: list[str] = []
    level = 2
    heading = False

    def flush() -> None:
        nonlocal current
        if current:
            units.append(_Unit(" ".join(current).strip(), level, heading))
        current = []

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        md = _HEADING.match(line) or _FAQ_QUESTION.match(line)
        if md:
            flush()
            units.append(_Unit(line, 0, True))
            continue
        if _TABLE_ROW.search(line):
            flush()
            units.append(_Unit(line, 3, False))
            continue
        starts = None
        if _TOP.match(line):
            starts, is_head = 0, True
        elif _MID.match(line):
            starts, is_head = 1, False
        elif _LOW.match(line):
            starts, is_head = 2, False
        if starts is not None:
            flush()
            level, heading = starts, is_head
            current = [line]
        else:
            if not current:
                level, heading = 2, False
            current.append(line)
    flush()
    return units


class KoreanStructureSplitter(TextSplitter):
    """A LangChain splitter sized in model tokens that breaks at bullet and sentence boundaries."""

    def __init__(self, token_counter: TokenCounter, max_tokens: int = 380, **kwargs: object) -> None:
        super().__init__(chunk_size=max_tokens, chunk_overlap=0, length_function=token_counter, **kwargs)  # type: ignore[arg-type]
        self._count = token_counter
        self._max = max_tokens

    def _pieces(self, unit: _Unit) -> list[str]:
        """A unit that is too long on its own is cut into sentences, and a runaway sentence into slices."""
        if self._count(unit.text) <= self._max:
            return [unit.text]
        out: list[str] = []
        for sent in sentences(unit.text):
            if self._count(sent) <= self._max:
                out.append(sent)
                continue
            step = max(50, len(sent) * self._max // max(self._count(sent), 1) - 10)
            out.extend(sent[i : i + step] for i in range(0, len(sent), step))
        return out

    def split_text(self, text: str) -> list[str]:
        chunks: list[str] = []
        body: list[str] = []
        # The markdown heading and the □ line the current passage falls under.
        heading_ctx = ""
        top_ctx = ""
        used = 0

        def emit() -> None:
            nonlocal body, used
            if body:
                chunks.append("\n".join(body))
            body, used = [], 0

        for unit in units(text):
            if unit.is_heading:
                # A new heading starts a new chunk once the current one holds something substantial.
                if used > self._max // 3:
                    emit()
                line = unit.text[:200]
                if _HEADING.match(unit.text):
                    heading_ctx, top_ctx = line, ""
                else:
                    top_ctx = line
            for piece in self._pieces(unit):
                context = "\n".join(c for c in (heading_ctx, top_ctx) if c and c != piece)
                cost = self._count(piece)
                if used and used + cost > self._max:
                    emit()
                if not body and context:
                    body.append(context)
                    used = self._count(context)
                    if used + cost > self._max:  # context would push the piece over: drop the context
                        body, used = [], 0
                body.append(piece)
                used += cost
        emit()
        return [c for c in chunks if c.strip()]


def split_pages(pages: Iterable[Document], splitter: KoreanStructureSplitter) -> list[Document]:
    """Split page or section Documents into chunk Documents that keep their page/section metadata."""
    out: list[Document] = []
    for page in pages:
        for text in splitter.split_text(page.page_content):
            out.append(Document(page_content=text, metadata=dict(page.metadata)))
    return out
