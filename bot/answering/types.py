"""What the answering service returns to any front end (Telegram, console)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

AnswerKind = Literal["answer", "not_found", "idea_review", "human", "smalltalk", "out_of_scope", "refused"]
AnswerMode = Literal["llm", "extractive", "none"]
Intent = Literal["question", "idea_review", "human", "smalltalk", "out_of_scope", "injection"]

# Called with the whole answer text so far, as it grows (for streaming drafts).
DeltaCallback = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Source:
    """One cited document location, numbered as in the answer text."""

    number: int
    title: str
    location: str
    document_id: str
    file_name: str

    def label(self) -> str:
        return f"{self.title}, {self.location}" if self.location else self.title


@dataclass(frozen=True)
class Answer:
    kind: AnswerKind
    text: str  # plain text with [n] citation markers; the front end escapes and formats it
    lang: str
    mode: AnswerMode
    question: str
    standalone_question: str
    sources: list[Source] = field(default_factory=list)
    question_id: int | None = None  # the question log row, for feedback buttons
    latency_ms: int = 0
