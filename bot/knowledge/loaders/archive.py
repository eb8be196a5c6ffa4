"""Zip containers (DOCX, HWPX): open them only after the central directory passes the bomb checks."""

from __future__ import annotations

import zipfile
from pathlib import Path

from bot.knowledge.errors import DocumentRejected, RejectReason

MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_RATIO = 100
# Small members compress extremely well (XML boilerplate, empty parts), so the ratio matters only for big ones.
BIG_MEMBER = 1024 * 1024


def open_checked_zip(path: Path, file_name: str) -> zipfile.ZipFile:
    """Open a zip after checking its central directory; never decompresses anything.

    Raises DocumentRejected: CORRUPT if it is no zip, ARCHIVE_BOMB if it declares too much data, too many
    members or an absurd compression ratio, ENCRYPTED if members are password-protected.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise DocumentRejected(file_name, RejectReason.CORRUPT, f"not a valid zip container: {exc}") from exc
    try:
        check_zip_limits(zf, file_name)
    except DocumentRejected:
        zf.close()
        raise
    return zf


def check_zip_limits(zf: zipfile.ZipFile, file_name: str) -> None:
    """Apply the member-count, total-size and ratio limits to an open zip's central directory."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise DocumentRejected(file_name, RejectReason.ARCHIVE_BOMB, f"{len(infos)} members")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise DocumentRejected(file_name, RejectReason.ARCHIVE_BOMB, f"{total} bytes uncompressed")
    for info in infos:
        if info.file_size > BIG_MEMBER and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise DocumentRejected(
                file_name, RejectReason.ARCHIVE_BOMB,
                f"{info.filename}: {info.file_size} bytes from {info.compress_size} compressed",
            )
        if info.flag_bits & 0x1:
            raise DocumentRejected(file_name, RejectReason.ENCRYPTED, f"{info.filename} is password-protected")


def read_member(zf: zipfile.ZipFile, name: str, file_name: str) -> bytes:
    """Read one member; the declared size was checked, and zipfile stops at it and verifies the CRC."""
    try:
        return zf.read(name)
    except KeyError as exc:
        raise DocumentRejected(file_name, RejectReason.CORRUPT, f"missing part {name}") from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise DocumentRejected(file_name, RejectReason.CORRUPT, f"damaged part {name}: {exc}") from exc
