"""Thin Telegram handlers, one module per area; each exposes `register(app)`."""

from __future__ import annotations

from telegram.ext import Application

from bot.telegram.handlers import account, feedback, questions


def register_all(app: Application) -> None:  # type: ignore[type-arg]
    account.register(app)
    feedback.register(app)
    # Last: the catch-all for text must not shadow more specific handlers added before it.
    questions.register(app)
