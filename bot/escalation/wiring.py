"""The escalation services built from settings, registered experts synced from EXPERT_USER_IDS."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cafes.registry import StaffScope
from bot.config import Settings
from bot.escalation.dead_letters import DeadLetters
from bot.escalation.experts import ExpertRegistry
from bot.escalation.links import MessageLinks
from bot.escalation.notices import NoticeWriter
from bot.escalation.outbox import Outbox
from bot.escalation.sla import ServiceLevels, SlaPolicy
from bot.escalation.tickets import Tickets
from bot.escalation.workflow import EscalationWorkflow
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database
from bot.storage.models.cafes import CafeStaff


@dataclass
class Escalation:
    experts: ExpertRegistry
    tickets: Tickets
    links: MessageLinks
    levels: ServiceLevels
    workflow: EscalationWorkflow
    outbox: Outbox
    dead: DeadLetters


def staff_of_cafe(staff: StaffRegistry, admins: Iterable[int] = ()) -> Callable[[Session, str | None], list[int]]:
    """Who hears about a ticket of a cafe: the staff whose scope allows it (bot.cafes.registry.StaffScope), i.e.
    that cafe's staff, the city-wide admins (ADMIN_USER_IDS) and staff of no cafe (STAFF_USER_IDS, /staff add).
    A ticket without a cafe: every staff member."""
    city_wide = frozenset(admins)

    def recipients(session: Session, cafe_id: str | None) -> list[int]:
        everyone = staff.all_ids(session)
        if cafe_id is None:
            return everyone
        works_at: dict[int, set[str]] = {}
        for row in session.scalars(select(CafeStaff)):
            works_at.setdefault(row.user_id, set()).add(row.cafe_id)
        return [user_id for user_id in everyone
                if user_id in city_wide or StaffScope(frozenset(works_at.get(user_id, ())) or None).allows(cafe_id)]

    return recipients


def assemble(db: Database, sla: SlaPolicy, staff: StaffRegistry, writer: NoticeWriter, *,
             related: Callable[[str], list[str]] | None = None, retry_base_seconds: float = 2.0,
             max_attempts: int = 20, admins: Iterable[int] = ()) -> Escalation:
    """The parts wired together; `related` finds programme titles for a case card (the knowledge search);
    `admins`: the city-wide admins, told of every cafe's reassignments."""
    experts, tickets, links, levels = ExpertRegistry(db), Tickets(db), MessageLinks(db), ServiceLevels(db, sla)
    workflow = EscalationWorkflow(db, experts, tickets, links, levels, writer, staff_for=staff_of_cafe(staff, admins),
                                  related=related)
    # A send given up after OUTBOX_MAX_ATTEMPTS tells every staff member (STAFF_USER_IDS and those added in the bot).
    dead = DeadLetters(db, staff, writer.expert_lang)
    outbox = Outbox(db, retry_base_seconds, max_attempts, on_dead=dead.on_dead)
    return Escalation(experts, tickets, links, levels, workflow, outbox, dead)


def build_escalation(settings: Settings, db: Database,
                     related: Callable[[str], list[str]] | None = None) -> Escalation:
    sla = SlaPolicy(timedelta(hours=settings.escalation_reminder_hours),
                    timedelta(hours=settings.escalation_reassign_hours))
    writer = NoticeWriter(settings.default_language, label_by_name=settings.expert_label == "name",
                          show_founder_contact=settings.expert_show_founder_contact)
    escalation = assemble(db, sla, StaffRegistry(db, settings.configured_staff_ids), writer, related=related,
                          retry_base_seconds=settings.escalation_retry_base_seconds,
                          max_attempts=settings.outbox_max_attempts, admins=settings.admin_user_ids)
    # Configured experts exist from the start; staff commands can change them later without being overwritten.
    for user_id in settings.expert_user_ids:
        escalation.experts.register(user_id, capacity=settings.expert_default_capacity, keep_existing=True)
    return escalation
