"""HWP 5.x binary format: OLE storage, FileHeader flags, the record stream and paragraph text decoding.

Reference: Hancom's published "한글 문서 파일 형식 5.0" specification. Only what text extraction needs is read.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

SIGNATURE = b"HWP Document File"
HWP3_SIGNATURE = b"HWP Document File V3"

# FileHeader property bits (spec table 3)
FLAG_COMPRESSED = 1 << 0
FLAG_PASSWORD = 1 << 1
FLAG_DISTRIBUTION = 1 << 2
FLAG_DRM = 1 << 4
FLAG_CERT_ENCRYPTED = 1 << 8

TAG_PARA_HEADER = 66
TAG_PARA_TEXT = 67
TAG_CTRL_HEADER = 71
TAG_LIST_HEADER = 72
TAG_TABLE = 77

# Control characters that occupy 8 WCHARs in PARA_TEXT (the code, 6 WCHARs of payload, the code again).
_WIDE_CONTROLS = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23})
_LINE_BREAK, _PARA_END, _TAB, _HYPHEN, _NBSP, _FIXED_SPACE = 10, 13, 9, 24, 30, 31

# Hard limit for one decompressed section stream: a tiny stream that inflates beyond this is a bomb.
MAX_SECTION_BYTES = 200 * 1024 * 1024


class HwpFormatError(ValueError):
    """The stream is not valid HWP 5 data."""


class HwpBombError(ValueError):
    """A compressed stream inflates past MAX_SECTION_BYTES."""


@dataclass(frozen=True)
class FileHeader:
    version: tuple[int, int, int, int]
    flags: int

    @property
    def compressed(self) -> bool:
        return bool(self.flags & FLAG_COMPRESSED)

    @property
    def encrypted(self) -> bool:
        return bool(self.flags & (FLAG_PASSWORD | FLAG_DRM | FLAG_CERT_ENCRYPTED))

    @property
    def distribution(self) -> bool:
        return bool(self.flags & FLAG_DISTRIBUTION)


def parse_file_header(data: bytes) -> FileHeader:
    """Read the 256-byte FileHeader stream: signature, version (MM.nn.PP.rr) and property flags."""
    if len(data) < 40 or not data.startswith(SIGNATURE):
        raise HwpFormatError("bad FileHeader signature")
    rev, patch, minor, major = data[32:36]
    (flags,) = struct.unpack_from("<I", data, 36)
    return FileHeader((major, minor, patch, rev), flags)


def inflate(data: bytes) -> bytes:
    """Raw-deflate decompression with a size cap (HWP sections carry no zlib header)."""
    d = zlib.decompressobj(-15)
    try:
        out = d.decompress(data, MAX_SECTION_BYTES)
    except zlib.error as exc:
        raise HwpFormatError(f"bad compressed stream: {exc}") from exc
    if d.unconsumed_tail:
        raise HwpBombError("section stream inflates past the limit")
    return out


@dataclass
class Record:
    tag: int
    level: int
    data: bytes
    children: list[Record] = field(default_factory=list)


def parse_records(data: bytes) -> list[Record]:
    """Split a record stream into a tree: each record's children are the following deeper-level records."""
    flat: list[Record] = []
    pos, n = 0, len(data)
    while pos + 4 <= n:
        (header,) = struct.unpack_from("<I", data, pos)
        pos += 4
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, header >> 20
        if size == 0xFFF:
            if pos + 4 > n:
                raise HwpFormatError("truncated record header")
            (size,) = struct.unpack_from("<I", data, pos)
            pos += 4
        if pos + size > n:
            raise HwpFormatError("truncated record")
        flat.append(Record(tag, level, data[pos : pos + size]))
        pos += size
    roots: list[Record] = []
    stack: list[Record] = []
    for rec in flat:
        while stack and stack[-1].level >= rec.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(rec)
        stack.append(rec)
    return roots


def decode_para_text(data: bytes) -> str:
    """Decode PARA_TEXT: UTF-16LE with in-band control characters (spec 4.3.1 / table 6)."""
    count = len(data) // 2
    units = struct.unpack_from(f"<{count}H", data)
    out: list[str] = []
    i = 0
    while i < count:
        c = units[i]
        if c >= 32:
            out.append(chr(c))
            i += 1
            continue
        if c == _TAB:
            out.append("\t")
        elif c == _LINE_BREAK:
            out.append("\n")
        elif c == _HYPHEN:
            out.append("-")
        elif c in (_NBSP, _FIXED_SPACE):
            out.append(" ")
        i += 8 if c in _WIDE_CONTROLS else 1
    # Surrogate pairs come through as two chars; rejoin them (and drop lone halves).
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16", "ignore")


def ctrl_id(record: Record) -> str:
    """The four-letter control id of a CTRL_HEADER record ("tbl ", "gso ", "head", ...)."""
    if len(record.data) < 4:
        return ""
    return record.data[:4][::-1].decode("latin-1")


def cell_address(record: Record) -> tuple[int, int]:
    """(row, column) of a table cell from its LIST_HEADER (paragraph count, flags, then the cell fields)."""
    if len(record.data) < 12:
        return (0, 0)
    col, row = struct.unpack_from("<HH", record.data, 8)
    return (row, col)


def table_shape(record: Record) -> tuple[int, int]:
    """(rows, columns) from a TABLE record."""
    if len(record.data) < 8:
        return (0, 0)
    rows, cols = struct.unpack_from("<HH", record.data, 4)
    return (rows, cols)
