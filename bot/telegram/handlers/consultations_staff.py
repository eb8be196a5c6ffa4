"""/bookings: staff see their cafe's consultations (date filter, CSV)."""

from __future__ import annotations

from bot.telegram.context import App


def register(app: App) -> None:
    pass
