"""Experts' office hours in Telegram (/slots): publishing, listing, closing and cancelling slots, marking attendance."""

from __future__ import annotations

from bot.strings.types import Lang

MESSAGES: dict[str, dict[Lang, str]] = {
}
