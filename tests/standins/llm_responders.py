"""What the OpenAI stand-in says: the default "grounded echo" responder and helpers for writing your own.

A responder is `Callable[[list[dict] messages, dict request_body], str]` (or a coroutine function). Messages
arrive as the client sent them; `message_text` flattens content-part lists.

The default, `grounded_echo`, is deliberately dumb and predictable:
1. Context = the passages of a `<passage id="n" ...>…</passage>` block (the project's prompt format), or
   lines starting `[n] ` — in any system or user message.
2. Question = the last user message (minus any context it contains; a `<question>` or `<message>` tag wins).
3. With context: the one or two context sentences sharing the most with the question (overlap of the
   character bigrams of their words, so Korean particles don't spoil matches), each followed by " [n]" for
   its passage. No overlap at all → `not_found` ("[[NOT_FOUND]]").
4. Without context: the text of a `<message>`/`<question>` tag if present (so a "rewrite the follow-up"
   prompt repeats the question), else the last user message unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

Responder = Callable[[list[dict[str, Any]], dict[str, Any]], str | Awaitable[str]]

_PASSAGE_RE = re.compile(r'<passage\b[^>]*\bid="?(\d+)"?[^>]*>(.*?)</passage>', re.DOTALL)
_NUMBERED_RE = re.compile(r"^\[(\d+)\]\s*(.+?)(?=^\[\d+\]|\Z)", re.DOTALL | re.MULTILINE)
_DOCUMENTS_RE = re.compile(r"<documents>.*?</documents>|<passage\b.*?</passage>", re.DOTALL)
_SENTENCE_RE = re.compile(r"(?<=[.!?。])\s+|\n+")
_WORD_RE = re.compile(r"\w+")
# Instructions that ask for a label or JSON rather than prose (the intent classifier, structured output).
CLASSIFY_RE = re.compile(r"\bjson\b|\blabels?\b|\bclassify\b|분류|라벨|레이블", re.IGNORECASE)


def message_text(message: dict[str, Any]) -> str:
    """A chat message's content as plain text (content-part lists are joined)."""
    content = message.get("content")
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return "" if content is None else str(content)


def extract_tag(text: str, tag: str) -> str | None:
    """The inside of the last `<tag>…</tag>` in text, stripped; None if absent."""
    # The body may not contain another "<tag>": prompts often mention the tag in prose before the real block.
    found = re.findall(rf"<{tag}>((?:(?!<{tag}>).)*?)</{tag}>", text, re.DOTALL)
    return found[-1].strip() if found else None


def passages(messages: list[dict[str, Any]]) -> dict[int, str]:
    """Numbered context passages found in the system/user messages (see the module docstring)."""
    found: dict[int, str] = {}
    for message in messages:
        if message.get("role") not in ("system", "developer", "user"):
            continue
        text = message_text(message)
        matches = _PASSAGE_RE.findall(text) or _NUMBERED_RE.findall(text)
        for number, body in matches:
            found.setdefault(int(number), body.strip())
    return found


def last_user_text(messages: list[dict[str, Any]]) -> str:
    """The last user message's text ("" if none)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message)
    return ""


def question_of(messages: list[dict[str, Any]]) -> str:
    """What is being asked: a <question>/<message> tag in the last user turn, else that turn minus context."""
    text = last_user_text(messages)
    for tag in ("question", "message"):
        inside = extract_tag(text, tag)
        if inside:
            return inside
    return _DOCUMENTS_RE.sub(" ", text).strip()


def instructions(messages: list[dict[str, Any]]) -> str:
    """System/developer text with the context blocks removed (so documents can't look like instructions)."""
    texts = [message_text(m) for m in messages if m.get("role") in ("system", "developer")]
    if not texts:  # single-prompt style: the whole prompt is one user message
        texts = [last_user_text(messages)]
    return _DOCUMENTS_RE.sub(" ", "\n".join(texts))


def wants_classification(messages: list[dict[str, Any]], request: dict[str, Any]) -> bool:
    """True when the request asks for a label or JSON (response_format, or wording like "Output the label")."""
    if request.get("response_format"):
        return True
    without_data = re.sub(r"<message>.*?</message>", " ", instructions(messages), flags=re.DOTALL)
    return bool(CLASSIFY_RE.search(without_data))


def _bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for word in _WORD_RE.findall(text.lower()):
        if len(word) == 1:
            grams.add(word)
        else:
            grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return grams


def best_sentences(question: str, context: dict[int, str], count: int = 2) -> list[tuple[str, int]]:
    """The `count` context sentences with the most bigram overlap with the question, in reading order."""
    wanted = _bigrams(question)
    scored: list[tuple[int, int, str, int]] = []  # score, position, sentence, passage number
    position = 0
    for number, body in sorted(context.items()):
        for sentence in _SENTENCE_RE.split(body):
            sentence = sentence.strip()
            if sentence:
                scored.append((len(wanted & _bigrams(sentence)), position, sentence, number))
                position += 1
    ranked = sorted(scored, key=lambda s: (-s[0], s[1]))
    if not ranked or ranked[0][0] == 0:
        return []
    top = [s for s in ranked[:count] if s[0] * 2 >= ranked[0][0]]
    return [(sentence, number) for _, _, sentence, number in sorted(top, key=lambda s: s[1])]


def grounded_echo(messages: list[dict[str, Any]], request: dict[str, Any], not_found: str = "[[NOT_FOUND]]") -> str:
    """The default responder: quote the best-matching context sentences with [n] citations (see module doc)."""
    context = passages(messages)
    question = question_of(messages)
    if not context:
        return question or last_user_text(messages)
    picked = best_sentences(question, context)
    if not picked:
        return not_found
    return " ".join(f"{sentence} [{number}]" for sentence, number in picked)


def default_classification(messages: list[dict[str, Any]], request: dict[str, Any]) -> str:
    """The default classify_responder: every message is a "question"."""
    return "question"
