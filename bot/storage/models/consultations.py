"""Consultations (bot.consultations): the slots experts publish and the founders' bookings of them.

No double booking is decided by the database: an active booking holds one seat (1..the slot's capacity) and
(slot_id, seat) is unique; a cancelled booking gives its seat back (seat NULL). The slot's `booked` count is
raised by a conditional UPDATE (open and not full) in the booking's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow
from bot.storage.types import UtcDateTime


class ConsultationSlot(Base):
    """A time an expert offers: in person at their cafe or online, for `capacity` founders."""

    __tablename__ = "consult_slots"
    __table_args__ = (CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_consult_slots_booked"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    expert_id: Mapped[int] = mapped_column(BigInteger, index=True)
    cafe_id: Mapped[str | None] = mapped_column(String(32), index=True)  # the expert's cafe when published
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(16))  # a SlotMode
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    booked: Mapped[int] = mapped_column(Integer, default=0)  # active bookings (the seats taken)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # a SlotState
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ConsultationBooking(Base):
    """A founder's seat in a slot, from booking to attended / no-show (or cancelled). Founders' data: erased with
    /deletemydata and destroyed RETENTION_DAYS after the slot."""

    __tablename__ = "consult_bookings"
    __table_args__ = (UniqueConstraint("slot_id", "seat", name="uq_consult_bookings_seat"),
                      CheckConstraint("seat IS NULL OR seat >= 1", name="ck_consult_bookings_seat"),
                      Index("uq_consult_bookings_hold", "founder_id", "hold", unique=True))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("consult_slots.id", ondelete="CASCADE"), index=True)
    seat: Mapped[int | None] = mapped_column(Integer)  # NULL once cancelled: the seat is free again
    # Which of the founder's BOOKINGS_PER_FOUNDER places this future booking holds; NULL once cancelled or started.
    hold: Mapped[int | None] = mapped_column(Integer)
    founder_id: Mapped[int] = mapped_column(BigInteger, index=True)
    founder_chat_id: Mapped[int] = mapped_column(BigInteger)
    ticket_id: Mapped[int | None] = mapped_column(Integer)  # the idea the expert sees first (not a key: tickets go)
    lang: Mapped[str] = mapped_column(String(8), default="ko")
    status: Mapped[str] = mapped_column(String(16), default="booked", index=True)  # a BookingState
    reminded_24h_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reminded_1h_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    marked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # attended / no-show
    mark_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the expert asked to mark, after the slot
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
