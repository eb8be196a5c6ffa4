"""What staff see of their cafes' consultations: the bookings by date, and each cafe's figures for /stats."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, select

from bot.cafes.registry import CafeRegistry
from bot.consultations.enums import BookingState, ConsultationError, Refusal, SlotState
from bot.consultations.forms import SEOUL
from bot.consultations.views import BookingView, CafeStats, read_bookings
from bot.storage.db import Database
from bot.storage.models.base import utcnow
from bot.storage.models.consultations import ConsultationBooking as Booking
from bot.storage.models.consultations import ConsultationSlot as Slot

log = logging.getLogger(__name__)


class BookingReports:
    def __init__(self, db: Database, cafes: CafeRegistry) -> None:
        self.db = db
        self.cafes = cafes

    def cafe_bookings(self, staff_id: int, cafe_id: str | None = None, start: date | None = None,
                      end: date | None = None) -> list[BookingView]:
        """A cafe's bookings (every status) from `start` to `end` (Asia/Seoul dates, inclusive), by time. `cafe_id`
        None: every cafe the staff member may see. The caller checked they are staff; staff of another cafe are
        refused (OTHER_CAFE)."""
        scope = self.cafes.scope(staff_id)
        conditions: list[ColumnElement[bool]] = []
        if cafe_id is not None:
            if not scope.allows(cafe_id):
                log.warning("refused bookings of cafe %s: staff %s works at another cafe", cafe_id, staff_id)
                raise ConsultationError(Refusal.OTHER_CAFE)
            conditions.append(Slot.cafe_id == cafe_id)
        elif scope.cafes is not None:
            conditions.append(Slot.cafe_id.in_(scope.cafes))
        if start is not None:
            conditions.append(Slot.starts_at >= datetime.combine(start, time(0), SEOUL))
        if end is not None:
            conditions.append(Slot.starts_at < datetime.combine(end + timedelta(days=1), time(0), SEOUL))
        return read_bookings(self.db, *conditions)

    def stats(self, cafe_ids: Iterable[str] | None = None, now: datetime | None = None,
              since: datetime | None = None) -> list[CafeStats]:
        """Per active cafe (or those named): consultations held and no-shows (slots since `since`), and the lead
        time to its next free slot."""
        now = now or utcnow()
        wanted = set(cafe_ids) if cafe_ids is not None else None
        out = []
        with self.db.session() as s:
            for cafe in self.cafes.cafes():
                if wanted is not None and cafe.id not in wanted:
                    continue
                marked = (select(Booking.status, func.count(Booking.id)).join(Slot, Slot.id == Booking.slot_id)
                          .where(Slot.cafe_id == cafe.id,
                                 Booking.status.in_([BookingState.ATTENDED, BookingState.NO_SHOW])))
                if since is not None:
                    marked = marked.where(Slot.starts_at >= since)
                counts = {status: n for status, n in s.execute(marked.group_by(Booking.status)).tuples()}
                next_free = s.scalar(select(func.min(Slot.starts_at)).where(
                    Slot.cafe_id == cafe.id, Slot.status == SlotState.OPEN, Slot.booked < Slot.capacity,
                    Slot.starts_at > now))
                out.append(CafeStats(cafe.id, counts.get(BookingState.ATTENDED, 0),
                                     counts.get(BookingState.NO_SHOW, 0), next_free,
                                     (next_free - now).total_seconds() / 3600 if next_free is not None else None))
        return out
