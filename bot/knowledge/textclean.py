"""Cleanup for text extracted from Korean documents: Unicode, control characters, doubled text, lost spacing.

Every loader passes its page/section text through `clean_text`, so the chunker and the indexes see one form.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # kiwipiepy is imported lazily: it is slow to load and only some texts need it
    from kiwipiepy import Kiwi

# Characters NFKC would destroy but that carry structure in Korean documents: circled/parenthesised numbers
# and letters (① → "1" loses the bullet level) and compatibility jamo (ㅇ → a conjoining jamo that may
# even merge with the next vowel into a different syllable).
_PROTECTED = re.compile(r"[\u2460-\u24ff\u2776-\u2793\u3131-\u318e\u3260-\u327f\u25a0-\u25ff\u203b]+")
# Control characters except tab and newline, plus invisible format characters PDFs and HWP leave behind.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200d\u2060\ufeff\ufffe\uffff]")
_HYPHENATED = re.compile(r"([A-Za-z]{2,})-\n([a-z]{2,})")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_HANGUL = re.compile(r"[가-힣]")
_PAGE_FURNITURE = re.compile(r"^\s*[-–]\s*\d{1,4}\s*[-–]\s*$")
# A run of five or more non-space characters immediately repeated: "창업도약패키지창업도약패키지".
_REPEATED_RUN = re.compile(r"(\S{5,60}?)\1")
# Lines are spaced again with Kiwi only when a token this long is mostly Hangul: Korean words are short,
# so such a token means the extractor dropped the spaces.
_LONG_TOKEN = 15
_INNER_PARTICLE = re.compile(r"(?:을|를|의|에서|으로|하는|하여|합니다|습니다|있는|없는|하고)(?=[가-힣])")
_VERY_LONG_RUN = re.compile(r"[가-힣]{30,}")

_kiwi: Kiwi | None = None
_kiwi_lock = threading.Lock()


def normalize_unicode(text: str) -> str:
    """NFKC everything except bullet markers, circled numbers and compatibility jamo."""
    out: list[str] = []
    pos = 0
    for m in _PROTECTED.finditer(text):
        out.append(unicodedata.normalize("NFKC", text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(unicodedata.normalize("NFKC", text[pos:]))
    return "".join(out)


def remove_control_chars(text: str) -> str:
    """Unify line endings and drop NULs, control and zero-width characters (tabs and newlines stay)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", text)


def fix_hyphenation(text: str) -> str:
    """Join Latin words split by a hyphen at a line end ("docu-\\nment" → "document")."""
    return _HYPHENATED.sub(r"\1\2", text)


def collapse_whitespace(text: str) -> str:
    """One space between words, no trailing spaces, at most one blank line in a row."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _hangul_pairs(run: str) -> int:
    return sum(1 for ch in run[::2] if _HANGUL.match(ch))


def undouble_chars(line: str) -> str:
    """Undo "창창업업도도약약" (every glyph drawn twice for fake bold), keeping real repeats such as "하하하하".

    A run is undoubled only if it has at least four doubled pairs, two of them Hangul, and at least three
    different characters: ordinary Korean text never looks like that.
    """
    if len(line) < 8:
        return line
    out: list[str] = []
    i = 0
    n = len(line)
    while i < n:
        j = i
        while j + 1 < n and line[j] == line[j + 1]:
            j += 2
        run = line[i:j]
        if len(run) >= 8 and _hangul_pairs(run) >= 2 and len(set(run)) >= 3:
            out.append(run[::2])
            i = j
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def _repeat_ok(unit: str) -> bool:
    return len(_HANGUL.findall(unit)) >= 3 and len(set(unit)) >= 3


def undouble_runs(line: str) -> str:
    """Undo a word run or a whole line emitted twice ("창업도약패키지창업도약패키지", "제목 A제목 A")."""
    stripped = line.strip()
    half = len(stripped) // 2
    # A whole line repeated, with or without a separator, e.g. a heading drawn twice.
    for cut, skip in ((half, 0), (half, 1)):
        first, second = stripped[:cut], stripped[cut + skip :]
        if skip and stripped[cut : cut + 1] != " ":
            continue
        if len(first) >= 4 and first == second and _repeat_ok(first):
            return first
    return _REPEATED_RUN.sub(lambda m: m.group(1) if _repeat_ok(m.group(1)) else m.group(0), line)


def drop_repeated_lines(text: str) -> str:
    """Drop a line that repeats the line just before it (text extracted twice), unless it is short or blank.

    Short lines (table cells like "-" or "해당 없음") legitimately repeat, so only lines of eight or more
    characters with Hangul count.
    """
    out: list[str] = []
    for line in text.split("\n"):
        if out and line == out[-1] and len(line) >= 8 and _HANGUL.search(line):
            continue
        out.append(line)
    return "\n".join(out)


def drop_page_furniture(text: str) -> str:
    """Remove page-number lines such as "- 4 -"."""
    return "\n".join(line for line in text.split("\n") if not _PAGE_FURNITURE.match(line))


def _get_kiwi() -> Kiwi:
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def needs_spacing(line: str) -> bool:
    """True when the line has a long mostly-Hangul token that runs words together, i.e. lost its spaces.

    Long compound nouns are legitimate ("4대사회보험료완납증명서"), so a token must also hold particles or
    endings followed by more Hangul ("기업의성장과도약을지원하는"), or be an absurdly long Hangul run.
    """
    for token in line.split():
        if len(token) < _LONG_TOKEN or len(_HANGUL.findall(token)) < 0.6 * len(token):
            continue
        if len(_INNER_PARTICLE.findall(token)) >= 2 or _VERY_LONG_RUN.search(token):
            return True
    return False


def restore_spacing(text: str) -> str:
    """Re-insert word spaces with Kiwi, only on lines that clearly lost them (existing spaces are kept)."""
    lines = text.split("\n")
    todo = [i for i, line in enumerate(lines) if needs_spacing(line)]
    if not todo:
        return text
    kiwi = _get_kiwi()
    with _kiwi_lock:  # Kiwi objects are not documented as thread-safe
        for i in todo:
            lines[i] = kiwi.space(lines[i], reset_whitespace=False)
    return "\n".join(lines)


def clean_text(text: str) -> str:
    """Full cleanup: control chars, selective NFKC, hyphenation, doubled text, page numbers, spacing."""
    text = remove_control_chars(text)
    text = normalize_unicode(text)
    text = fix_hyphenation(text)
    # Before collapsing whitespace: fake-bold text doubles its spaces too, and the pairs must stay aligned.
    text = "\n".join(undouble_chars(line) for line in text.split("\n"))
    text = collapse_whitespace(text)
    text = "\n".join(undouble_runs(line) for line in text.split("\n"))
    text = drop_repeated_lines(text)
    text = drop_page_furniture(text)
    text = restore_spacing(text)
    return collapse_whitespace(text)
