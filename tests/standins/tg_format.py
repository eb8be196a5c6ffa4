"""Telegram's text formatting, as the Bot API server applies it: parse_mode → (plain text, entities).

Errors carry Telegram's own wording (from TDLib's parser) so the bot under test sees what production shows,
e.g. `Can't find end tag corresponding to start tag "b"`. Offsets and lengths are UTF-16 code units, like
Telegram's; byte offsets in messages are UTF-8, like Telegram's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MARKDOWN_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")

_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_RE = re.compile(r"""\s*([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""")
_COMMAND_RE = re.compile(r"(?<![\w/])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@])@[a-zA-Z0-9_]{4,32}")
_URL_RE = re.compile(r"https?://[^\s<>]+")


class EntityParseError(ValueError):
    """Markup the Bot API rejects; str() is the part after "Bad Request: can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(match: re.Match[str]) -> str | None:
    body = match.group(1)
    if body.startswith("#"):
        digits = body[1:]
        code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits)
        return chr(code) if 0 < code < 0x110000 else None
    return NAMED_ENTITIES.get(body)


def _unescape(value: str) -> str:
    return _ENTITY_RE.sub(lambda m: _decode_entity(m) or m.group(0), value)


@dataclass
class _Open:
    tag: str
    begin_byte: int
    offset: int
    attrs: dict[str, str]
    language: str | None = None
    children: list[str] = field(default_factory=list)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: allowed tags only, properly nested, entities &lt; &gt; &amp; &quot; &#N;."""
    out: list[str] = []
    length = 0  # UTF-16 length of out
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            match = _ENTITY_RE.match(text, i)
            decoded = _decode_entity(match) if match else None
            # TDLib keeps an unrecognised "&…" literally instead of failing.
            piece, i = (decoded, match.end()) if match and decoded is not None else ("&", i + 1)
            out.append(piece)
            length += utf16_len(piece)
            continue
        if ch != "<":
            j = i
            while j < n and text[j] not in "<&":
                j += 1
            out.append(text[i:j])
            length += utf16_len(text[i:j])
            i = j
            continue
        begin_byte = _byte_offset(text, i)
        if text.startswith("</", i):
            close = text.find(">", i)
            if close == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {begin_byte}")
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {begin_byte}")
            top = stack.pop()
            if name != top.tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {begin_byte}, expected "</{top.tag}>", found "</{name}>"'
                )
            entity = _html_entity(top, length, stack)
            if entity is not None:
                entities.append(entity)
            i = close + 1
            continue
        match = _TAG_NAME_RE.match(text, i + 1)
        name = match.group(0).lower() if match else ""
        if name not in HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin_byte}')
        j = match.end() if match else i + 1
        attrs: dict[str, str] = {}
        while True:
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin_byte}")
            if text[j] == ">":
                break
            attr = _ATTR_RE.match(text, j)
            if not attr or attr.end() == j:
                if text[j].isspace() or text[j] == "/":
                    j += 1
                    continue
                raise EntityParseError(f'Empty attribute name in the tag "{name}" at byte offset {begin_byte}')
            raw = attr.group(2) or ""
            if raw[:1] in ("'", '"'):
                raw = raw[1:-1]
            attrs[attr.group(1).lower()] = _unescape(raw)
            j = attr.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin_byte}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise EntityParseError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {begin_byte}')
        stack.append(_Open(name, begin_byte, length, attrs))
        i = j + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(out), entities


def _html_entity(top: _Open, end: int, stack: list[_Open]) -> dict[str, Any] | None:
    kind = HTML_TAGS[top.tag]
    entity: dict[str, Any] = {"type": kind, "offset": top.offset, "length": end - top.offset}
    if top.tag == "code" and stack and stack[-1].tag == "pre":
        # <pre><code class="language-x"> is one pre entity with a language, not two entities.
        language = top.attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].language = language[len("language-") :]
            return None
    if kind == "pre" and top.language:
        entity["language"] = top.language
    if kind == "text_link":
        href = top.attrs.get("href")
        if not href:
            return None
        entity["url"] = href
    if kind == "blockquote" and "expandable" in top.attrs:
        entity["type"] = "expandable_blockquote"
    if kind == "custom_emoji":
        entity["custom_emoji_id"] = top.attrs["emoji-id"]
    return entity if entity["length"] > 0 else None


_MD2_MARKERS = [
    ("```", "pre"),
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
    ("`", "code"),
]


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """MarkdownV2: the formatting markers, [text](url), and the rule that reserved characters need a backslash."""
    out: list[str] = []
    length = 0
    stack: list[tuple[str, str, int, int]] = []  # marker, type, offset, byte offset of the marker
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)

    def emit(piece: str) -> None:
        nonlocal length
        out.append(piece)
        length += utf16_len(piece)

    while i < n:
        ch = text[i]
        inside_code = bool(stack) and stack[-1][1] in ("code", "pre")
        if ch == "\\" and i + 1 < n:
            emit(text[i + 1])
            i += 2
            continue
        if inside_code:
            closer = stack[-1][0]
            if text.startswith(closer, i):
                marker, kind, offset, _ = stack.pop()
                entities.append({"type": kind, "offset": offset, "length": length - offset})
                i += len(closer)
            else:
                emit(ch)
                i += 1
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # a blockquote line; the quote entity itself is not modelled
            continue
        if ch == "[":
            close = text.find("](", i)
            end = text.find(")", close) if close != -1 else -1
            if close == -1 or end == -1:
                raise EntityParseError("Character '[' is reserved and must be escaped with the preceding '\\'")
            label, _ = parse_markdown_v2(text[i + 1 : close])
            start = length
            emit(label)
            entities.append(
                {
                    "type": "text_link",
                    "offset": start,
                    "length": length - start,
                    "url": text[close + 2 : end].replace("\\)", ")"),
                }
            )
            i = end + 1
            continue
        for marker, kind in _MD2_MARKERS:
            if text.startswith(marker, i):
                if stack and stack[-1][0] == marker:
                    _, kind, offset, _ = stack.pop()
                    if length > offset:
                        entities.append({"type": kind, "offset": offset, "length": length - offset})
                else:
                    stack.append((marker, kind, length, _byte_offset(text, i)))
                    if kind == "pre":  # the language tag runs to the end of the first line
                        newline = text.find("\n", i + 3)
                        if newline != -1 and text[i + 3 : newline].strip():
                            i = newline + 1
                            break
                i += len(marker)
                break
        else:
            if ch in MARKDOWN_V2_RESERVED:
                raise EntityParseError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")
            emit(ch)
            i += 1
    if stack:
        marker, kind, _, begin_byte = stack[-1]
        raise EntityParseError(f"Can't find end of {kind.capitalize()} entity at byte offset {begin_byte}")
    return "".join(out), entities


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting, no escaping rules."""
    out: list[str] = []
    length = 0
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)
    pairs = [("```", "pre"), ("*", "bold"), ("_", "italic"), ("`", "code")]
    while i < n:
        for marker, kind in pairs:
            if text.startswith(marker, i):
                end = text.find(marker, i + len(marker))
                if end == -1:
                    raise EntityParseError(
                        f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                    )
                inner = text[i + len(marker) : end]
                if inner:
                    entities.append({"type": kind, "offset": length, "length": utf16_len(inner)})
                out.append(inner)
                length += utf16_len(inner)
                i = end + len(marker)
                break
        else:
            if text[i] == "[" and "](" in text[i:]:
                close = text.find("](", i)
                end = text.find(")", close)
                if end != -1:
                    label = text[i + 1 : close]
                    entities.append(
                        {
                            "type": "text_link",
                            "offset": length,
                            "length": utf16_len(label),
                            "url": text[close + 2 : end],
                        }
                    )
                    out.append(label)
                    length += utf16_len(label)
                    i = end + 1
                    continue
            out.append(text[i])
            length += utf16_len(text[i])
            i += 1
    return "".join(out), entities


def format_text(text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None) -> tuple[str, list[dict]]:
    """Apply parse_mode (explicit entities win, as on Telegram), then trim surrounding whitespace like Telegram."""
    if entities is not None:
        plain, found = text, [dict(e) for e in entities]
    elif parse_mode and parse_mode.lower() == "html":
        plain, found = parse_html(text)
    elif parse_mode and parse_mode.lower() == "markdownv2":
        plain, found = parse_markdown_v2(text)
    elif parse_mode and parse_mode.lower() == "markdown":
        plain, found = parse_markdown(text)
    elif parse_mode:
        # Not an EntityParseError: Telegram words this one without the "can't parse entities" prefix.
        raise ValueError("unsupported parse_mode")
    else:
        plain, found = text, []
    return _strip(plain, found)


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    stripped = text.strip()
    if stripped == text:
        return text, sorted(entities, key=lambda e: (e["offset"], -e["length"]))
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, sorted(kept, key=lambda e: (e["offset"], -e["length"]))


def detect_entities(text: str) -> list[dict[str, Any]]:
    """The entities a Telegram client attaches to a typed message: bot commands, @mentions, URLs."""
    found: list[dict[str, Any]] = []
    for regex, kind in ((_COMMAND_RE, "bot_command"), (_MENTION_RE, "mention"), (_URL_RE, "url")):
        for match in regex.finditer(text):
            found.append(
                {"type": kind, "offset": utf16_len(text[: match.start()]), "length": utf16_len(match.group(0))}
            )
    return sorted(found, key=lambda e: (e["offset"], -e["length"]))
