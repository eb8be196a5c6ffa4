"""The escalation's periodic jobs: the outbox flush and the service-level check.

Both read the database, so after a restart (or on another replica) they pick up where things were.
"""

from __future__ import annotations

import asyncio

from telegram.ext import JobQueue

from bot.config import Settings
from bot.telegram.context import Context
from bot.telegram.outbox_sender import flush_outbox


async def check_service_levels(context: Context) -> None:
    """Reminders and reassignments due by the database's clock, so a restart loses no deadline."""
    queued = await asyncio.to_thread(context.services.escalation.workflow.check_service_levels)
    if queued:
        await flush_outbox(context)


def schedule_escalation_jobs(job_queue: JobQueue[Context], settings: Settings) -> None:
    job_queue.run_repeating(flush_outbox, interval=settings.escalation_outbox_interval_seconds, first=0.5,
                            name="esc-outbox")
    job_queue.run_repeating(check_service_levels, interval=settings.escalation_sla_check_seconds, first=1.0,
                            name="esc-sla")
