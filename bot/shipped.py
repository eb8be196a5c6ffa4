"""The folders shipped with the bot, prompts/ and knowledge/: the wheel's copy, or the checkout's own."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """`prompts` or `knowledge` as shipped with this installation.

    A wheel carries them as bot/_shipped/<name> (copied from the repository root by setup.py); a checkout or an
    editable install has them at the repository root, next to the package.
    """
    packaged = _PACKAGE / "_shipped" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name
