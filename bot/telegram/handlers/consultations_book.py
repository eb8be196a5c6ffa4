"""/book and /mybookings: founders book, cancel and move consultations with their cafe's experts."""

from __future__ import annotations

from bot.telegram.context import App


def register(app: App) -> None:
    pass
