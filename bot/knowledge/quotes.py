"""Quotable sentences of a passage: what an extractive answer may quote, and what ingestion pre-embeds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.chunking import units
from bot.knowledge.morphemes import sentences

_BULLET = re.compile(r"^\s*(?:[○◦●◎\-–·•▪※*]|[①-⑳]|\d{1,2}[.)]|(?:A|답변)\s*[.:])\s*")
_HEADING_MARK = re.compile(r"^\s*(?:#{1,6}|[□■◆◇▣])\s*")


@dataclass(frozen=True)
class Quotable:
    sentence: str
    heading: str  # the heading it stands under: "누가 신청할 수 있나" tells what "3년 초과 7년 이내" answers

    @property
    def embedding_text(self) -> str:
        return f"{self.heading}: {self.sentence}" if self.heading else self.sentence


def quotable_sentences(text: str, min_chars: int = 8) -> list[Quotable]:
    """Sentences of the passage's statements (headings are context, not statements), bullets stripped."""
    out: list[Quotable] = []
    heading = ""
    for unit in units(text):
        if unit.is_heading:
            heading = _HEADING_MARK.sub("", unit.text).strip()[:120]
            continue
        body = _BULLET.sub("", unit.text).strip()
        out.extend(Quotable(s, heading) for s in sentences(body) if len(s) >= min_chars)
    return out
