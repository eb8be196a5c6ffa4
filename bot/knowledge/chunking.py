"""Chunking for Korean programme documents: keeps sentences whole, follows the □ ○ - ※ ① bullet hierarchy,
gives every FAQ question/answer pair a chunk of its own, and carries the current heading (and a table's header
row) into every chunk so a passage makes sense on its own."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from langchain_core.documents import Document
from langchain_text_splitters import TextSplitter

from bot.knowledge.morphemes import sentences
from bot.knowledge.structure import Unit, UnitKind, label_of, units

TokenCounter = Callable[[str], int]

_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s")


class KoreanStructureSplitter(TextSplitter):
    """A LangChain splitter sized in model tokens that breaks at bullet and sentence boundaries."""

    def __init__(self, token_counter: TokenCounter, max_tokens: int = 380, **kwargs: Any) -> None:
        super().__init__(chunk_size=max_tokens, chunk_overlap=0, length_function=token_counter, **kwargs)
        self._count = token_counter
        self._max = max_tokens

    def _pieces(self, unit: Unit) -> list[str]:
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
        # The markdown heading, the □ line or FAQ question, and the table header the current passage falls under.
        heading_ctx = ""
        top_ctx = ""
        table_ctx = ""
        used = 0
        context_lines = 0

        def emit() -> None:
            nonlocal body, used, context_lines
            if len(body) > context_lines:
                chunks.append("\n".join(body))
            body = []
            used = 0
            context_lines = 0

        for unit in units(text):
            if unit.level == 0:
                # A FAQ question always starts a chunk of its own, so each pair is one answer unit; other sections
                # start one once the current chunk holds something substantial.
                if (unit.kind == UnitKind.QUESTION and len(body) > context_lines) or used > self._max // 3:
                    emit()
                line = unit.text[:200]
                if _MARKDOWN_HEADING.match(unit.text):
                    heading_ctx, top_ctx = line, ""
                elif unit.kind == UnitKind.TEXT:
                    label = label_of(unit.text)
                    top_ctx = f"□ {label[0]}" if label else ""
                else:
                    top_ctx = line
            table_ctx = unit.header if unit.kind == UnitKind.TABLE else ""
            for piece in self._pieces(unit):
                wanted = [heading_ctx, top_ctx] + ([table_ctx] if unit.kind == UnitKind.TABLE else [])
                context = [c for c in wanted if c and not piece.startswith(c)]
                cost = self._count(piece)
                if used and used + cost > self._max:
                    emit()
                if not body and context:
                    body = list(context)
                    used = self._count("\n".join(context))
                    context_lines = len(context)
                    if used + cost > self._max:  # context would push the piece over: drop the context
                        body = []
                        used = 0
                        context_lines = 0
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
