"""The escalation services built from settings, registered experts synced from EXPERT_USER_IDS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.config import Settings
from bot.escalation.dead_letters import DeadLetters
from bot.escalation.outbox import Outbox
from bot.escalation.service import EscalationService, SlaPolicy
from bot.escalation.state import StateStore
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database


@dataclass
class Escalation:
    tickets: EscalationService
    outbox: Outbox
    state: StateStore
    dead: DeadLetters


def build_escalation(settings: Settings, db: Database) -> Escalation:
    sla = SlaPolicy(timedelta(hours=settings.escalation_reminder_hours),
                    timedelta(hours=settings.escalation_reassign_hours))
    tickets = EscalationService(db, sla)
    # Configured experts exist from the start; staff commands can change them later without being overwritten.
    for user_id in settings.expert_user_ids:
        tickets.register_expert(user_id, capacity=settings.expert_default_capacity, keep_existing=True)
    # A send given up after OUTBOX_MAX_ATTEMPTS tells every staff member (STAFF_USER_IDS and those added in the bot).
    dead = DeadLetters(db, StaffRegistry(db, settings.staff_user_ids), settings.default_language)
    outbox = Outbox(db, settings.escalation_retry_base_seconds, settings.outbox_max_attempts, on_dead=dead.on_dead)
    return Escalation(tickets, outbox, StateStore(db), dead)
