"""Every step of an idea review, each one call that changes the ticket and queues the notices it causes in one
database transaction: a crash between the two can neither lose a founder's notice nor send one for a change that
did not happen. Blocking (database, knowledge search): callers run these off the event loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.escalation.enums import (
    CardAction,
    ContentKind,
    Direction,
    EscalationError,
    IntakeField,
    PromptKind,
    Refusal,
    TicketState,
)
from bot.escalation.experts import ExpertRegistry
from bot.escalation.links import MessageLinks, Prompt, Where
from bot.escalation.notices import NoticeWriter
from bot.escalation.outbox import Outbox, Topic
from bot.escalation.sla import ServiceLevels
from bot.escalation.tickets import Tickets
from bot.observability import metrics
from bot.observability.logs import user_ref
from bot.storage.db import Database
from bot.storage.models.base import utcnow
from bot.storage.models.cafes import Cafe
from bot.storage.models.escalation import Ticket
from bot.strings import t

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Founder:
    """Who submits an idea; name and username are empty unless experts are shown them (minimum collection)."""

    user_id: int
    chat_id: int
    name: str = ""
    username: str | None = None


@dataclass(frozen=True)
class Attachment:
    file_id: str
    kind: str  # a ContentKind


@dataclass(frozen=True, kw_only=True)
class Incoming:
    """A message that belongs to a ticket, as the relay needs it."""

    ticket_id: int
    user_id: int
    user_name: str
    private: bool  # written in a private chat with the bot (where founders talk)
    kind: ContentKind
    text: str
    file_id: str | None
    chat_id: int
    message_id: int
    prompt: Prompt | None = None


class EscalationWorkflow:
    def __init__(self, db: Database, experts: ExpertRegistry, tickets: Tickets, links: MessageLinks,
                 levels: ServiceLevels, writer: NoticeWriter, *, staff_for: Callable[[Session, str | None], list[int]],
                 related: Callable[[str], list[str]] | None = None) -> None:
        """`staff_for(session, cafe_id)`: who hears of a reassignment (the cafe's staff and city-wide staff)."""
        self.db = db
        self.experts = experts
        self.tickets = tickets
        self.links = links
        self.levels = levels
        self.writer = writer
        self.staff_for = staff_for
        self.related = related

    def _related(self, fields: Mapping[str, str]) -> list[str]:
        """Titles of programmes the knowledge base finds for the idea (retrieval only, never an opinion)."""
        if self.related is None:
            return []
        query = f"{fields.get(IntakeField.SUMMARY, '')} {fields.get(IntakeField.PROBLEM, '')}"
        try:
            return self.related(query)
        except Exception:  # a card without related programmes is still a card
            log.warning("no related programmes for a card", exc_info=True)
            return []

    # Founder: submit
    def submit(self, founder: Founder, fields: Mapping[str, str], *, lang: str, group_chat_id: int | None,
               attachment: Attachment | None = None, specialty: str | None = None,
               summary: str | None = None, cafe_id: str | None = None) -> Ticket:
        """A confirmed intake becomes a routed ticket with its card queued for the experts. `cafe_id`: the cafe the
        founder uses (its experts get the ticket first, see Tickets.route); `group_chat_id`: EXPERT_CHAT_ID."""
        related = self._related(fields)
        with self.db.session() as s:
            ticket = self.tickets.create(
                s, founder_id=founder.user_id, founder_chat_id=founder.chat_id, founder_name=founder.name,
                founder_username=founder.username, fields=fields, lang=lang, specialty=specialty,
                attachment_file_id=attachment.file_id if attachment else None,
                attachment_kind=attachment.kind if attachment else None, cafe_id=cafe_id)
            self.tickets.route(s, ticket, group_chat_id)
            if ticket.route_chat_id is not None:
                Outbox.put_all(s, self.writer.card(ticket, ticket.route_chat_id, related, summary,
                                                founder_cafe=self.tickets.away_from_cafe(s, ticket)))
            return ticket

    # Experts: the card's buttons
    def claim(self, ticket_id: int, expert_id: int, expert_name: str, chat_id: int, thread_id: int | None,
              lang: str | None = None) -> Ticket:
        """The expert takes the ticket; the founder is told, and the chat where it was claimed (in `lang`)."""
        with self.db.session() as s:
            self.experts.require(s, expert_id, "claim", ticket_id)
            ticket = self.tickets.load(s, ticket_id, for_update=True)
            self.tickets.require_expert_cafe(s, ticket, expert_id, "claim")
            self.tickets.claim(ticket, expert_id)
            self.experts.note_name(s, expert_id, expert_name)
            expert = self.experts.active_in(s, expert_id)
            Outbox.put_all(s, self.writer.claimed(ticket, expert, expert_name, chat_id, thread_id, lang))
            return ticket

    def check_prompt(self, action: CardAction, ticket_id: int, expert_id: int) -> None:
        """Before the bot asks an expert for an answer, a question or a closing summary: may they?"""
        with self.db.session() as s:
            self.experts.require(s, expert_id, str(action), ticket_id)
            ticket = self.tickets.load(s, ticket_id)
            self.tickets.require_expert_cafe(s, ticket, expert_id, str(action))
            self.tickets.require_open(ticket)

    def expect_reply(self, chat_id: int, message_id: int, ticket_id: int, kind: PromptKind | None = None) -> None:
        """The bot's prompt `message_id` was sent: a reply to it belongs to the ticket (and means `kind`)."""
        with self.db.session() as s:
            if kind is None:
                self.links.link(s, chat_id, message_id, ticket_id)
            else:
                self.links.expect(s, chat_id, message_id, Prompt(kind, ticket_id), link=kind is PromptKind.CLOSE)

    def pass_on(self, ticket_id: int, expert_id: int) -> Ticket:
        """The expert hands the ticket back; it goes to the next suitable expert (or back to unassigned)."""
        with self.db.session() as s:
            self.experts.require(s, expert_id, "pass", ticket_id)
            ticket = self.tickets.load(s, ticket_id, for_update=True)
            self.tickets.require_expert_cafe(s, ticket, expert_id, "pass")
            self.tickets.require_unassigned_or_mine(ticket, expert_id)
            self.tickets.reassign(s, ticket, exclude_also=expert_id)
            if ticket.route_chat_id is not None and ticket.route_chat_id > 0:  # by DM: the next expert's card
                Outbox.put_all(s, self.writer.card(ticket, ticket.route_chat_id, self._related(ticket.fields),
                                                founder_cafe=self.tickets.away_from_cafe(s, ticket)))
            return ticket

    # Both sides: messages
    def locate(self, where: Where) -> tuple[int | None, Prompt | None]:
        return self.links.locate(where)

    def relay(self, msg: Incoming) -> str | None:
        """A message that belongs to a ticket: stored and queued for the other side.

        Returns the acknowledgement for the writer, if they get one.
        """
        with self.db.session() as s:
            ticket = self.tickets.load(s, msg.ticket_id, for_update=True)
            if msg.prompt is not None and msg.prompt.kind is PromptKind.COMMENT:
                self.tickets.rate(ticket, msg.user_id, None, msg.text)  # a later reply replaces the comment
                return t("esc.ticket.comment_saved", ticket.lang)
            if msg.prompt is not None and msg.prompt.kind is PromptKind.CLOSE:
                self.experts.require(s, msg.user_id, "close", ticket.id)
                self.tickets.require_expert_cafe(s, ticket, msg.user_id, "close")
                self.tickets.close(ticket, msg.user_id, msg.text)
                Outbox.put_all(s, self.writer.closed(ticket, msg.chat_id))
                self.links.answered(s, msg.chat_id, msg.prompt.message_id)
                return None
            if msg.private and msg.user_id == ticket.founder_id:
                self.tickets.require_open(ticket)
                self.tickets.record(s, ticket, Direction.TO_EXPERTS, msg.user_id, msg.kind, msg.text, msg.file_id)
                target = ticket.route_chat_id or ticket.expert_id
                if target is not None:
                    Outbox.put_all(s, [self.writer.to_experts(ticket, target, msg.kind, msg.text, msg.file_id)])
                return t("esc.ticket.sent", ticket.lang, id=ticket.id)
            self.experts.require(s, msg.user_id, "reply", ticket.id)
            self.tickets.require_expert_cafe(s, ticket, msg.user_id, "reply")
            self.tickets.require_open(ticket)
            if ticket.status == TicketState.CLAIMED and ticket.expert_id != msg.user_id:
                raise EscalationError(Refusal.TAKEN)
            if ticket.status == TicketState.OPEN:  # answering an unclaimed ticket takes it
                self.tickets.claim(ticket, msg.user_id)
            self.tickets.record(s, ticket, Direction.TO_FOUNDER, msg.user_id, msg.kind, msg.text, msg.file_id)
            self.experts.note_name(s, msg.user_id, msg.user_name)
            expert = self.experts.active_in(s, msg.user_id)
            Outbox.put_all(s, [self.writer.to_founder(ticket, expert, msg.kind, msg.text, msg.file_id)])
            return None

    def founder_writes(self, ticket_id: int, founder_id: int) -> None:
        """/ticket <n> is only for the founder who sent ticket n."""
        if self.tickets.get(ticket_id).founder_id != founder_id:
            log.warning("founder %s tried to write into someone else's ticket %s", user_ref(founder_id), ticket_id)
            raise EscalationError(Refusal.NOT_YOURS)

    # Founder: rating
    def rate(self, ticket_id: int, founder_id: int, score: int) -> Ticket:
        with self.db.session() as s:
            ticket = self.tickets.load(s, ticket_id, for_update=True)
            self.tickets.rate(ticket, founder_id, score)
            return ticket

    # Service levels
    def check_service_levels(self, now: datetime | None = None) -> int:
        """Reminders and reassignments due by the database's clock; returns how many notices were queued."""
        now = now or utcnow()
        due = self.levels.due(now)
        queued = 0
        for ticket_id in due.remind + due.reassign:
            try:
                queued += self._remind(ticket_id) if ticket_id in due.remind else self._reassign(ticket_id, now)
            except EscalationError as err:  # e.g. erased by /deletemydata since: the others still get their turn
                log.info("service level of ticket %s skipped: %s", ticket_id, err.code)
        return queued

    def _remind(self, ticket_id: int) -> int:
        with self.db.session() as s:
            # Claimed in the database first: with several replicas only one sends each reminder.
            if not self.levels.take_reminder(s, ticket_id):
                return 0
            ticket = self.tickets.load(s, ticket_id)
            reminder = self.writer.reminder(ticket)  # where the ticket waits: its cafe's group or expert first
            queued, cafe_id = Outbox.put_all(s, [reminder] if reminder else []), ticket.cafe_id
        metrics.record_sla_breach("reminder", cafe_id)  # once committed: this process acted on it
        return queued

    def _reassign(self, ticket_id: int, now: datetime) -> int:
        with self.db.session() as s:
            if not self.levels.take_reassignment(s, ticket_id, now):  # another replica reassigned it
                return 0
            ticket = self.tickets.load(s, ticket_id, for_update=True)
            self.tickets.reassign(s, ticket)  # the cafe's experts first, then other cafes'
            by_dm = ticket.route_chat_id is not None and ticket.route_chat_id > 0
            related = self._related(ticket.fields) if by_dm else []
            cafe = s.get(Cafe, ticket.cafe_id) if ticket.cafe_id is not None else None
            away = self.tickets.away_from_cafe(s, ticket) is not None
            notices = self.writer.reassigned(ticket, related, self.staff_for(s, ticket.cafe_id), cafe, away)
            queued, cafe_id = Outbox.put_all(s, notices), ticket.cafe_id
        metrics.record_sla_breach("reassigned", cafe_id)
        return queued

    # The transport
    def topic_for(self, ticket_id: int, chat_id: int) -> Topic:
        """The forum topic a send to the ticket's group belongs in; a title when none is open yet."""
        ticket = self.tickets.get(ticket_id)
        if ticket.route_chat_id != chat_id:
            return Topic(None)
        if ticket.route_thread_id is not None:
            return Topic(ticket.route_thread_id)
        return Topic(None, f"#{ticket.id} {ticket.fields.get(IntakeField.SUMMARY, '')}"[:128])

