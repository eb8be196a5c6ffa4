"""Thin Telegram handlers, one module per area; each exposes `register(app)`."""

from __future__ import annotations

from telegram.ext import Application

from bot.telegram.handlers import (
    account,
    escalation,
    escalation_commands,
    escalation_intake,
    escalation_outbox,
    feedback,
    questions,
    staff,
)


def register_all(app: Application) -> None:  # type: ignore[type-arg]
    account.register(app)
    # Expert escalation (issue 4): ticket replies and commands in group -1, the intake before the "ask" placeholder.
    escalation.register(app)
    escalation_commands.register(app)
    escalation_outbox.register(app)  # /outbox: staff retry or drop sends the outbox gave up on
    escalation_intake.register(app)
    feedback.register(app)
    staff.register(app)  # staff commands, document uploads, subscriptions (issue 5)
    # Last: the catch-all for text must not shadow more specific handlers added before it.
    questions.register(app)
