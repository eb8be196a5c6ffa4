"""Founders' announcement subscriptions and broadcasts that survive restarts without sending anything twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError

from bot.knowledge.registry import DocumentInfo, title_key
from bot.storage.db import Database
from bot.storage.models import (
    Announcement,
    AnnouncementDelivery,
    ChatUser,
    ExpiryNotice,
    Subscription,
    utcnow,
)

log = logging.getLogger(__name__)


class DeliveryStatus(StrEnum):
    """An announcement's delivery to one subscriber (see AnnouncementDelivery)."""

    PENDING = "pending"
    SENDING = "sending"  # claimed, just before the send
    SENT = "sent"
    FAILED = "failed"

# Interest topics founders pick from buttons, with the words that put a document in the topic.
TOPICS: dict[str, tuple[str, ...]] = {
    "funding": ("지원사업", "사업화", "모집", "공고", "패키지", "자금", "funding", "grant", "call"),
    "education": ("교육", "사관학교", "아카데미", "강의", "캠프", "education", "academy", "training"),
    "events": ("행사", "설명회", "네트워킹", "데모데이", "경진대회", "event", "demo day", "meetup"),
    "cafe": ("창업카페", "카페", "cafe"),
}
ALL = "all"


def document_topics(doc: DocumentInfo) -> set[str]:
    """The topics a document belongs to, from its title and programme; a cafe's own notice is cafe news too."""
    haystack = title_key(f"{doc.title} {doc.programme or ''}")
    topics = {topic for topic, words in TOPICS.items() if any(title_key(w) in haystack for w in words)}
    return topics | {"cafe"} if doc.cafe_id else topics


@dataclass(frozen=True)
class Delivery:
    id: int
    user_id: int
    lang: str
    announcement_id: int
    document_id: str
    title: str
    deadline: date | None


class AnnouncementService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- subscriptions ------------------------------------------------------------------------------

    def interests(self, user_id: int) -> set[str] | None:
        """The founder's topics, or None if not subscribed."""
        with self.db.session() as s:
            sub = s.get(Subscription, user_id)
            return set(sub.interests) if sub else None

    def toggle(self, user_id: int, topic: str, lang: str) -> set[str]:
        """Add or drop one topic (ALL stands for everything); subscribes on first use."""
        if topic not in TOPICS and topic != ALL:
            raise ValueError(topic)
        with self.db.session() as s:
            sub = s.get(Subscription, user_id)
            if sub is None:
                sub = Subscription(user_id=user_id, interests=[], lang=lang)
                s.add(sub)
            chosen = set(sub.interests)
            chosen ^= {topic}
            sub.interests, sub.lang = sorted(chosen), lang
            return chosen

    def unsubscribe(self, user_id: int) -> bool:
        with self.db.session() as s:
            sub = s.get(Subscription, user_id)
            if sub is None:
                return False
            s.delete(sub)
            return True

    # --- broadcasts ---------------------------------------------------------------------------------

    def matching_subscribers(self, doc: DocumentInfo) -> list[Subscription]:
        """Subscribers whose interests match the document; for a cafe's own notice, only those who chose that cafe
        (/cafe): other cafes' founders and founders with no cafe are not told about another cafe's hours or events."""
        topics = document_topics(doc)
        with self.db.session() as s:
            query = select(Subscription)
            if doc.cafe_id is not None:
                query = query.join(ChatUser, ChatUser.user_id == Subscription.user_id).where(
                    ChatUser.cafe_id == doc.cafe_id)
            subs = list(s.scalars(query.order_by(Subscription.user_id)))
        return [sub for sub in subs if (chosen := set(sub.interests)) and (ALL in chosen or chosen & topics)]

    def announce(self, doc: DocumentInfo, staff_id: int) -> tuple[int, int]:
        """Store the announcement and one pending row per matching subscriber before anything is sent.

        Returns (announcement id, recipients); a document version is announced at most once.
        """
        recipients = self.matching_subscribers(doc)
        try:
            with self.db.session() as s:
                ann = Announcement(document_id=doc.id, version_id=doc.version_id, title=doc.title,
                                   deadline=doc.valid_until, created_by=staff_id)
                s.add(ann)
                s.flush()
                s.add_all(AnnouncementDelivery(announcement_id=ann.id, user_id=sub.user_id, lang=sub.lang)
                          for sub in recipients)
                ann_id = ann.id
        except IntegrityError:
            raise AlreadyAnnounced(doc.title) from None
        log.info("announcement %s of %s to %d subscribers", ann_id, doc.id, len(recipients))
        return ann_id, len(recipients)

    def claim_next(self) -> Delivery | None:
        """Mark the oldest pending delivery as being sent and return it (committed before the send)."""
        with self.db.session() as s:
            row = s.execute(
                select(AnnouncementDelivery, Announcement).join(Announcement)
                .where(AnnouncementDelivery.status == DeliveryStatus.PENDING).order_by(AnnouncementDelivery.id).limit(1)
            ).first()
            if row is None:
                return None
            delivery, ann = row
            # An UPDATE without RETURNING gives a CursorResult; Session.execute is typed for any statement.
            claimed = cast(CursorResult[Any], s.execute(
                update(AnnouncementDelivery).where(AnnouncementDelivery.id == delivery.id,
                                                   AnnouncementDelivery.status == DeliveryStatus.PENDING)
                .values(status=DeliveryStatus.SENDING, updated_at=utcnow())
            )).rowcount
            if not claimed:  # another process took it in the meantime
                return self.claim_next()
            return Delivery(delivery.id, delivery.user_id, delivery.lang, ann.id, ann.document_id, ann.title,
                            ann.deadline)

    def finish(self, delivery_id: int, ok: bool) -> None:
        with self.db.session() as s:
            s.execute(update(AnnouncementDelivery).where(AnnouncementDelivery.id == delivery_id)
                      .values(status=DeliveryStatus.SENT if ok else DeliveryStatus.FAILED, updated_at=utcnow()))

    def counts(self, announcement_id: int) -> dict[str, int]:
        with self.db.session() as s:
            statuses = list(s.scalars(select(AnnouncementDelivery.status)
                                      .where(AnnouncementDelivery.announcement_id == announcement_id)))
        return {status: statuses.count(status) for status in set(statuses)}

    # --- expiry --------------------------------------------------------------------------------------

    def newly_expired(self, documents: list[DocumentInfo], today: date) -> list[DocumentInfo]:
        """Documents whose valid-until has passed and that staff were not told about yet; records the telling."""
        expired = [d for d in documents if d.valid_until is not None and d.valid_until < today]
        fresh: list[DocumentInfo] = []
        for doc in expired:
            assert doc.valid_until is not None
            # One insert per notice, on its primary key: replicas running this job at the same time each
            # claim different notices (the loser of a race gets IntegrityError), so staff hear of each once.
            try:
                with self.db.session() as s:
                    if s.get(ExpiryNotice, (doc.id, doc.valid_until)) is not None:
                        continue
                    s.add(ExpiryNotice(document_id=doc.id, valid_until=doc.valid_until))
            except IntegrityError:
                continue
            fresh.append(doc)
        return fresh


class AlreadyAnnounced(Exception):
    """This document version was announced before."""


def kst_today(now: datetime | None = None) -> date:
    """Validity dates are Seoul dates."""
    return ((now or datetime.now(UTC)) + timedelta(hours=9)).date()
