"""Consultations: experts publish slots (one-off or weekly office hours), founders book a seat, reminders, cancel and
reschedule, attendance, staff listings, CSV and stats. Knows nothing of Telegram: each step is one database
transaction with the notices it causes queued in the outbox (bot.escalation.outbox); blocking, so callers run these
off the event loop. No double booking is decided by the database (see bot.storage.models.consultations).
"""
