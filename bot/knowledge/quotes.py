"""Quotable sentences of a passage: what an extractive answer may quote, and what ingestion pre-embeds.

Only statements are quotable: a FAQ's answer, not its question; a bullet, not the heading above it; a table row
with its column headers, not the header row; never a form's placeholder ("OO기술이 적용된…", "00백만원").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.morphemes import sentences
from bot.knowledge.structure import ANSWER_MARK, Unit, UnitKind, cells, label_of, units

_BULLET = re.compile(r"^\s*(?:[○◦●◎□■\-–·•▪※*∙ㆍ▶☞]|[①-⑳]|\d{1,2}[.)](?!\d)|\(\d{1,2}\))\s*")
_HEADING_MARK = re.compile(r"^\s*(?:#{1,6}|[□■◆◇▣]|(?:Q|질문|문)\s*\d{0,3}\s*[.:)|]|\d{1,3}\s*\|)\s*")
# Blanks of a form or template: "OO기술", "○○기관", "00백만원", "00.00 ~ 00.00".
PLACEHOLDER = re.compile(r"O{2,}|○{2,}|ㅇㅇ|△△|XX|(?<![\d.,:])00(?![\d:])")
_QUESTION_END = re.compile(r"[?？]\s*$")
_LETTER = re.compile(r"[A-Za-z가-힣]")
# What a document says about itself ("이 문서는 …을 정리했습니다", "This is an English summary of …") answers nothing.
_ABOUT_ITSELF = re.compile(r"^(?:이\s*(?:문서|안내|요약|자료)(?:는|은)\s|"
                           r"This\s+(?:is\s+an?\s+(?:English\s+)?summary|guide|page|document)\b)", re.IGNORECASE)
# Marks a sentence split leaves at its edges: "… 가능합니다. ☞", "* (참고) …", a table title run into the line.
_EDGE_MARKS = re.compile(r"^(?:\s*(?:[☞※*ㆍ∙·-]+|\((?:참고|예시|유의사항)\))\s*)+"
                         r"|(?:\s*(?:[☞※*]+|\*?\s*\((?:참고|예시|유의사항)\)|<[^<>]{2,40}>))+\s*$")


@dataclass(frozen=True)
class Quotable:
    sentence: str
    heading: str  # the heading it stands under: "누가 신청할 수 있나" tells what "3년 초과 7년 이내" answers
    unit: str = ""  # the whole statement (FAQ answer, bullet, row) it comes from: the evidence it stands in

    @property
    def embedding_text(self) -> str:
        return f"{self.heading}: {self.sentence}" if self.heading else self.sentence


def heading_text(text: str) -> str:
    """A heading or FAQ question without its marks ("### Q. ", "□ ", "12 | ")."""
    return _HEADING_MARK.sub("", text).strip()[:120]


def row_text(unit: Unit) -> str:
    """A table row as a statement: each cell with its column header when the header lines up."""
    row = [c for c in cells(unit.text)]
    head = cells(unit.header) if unit.header else []
    if head and len(head) == len(row):
        pairs = [f"{h}: {c}" if h and h != c else c for h, c in zip(head, row, strict=True) if c]
        return ", ".join(pairs)
    return " | ".join(c for c in row if c)


def quotable(sentence: str, min_chars: int) -> bool:
    return (
        len(sentence) >= min_chars
        and not _QUESTION_END.search(sentence)
        and not PLACEHOLDER.search(sentence)
        and len(_LETTER.findall(sentence)) >= 4
        and not _ABOUT_ITSELF.match(sentence)
    )


# A verdict alone ("네, 그렇습니다.", "불가합니다.") means nothing without the question it answered: it is quoted
# together with the sentence that follows it.
STANDALONE_CHARS = 20


def _merged(parts: list[str], min_chars: int) -> list[str]:
    """Sentences, with one too short to stand alone ("불가합니다.") joined to the next: it is often the answer."""
    out: list[str] = []
    carry = ""
    for part in parts:
        part = f"{carry} {part}".strip() if carry else part
        if len(part) < min_chars:
            carry = part
            continue
        carry = ""
        out.append(part)
    if carry:
        if out:
            out[-1] = f"{out[-1]} {carry}"
        else:
            out.append(carry)
    return out


def quotable_sentences(text: str, min_chars: int = 8) -> list[Quotable]:
    """Sentences of the passage's statements (headings and questions are context, not statements)."""
    out: list[Quotable] = []
    section = ""  # the last heading or FAQ question
    label = ""  # the label of the last "□ label : …" statement, which heads the bullets under it
    for unit in units(text):
        if unit.is_heading:
            section, label = heading_text(unit.text), ""
            continue
        context = f"{section} {label}".strip()
        if unit.kind == UnitKind.TABLE:
            if unit.is_table_header:
                continue
            row = row_text(unit)
            if quotable(row, min_chars):
                out.append(Quotable(row, context, row))
            continue
        body = _BULLET.sub("", ANSWER_MARK.sub("", unit.text)).strip()
        labelled = label_of(body)
        if labelled and unit.level == 0:
            label = labelled[0]
            context = f"{section} {label}".strip()
        parts = [_EDGE_MARKS.sub("", s).strip() for s in sentences(body)]
        for sentence in _merged([p for p in parts if p], max(min_chars, STANDALONE_CHARS)):
            if quotable(sentence, min_chars):
                out.append(Quotable(sentence, context, body))
    return out
