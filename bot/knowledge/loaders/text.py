"""Markdown and plain-text loader: legacy Korean encodings, a YAML-like front-matter header, `#` sections."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import yaml
from langchain_core.documents import Document

from bot.knowledge.errors import RejectReason
from bot.knowledge.loaders.base import (
    Block,
    FormatLoader,
    first_title_line,
    looks_like_heading,
    meaningful_title,
    section_documents,
)

FRONT_MATTER_KEYS = ("title", "programme", "source", "valid_until", "lang")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_ATX = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")


def decode_text(raw: bytes) -> str | None:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or legacy Korean CP949/EUC-KR; None if none fit."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in raw[:8192]:
        return None  # binary data, not text
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _value(value: object) -> str | None:
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip().strip("\"'")
    return None


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading `---` header from the body; keep only the known keys, values as strings.

    valid_until must be a YYYY-MM-DD date (anything else is dropped). A header that is not valid YAML is read
    as plain `key: value` lines.
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    block, body = m.group(1), text[m.end():]
    try:
        loaded = yaml.safe_load(block)
        data = loaded if isinstance(loaded, dict) else {}
    except yaml.YAMLError:
        data = {}
        for line in block.splitlines():
            kv = _KEY_VALUE.match(line.strip())
            if kv:
                data[kv.group(1)] = kv.group(2)
    out: dict[str, str] = {}
    for key in FRONT_MATTER_KEYS:
        value = _value(data.get(key if key != "programme" or key in data else "program"))
        if value:
            out[key] = value
    if "valid_until" in out and not _ISO_DATE.match(out["valid_until"]):
        del out["valid_until"]
    return out, body


def markdown_blocks(text: str, plain: bool) -> list[Block]:
    """Blocks at `#` headings (outside code fences); plain text also breaks at numbered heading lines."""
    blocks: list[tuple[str | None, int, list[str]]] = [(None, 1, [])]
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else _ATX.match(line)
        if m:
            blocks.append((m.group(2), len(m.group(1)), []))
        elif plain and not in_fence and looks_like_heading(line):
            blocks.append((line.strip(), 1, []))
        else:
            blocks[-1][2].append(line)
    return [(h, lvl, "\n".join(body)) for h, lvl, body in blocks]


class TextLoader(FormatLoader):
    """Loads .md/.markdown/.txt files into one Document per heading section."""

    kind = "text"

    def __init__(self, path: Path, file_name: str | None = None, *, markdown: bool = True) -> None:
        super().__init__(path, file_name)
        self.kind = "markdown" if markdown else "text"
        self.markdown = markdown

    def lazy_load(self) -> Iterator[Document]:
        """Yield one cleaned Document per heading section."""
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise self.reject(RejectReason.CORRUPT, f"unreadable: {exc}") from exc
        text = decode_text(raw)
        if text is None:
            raise self.reject(RejectReason.CORRUPT, "not text in UTF-8, UTF-16 or CP949")
        self.front_matter, body = parse_front_matter(text.replace("\r\n", "\n"))
        blocks = markdown_blocks(body, plain=not self.markdown)
        first_heading = next((h for h, _, _ in blocks if h), None)
        self.title_hint = (
            meaningful_title(self.front_matter.get("title"))
            or meaningful_title(first_heading)
            or first_title_line(body)
        )
        yield from section_documents(blocks)
