"""Answers as Telegram messages: escaped HTML with a bold header and a sources list, split to fit."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from bot.answering.types import Answer
from bot.strings import t

MAX_MESSAGE = 4096  # Telegram's limit, in UTF-16 code units after entity parsing

_HEADERS = {
    "answer": "tg.answer.header",
    "not_found": "tg.answer.header_not_found",
    "idea_review": "tg.answer.header_expert",
    "human": "tg.answer.header_expert",
}


@dataclass(frozen=True)
class Chunk:
    """One message: the HTML to send and the plain text to fall back on if Telegram rejects the markup."""

    html: str
    plain: str


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    # Telegram's HTML needs only &, < and > escaped; quotes stay readable in the plain fallback.
    return html.escape(text, quote=False)


def _escaped_len(text: str) -> int:
    # The escaped length bounds the parsed length from above, so a chunk that fits here fits Telegram.
    return utf16_len(escape(text))


def split_text(text: str, limit: int, measure: Callable[[str], int] = _escaped_len) -> list[str]:
    """Split at paragraph breaks, then line breaks, then spaces, hard only inside an endless word."""
    if measure(text) <= limit:
        return [text]
    for sep in ("\n\n", "\n", " "):
        parts = text.split(sep)
        if len(parts) == 1:
            continue
        chunks: list[str] = []
        current = ""
        for part in parts:
            candidate = f"{current}{sep}{part}" if current else part
            if measure(candidate) <= limit:
                current = candidate
                continue
            if current:
                chunks.append(current)
            pieces = split_text(part, limit, measure) if measure(part) > limit else [part]
            chunks.extend(pieces[:-1])
            current = pieces[-1]
        if current:
            chunks.append(current)
        return [c for c in chunks if c.strip()]
    out, current = [], ""
    for ch in text:
        if measure(current + ch) > limit:
            out.append(current)
            current = ""
        current += ch
    return out + ([current] if current else [])


def _pack(pieces: list[Chunk], limit: int) -> list[Chunk]:
    """Greedily join pieces (each already within the limit) with blank lines into as few messages as fit."""
    out: list[Chunk] = []
    for piece in pieces:
        if out and utf16_len(out[-1].html) + 2 + utf16_len(piece.html) <= limit:
            last = out[-1]
            out[-1] = Chunk(f"{last.html}\n\n{piece.html}", f"{last.plain}\n\n{piece.plain}")
        else:
            out.append(piece)
    return out


def _text_pieces(text: str, limit: int) -> list[Chunk]:
    pieces = []
    for paragraph in text.split("\n\n"):
        if not paragraph.strip():
            continue
        for part in split_text(paragraph, limit):
            pieces.append(Chunk(escape(part), part))
    return pieces


def render_answer(answer: Answer, limit: int = MAX_MESSAGE) -> list[Chunk]:
    """The answer as one or more messages: bold header, escaped body, sources last."""
    pieces: list[Chunk] = []
    header_key = _HEADERS.get(answer.kind)
    if header_key:
        header = t(header_key, answer.lang)
        pieces.append(Chunk(f"<b>{escape(header)}</b>", header))
    pieces += _text_pieces(answer.text, limit)
    if answer.sources:
        title = t("answer.sources", answer.lang)
        lines = [f"[{s.number}] {s.label()}" for s in answer.sources]
        body = split_text("\n".join(lines), limit - utf16_len(title) - 8)
        pieces.append(Chunk(f"<b>{escape(title)}</b>\n{escape(body[0])}", f"{title}\n{body[0]}"))
        pieces += [Chunk(escape(part), part) for part in body[1:]]
    return _pack(pieces, limit)
