"""The periodic jobs of the outbox and the service levels: the outbox flush, expert tickets' reminders and
reassignments, reminders of questions waiting for the cafe staff, and consultations' reminders.

Each reads the database, so after a restart (or on another replica) it picks up where things were.
"""

from __future__ import annotations

import asyncio

from telegram.ext import JobQueue

from bot.config import Settings
from bot.telegram.context import Context
from bot.telegram.outbox_sender import flush_outbox


async def check_service_levels(context: Context) -> None:
    """Expert tickets' reminders and reassignments due by the database's clock: a restart loses no deadline."""
    queued = await asyncio.to_thread(context.services.escalation.workflow.check_service_levels)
    if queued:
        await flush_outbox(context)


async def remind_staff_questions(context: Context) -> None:
    """Staff questions waiting longer than STAFF_ANSWER_HOURS: one reminder each, whichever replica runs first."""
    if await asyncio.to_thread(context.services.questions.check_service_levels):
        await flush_outbox(context)


async def remind_consultations(context: Context) -> None:
    """Bookings' reminders (24 h and 1 h before) and the expert's "attended?" after: each claimed once in the
    database, so a restart or a second replica sends none twice."""
    if await asyncio.to_thread(context.services.consultations.due_reminders):
        await flush_outbox(context)


def schedule_jobs(job_queue: JobQueue[Context], settings: Settings) -> None:
    job_queue.run_repeating(flush_outbox, interval=settings.escalation_outbox_interval_seconds, first=0.5,
                            name="esc-outbox")
    job_queue.run_repeating(check_service_levels, interval=settings.escalation_sla_check_seconds, first=1.0,
                            name="esc-sla")
    job_queue.run_repeating(remind_staff_questions, interval=settings.staff_sla_check_seconds, first=1.5,
                            name="staff-questions-sla")
    job_queue.run_repeating(remind_consultations, interval=settings.consultation_check_seconds, first=2.0,
                            name="consultation-reminders")
