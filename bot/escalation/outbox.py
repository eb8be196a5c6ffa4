"""The outbox: every notification is stored before it is sent and kept until Telegram accepted it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session, aliased

from bot.escalation.enums import OutboxStatus
from bot.observability.logs import user_ref
from bot.staff.questions.enums import LinkPurpose
from bot.storage.db import Database, rows_affected
from bot.storage.models.base import utcnow
from bot.storage.models.escalation import MessageLink, OutboxItem
from bot.storage.models.staff_questions import StaffQuestionLink

log = logging.getLogger(__name__)

BASE_DELAY = 2.0
MAX_DELAY = 600.0
MAX_ATTEMPTS = 20  # the default of OUTBOX_MAX_ATTEMPTS
# How long a claimed send stays with the process that claimed it. A process that dies mid-send gives its
# claims back when this runs out (the send is then retried: at least once, never lost).
LEASE_SECONDS = 300.0


@dataclass(frozen=True)
class Notice:
    """A message a step of the workflow causes, queued in that step's transaction."""

    chat_id: int
    text: str = ""
    ticket_id: int | None = None
    thread_id: int | None = None
    kind: str = "text"  # a ContentKind, or a special kind such as the dead-letter alert
    file_id: str | None = None
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    staff_question_id: int | None = None  # or the staff question it belongs to (bot.staff.questions)


@dataclass(frozen=True)
class Topic:
    """Where a queued send to a group goes: the forum topic of what it belongs to, or a new one to open (`title`)."""

    thread_id: int | None
    title: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """One send as the transport needs it."""

    id: int
    ticket_id: int | None
    staff_question_id: int | None
    chat_id: int
    thread_id: int | None
    kind: str
    text: str
    file_id: str | None
    buttons: list[list[tuple[str, str]]]
    attempts: int


def backoff(attempts: int, retry_after: float | None = None, base: float = BASE_DELAY) -> float:
    """Seconds to wait before the next try: Telegram's retry_after if given, else doubling up to a cap."""
    if retry_after is not None:
        return max(retry_after, 0.0)
    return min(base * 2 ** max(attempts - 1, 0), MAX_DELAY)


class Outbox:
    """`on_dead(session, item)` runs inside the transaction that gives a send up (see bot.escalation.dead_letters)."""

    def __init__(self, db: Database, base_delay: float = BASE_DELAY, max_attempts: int = MAX_ATTEMPTS,
                 on_dead: Callable[[Session, OutboxItem], None] | None = None) -> None:
        self.db = db
        self.base_delay = base_delay
        self.max_attempts = max_attempts
        self.on_dead = on_dead

    @staticmethod
    def put(session: Session, notice: Notice) -> int:
        """Queue a send in the caller's transaction: it exists exactly when the change that caused it does."""
        item = OutboxItem(chat_id=notice.chat_id, text=notice.text, ticket_id=notice.ticket_id,
                          staff_question_id=notice.staff_question_id,
                          thread_id=notice.thread_id, kind=str(notice.kind), file_id=notice.file_id,
                          buttons=[[list(b) for b in row] for row in notice.buttons], status=OutboxStatus.PENDING,
                          attempts=0, next_attempt_at=utcnow())
        session.add(item)
        session.flush()
        return item.id

    @staticmethod
    def put_all(session: Session, notices: list[Notice]) -> int:
        """Queue the messages a step causes, in its transaction; returns how many."""
        for notice in notices:
            Outbox.put(session, notice)
        return len(notices)

    def enqueue(self, notice: Notice) -> int:
        """Queue a send that no other change goes with."""
        with self.db.session() as s:
            return self.put(s, notice)

    def due(self, now: datetime | None = None, limit: int = 50) -> list[Outgoing]:
        """Pending sends whose time has come, oldest first (so a founder sees messages in order)."""
        now = now or utcnow()
        with self.db.session() as s:
            rows = s.scalars(select(OutboxItem).where(OutboxItem.status == OutboxStatus.PENDING,
                                                      OutboxItem.next_attempt_at <= now)
                             .order_by(OutboxItem.id).limit(limit)).all()
            return [self._outgoing(r) for r in rows]

    def claim_due(self, now: datetime | None = None, limit: int = 20,
                  lease: float = LEASE_SECONDS) -> list[Outgoing]:
        """Due sends, each leased to the caller so other replicas skip it; at most one per chat.

        Only a chat's oldest pending send is eligible, so a chat's messages go out in order even when several
        processes flush the outbox; the next one becomes eligible once this one is sent or given up.
        """
        now = now or utcnow()
        earlier = aliased(OutboxItem)
        blocked = exists().where(and_(earlier.chat_id == OutboxItem.chat_id, earlier.status == OutboxStatus.PENDING,
                                      earlier.id < OutboxItem.id))
        eligible = (select(OutboxItem.id).where(OutboxItem.status == OutboxStatus.PENDING,
                                                OutboxItem.next_attempt_at <= now, ~blocked)
                    .order_by(OutboxItem.id).limit(limit))
        with self.db.session() as s:
            ids = list(s.scalars(eligible))
            if not ids:
                return []
            # The WHERE is checked again under the row lock: of two processes racing for a row, one gets it.
            won = set(s.scalars(update(OutboxItem)
                                .where(OutboxItem.id.in_(ids), OutboxItem.status == OutboxStatus.PENDING,
                                       OutboxItem.next_attempt_at <= now)
                                .values(next_attempt_at=now + timedelta(seconds=lease))
                                .returning(OutboxItem.id)))
            rows = s.scalars(select(OutboxItem).where(OutboxItem.id.in_(won)).order_by(OutboxItem.id)).all()
            return [self._outgoing(r) for r in rows]

    @staticmethod
    def _outgoing(r: OutboxItem) -> Outgoing:
        return Outgoing(r.id, r.ticket_id, r.staff_question_id, r.chat_id, r.thread_id, r.kind, r.text, r.file_id,
                        [[(a, b) for a, b in row] for row in r.buttons], r.attempts)

    def pending_count(self) -> int:
        with self.db.session() as s:
            return len(s.scalars(select(OutboxItem.id).where(OutboxItem.status == OutboxStatus.PENDING)).all())

    def mark_sent(self, item_id: int, message_id: int | None) -> None:
        """Delivered: remember the message so replies to it find the ticket."""
        with self.db.session() as s:
            item = s.get(OutboxItem, item_id)
            if item is None:
                return
            item.status, item.sent_message_id = OutboxStatus.SENT, message_id
            if item.ticket_id is not None and message_id is not None:
                s.merge(MessageLink(chat_id=item.chat_id, message_id=message_id, ticket_id=item.ticket_id))
            if item.staff_question_id is not None and message_id is not None:
                s.merge(StaffQuestionLink(chat_id=item.chat_id, message_id=message_id,
                                          question_id=item.staff_question_id, purpose=LinkPurpose.THREAD))

    def mark_failed(self, item_id: int, error: str, *, retry_after: float | None = None,
                    permanent: bool = False) -> float | None:
        """A failed send waits and is tried again; returns the delay, or None once it is given up."""
        with self.db.session() as s:
            # A send another process already gave up or sent (its lease ran out meanwhile) is left alone.
            item = s.get(OutboxItem, item_id, with_for_update=True)
            if item is None or item.status != OutboxStatus.PENDING:
                return None
            attempts = item.attempts + 1
            if permanent or attempts >= self.max_attempts:
                # Given up only if still pending, checked in the UPDATE itself: of two processes reporting one
                # send, one gives it up, so staff get the alert queued by `on_dead` once.
                gave_up = s.execute(update(OutboxItem)
                                    .where(OutboxItem.id == item_id, OutboxItem.status == OutboxStatus.PENDING)
                                    .values(status=OutboxStatus.DEAD, attempts=attempts, last_error=error[:500]))
                if rows_affected(gave_up) != 1:
                    return None
                log.error("outbox %s to chat %s given up after %d attempts: %s",
                          item_id, user_ref(item.chat_id), attempts, error)
                if self.on_dead is not None:
                    self.on_dead(s, item)
                return None
            item.attempts, item.last_error = attempts, error[:500]
            delay = backoff(item.attempts, retry_after, self.base_delay)
            item.next_attempt_at = utcnow() + timedelta(seconds=delay)
            # Chats are pseudonymised: a founder's private chat id is their Telegram user id.
            log.warning("outbox %s to chat %s failed (%s); retry in %.1fs", item_id, user_ref(item.chat_id), error,
                        delay)
            return delay
