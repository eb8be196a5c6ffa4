"""Tickets and their state machine: open → claimed → closed, with passes and reassignment back to open.

Transitions take the caller's session, so a workflow step changes the ticket and queues the notices it causes in
one transaction (bot.escalation.workflow). Queries open their own.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import timedelta

from sqlalchemy import or_, select, update
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
from bot.storage.models.cafes import Cafe
from bot.storage.models.escalation import Expert, Ticket, TicketMessage

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
            expert = experts.active_in(s, expert_id)
            home = expert.cafe_id if expert is not None else None
            mine = list(s.scalars(select(Ticket).where(Ticket.status == TicketState.CLAIMED,
                                                       Ticket.expert_id == expert_id).order_by(Ticket.id)))
            # A cafe's expert is not offered another cafe's unassigned tickets while they wait with that cafe.
            claimable = [t for t in s.scalars(select(Ticket).where(Ticket.status == TicketState.OPEN)
                                              .order_by(Ticket.id))
                         if t.expert_id == expert_id or t.expert_id is None and (
                             home is None or t.cafe_id in (None, home) or t.route_chat_id is None)]
            return mine, claimable

    def search(self, *, state: str | None = None, expert_id: int | None = None,
               older_than: timedelta | None = None, cafe: str | None = None,
               cafes: frozenset[str] | None = None, staff_id: int | None = None) -> list[Ticket]:
        """Staff's view: filter by state, expert, minimum age and cafe, within the staff member's `cafes` (their
        StaffScope: None for every cafe). A scoped view holds their cafes' tickets and those of no cafe (from before
        cafes: everyone's, as StaffScope.allows says); `cafe` outside it is refused (OTHER_CAFE, logged with
        `staff_id`), an unknown one is a BAD_FILTER."""
        if state is not None and state not in tuple(TicketState):
            raise EscalationError(Refusal.BAD_FILTER)
        if cafe is not None and cafes is not None and cafe not in cafes:
            log.warning("refused /tickets cafe=%s to staff %s: their cafes are %s", cafe, staff_id,
                        ",".join(sorted(cafes)))
            raise EscalationError(Refusal.OTHER_CAFE)
        query = select(Ticket).order_by(Ticket.id)
        if state is not None:
            query = query.where(Ticket.status == state)
        if expert_id is not None:
            query = query.where(Ticket.expert_id == expert_id)
        if older_than is not None:
            query = query.where(Ticket.created_at <= utcnow() - older_than)
        if cafe is not None:
            query = query.where(Ticket.cafe_id == cafe)
        elif cafes is not None:
            query = query.where(or_(Ticket.cafe_id.in_(sorted(cafes)), Ticket.cafe_id.is_(None)))
        with self.db.session() as s:
            if cafe is not None and s.get(Cafe, cafe) is None:
                raise EscalationError(Refusal.BAD_FILTER)
            return list(s.scalars(query))

    @staticmethod
    def by_cafe(tickets: Iterable[Ticket]) -> dict[str | None, Counter[str]]:
        """How many of `tickets` each cafe has in each state (None: no cafe), cafes in order of first ticket."""
        counts: dict[str | None, Counter[str]] = {}
        for ticket in tickets:
            counts.setdefault(ticket.cafe_id, Counter())[str(ticket.status)] += 1
        return counts

    def set_thread(self, ticket_id: int, thread_id: int) -> None:
        """The forum topic the transport opened for the ticket's card."""
        with self.db.session() as s:
            s.execute(update(Ticket).where(Ticket.id == ticket_id).values(route_thread_id=thread_id))

    # Transitions (in the caller's transaction)
    @staticmethod
    def create(session: Session, *, founder_id: int, founder_chat_id: int, founder_name: str,
               fields: Mapping[str, str], lang: str = "ko", founder_username: str | None = None,
               specialty: str | None = None, attachment_file_id: str | None = None,
               attachment_kind: str | None = None, cafe_id: str | None = None) -> Ticket:
        ticket = Ticket(founder_id=founder_id, founder_chat_id=founder_chat_id, founder_name=founder_name,
                        founder_username=founder_username, lang=lang, specialty=specialty, cafe_id=cafe_id,
                        fields=check_fields(fields), attachment_file_id=attachment_file_id,
                        attachment_kind=attachment_kind, status=TicketState.OPEN, reassign_count=0, passed_by=[],
                        routed_at=utcnow())
        session.add(ticket)
        session.flush()
        log.info("ticket %s created by founder %s", ticket.id, user_ref(founder_id))
        return ticket

    @staticmethod
    def route(session: Session, ticket: Ticket, group_chat_id: int | None) -> None:
        """A ticket without a cafe: to the experts' group `group_chat_id` (EXPERT_CHAT_ID) if there is one (anyone
        claims it), else to one expert by DM. A cafe's ticket: to that cafe's experts' group if it has one, else
        by DM to one of its experts or, none free, another cafe's (ExpertRegistry.pick_for_cafe); with nobody free
        anywhere, to `group_chat_id` if there is one."""
        if ticket.specialty is None:
            ticket.specialty = ExpertRegistry.infer_specialty(session, ticket.fields)
        if ticket.cafe_id is None:
            expert = None if group_chat_id is not None else ExpertRegistry.pick(session, ticket.specialty)
            route = group_chat_id if group_chat_id is not None else expert
        elif (cafe_group := Tickets.cafe_group(session, ticket.cafe_id)) is not None:
            expert, route = None, cafe_group
        else:
            expert = ExpertRegistry.pick_for_cafe(session, ticket.cafe_id, ticket.specialty).expert_id
            route = expert if expert is not None else group_chat_id
        ticket.routed_at, ticket.expert_id, ticket.route_chat_id = utcnow(), expert, route
        log.info("ticket %s (cafe %s) routed to chat %s", ticket.id, ticket.cafe_id or "-", ticket.route_chat_id)

    @staticmethod
    def cafe_group(session: Session, cafe_id: str | None) -> int | None:
        """The experts' group of an active cafe, if it has one."""
        cafe = session.get(Cafe, cafe_id) if cafe_id is not None else None
        return cafe.expert_chat_id if cafe is not None and cafe.active else None

    @staticmethod
    def _group_of(session: Session, cafe_id: str) -> int | None:
        """A cafe's experts' group, active or not (a ticket may still wait in the group of a cafe left out)."""
        cafe = session.get(Cafe, cafe_id)
        return cafe.expert_chat_id if cafe is not None else None

    @staticmethod
    def away_from_cafe(session: Session, ticket: Ticket) -> Cafe | None:
        """The founder's cafe when the ticket is with someone outside it (another cafe's expert, one without a
        cafe, or a group other than the cafe's): their card says which cafe the founder uses."""
        cafe = session.get(Cafe, ticket.cafe_id) if ticket.cafe_id is not None else None
        route = ticket.route_chat_id
        if cafe is None or route is None:
            return None
        if route < 0:
            return None if cafe.active and route == cafe.expert_chat_id else cafe
        expert = session.get(Expert, route)
        return None if expert is not None and expert.cafe_id == cafe.id else cafe

    @staticmethod
    def require_expert_cafe(session: Session, ticket: Ticket, expert_id: int, action: str) -> None:
        """An expert acts on their cafe's tickets, and on any ticket routed to them: assigned to them, sent to them
        by DM (a fallback from another cafe), or waiting in a group they were sent to (their cafe's group, or one
        that is no cafe's own, such as EXPERT_CHAT_ID). Experts of no cafe and tickets of no cafe are everyone's.
        Anything else (another cafe's ticket, in that cafe's group or with another expert) is refused and logged."""
        expert = session.get(Expert, expert_id)
        home = expert.cafe_id if expert is not None else None
        if home is None or ticket.cafe_id is None or ticket.cafe_id == home:
            return
        route = ticket.route_chat_id
        if expert_id in (ticket.expert_id, route):
            return
        if route is not None and route < 0:
            own_group = Tickets._group_of(session, ticket.cafe_id)
            if route == Tickets._group_of(session, home) or route != own_group:
                return
        log.warning("refused %s on ticket %s of cafe %s by expert %s of cafe %s: not routed to them", action,
                    ticket.id, ticket.cafe_id, user_ref(expert_id), home)
        raise EscalationError(Refusal.OTHER_CAFE)

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
        """Back to open with the next suitable expert (none: unassigned); who passed never gets it again. A cafe's
        ticket goes to its cafe's experts first, then to other cafes' (ExpertRegistry.pick_for_cafe)."""
        passed = set(ticket.passed_by)
        for previous in (ticket.expert_id, exclude_also):
            if previous is not None:
                passed.add(previous)
        pick = ExpertRegistry.pick_for_cafe(session, ticket.cafe_id, ticket.specialty, exclude=passed)
        nxt = pick.expert_id
        in_group = ticket.route_chat_id is not None and ticket.route_chat_id < 0
        if ticket.cafe_id is not None and in_group:
            # A cafe's ticket stays in its cafe's group for the cafe's own experts (or when nobody else is free);
            # a fallback to another cafe's expert goes by DM (they are not in that group).
            own_group = ticket.route_chat_id == Tickets.cafe_group(session, ticket.cafe_id)
            in_group = nxt is None or (pick.home and own_group)
        ticket.passed_by = sorted(passed)
        ticket.expert_id, ticket.status, ticket.claimed_at = nxt, TicketState.OPEN, None
        ticket.reassign_count += 1
        ticket.routed_at, ticket.reminded_at = utcnow(), None
        if not in_group:  # DM routing follows the expert
            ticket.route_chat_id, ticket.route_thread_id = nxt, None
        log.info("ticket %s (cafe %s) reassigned to %s (excluded %s)", ticket.id, ticket.cafe_id or "-", nxt,
                 sorted(passed))

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
