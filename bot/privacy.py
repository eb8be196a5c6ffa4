"""Founders' personal data: erase everything about one founder (/deletemydata) and the retention job.

What counts as a founder's data: conversation turns, the question log with 👍/👎, the language setting, expert
tickets (intake answers, contact, attachment references, relayed messages and the sends queued for them),
announcement subscriptions and deliveries, and conversation state (an unfinished intake draft, pending prompts,
user data). Attachments themselves stay on Telegram's servers; the bot only ever stored their file ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Executable, delete, select
from sqlalchemy.orm import Session

from bot.consultations.privacy import erase_bookings, purge_bookings
from bot.escalation.enums import OPEN_STATES, OutboxStatus, TicketState
from bot.escalation.outbox import Notice, Outbox
from bot.observability.logs import user_ref
from bot.staff.questions.enums import WAITING_STATES
from bot.storage.db import Database, rows_affected
from bot.storage.models import (
    AnnouncementDelivery,
    ChatUser,
    ConversationState,
    ConversationTurn,
    MessageLink,
    OutboxItem,
    QuestionLog,
    SeenUpdate,
    StaffQuestion,
    StaffQuestionLink,
    Subscription,
    Ticket,
    TicketMessage,
    utcnow,
)
from bot.storage.state_store import StateName, conversation_key_ids, prompt_chat

log = logging.getLogger(__name__)

# Telegram redelivers an update for at most a day; ids are kept a little longer, then forgotten.
SEEN_UPDATES_KEPT = timedelta(days=2)
# State store namespaces keyed by the user id: PTB's user data (the intake draft lives there), and drafts older
# releases kept on their own.
_PER_USER_STATES = (StateName.USER_DATA, StateName.LEGACY_INTAKE)


@dataclass(frozen=True)
class Erasure:
    """What /deletemydata removed: rows per table, and the open tickets withdrawn (their experts were told)."""

    removed: dict[str, int]
    withdrawn: list[int]

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def _count(session: Session, statement: Executable) -> int:
    return rows_affected(session.execute(statement))


def _delete_tickets(session: Session, ticket_ids: list[int]) -> dict[str, int]:
    """A ticket with everything hanging off it (child rows first: SQLite may not cascade)."""
    if not ticket_ids:
        return {}
    return {
        "esc_messages": _count(session, delete(TicketMessage).where(TicketMessage.ticket_id.in_(ticket_ids))),
        "esc_message_links": _count(session, delete(MessageLink).where(MessageLink.ticket_id.in_(ticket_ids))),
        "esc_outbox": _count(session, delete(OutboxItem).where(OutboxItem.ticket_id.in_(ticket_ids))),
        "esc_tickets": _count(session, delete(Ticket).where(Ticket.id.in_(ticket_ids))),
    }


def _delete_staff_questions(session: Session, question_ids: list[int]) -> dict[str, int]:
    """Staff questions with their message links and sends (child rows first: SQLite may not cascade)."""
    if not question_ids:
        return {}
    return {
        "staff_question_links": _count(session, delete(StaffQuestionLink)
                                       .where(StaffQuestionLink.question_id.in_(question_ids))),
        "esc_outbox": _count(session, delete(OutboxItem).where(OutboxItem.staff_question_id.in_(question_ids))),
        "staff_questions": _count(session, delete(StaffQuestion).where(StaffQuestion.id.in_(question_ids))),
    }


def _merge_counts(*parts: dict[str, int]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for part in parts:
        for table, n in part.items():
            merged[table] = merged.get(table, 0) + n
    return merged


def _state_belongs(row: ConversationState, users: set[int], tickets: set[int]) -> bool:
    """Whether a stored conversation state is about one of `users` or one of `tickets`."""
    if row.name in _PER_USER_STATES:
        return row.key.isdigit() and int(row.key) in users
    if row.name.startswith(StateName.CONVERSATION_PREFIX):
        return any(part in users for part in conversation_key_ids(row.key))
    if row.name == StateName.PROMPT:  # -> {"kind": ..., "ticket": n}
        if prompt_chat(row.key) in users:
            return True
        return isinstance(row.value, dict) and row.value.get("ticket") in tickets
    return False


def _delete_states(session: Session, users: Iterable[int], tickets: Iterable[int]) -> int:
    users, tickets = set(users), set(tickets)
    if not users and not tickets:
        return 0
    rows = [row for row in session.scalars(select(ConversationState)) if _state_belongs(row, users, tickets)]
    for row in rows:
        session.delete(row)
    return len(rows)


class PersonalData:
    """Erasure on request and destruction after the retention period, across every table that holds founders'
    data. Knows nothing of Telegram: the handler renders the experts' notice and sends what the outbox holds."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def erase_founder(self, user_id: int, withdrawn_notice: Callable[[int], str] | None = None) -> Erasure:
        """Delete everything stored about one founder, in one transaction.

        Their tickets go too, closed or not. An open one is withdrawn: `withdrawn_notice(ticket id)` is queued
        for the chat it was routed to (without the founder's data), so experts stop working on it.
        """
        with self.db.session() as s:
            tickets = list(s.scalars(select(Ticket).where(Ticket.founder_id == user_id)))
            ticket_ids = [t.id for t in tickets]
            withdrawn = []
            for ticket in tickets:
                if ticket.status in OPEN_STATES and ticket.route_chat_id is not None and withdrawn_notice:
                    thread = ticket.route_thread_id if ticket.route_chat_id < 0 else None
                    Outbox.put(s, Notice(ticket.route_chat_id, withdrawn_notice(ticket.id), thread_id=thread))
                    withdrawn.append(ticket.id)
            asked = list(s.scalars(select(StaffQuestion.id).where(StaffQuestion.founder_id == user_id)))
            removed = _merge_counts(_delete_tickets(s, ticket_ids), _delete_staff_questions(s, asked))
            removed["conversation_state"] = _delete_states(s, [user_id], ticket_ids)
            removed.update(erase_bookings(s, user_id))
            for model in (ConversationTurn, QuestionLog, ChatUser, Subscription, AnnouncementDelivery):
                removed[model.__tablename__] = _count(s, delete(model).where(model.user_id == user_id))
        log.info("erased the data of user %s: %d rows, %d open tickets withdrawn",
                 user_ref(user_id), sum(removed.values()), len(withdrawn))
        return Erasure({k: v for k, v in removed.items() if v}, withdrawn)

    def purge_older_than(self, days: int, now: datetime | None = None) -> dict[str, int]:
        """Retention: destroy founders' records older than `days`.

        Conversation turns, questions and announcement deliveries by when they were written; closed tickets by
        when they were closed (open ones are still being worked on); a founder's language, subscription and
        conversation state once they have not used the bot for `days`.
        """
        cutoff = (now or utcnow()) - timedelta(days=days)
        with self.db.session() as s:
            closed = list(s.scalars(select(Ticket.id).where(Ticket.status == TicketState.CLOSED,
                                                            Ticket.closed_at < cutoff)))
            # Staff questions no longer waiting for staff, by their last activity (saved answers are documents).
            done = list(s.scalars(select(StaffQuestion.id).where(StaffQuestion.status.not_in(WAITING_STATES),
                                                                 StaffQuestion.updated_at < cutoff)))
            removed = _merge_counts(_delete_tickets(s, closed), _delete_staff_questions(s, done))
            removed["conversation_turns"] = _count(s, delete(ConversationTurn)
                                                   .where(ConversationTurn.created_at < cutoff))
            removed["question_log"] = _count(s, delete(QuestionLog).where(QuestionLog.created_at < cutoff))
            removed.update(purge_bookings(s, cutoff))
            removed["announcement_deliveries"] = _count(s, delete(AnnouncementDelivery)
                                                        .where(AnnouncementDelivery.updated_at < cutoff))
            # Sends not tied to a ticket (staff notices, withdrawals), once delivered or given up.
            removed["esc_outbox"] = removed.get("esc_outbox", 0) + _count(
                s, delete(OutboxItem).where(OutboxItem.ticket_id.is_(None), OutboxItem.status != OutboxStatus.PENDING,
                                            OutboxItem.created_at < cutoff))
            idle = list(s.scalars(select(ChatUser.user_id).where(ChatUser.last_seen_at < cutoff)))
            removed["conversation_state"] = _delete_states(s, idle, closed)
            if idle:
                removed["subscriptions"] = _count(s, delete(Subscription).where(Subscription.user_id.in_(idle)))
                removed["chat_users"] = _count(s, delete(ChatUser).where(ChatUser.user_id.in_(idle)))
        removed = {k: v for k, v in removed.items() if v}
        log.info("retention (%d days): removed %s", days, removed or "nothing")
        return removed

    def prune_seen_updates(self, older_than: timedelta = SEEN_UPDATES_KEPT) -> int:
        """Forget handled update ids Telegram can no longer redeliver (ids only, no personal data)."""
        with self.db.session() as s:
            return _count(s, delete(SeenUpdate).where(SeenUpdate.created_at < utcnow() - older_than))
