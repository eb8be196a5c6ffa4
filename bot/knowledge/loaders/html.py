"""HTML loader on the stdlib html.parser: visible text only, sections at h1-h3, tables one line per row."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

from langchain_core.documents import Document

from bot.knowledge.errors import RejectReason
from bot.knowledge.loaders.base import Block, FormatLoader, first_title_line, meaningful_title, section_documents
from bot.knowledge.loaders.text import decode_text

_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_BLOCK = frozenset({
    "p", "div", "br", "li", "ul", "ol", "section", "article", "header", "footer", "nav", "blockquote", "pre",
    "h4", "h5", "h6", "dt", "dd", "hr", "form", "figure", "figcaption", "main", "aside", "address",
})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3}
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    """Collects (heading, level, body) blocks; table cells are joined per row with " | "."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str | None, int, list[str]]] = [(None, 1, [])]
        self.title = ""
        self._skip = 0
        self._in_title = False
        self._heading: tuple[int, list[str]] | None = None
        self._line: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def _flush(self) -> None:
        text = " ".join("".join(self._line).split())
        if text:
            self.blocks[-1][2].append(text)
        self._line = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if tag in _HEADINGS and self._cell is None:
            self._flush()
            self._heading = (_HEADINGS[tag], [])
        elif tag == "tr":
            self._flush()
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in _BLOCK:
            if self._cell is not None:
                self._cell.append(" ")
            else:
                self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag in _HEADINGS and self._heading is not None:
            level, parts = self._heading
            self._heading = None
            self.blocks.append((" ".join("".join(parts).split()), level, []))
        elif tag in ("td", "th") and self._cell is not None:
            if self._row is not None:
                self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            cells = [c for c in self._row if c]
            if cells:
                self.blocks[-1][2].append(" | ".join(cells))
            self._row = None
        elif tag in _BLOCK and self._cell is None:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._skip:
            return
        if self._heading is not None:
            self._heading[1].append(data)
        elif self._cell is not None:
            self._cell.append(data)
        else:
            self._line.append(data)

    def result(self) -> list[Block]:
        self._flush()
        return [(h, lvl, "\n".join(body)) for h, lvl, body in self.blocks]


def _decode_html(raw: bytes) -> str | None:
    m = _META_CHARSET.search(raw[:4096])
    if m:
        try:
            return raw.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(raw)


class HtmlLoader(FormatLoader):
    """Loads .html/.htm files into one Document per h1-h3 section."""

    kind = "html"

    def lazy_load(self) -> Iterator[Document]:
        """Yield one cleaned Document per heading section."""
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise self.reject(RejectReason.CORRUPT, f"unreadable: {exc}") from exc
        text = _decode_html(raw)
        if text is None:
            raise self.reject(RejectReason.CORRUPT, "not decodable as text")
        parser = _TextExtractor()
        try:
            parser.feed(text)
            parser.close()
        except (AssertionError, ValueError) as exc:  # html.parser is lenient; these mean truly broken input
            raise self.reject(RejectReason.CORRUPT, f"unparseable HTML: {exc}") from exc
        blocks = parser.result()
        first_heading = next((h for h, _, _ in blocks if h), None)
        self.title_hint = (
            meaningful_title(" ".join(parser.title.split()))
            or meaningful_title(first_heading)
            or first_title_line(blocks[0][2])
        )
        yield from section_documents(blocks)
