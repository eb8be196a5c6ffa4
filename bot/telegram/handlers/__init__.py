"""Thin Telegram handlers, one module per area; each exposes `register(app)`."""

from __future__ import annotations

from bot.telegram.context import App
from bot.telegram.handlers import (
    account,
    cafes,
    consultations_book,
    consultations_slots,
    consultations_staff,
    escalation,
    escalation_commands,
    escalation_intake,
    escalation_outbox,
    feedback,
    questions,
    staff,
    staff_announce,
    staff_questions,
    staff_stats,
    staff_uploads,
)


def register_all(app: App) -> None:
    account.register(app)
    cafes.register(app)  # founders choose their cafe (issue 13)
    # Expert escalation (issue 4): ticket replies and commands in group -1, the intake before the "ask" placeholder.
    escalation.register(app)
    escalation_commands.register(app)
    escalation_outbox.register(app)  # /outbox: staff retry or drop sends the outbox gave up on
    escalation_intake.register(app)
    feedback.register(app)
    # Staff (issue 5): commands and document buttons, uploads, subscriptions and announcements.
    staff.register(app)
    staff_stats.register(app)
    staff_uploads.register(app)
    staff_announce.register(app)
    staff_questions.register(app)  # questions the documents did not answer, for the cafe staff (issue 12)
    # Consultations (issue 14): experts' slots, founders' bookings, staff's view.
    consultations_slots.register(app)
    consultations_book.register(app)
    consultations_staff.register(app)
    # Last: the catch-all for text must not shadow more specific handlers added before it.
    questions.register(app)
