"""Tickets and their state machine: open → claimed → closed, with passes and reassignment back to open.

Transitions take the caller's session, so a workflow step changes the ticket and queues the notices it causes in
one transaction (bot.escalation.workflow). Queries open their own.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.escalation.enums import (
    INTAKE_FIELDS,
    ContentKind,
    Direction,
    EscalationError,
    IntakeField,
    Refusal,
    Stage,
    TicketState,
)
from bot.escalation.experts import ExpertRegistry
from bot.observability.logs import bind, user_ref
from bot.storage.db import Database
from bot.storage.models.base import utcnow
from bot.storage.models.escalation import Ticket, TicketMessage

log = logging.getLogger(__name__)


def check_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """The intake's answers as a ticket keeps them; refuses a missing answer or an unknown stage."""
    if any(not (fields.get(f) or "").strip() for f in INTAKE_FIELDS):
        raise EscalationError(Refusal.MISSING_FIELDS)
    if fields[IntakeField.STAGE] not in tuple(Stage):
        raise EscalationError(Refusal.BAD_STAGE)
    return {str(f): str(fields[f]) for f in INTAKE_FIELDS}


class Tickets:
    def __init__(self, db: Database) -> None:
        self.db = db

    # Queries
    def get(self, ticket_id: int) -> Ticket:
        with self.db.session() as s:
            return self.load(s, ticket_id)

    @staticmethod
    def load(session: Session, ticket_id: int, *, for_update: bool = False) -> Ticket:
        """The ticket, row-locked with for_update (PostgreSQL) so two replicas' steps on it run one after the other."""
        bind(ticket_id=ticket_id)  # the rest of this update's log lines name the ticket
        ticket = session.get(Ticket, ticket_id, with_for_update=for_update)
        if ticket is None:
            raise EscalationError(Refusal.NO_TICKET)
        return ticket

    def founder_tickets(self, founder_id: int) -> list[Ticket]:
        with self.db.session() as s:
            return list(s.scalars(select(Ticket).where(Ticket.founder_id == founder_id).order_by(Ticket.id)))

    def messages(self, ticket_id: int) -> list[TicketMessage]:
        with self.db.session() as s:
            return list(s.scalars(select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
                                  .order_by(TicketMessage.id)))

    def queue(self, experts: ExpertRegistry, expert_id: int) -> tuple[list[Ticket], list[Ticket]]:
        """An expert's own open tickets, and the unclaimed ones they could take."""
        with self.db.session() as s:
            experts.require(s, expert_id, "queue")
            mine = list(s.scalars(select(Ticket).where(Ticket.status == TicketState.CLAIMED,
                                                       Ticket.expert_id == expert_id).order_by(Ticket.id)))
            claimable = [t for t in s.scalars(select(Ticket).where(Ticket.status == TicketState.OPEN)
                                              .order_by(Ticket.id)) if t.expert_id in (None, expert_id)]
            return mine, claimable

    def search(self, *, state: str | None = None, expert_id: int | None = None,
               older_than: timedelta | None = None) -> list[Ticket]:
        """Staff's view: filter by state, expert and minimum age."""
        if state is not None and state not in tuple(TicketState):
            raise EscalationError(Refusal.BAD_FILTER)
        query = select(Ticket).order_by(Ticket.id)
        if state is not None:
            query = query.where(Ticket.status == state)
        if expert_id is not None:
            query = query.where(Ticket.expert_id == expert_id)
        if older_than is not None:
            query = query.where(Ticket.created_at <= utcnow() - older_than)
        with self.db.session() as s:
            return list(s.scalars(query))

    def set_thread(self, ticket_id: int, thread_id: int) -> None:
        """The forum topic the transport opened for the ticket's card."""
        with self.db.session() as s:
            s.execute(update(Ticket).where(Ticket.id == ticket_id).values(route_thread_id=thread_id))

    # Transitions (in the caller's transaction)
    @staticmethod
    def create(session: Session, *, founder_id: int, founder_chat_id: int, founder_name: str,
               fields: Mapping[str, str], lang: str = "ko", founder_username: str | None = None,
               specialty: str | None = None, attachment_file_id: str | None = None,
               attachment_kind: str | None = None) -> Ticket:
        ticket = Ticket(founder_id=founder_id, founder_chat_id=founder_chat_id, founder_name=founder_name,
                        founder_username=founder_username, lang=lang, specialty=specialty,
                        fields=check_fields(fields), attachment_file_id=attachment_file_id,
                        attachment_kind=attachment_kind, status=TicketState.OPEN, reassign_count=0, passed_by=[],
                        routed_at=utcnow())
        session.add(ticket)
        session.flush()
        log.info("ticket %s created by founder %s", ticket.id, user_ref(founder_id))
        return ticket

    @staticmethod
    def route(session: Session, ticket: Ticket, group_chat_id: int | None) -> None:
        """To the experts' group if there is one (anyone claims it), else to one expert by DM."""
        if ticket.specialty is None:
            ticket.specialty = ExpertRegistry.infer_specialty(session, ticket.fields)
        expert = None if group_chat_id is not None else ExpertRegistry.pick(session, ticket.specialty)
        ticket.routed_at, ticket.expert_id = utcnow(), expert
        ticket.route_chat_id = group_chat_id if group_chat_id is not None else expert
        log.info("ticket %s routed to chat %s", ticket.id, ticket.route_chat_id)

    @staticmethod
    def claim(ticket: Ticket, expert_id: int) -> None:
        if ticket.status == TicketState.CLOSED:
            raise EscalationError(Refusal.CLOSED)
        if ticket.status == TicketState.CLAIMED and ticket.expert_id != expert_id:
            raise EscalationError(Refusal.TAKEN)
        ticket.status, ticket.expert_id, ticket.claimed_at = TicketState.CLAIMED, expert_id, utcnow()
        log.info("ticket %s claimed by %s", ticket.id, expert_id)

    @staticmethod
    def require_open(ticket: Ticket) -> None:
        if ticket.status == TicketState.CLOSED:
            raise EscalationError(Refusal.CLOSED)

    @staticmethod
    def require_unassigned_or_mine(ticket: Ticket, expert_id: int) -> None:
        """Closing and passing are for the expert the ticket is with (or anyone while it is with nobody)."""
        Tickets.require_open(ticket)
        if ticket.expert_id not in (None, expert_id):
            raise EscalationError(Refusal.TAKEN)

    @staticmethod
    def reassign(session: Session, ticket: Ticket, exclude_also: int | None = None) -> None:
        """Back to open with the next suitable expert (none: unassigned); who passed never gets it again."""
        passed = set(ticket.passed_by)
        for previous in (ticket.expert_id, exclude_also):
            if previous is not None:
                passed.add(previous)
        nxt = ExpertRegistry.pick(session, ticket.specialty, exclude=passed)
        ticket.passed_by = sorted(passed)
        ticket.expert_id, ticket.status, ticket.claimed_at = nxt, TicketState.OPEN, None
        ticket.reassign_count += 1
        ticket.routed_at, ticket.reminded_at = utcnow(), None
        if ticket.route_chat_id is None or ticket.route_chat_id > 0:  # DM routing follows the expert
            ticket.route_chat_id, ticket.route_thread_id = nxt, None
        log.info("ticket %s reassigned to %s (excluded %s)", ticket.id, nxt, sorted(passed))

    @staticmethod
    def record(session: Session, ticket: Ticket, direction: Direction, author: int, kind: ContentKind, text: str,
               file_id: str | None) -> TicketMessage:
        """A relayed message, stored in the same transaction as the send that carries it."""
        msg = TicketMessage(ticket_id=ticket.id, direction=direction, author_id=author, kind=kind, text=text,
                            file_id=file_id)
        session.add(msg)
        session.flush()
        return msg

    @staticmethod
    def close(ticket: Ticket, expert_id: int, summary: str) -> None:
        if not summary.strip():
            raise EscalationError(Refusal.EMPTY_SUMMARY)
        Tickets.require_unassigned_or_mine(ticket, expert_id)
        ticket.status, ticket.close_summary, ticket.closed_at = TicketState.CLOSED, summary.strip(), utcnow()
        ticket.expert_id = expert_id
        log.info("ticket %s closed by %s", ticket.id, expert_id)

    @staticmethod
    def rate(ticket: Ticket, founder_id: int, rating: int | None, comment: str | None = None) -> None:
        """The founder's score of a closed ticket (and later their comment, with rating None)."""
        if rating is not None and not 1 <= rating <= 5:
            raise EscalationError(Refusal.BAD_RATING)
        if ticket.founder_id != founder_id:
            raise EscalationError(Refusal.NOT_YOURS)
        if ticket.status != TicketState.CLOSED:
            raise EscalationError(Refusal.NOT_CLOSED)
        if rating is not None:
            ticket.rating = rating
        if comment is not None:
            ticket.rating_comment = comment.strip() or None
