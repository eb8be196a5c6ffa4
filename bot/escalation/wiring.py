"""The escalation services built from settings, registered experts synced from EXPERT_USER_IDS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.config import Settings
from bot.escalation.outbox import Outbox
from bot.escalation.service import EscalationService, SlaPolicy
from bot.escalation.state import StateStore
from bot.storage.db import Database


@dataclass
class Escalation:
    tickets: EscalationService
    outbox: Outbox
    state: StateStore


def build_escalation(settings: Settings, db: Database) -> Escalation:
    sla = SlaPolicy(timedelta(hours=settings.escalation_reminder_hours),
                    timedelta(hours=settings.escalation_reassign_hours))
    tickets = EscalationService(db, sla)
    # Configured experts exist from the start; staff commands can change them later without being overwritten.
    for user_id in settings.expert_user_ids:
        tickets.register_expert(user_id, capacity=settings.expert_default_capacity, keep_existing=True)
    return Escalation(tickets, Outbox(db, settings.escalation_retry_base_seconds), StateStore(db))
