"""/slots: experts publish and manage their consultation slots, and mark attendance."""

from __future__ import annotations

from bot.telegram.context import App


def register(app: App) -> None:
    pass
