"""Rebuild a PDF page's text from PDFium character boxes and ruling lines.

PDFium's own text order follows the content stream: Korean government PDFs (Hancom exports) write table cells
one after another and draw some text twice (shadow/bold or a hidden search layer). Here characters are placed
by position instead: one output line per visual line, glyphs drawn twice at the same spot are kept once, a
vertical ruling between two characters becomes " | ", and the lines of one table row (no horizontal ruling
between them) are merged cell by cell so that each table row comes out as one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as raw

_THIN = 3.0  # points: a path thinner than this is a ruling line (or a dot of a dotted one)
_JOIN_GAP = 4.0  # points: collinear segments closer than this are one ruling (dotted lines)
_SPACE_RATIO = 0.2  # gap between glyphs, relative to the line's glyph height, that means a word space
_CELL_RATIO = 3.0  # a gap this many glyph heights wide splits cells even without a ruling
_MAX_PATHS = 20000  # more path objects than this on a page is a drawing, not a form


@dataclass(slots=True)
class _Char:
    ch: str
    left: float
    right: float
    bottom: float
    top: float
    space_before: bool

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass(slots=True)
class _Seg:
    pos: float  # y of a horizontal ruling, x of a vertical one
    lo: float
    hi: float


@dataclass
class _Line:
    chars: list[_Char]
    top: float
    bottom: float
    cells: dict[int, str] = field(default_factory=dict)
    columns: tuple[float, ...] = ()


def _page_chars(page: pdfium.PdfPage) -> list[_Char]:
    textpage = page.get_textpage()
    try:
        count = raw.FPDFText_CountChars(textpage)
        box = raw.FS_RECTF()
        out: list[_Char] = []
        pending_space = False
        for i in range(count):
            code = raw.FPDFText_GetUnicode(textpage, i)
            ch = chr(code) if 0 < code < 0x110000 else ""
            if not ch or ch.isspace():
                pending_space = True
                continue
            if raw.FPDFText_IsGenerated(textpage, i):
                continue
            # Loose boxes span the glyph's advance and the font's full height: letters of a word touch,
            # so any gap is a real space, and the glyphs of one line share a vertical extent.
            if not raw.FPDFText_GetLooseCharBox(textpage, i, box):
                continue
            if box.right <= box.left or box.top <= box.bottom:
                continue
            out.append(_Char(ch, box.left, box.right, box.bottom, box.top, pending_space))
            pending_space = False
        return out
    finally:
        textpage.close()


def _merge(segs: list[_Seg]) -> list[_Seg]:
    segs.sort(key=lambda s: (round(s.pos), s.lo))
    out: list[_Seg] = []
    for s in segs:
        last = out[-1] if out else None
        if last and abs(last.pos - s.pos) < 1.0 and s.lo <= last.hi + _JOIN_GAP:
            last.hi = max(last.hi, s.hi)
        else:
            out.append(_Seg(s.pos, s.lo, s.hi))
    return out


def _page_rulings(page: pdfium.PdfPage) -> tuple[list[_Seg], list[_Seg]]:
    """Horizontal and vertical ruling segments from the page's path objects (borders, dots, cell fills)."""
    width, height = page.get_size()
    horizontal: list[_Seg] = []
    vertical: list[_Seg] = []
    for count, obj in enumerate(page.get_objects(filter=(raw.FPDF_PAGEOBJ_PATH,), max_depth=4)):
        if count >= _MAX_PATHS:  # a vector drawing, not a form: read its text without table rulings
            return [], []
        x0, y0, x1, y1 = obj.get_bounds()
        w, h = x1 - x0, y1 - y0
        if w <= _THIN and h <= _THIN:  # a dot of a dotted line: its longer side gives the direction
            if w >= h:
                horizontal.append(_Seg((y0 + y1) / 2, x0, x1))
            else:
                vertical.append(_Seg((x0 + x1) / 2, y0, y1))
        elif h <= _THIN:
            horizontal.append(_Seg((y0 + y1) / 2, x0, x1))
        elif w <= _THIN:
            vertical.append(_Seg((x0 + x1) / 2, y0, y1))
        elif w * h < 0.5 * width * height:
            # Filled cell backgrounds share their edges with the cell borders (some tables have only fills).
            horizontal += [_Seg(y0, x0, x1), _Seg(y1, x0, x1)]
            vertical += [_Seg(x0, y0, y1), _Seg(x1, y0, y1)]
    return _drop_hatching(_merge(horizontal)), _drop_hatching(_merge(vertical))


def _drop_hatching(segs: list[_Seg]) -> list[_Seg]:
    """Remove runs of many parallel strokes packed closely: shading and drawings, not table rulings."""
    ordered = sorted(segs, key=lambda s: s.pos)
    keep: list[_Seg] = []
    run: list[_Seg] = []
    for s in ordered + [_Seg(float("inf"), 0, 0)]:
        if run and s.pos - run[-1].pos > 1.5:
            # Pieces of one dotted or broken line share a position: only distinct positions count.
            if len({round(r.pos) for r in run}) < 4:
                keep.extend(run)
            run = []
        run.append(s)
    return keep


def _group_lines(chars: list[_Char]) -> list[_Line]:
    lines: list[_Line] = []
    for c in sorted(chars, key=lambda c: -c.top):
        h = max(c.height, 0.1)
        for line in reversed(lines[-3:]):
            overlap = min(line.top, c.top) - max(line.bottom, c.bottom)
            if overlap >= 0.6 * min(h, max(line.top - line.bottom, 0.1)):
                line.chars.append(c)
                line.top, line.bottom = max(line.top, c.top), min(line.bottom, c.bottom)
                break
        else:
            lines.append(_Line([c], c.top, c.bottom))
    lines.sort(key=lambda ln: -(ln.top + ln.bottom) / 2)
    return lines


def _dedupe(chars: list[_Char]) -> list[_Char]:
    """Keep one of several identical glyphs drawn at (almost) the same place: shadow, fake bold, hidden layer."""
    kept: list[_Char] = []
    for c in sorted(chars, key=lambda c: c.left):
        # Doubles sit within a point or two; some fonts report boxes wider than the advance, so the box
        # width alone cannot tell a double from the next letter ("tt" in "https").
        tol_x = min(0.35 * max(c.right - c.left, 1.0), 0.15 * max(c.height, 1.0))
        tol_y = 0.35 * max(c.height, 1.0)
        if any(k.ch == c.ch and abs(k.left - c.left) <= tol_x and abs(k.bottom - c.bottom) <= tol_y
               for k in kept[-4:]):
            continue
        kept.append(c)
    return kept


def _layout_line(line: _Line, vertical: list[_Seg]) -> None:
    """Fill line.cells (column index → text) and line.columns (x of the rulings crossing the line)."""
    chars = _dedupe(line.chars)
    # A column ruling runs past the whole line (a short stroke across part of it is part of a drawing).
    tol = 0.2 * (line.top - line.bottom)
    columns = sorted(v.pos for v in vertical if v.lo <= line.bottom + tol and v.hi >= line.top - tol)
    line.columns = tuple(columns)
    h = median(c.height for c in chars) or 1.0
    cells: dict[int, list[str]] = {}
    col = -1
    prev: _Char | None = None
    for c in chars:
        centre = (c.left + c.right) / 2
        c_col = sum(1 for x in columns if x < centre)
        if prev is None or c_col != col:
            col = c_col
            cells.setdefault(col, [])
            if cells[col]:
                cells[col].append(" ")
        else:
            gap = c.left - prev.right
            if gap > _CELL_RATIO * h:
                cells[col].append(" | ")
            elif c.space_before or gap > _SPACE_RATIO * h:
                cells[col].append(" ")
        cells[col].append(c.ch)
        prev = c
    line.cells = {k: "".join(v).strip() for k, v in cells.items()}


def _same_row(upper: _Line, lower: _Line, horizontal: list[_Seg]) -> bool:
    """True if both lines sit in the same multi-column table row: same rulings and no rule between them."""
    if len(upper.columns) < 3 or len(upper.columns) != len(lower.columns):
        return False
    if any(abs(a - b) > 2.0 for a, b in zip(upper.columns, lower.columns, strict=True)):
        return False
    lo_y, hi_y = (lower.top + lower.bottom) / 2, (upper.top + upper.bottom) / 2
    cols = upper.columns
    # A row border spans at least one whole cell; shorter rules between the lines are underlines.
    return not any(
        lo_y < s.pos < hi_y and any(s.lo <= a + 2 and s.hi >= b - 2 for a, b in pairwise(cols))
        for s in horizontal
    )


@dataclass(frozen=True)
class PageText:
    text: str
    title: str  # the largest-type lines at the top of the page, "" if nothing stands out


def _title(lines: list[_Line], typical: float) -> str:
    heights = [ln.top - ln.bottom for ln in lines]
    biggest = max(heights, default=0.0)
    if biggest < 1.3 * typical:
        return ""
    picked: list[str] = []
    for line, h in zip(lines, heights, strict=True):
        if h >= 0.9 * biggest:
            picked.append(" ".join(t for _, t in sorted(line.cells.items()) if t))
        elif picked:
            break
    return " ".join(" ".join(picked).split())[:150]


def extract_page(page: pdfium.PdfPage) -> PageText:
    """The page's text in reading order (one line per visual line or table row) and its display title."""
    chars = _page_chars(page)
    if not chars:
        return PageText("", "")
    horizontal, vertical = _page_rulings(page)
    lines = _group_lines(chars)
    for line in lines:
        _layout_line(line, vertical)
    typical = median(ln.top - ln.bottom for ln in lines)
    title = _title(lines, typical)
    rows: list[_Line] = []
    for line in lines:
        if rows and _same_row(rows[-1], line, horizontal):
            row = rows[-1]
            for col, text in line.cells.items():
                row.cells[col] = (row.cells.get(col, "") + " " + text).strip()
            row.bottom = line.bottom
            continue
        rows.append(line)
    out: list[str] = []
    prev_bottom: float | None = None
    for row in rows:
        if prev_bottom is not None and prev_bottom - row.top > 1.3 * typical:
            out.append("")  # a paragraph gap, which the chunker uses as a boundary
        out.append(" | ".join(t for _, t in sorted(row.cells.items()) if t))
        prev_bottom = row.bottom
    return PageText("\n".join(out), title)
