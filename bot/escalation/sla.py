"""Service levels: when an unclaimed ticket earns a reminder, and when it goes to another expert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.escalation.enums import TicketState
from bot.storage.db import Database, rows_affected
from bot.storage.models.base import utcnow
from bot.storage.models.escalation import Ticket


@dataclass(frozen=True)
class SlaPolicy:
    reminder_after: timedelta
    reassign_after: timedelta


@dataclass(frozen=True)
class SlaActions:
    remind: list[int]
    reassign: list[int]


class ServiceLevels:
    def __init__(self, db: Database, policy: SlaPolicy) -> None:
        self.db = db
        self.policy = policy

    def due(self, now: datetime | None = None) -> SlaActions:
        """Unclaimed tickets past the reminder time (not yet reminded) and past the reassignment time."""
        now = now or utcnow()
        remind, reassign = [], []
        with self.db.session() as s:
            for t in s.scalars(select(Ticket).where(Ticket.status == TicketState.OPEN).order_by(Ticket.id)):
                waited = now - t.routed_at
                if waited >= self.policy.reassign_after:
                    reassign.append(t.id)
                elif waited >= self.policy.reminder_after and t.reminded_at is None:
                    remind.append(t.id)
        return SlaActions(remind, reassign)

    @staticmethod
    def take_reminder(session: Session, ticket_id: int) -> bool:
        """Claim the reminder of an unclaimed ticket; False if it was sent already (by this or another replica)."""
        return bool(rows_affected(session.execute(
            update(Ticket).where(Ticket.id == ticket_id, Ticket.status == TicketState.OPEN,
                                 Ticket.reminded_at.is_(None))
            .values(reminded_at=utcnow()))))

    def take_reassignment(self, session: Session, ticket_id: int, now: datetime) -> bool:
        """Claim the reassignment of a ticket still overdue at `now`: of several replicas that found it due, the
        first gets True (its clock restarts) and the others False."""
        return bool(rows_affected(session.execute(
            update(Ticket).where(Ticket.id == ticket_id, Ticket.status == TicketState.OPEN,
                                 Ticket.routed_at <= now - self.policy.reassign_after)
            .values(routed_at=utcnow()))))

    def next_deadline(self) -> datetime | None:
        """When the next SLA check is due, so the scheduler can be rebuilt from the database after a restart."""
        with self.db.session() as s:
            times = []
            for t in s.scalars(select(Ticket).where(Ticket.status == TicketState.OPEN)):
                times.append(t.routed_at + self.policy.reassign_after)
                if t.reminded_at is None:
                    times.append(t.routed_at + self.policy.reminder_after)
        return min(times) if times else None
