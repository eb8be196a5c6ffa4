"""Expert escalation: experts, tickets, relayed messages, message links, the outbox and seen updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow
from bot.storage.types import UtcDateTime


class Expert(Base):
    """A registered expert (EXPERT_USER_IDS at start, or added by staff) with specialties and a capacity."""

    __tablename__ = "esc_experts"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    display_name: Mapped[str] = mapped_column(Text, default="")
    alias: Mapped[str] = mapped_column(Text, default="")
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(Integer, default=5)
    cafe_id: Mapped[str | None] = mapped_column(String(32), index=True)  # the cafe whose founders they review
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Ticket(Base):
    """One idea sent for expert review, from the confirmed intake to the founder's rating."""

    __tablename__ = "esc_tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    founder_id: Mapped[int] = mapped_column(BigInteger, index=True)
    founder_chat_id: Mapped[int] = mapped_column(BigInteger)
    founder_name: Mapped[str] = mapped_column(Text, default="")
    founder_username: Mapped[str | None] = mapped_column(Text)
    cafe_id: Mapped[str | None] = mapped_column(String(32), index=True)  # the cafe the founder uses
    lang: Mapped[str] = mapped_column(String(8), default="ko")
    fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # the intake answers
    specialty: Mapped[str | None] = mapped_column(Text)
    attachment_file_id: Mapped[str | None] = mapped_column(Text)
    attachment_kind: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    expert_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    route_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    route_thread_id: Mapped[int | None] = mapped_column(BigInteger)
    reassign_count: Mapped[int] = mapped_column(Integer, default=0)
    passed_by: Mapped[list[int]] = mapped_column(JSON, default=list)  # expert ids
    routed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    close_summary: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class TicketMessage(Base):
    """A message relayed in a ticket, stored before it is sent anywhere."""

    __tablename__ = "esc_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("esc_tickets.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(16))  # to_founder | to_experts
    author_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16), default="text")  # text | document | voice
    text: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MessageLink(Base):
    """A message the bot sent that belongs to a ticket, so a reply to it finds the ticket."""

    __tablename__ = "esc_message_links"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("esc_tickets.id", ondelete="CASCADE"), index=True)


class OutboxItem(Base):
    """A send that must happen: kept until delivered, retried with backoff after a failure."""

    __tablename__ = "esc_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("esc_tickets.id", ondelete="CASCADE"), index=True)
    # Or the staff question it belongs to (bot.staff.questions): a reply to the delivered message finds it.
    staff_question_id: Mapped[int | None] = mapped_column(ForeignKey("staff_questions.id", ondelete="CASCADE"),
                                                          index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    reply_to: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16), default="text")  # text | document | voice | photo
    text: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[str | None] = mapped_column(Text)
    buttons: Mapped[list[list[list[str]]]] = mapped_column(JSON, default=list)  # rows of [label, callback_data]
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending | sent | dead | dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SeenUpdate(Base):
    """An update already taken by some process: a redelivery, or the same update reaching two replicas, is
    skipped (bot.telegram.replicas). Pruned after two days (bot.privacy)."""

    __tablename__ = "esc_seen_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConversationState(Base):
    """PTB ConversationHandler state (and its user data) in SQL, so intake survives restarts and replicas."""

    __tablename__ = "esc_conversation_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
