"""Sends the outbox gave up on: staff are told once when one dies, and can list, retry or drop them (/outbox).

Knows nothing of Telegram. The alert is queued in the same transaction that marks the send dead, and only by the
process holding the send's claim (see `Outbox.mark_failed`), so two replicas never tell staff twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.escalation.buttons import OutboxAction, outbox_data
from bot.escalation.enums import OutboxStatus
from bot.escalation.outbox import Notice, Outbox
from bot.observability.logs import redact
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database
from bot.storage.models.base import utcnow
from bot.storage.models.escalation import Expert, OutboxItem, Ticket
from bot.strings import t

log = logging.getLogger(__name__)

# Sent as plain text (the transport sends every kind it does not know as a message). Marks the alert itself,
# so an alert that cannot be delivered (a staff chat unreachable too) dies quietly instead of alerting again.
ALERT_KIND = "staff_alert"
RECIPIENTS = ("founder", "expert", "group", "staff", "other")
# Telegram's error descriptions (as the client library words them) and what they mean for staff.
_REASONS = (
    ("blocked", ("blocked by the user",)),
    ("deactivated", ("user is deactivated",)),
    ("kicked", ("kicked from the", "not a member of the", "have no rights to send")),
    ("not_started", ("can't initiate conversation", "cannot initiate conversation")),
    ("chat_not_found", ("chat not found", "chat_id is empty")),
)


@dataclass(frozen=True)
class DeadItem:
    """A given-up send as staff see it: no message text, no chat id, only the ticket number."""

    id: int
    ticket_id: int | None
    recipient: str  # one of RECIPIENTS
    reason: str  # blocked | deactivated | kicked | not_started | chat_not_found | other
    error: str  # Telegram's last answer, secrets redacted
    attempts: int
    created_at: datetime

    def age(self, now: datetime | None = None) -> timedelta:
        return (now or utcnow()) - self.created_at


def classify(error: str | None) -> str:
    """The reason class of a send's last error (case-insensitive match on Telegram's description)."""
    text = (error or "").lower()
    for reason, needles in _REASONS:
        if any(n in text for n in needles):
            return reason
    return "other"


def age_text(age: timedelta, lang: str) -> str:
    minutes = max(int(age.total_seconds() // 60), 0)
    if minutes < 60:
        return t("esc.outbox.age.m", lang, n=minutes)
    if minutes < 48 * 60:
        return t("esc.outbox.age.h", lang, n=minutes // 60)
    return t("esc.outbox.age.d", lang, n=minutes // 1440)


def describe(item: DeadItem, lang: str) -> tuple[str, str, str]:
    """(ticket, recipient, reason) for one line of an alert or the /outbox list."""
    ticket = t("esc.outbox.ticket", lang, id=item.ticket_id) if item.ticket_id else t("esc.outbox.no_ticket", lang)
    reason = t(f"esc.outbox.reason.{item.reason}", lang)
    if item.reason == "other":
        reason = f"{reason}: {item.error[:120]}"
    return ticket, t(f"esc.outbox.to.{item.recipient}", lang), reason


def alert_text(item: DeadItem, lang: str) -> str:
    ticket, recipient, reason = describe(item, lang)
    return t("esc.outbox.alert", lang, ticket=ticket, recipient=recipient, attempts=item.attempts, reason=reason,
             advice=t(f"esc.outbox.advice.{item.reason}", lang))


def item_buttons(item_id: int, lang: str) -> list[tuple[str, str]]:
    """Retry and drop for one dead send."""
    return [(t("esc.outbox.btn.retry", lang), outbox_data(OutboxAction.RETRY, item_id)),
            (t("esc.outbox.btn.drop", lang), outbox_data(OutboxAction.DROP, item_id))]


class DeadLetters:
    """The dead sends of the outbox: the alert when one dies, and the staff actions on them."""

    def __init__(self, db: Database, staff: StaffRegistry, lang: str = "ko") -> None:
        self.db = db
        self.staff = staff
        self.lang = lang  # staff notices are written in the deployment's default language

    def _recipient(self, s: Session, item: OutboxItem) -> str:
        if item.ticket_id is not None:
            ticket = s.get(Ticket, item.ticket_id)
            if ticket is not None and ticket.founder_chat_id == item.chat_id:
                return "founder"
        if item.chat_id < 0:
            return "group"
        if s.get(Expert, item.chat_id) is not None:
            return "expert"
        if item.chat_id in self.staff.all_ids(s):
            return "staff"
        return "other"

    def _dead_item(self, s: Session, item: OutboxItem) -> DeadItem:
        return DeadItem(item.id, item.ticket_id, self._recipient(s, item), classify(item.last_error),
                        redact(item.last_error or ""), item.attempts, item.created_at)

    def on_dead(self, s: Session, item: OutboxItem) -> None:
        """Called by the outbox inside the transaction that gives `item` up: queue one alert per staff member."""
        if item.kind == ALERT_KIND:
            log.error("staff alert %s could not be delivered either; not alerting about it", item.id)
            return
        dead = self._dead_item(s, item)
        # City-wide staff: /outbox (retry, drop) is theirs; a cafe's staff could not act on the alert.
        staff = self.staff.city_wide_ids(s)
        for staff_id in staff:
            Outbox.put(s, Notice(staff_id, alert_text(dead, self.lang), kind=ALERT_KIND,
                                 buttons=[item_buttons(item.id, self.lang)]))
        log.info("outbox %s (ticket %s, %s, %s) given up: %d staff alerted", item.id, item.ticket_id,
                 dead.recipient, dead.reason, len(staff))

    def count(self) -> int:
        with self.db.session() as s:
            return self._dead_count(s)

    @staticmethod
    def _dead_count(session: Session) -> int:
        dead = select(func.count()).select_from(OutboxItem).where(OutboxItem.status == OutboxStatus.DEAD)
        return int(session.scalar(dead) or 0)

    def oldest(self, limit: int = 10) -> tuple[list[DeadItem], int]:
        """The oldest `limit` dead sends and how many there are in all."""
        with self.db.session() as s:
            total = self._dead_count(s)
            rows = s.scalars(select(OutboxItem).where(OutboxItem.status == OutboxStatus.DEAD).order_by(OutboxItem.id)
                             .limit(limit)).all()
            return [self._dead_item(s, r) for r in rows], total

    def retry(self, item_id: int, staff_id: int) -> bool:
        """Back to pending with its attempts reset (sent at the next flush); False if it was not dead."""
        done = self._set(item_id, staff_id, status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow())
        if done:
            log.info("staff %s put outbox %s back in the queue", staff_id, item_id)
        return done

    def drop(self, item_id: int, staff_id: int) -> bool:
        """Never send it (kept as "dropped" until retention removes it); False if it was not dead."""
        done = self._set(item_id, staff_id, status=OutboxStatus.DROPPED)
        if done:
            log.info("staff %s dropped outbox %s", staff_id, item_id)
        return done

    def retry_all(self, staff_id: int) -> list[int]:
        """Every dead send back to pending; returns their ids."""
        with self.db.session() as s:
            ids = sorted(s.scalars(update(OutboxItem).where(OutboxItem.status == OutboxStatus.DEAD)
                                   .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow())
                                   .returning(OutboxItem.id)))
        log.info("staff %s put %d dead outbox items back in the queue: %s", staff_id, len(ids), ids)
        return ids

    def _set(self, item_id: int, staff_id: int, **values: object) -> bool:
        # Only from dead: two staff pressing at once, or a press on a stale list, change nothing twice.
        with self.db.session() as s:
            won = s.scalars(update(OutboxItem).where(OutboxItem.id == item_id, OutboxItem.status == OutboxStatus.DEAD)
                            .values(**values).returning(OutboxItem.id)).all()
        if not won:
            log.info("staff %s: outbox %s is no longer dead", staff_id, item_id)
        return bool(won)
