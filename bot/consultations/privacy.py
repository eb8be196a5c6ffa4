"""Bookings are founders' data: erased with /deletemydata and destroyed after the retention period (bot.privacy
calls these inside its own transaction)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.consultations import render
from bot.consultations.enums import BookingState
from bot.escalation.outbox import Notice, Outbox
from bot.storage.db import rows_affected
from bot.storage.models.base import utcnow
from bot.storage.models.consultations import ConsultationBooking as Booking
from bot.storage.models.consultations import ConsultationSlot as Slot
from bot.strings import t


def erase_bookings(session: Session, founder_id: int, expert_lang: str = "ko") -> dict[str, int]:
    """Delete every booking of the founder; an upcoming one gives its seat back and its expert is told (without the
    founder's data)."""
    now = utcnow()
    upcoming = session.execute(select(Booking.id, Slot).join(Slot, Slot.id == Booking.slot_id)
                               .where(Booking.founder_id == founder_id, Booking.status == BookingState.BOOKED,
                                      Slot.starts_at > now)).tuples().all()
    for booking_id, slot in upcoming:
        session.execute(update(Slot).where(Slot.id == slot.id).values(booked=Slot.booked - 1)
                        .execution_options(synchronize_session=False))
        Outbox.put(session, Notice(slot.expert_id, t("cs.expert.withdrawn", expert_lang, id=booking_id,
                                                     when=render.when(slot.starts_at, slot.minutes, expert_lang))))
    # Past active bookings hold a seat too: the count of a slot that has begun no longer matters.
    removed = rows_affected(session.execute(delete(Booking).where(Booking.founder_id == founder_id)))
    return {"consult_bookings": removed} if removed else {}


def purge_bookings(session: Session, cutoff: datetime) -> dict[str, int]:
    """Retention: bookings of slots that began before `cutoff`, and cancelled ones last changed before it."""
    old_slots = select(Slot.id).where(Slot.starts_at < cutoff)
    removed = rows_affected(session.execute(
        delete(Booking).where(or_(Booking.slot_id.in_(old_slots),
                                  (Booking.status == BookingState.CANCELLED) & (Booking.updated_at < cutoff)))
        .execution_options(synchronize_session=False)))
    return {"consult_bookings": removed} if removed else {}
