"""What every format loader shares: the LangChain BaseLoader shape, rejection, and splitting text into sections."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document

from bot.knowledge.errors import DocumentRejected, RejectReason
from bot.knowledge.textclean import clean_text

# Numbered or bulleted headings used by Korean programme documents when no style information exists:
# "1. 사업개요", "Ⅱ. 지원내용", "제3장 ...", "[ 사업 신청 ]", "< 지원내용 >" on a short line of their own.
_PLAIN_HEADING = re.compile(
    r"^(?:[IVXⅠ-Ⅻ]{1,4}\s*[.)]|\d{1,2}\s*[.)]|제\s*\d+\s*[장절조]|\[[^\]]{2,40}\]$|<[^>]{2,40}>$)\s*\S"
)
_MAX_HEADING_CHARS = 60


class FormatLoader(BaseLoader):
    """Base for the per-format loaders: lazy_load() yields cleaned page/section Documents.

    After loading, `title_hint` holds the document's own title if it has one (metadata or first heading) and
    `front_matter` any YAML-like header fields.
    """

    kind = ""

    def __init__(self, path: Path, file_name: str | None = None) -> None:
        self.path = Path(path)
        self.file_name = file_name or self.path.name
        self.title_hint: str | None = None
        self.front_matter: dict[str, str] = {}

    def reject(self, reason: RejectReason, detail: str = "") -> DocumentRejected:
        """Build the exception for this file (callers `raise self.reject(...)`)."""
        return DocumentRejected(self.file_name, reason, detail)

    def lazy_load(self) -> Iterator[Document]:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError


def looks_like_heading(line: str) -> bool:
    """A short line that numbers or brackets itself like a heading (for formats without heading styles)."""
    line = line.strip()
    return 2 < len(line) <= _MAX_HEADING_CHARS and " | " not in line and bool(_PLAIN_HEADING.match(line))


Block = tuple[str | None, int, str]  # (heading, heading level 1-6, body text)


def section_documents(blocks: Iterable[Block]) -> list[Document]:
    """Turn (heading, level, body) blocks into cleaned Documents with metadata {"section": heading}.

    The heading is repeated as a markdown heading line ("## 지원내용") at the top of its section: the chunker
    carries such lines into every chunk as context. Empty sections are dropped.
    """
    docs: list[Document] = []
    for heading, level, body in blocks:
        head = " ".join(clean_text(heading or "").split())
        text = clean_text(f"{'#' * max(1, min(level, 6))} {head}\n{body}" if head else body)
        if len(text.splitlines()) > 1 or (text and not head):
            docs.append(Document(page_content=text, metadata={"section": head}))
    return docs


def split_by_heading_lines(lines: Iterable[str]) -> list[Block]:
    """Group plain lines into blocks at lines that look like headings (formats without heading styles)."""
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in lines:
        if looks_like_heading(line):
            blocks.append((line.strip(), []))
        else:
            blocks[-1][1].append(line)
    return [(h, 1, "\n".join(body)) for h, body in blocks]


_TITLE_OK = re.compile(r"[가-힣A-Za-z]")


def first_title_line(text: str) -> str | None:
    """The first non-empty line that could be a title: short, with letters, not a table row or bullet."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        line = line.lstrip("#").strip()
        if 4 <= len(line) <= 80 and _TITLE_OK.search(line) and " | " not in line:
            return meaningful_title(line)
        return None
    return None


_GENERIC_TITLE = re.compile(
    r"^(?:untitled|document|doc|scan|image|img|file|download|new|sample|test|temp|tmp|upload|제목\s*없음|새\s*문서|문서|무제)[\s_\-]*\d*$"
    r"|^microsoft (?:word|powerpoint) - |\.(?:hwp|hwpx|docx?|pdf|txt)$",
    re.IGNORECASE,
)
_LEADING_TAGS = re.compile(r"^\s*(?:[\[【(（<〈][^\]】)）>〉]{1,12}[\]】)）>〉]\s*)+")


def meaningful_title(value: str | None) -> str | None:
    """The value as a title if it reads like one: letters, not a placeholder, not a bullet or a file name."""
    if not value:
        return None
    title = " ".join(value.split("\x00", 1)[0].split())
    if not 4 <= len(title) <= 150 or len(re.findall(r"[가-힣A-Za-z]", title)) < 3:
        return None
    if title[0] in "※*-•◦○□■▪◆◇①②③" or _GENERIC_TITLE.search(title):
        return None
    return title


def title_from_file_name(name: str) -> str:
    """A readable title from a file name: no extension, no leading "[공고문]"/"[별첨 1]" tags, no underscores."""
    stem = Path(name).stem
    cleaned = _LEADING_TAGS.sub("", stem).replace("_", " ")
    cleaned = " ".join(cleaned.split())
    return cleaned or " ".join(stem.split())


def section_number(pattern: re.Pattern[str], name: str) -> int:
    """The section number `pattern`'s first group reads from a container member's name (-1 when it does not match:
    callers list only matching names, so order never depends on it)."""
    found = pattern.match(name)
    return int(found.group(1)) if found else -1
