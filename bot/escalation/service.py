"""Tickets from intake to rating: create, route, claim, pass, relay, close, rate, and service-level checks."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.escalation.routing import Candidate, choose_expert
from bot.observability import metrics
from bot.observability.logs import bind, user_ref
from bot.storage.db import Database
from bot.storage.models.base import utcnow
from bot.storage.models.escalation import (
    Expert,
    MessageLink,
    SeenUpdate,
    Ticket,
    TicketMessage,
)

log = logging.getLogger(__name__)

OPEN_STATES = ("open", "claimed")
STATES = ("open", "claimed", "closed")
STAGES = ("idea", "mvp", "revenue")
FIELDS = ("summary", "problem", "customers", "solution", "stage", "team", "feedback")


class EscalationError(Exception):
    """A refused ticket action; `code` names the reason (a string key suffix for the user's message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SlaPolicy:
    reminder_after: timedelta
    reassign_after: timedelta


@dataclass(frozen=True)
class SlaActions:
    remind: list[int]
    reassign: list[int]


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone=True columns; everything we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class EscalationService:
    def __init__(self, db: Database, sla: SlaPolicy) -> None:
        self.db = db
        self.sla = sla

    # Experts
    def register_expert(self, user_id: int, *, display_name: str = "", alias: str = "",
                        specialties: Iterable[str] = (), capacity: int = 5, keep_existing: bool = False) -> None:
        """Add or update an expert; with keep_existing an existing row is left as staff set it."""
        with self.db.session() as s:
            row = s.get(Expert, user_id)
            if row is not None and keep_existing:
                return
            if row is None:
                row = Expert(user_id=user_id)
                s.add(row)
            row.display_name = display_name or row.display_name or ""
            row.alias = alias or row.alias or ""
            row.specialties = json.dumps(list(specialties) or json.loads(row.specialties or "[]"),
                                         ensure_ascii=False)
            row.capacity, row.active = capacity, True

    def note_name(self, user_id: int, name: str) -> None:
        """Experts from EXPERT_USER_IDS start nameless; their Telegram name fills in when they first act."""
        with self.db.session() as s:
            row = s.get(Expert, user_id)
            if row is not None and not row.display_name and name:
                row.display_name = name

    def remove_expert(self, user_id: int) -> bool:
        with self.db.session() as s:
            row = s.get(Expert, user_id)
            if row is None or not row.active:
                return False
            row.active = False
            return True

    def get_expert(self, user_id: int) -> Expert | None:
        with self.db.session() as s:
            row = s.get(Expert, user_id)
            return row if row is not None and row.active else None

    def is_expert(self, user_id: int) -> bool:
        return self.get_expert(user_id) is not None

    def experts(self) -> list[Expert]:
        with self.db.session() as s:
            return list(s.scalars(select(Expert).where(Expert.active.is_(True)).order_by(Expert.user_id)))

    def _require_expert(self, user_id: int, action: str, ticket_id: int | None = None) -> None:
        if not self.is_expert(user_id):
            log.warning("refused %s on ticket %s by non-expert %s", action, ticket_id, user_ref(user_id))
            raise EscalationError("not_expert")

    # Tickets
    def create_ticket(self, *, founder_id: int, founder_chat_id: int, founder_name: str, fields: dict[str, str],
                      lang: str = "ko", founder_username: str | None = None, specialty: str | None = None,
                      attachment_file_id: str | None = None, attachment_kind: str | None = None) -> Ticket:
        missing = [f for f in FIELDS if not (fields.get(f) or "").strip()]
        if missing:
            raise EscalationError("missing_fields")
        if fields["stage"] not in STAGES:
            raise EscalationError("bad_stage")
        with self.db.session() as s:
            ticket = Ticket(founder_id=founder_id, founder_chat_id=founder_chat_id, founder_name=founder_name,
                            founder_username=founder_username, lang=lang, specialty=specialty,
                            fields=json.dumps(fields, ensure_ascii=False), attachment_file_id=attachment_file_id,
                            attachment_kind=attachment_kind, status="open", reassign_count=0, passed_by="[]",
                            routed_at=utcnow())
            s.add(ticket)
            s.flush()
            log.info("ticket %s created by founder %s", ticket.id, user_ref(founder_id))
            return ticket

    def get(self, ticket_id: int) -> Ticket:
        bind(ticket_id=ticket_id)  # the rest of this update's log lines name the ticket
        with self.db.session() as s:
            ticket = s.get(Ticket, ticket_id)
            if ticket is None:
                raise EscalationError("no_ticket")
            return ticket

    def fields_of(self, ticket: Ticket) -> dict[str, str]:
        return dict(json.loads(ticket.fields))

    def open_load(self) -> dict[int, int]:
        with self.db.session() as s:
            rows = s.execute(select(Ticket.expert_id, func.count()).where(Ticket.status.in_(OPEN_STATES),
                                                                          Ticket.expert_id.is_not(None))
                             .group_by(Ticket.expert_id)).all()
            return {int(e): int(n) for e, n in rows}

    def infer_specialty(self, fields: dict[str, str]) -> str | None:
        """The first registered specialty the founder's own words mention (the intake does not ask for one)."""
        text = " ".join(fields.values()).lower()
        for expert in self.experts():
            for specialty in json.loads(expert.specialties):
                if specialty and specialty.lower() in text:
                    return str(specialty)
        return None

    def pick_expert(self, specialty: str | None, exclude: Iterable[int] = ()) -> int | None:
        load = self.open_load()
        candidates = [Candidate(e.user_id, tuple(json.loads(e.specialties)), e.capacity, load.get(e.user_id, 0))
                      for e in self.experts()]
        return choose_expert(candidates, specialty, exclude)

    def route(self, ticket_id: int, *, group_chat_id: int | None) -> Ticket:
        """Send a new ticket to the experts' group if there is one, else assign it to one expert for DMs."""
        ticket = self.get(ticket_id)
        if ticket.specialty is None:
            ticket.specialty = self.infer_specialty(self.fields_of(ticket))
        expert = None if group_chat_id is not None else self.pick_expert(ticket.specialty)
        with self.db.session() as s:
            row = s.get(Ticket, ticket_id)
            assert row is not None
            row.routed_at, row.expert_id, row.specialty = utcnow(), expert, ticket.specialty
            row.route_chat_id = group_chat_id if group_chat_id is not None else expert
            log.info("ticket %s routed to chat %s", ticket_id, row.route_chat_id)
            return row

    def set_thread(self, ticket_id: int, thread_id: int) -> None:
        with self.db.session() as s:
            ticket = s.get(Ticket, ticket_id)
            if ticket is not None:
                ticket.route_thread_id = thread_id

    def claim(self, ticket_id: int, expert_id: int) -> Ticket:
        self._require_expert(expert_id, "claim", ticket_id)
        with self.db.session() as s:
            ticket = s.get(Ticket, ticket_id)
            if ticket is None:
                raise EscalationError("no_ticket")
            if ticket.status == "closed":
                raise EscalationError("closed")
            if ticket.status == "claimed" and ticket.expert_id != expert_id:
                raise EscalationError("taken")
            ticket.status, ticket.expert_id, ticket.claimed_at = "claimed", expert_id, utcnow()
            log.info("ticket %s claimed by %s", ticket_id, expert_id)
            return ticket

    def pass_on(self, ticket_id: int, expert_id: int) -> Ticket:
        """The expert hands the ticket back; it goes to the next suitable expert (or back to unassigned)."""
        self._require_expert(expert_id, "pass", ticket_id)
        ticket = self._open_ticket(ticket_id)
        if ticket.expert_id not in (None, expert_id):
            raise EscalationError("taken")
        return self._reassign(ticket_id, exclude_also=expert_id)

    def _reassign(self, ticket_id: int, exclude_also: int | None = None) -> Ticket:
        ticket = self.get(ticket_id)
        passed = set(json.loads(ticket.passed_by))
        for previous in (ticket.expert_id, exclude_also):
            if previous is not None:
                passed.add(previous)
        nxt = self.pick_expert(ticket.specialty, exclude=passed)
        with self.db.session() as s:
            row = s.get(Ticket, ticket_id)
            assert row is not None
            row.passed_by = json.dumps(sorted(passed))
            row.expert_id, row.status, row.claimed_at = nxt, "open", None
            row.reassign_count += 1
            row.routed_at, row.reminded_at = utcnow(), None
            if row.route_chat_id is None or row.route_chat_id > 0:  # DM routing follows the expert
                row.route_chat_id, row.route_thread_id = nxt, None
            log.info("ticket %s reassigned to %s (excluded %s)", ticket_id, nxt, sorted(passed))
            return row

    def _open_ticket(self, ticket_id: int) -> Ticket:
        ticket = self.get(ticket_id)
        if ticket.status == "closed":
            raise EscalationError("closed")
        return ticket

    def record_expert_message(self, ticket_id: int, expert_id: int, *, kind: str = "text", text: str = "",
                              file_id: str | None = None) -> TicketMessage:
        """An expert's answer or question; an unclaimed ticket becomes theirs by answering it."""
        self._require_expert(expert_id, "reply", ticket_id)
        ticket = self._open_ticket(ticket_id)
        if ticket.status == "claimed" and ticket.expert_id != expert_id:
            raise EscalationError("taken")
        if ticket.status == "open":
            self.claim(ticket_id, expert_id)
        return self._record(ticket_id, "to_founder", expert_id, kind, text, file_id)

    def record_founder_message(self, ticket_id: int, founder_id: int, *, kind: str = "text", text: str = "",
                               file_id: str | None = None) -> TicketMessage:
        ticket = self._open_ticket(ticket_id)
        if ticket.founder_id != founder_id:
            log.warning("founder %s tried to write into someone else's ticket %s", user_ref(founder_id), ticket_id)
            raise EscalationError("not_yours")
        return self._record(ticket_id, "to_experts", founder_id, kind, text, file_id)

    def _record(self, ticket_id: int, direction: str, author: int, kind: str, text: str,
                file_id: str | None) -> TicketMessage:
        with self.db.session() as s:
            msg = TicketMessage(ticket_id=ticket_id, direction=direction, author_id=author, kind=kind,
                                text=text, file_id=file_id)
            s.add(msg)
            s.flush()
            return msg

    def messages(self, ticket_id: int) -> list[TicketMessage]:
        with self.db.session() as s:
            return list(s.scalars(select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
                                  .order_by(TicketMessage.id)))

    def close(self, ticket_id: int, expert_id: int, summary: str) -> Ticket:
        self._require_expert(expert_id, "close", ticket_id)
        if not summary.strip():
            raise EscalationError("empty_summary")
        ticket = self._open_ticket(ticket_id)
        if ticket.expert_id not in (None, expert_id):
            raise EscalationError("taken")
        with self.db.session() as s:
            row = s.get(Ticket, ticket_id)
            assert row is not None
            row.status, row.close_summary, row.closed_at = "closed", summary.strip(), utcnow()
            row.expert_id = expert_id
            log.info("ticket %s closed by %s", ticket_id, expert_id)
            return row

    def rate(self, ticket_id: int, founder_id: int, rating: int, comment: str | None = None) -> Ticket:
        if not 1 <= rating <= 5:
            raise EscalationError("bad_rating")
        with self.db.session() as s:
            row = s.get(Ticket, ticket_id)
            if row is None:
                raise EscalationError("no_ticket")
            if row.founder_id != founder_id:
                raise EscalationError("not_yours")
            if row.status != "closed":
                raise EscalationError("not_closed")
            row.rating = rating
            if comment is not None:
                row.rating_comment = comment.strip() or None
            return row

    # Lookups
    def founder_tickets(self, founder_id: int) -> list[Ticket]:
        with self.db.session() as s:
            return list(s.scalars(select(Ticket).where(Ticket.founder_id == founder_id).order_by(Ticket.id)))

    def queue(self, expert_id: int) -> tuple[list[Ticket], list[Ticket]]:
        """An expert's own open tickets, and the unclaimed ones they could take."""
        self._require_expert(expert_id, "queue")
        with self.db.session() as s:
            mine = list(s.scalars(select(Ticket).where(Ticket.status == "claimed", Ticket.expert_id == expert_id)
                                  .order_by(Ticket.id)))
            claimable = [t for t in s.scalars(select(Ticket).where(Ticket.status == "open").order_by(Ticket.id))
                         if t.expert_id in (None, expert_id)]
            return mine, claimable

    def search(self, *, state: str | None = None, expert_id: int | None = None,
               older_than: timedelta | None = None) -> list[Ticket]:
        """Staff's view: filter by state, expert and minimum age."""
        if state is not None and state not in STATES:
            raise EscalationError("bad_filter")
        query = select(Ticket).order_by(Ticket.id)
        if state is not None:
            query = query.where(Ticket.status == state)
        if expert_id is not None:
            query = query.where(Ticket.expert_id == expert_id)
        if older_than is not None:
            query = query.where(Ticket.created_at <= utcnow() - older_than)
        with self.db.session() as s:
            return list(s.scalars(query))

    def ticket_for_message(self, chat_id: int, message_id: int) -> int | None:
        with self.db.session() as s:
            link = s.get(MessageLink, (chat_id, message_id))
            return link.ticket_id if link is not None else None

    def ticket_for_thread(self, chat_id: int, thread_id: int) -> int | None:
        with self.db.session() as s:
            return s.scalar(select(Ticket.id).where(Ticket.route_chat_id == chat_id,
                                                    Ticket.route_thread_id == thread_id))

    def link_message(self, chat_id: int, message_id: int, ticket_id: int) -> None:
        with self.db.session() as s:
            s.merge(MessageLink(chat_id=chat_id, message_id=message_id, ticket_id=ticket_id))

    def first_time(self, update_id: int) -> bool:
        """True the first time an update is seen; a redelivered update gets False and is skipped."""
        try:
            with self.db.session() as s:
                s.add(SeenUpdate(update_id=update_id))
            return True
        except IntegrityError:
            log.info("update %s already processed; skipped", update_id)
            return False

    # Service levels
    def sla_due(self, now: datetime | None = None) -> SlaActions:
        """Unclaimed tickets past the reminder time (not yet reminded) and past the reassignment time."""
        now = _aware(now or utcnow())
        remind, reassign = [], []
        with self.db.session() as s:
            for t in s.scalars(select(Ticket).where(Ticket.status == "open").order_by(Ticket.id)):
                waited = now - _aware(t.routed_at)
                if waited >= self.sla.reassign_after:
                    reassign.append(t.id)
                elif waited >= self.sla.reminder_after and t.reminded_at is None:
                    remind.append(t.id)
        return SlaActions(remind, reassign)

    @metrics.sla_breach("reminder")
    def mark_reminded(self, ticket_id: int) -> bool:
        """Claim the reminder of an unclaimed ticket; False if it was sent already (by this or another replica)."""
        with self.db.session() as s:
            return bool(s.execute(update(Ticket).where(Ticket.id == ticket_id, Ticket.status == "open",
                                                       Ticket.reminded_at.is_(None))
                                  .values(reminded_at=utcnow())).rowcount)

    @metrics.sla_breach("reassigned")
    def reassign_overdue(self, ticket_id: int, now: datetime | None = None) -> Ticket | None:
        """The SLA ran out: hand the ticket to the next suitable expert (the clock restarts).

        With `now`, only if the ticket is still overdue at `now`: of several replicas that found it due, the
        first reassigns it and the others get None.
        """
        if now is not None:
            with self.db.session() as s:
                claimed = s.execute(update(Ticket).where(Ticket.id == ticket_id, Ticket.status == "open",
                                                         Ticket.routed_at <= now - self.sla.reassign_after)
                                    .values(routed_at=utcnow())).rowcount
            if not claimed:
                return None
        return self._reassign(ticket_id)

    def next_deadline(self) -> datetime | None:
        """When the next SLA check is due, so the scheduler can be rebuilt from the database after a restart."""
        with self.db.session() as s:
            times = []
            for t in s.scalars(select(Ticket).where(Ticket.status == "open")):
                routed = _aware(t.routed_at)
                times.append(routed + self.sla.reassign_after)
                if t.reminded_at is None:
                    times.append(routed + self.sla.reminder_after)
        return min(times) if times else None
