"""Staff tools: the staff registry, founders' announcement subscriptions, broadcasts and expiry notices."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow
from bot.storage.types import UtcDateTime


class StaffMember(Base):
    """A staff member added with /staff add (STAFF_USER_IDS are staff without a row)."""

    __tablename__ = "staff_members"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Subscription(Base):
    """A founder who wants announcements, and about what (topic keys)."""

    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    lang: Mapped[str] = mapped_column(String(8), default="ko")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Announcement(Base):
    """One broadcast of a published document version; unique so a second press cannot send it twice."""

    __tablename__ = "announcements"
    __table_args__ = (UniqueConstraint("version_id", name="uq_announcements_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(String(32), index=True)
    version_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AnnouncementDelivery(Base):
    """One recipient of an announcement, written before anything is sent.

    status: pending → sending (claimed, just before the send) → sent | failed. A row left in "sending" by a
    crash is never retried: a founder may miss one message, but never gets the same one twice.
    """

    __tablename__ = "announcement_deliveries"
    __table_args__ = (UniqueConstraint("announcement_id", "user_id", name="uq_delivery_recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    lang: Mapped[str] = mapped_column(String(8), default="ko")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ExpiryNotice(Base):
    """Staff were told this document's validity ended (once per document and valid-until date)."""

    __tablename__ = "expiry_notices"

    document_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    valid_until: Mapped[date] = mapped_column(Date, primary_key=True)
    notified_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
