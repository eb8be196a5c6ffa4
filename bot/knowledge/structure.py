"""The structure of programme documents, line by line: headings, FAQ questions, statements and table rows.

Government documents say what a passage is about in its structure, not only its words: a FAQ's "N | …하나요?"
line is a question (matched, never quoted), "답변 | ☞ …" is its answer, a □ line heads the ○ and - lines under
it, and a table row means something only with its column headers. The chunker and the extractive answer both
read documents through `units`, so they agree on what is quotable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class UnitKind(StrEnum):
    HEADING = "heading"  # a Markdown heading, a □ line, a numbered section title: context, never an answer
    QUESTION = "question"  # a FAQ question ("Q.", "N | …?", "질문"): what is matched, never quoted
    TEXT = "text"  # a statement: a paragraph, a bullet with its continuation lines, a FAQ answer
    TABLE = "table"  # one table row ("a | b | c")


# Level 0: document headings and □/■ items; level 1: ○/◦/●; level 2: -, ·, ※, ①…, 1), 가.
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_TOP = re.compile(r"^\s*[□■◆◇▣]\s*")
_MID = re.compile(r"^\s*[○◦●◎]\s*")
_LOW = re.compile(r"^\s*(?:[-–·•▪※*∙ㆍ▶☞]|[①-⑳]|\d{1,2}[.)]|[가-하][.)]|\(\d{1,2}\)|\([가-하]\))\s*")
_TABLE_ROW = re.compile(r"\s\|\s")
# FAQ questions: "Q. …", "질문: …", "Q3) …", and the government FAQ's numbered "12 | …하나요?".
_FAQ_QUESTION = re.compile(r"^\s*(?:(?:Q|질문|문)\s*\d{0,3}\s*[.:)|]\s*\S|\d{1,3}\s*\|\s*[^|]+[?？]\s*$)")
# FAQ answers: "A. …", "답변 | ☞ …", "답: …". The marker goes; the answer is a statement.
ANSWER_MARK = re.compile(r"^\s*(?:A|답변|답)\s*\d{0,3}\s*[.:)|]\s*(?:☞\s*)?")
# A numbered section title of a government document: "1 | 사업개요", "Ⅱ. 신청자격".
_SECTION_TITLE = re.compile(r"^\s*(?:\d{1,2}\s*\||[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+\s*[.|])\s*[^|]{2,40}$")
_ENDS_AS_QUESTION = re.compile(r"[?？]\s*$")
# "[ 사업 신청 및 문의처 ]", "< 지원내용 >": a bracketed title over a list or a table.
_BRACKETED_TITLE = re.compile(r"^\s*(?:\[\s*[^\[\]]{2,40}\s*\]|<\s*[^<>]{2,40}\s*>|【[^【】]{2,40}】)\s*$")
# "□ 지원대상 : 창업 후 3년 초과 7년 이내" states a fact under a short label; the label is its heading.
LABELLED = re.compile(r"^\s*(?:[□■◆◇▣○◦●◎∙·•ㆍ▶-]\s*)?(?:\(([^)]{2,20})\)|([^:：()]{2,20}?))\s*[:：]\s*(\S.*)$")


def label_of(text: str) -> tuple[str, str] | None:
    """("지원대상", "창업 후 3년 초과 7년 이내 기업") for a labelled statement, None otherwise."""
    m = LABELLED.match(text)
    if not m:
        return None
    return (m.group(1) or m.group(2)).strip(), m.group(3).strip()


@dataclass(frozen=True)
class Unit:
    text: str
    kind: UnitKind
    level: int  # 0 heading/top bullet, 1 mid bullet, 2 low bullet or paragraph, 3 table row
    header: str = ""  # for a table row: its table's header row, when the table has one (the header row: itself)

    @property
    def is_table_header(self) -> bool:
        return self.kind == UnitKind.TABLE and self.text == self.header

    @property
    def is_heading(self) -> bool:
        """Headings and FAQ questions head what follows them."""
        return self.kind in (UnitKind.HEADING, UnitKind.QUESTION)


def cells(row: str) -> list[str]:
    return [c.strip() for c in row.split("|")]


def looks_like_header(row: str) -> bool:
    """A table's first row is its header when every cell is a short label, not a value."""
    parts = [c for c in cells(row) if c]
    if len(parts) < 2:
        return False
    digits = sum(ch.isdigit() for ch in row)
    return all(len(c) <= 20 for c in parts) and digits <= len(row) // 10


def units(text: str) -> list[Unit]:
    """Group lines into structural units: a bullet with its continuation lines, a paragraph, a table row, a
    heading or a FAQ question (with its wrapped lines)."""
    out: list[Unit] = []
    current: list[str] = []
    level = 2
    kind = UnitKind.TEXT
    header = ""  # the header row of the table being read, "" when not in a table or it has none
    in_table = False

    def flush() -> None:
        nonlocal current
        if current:
            joined = " ".join(current).strip()
            # A statement that ends in a question mark asks; it answers nothing.
            unit_kind = UnitKind.QUESTION if kind == UnitKind.TEXT and _ENDS_AS_QUESTION.search(joined) else kind
            out.append(Unit(joined, unit_kind, level))
        current = []

    def begin(new_level: int, new_kind: UnitKind, line: str) -> None:
        """End the unit being read and start a new one with `line`."""
        nonlocal level, kind, current, in_table
        flush()
        in_table = False
        level, kind, current = new_level, new_kind, [line]

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()  # a blank line between rows does not end a table: the next row decides
            continue
        if _HEADING.match(line):
            flush()
            in_table = False
            is_question = bool(_FAQ_QUESTION.match(_HEADING.sub(r"\2", line)))
            out.append(Unit(line, UnitKind.QUESTION if is_question else UnitKind.HEADING, 0))
            continue
        if ANSWER_MARK.match(line):
            begin(2, UnitKind.TEXT, line)
            continue
        if _FAQ_QUESTION.match(line):
            begin(0, UnitKind.QUESTION, line)
            if _ENDS_AS_QUESTION.search(line):
                flush()  # a one-line question: what follows is its answer, even without an "A." marker
            continue
        if kind == UnitKind.QUESTION and current and _ENDS_AS_QUESTION.search(line):
            current.append(line)  # the last line of a question that wrapped
            flush()
            continue
        if _SECTION_TITLE.match(line) or _BRACKETED_TITLE.match(line):
            flush()
            in_table = False
            out.append(Unit(line, UnitKind.HEADING, 0))
            continue
        if _TABLE_ROW.search(line):
            flush()
            if in_table and header and len(cells(line)) != len(cells(header)):
                in_table = False  # another table
            if not in_table:
                header = line if looks_like_header(line) else ""
                in_table = True
                if header:
                    out.append(Unit(line, UnitKind.TABLE, 3, header))  # the header row heads itself
                    continue
            out.append(Unit(line, UnitKind.TABLE, 3, header))
            continue
        in_table = False
        starts = None
        if _TOP.match(line):
            # "□ 신청자격" heads a section; "□ 지원대상 : …" states a fact under its label.
            starts, starts_kind = 0, UnitKind.TEXT if label_of(line) else UnitKind.HEADING
        elif _MID.match(line):
            starts, starts_kind = 1, UnitKind.TEXT
        elif _LOW.match(line):
            starts, starts_kind = 2, UnitKind.TEXT
        if starts is not None:
            begin(starts, starts_kind, line)
        else:
            if not current:
                level, kind = 2, UnitKind.TEXT
            current.append(line)
    flush()
    return out
