"""Consultations' reminders (24 h and 1 h before, to founder and expert) and the expert's "attended?" after the
slot, each claimed once in the database: sent once across replicas and restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.consultations import buttons
from bot.consultations.enums import BookingState
from bot.consultations.views import slot_view
from bot.escalation.outbox import Notice, Outbox
from bot.storage.db import Database, rows_affected
from bot.storage.models.base import utcnow
from bot.storage.models.consultations import ConsultationBooking as Booking
from bot.storage.models.consultations import ConsultationSlot as Slot
from bot.strings import t

MARK_WITHIN = timedelta(days=7)  # the expert is asked "attended or no-show?" for slots that ended this recently


class Reminders:
    def __init__(self, db: Database, expert_lang: str = "ko") -> None:
        self.db = db
        self.expert_lang = expert_lang

    def due(self, now: datetime | None = None) -> int:
        """Queue the reminders due (1 h, then 24 h before) to founder and expert; returns how many bookings were
        reminded. Each is claimed by a conditional UPDATE of its `reminded_*_at`: sent once across replicas and
        restarts. A 1 h reminder also settles a 24 h one not yet sent."""
        now = now or utcnow()
        sent = 0
        # A booking within the hour gets the 1 h reminder only ("tomorrow" would be wrong), on any replica.
        for kind, column, ahead, after in (("1h", Booking.reminded_1h_at, timedelta(hours=1), timedelta(0)),
                                           ("24h", Booking.reminded_24h_at, timedelta(hours=24), timedelta(hours=1))):
            with self.db.session() as s:
                due = list(s.scalars(select(Booking.id).join(Slot, Slot.id == Booking.slot_id)
                                     .where(Booking.status == BookingState.BOOKED, column.is_(None),
                                            Slot.starts_at > now + after, Slot.starts_at <= now + ahead)))
            for booking_id in due:
                with self.db.session() as s:
                    if self._claim(s, booking_id, column, now):
                        self._remind(s, booking_id, kind)
                        sent += 1
        return sent + self._ask_to_mark(now)

    def _ask_to_mark(self, now: datetime) -> int:
        """After a slot ends, its expert gets "attended / no-show?" buttons for each booking, once."""
        with self.db.session() as s:
            rows = s.execute(select(Booking.id, Slot.starts_at, Slot.minutes).join(Slot, Slot.id == Booking.slot_id)
                             .where(Booking.status == BookingState.BOOKED, Booking.mark_asked_at.is_(None),
                                    Slot.starts_at <= now, Slot.starts_at > now - MARK_WITHIN)).tuples().all()
        asked = 0
        for booking_id, starts_at, minutes in rows:
            if starts_at + timedelta(minutes=minutes) > now:
                continue
            with self.db.session() as s:
                if self._claim(s, booking_id, Booking.mark_asked_at, now):
                    booking = s.get_one(Booking, booking_id)
                    view = slot_view(s, s.get_one(Slot, booking.slot_id))
                    Outbox.put(s, Notice(view.expert_id, t("cs.expert.mark", self.expert_lang, id=booking_id,
                                                           when=view.when(self.expert_lang)),
                                         buttons=buttons.mark_buttons(booking_id, self.expert_lang)))
                    asked += 1
        return asked

    @staticmethod
    def _claim(s: Session, booking_id: int, column: InstrumentedAttribute[datetime | None], now: datetime) -> bool:
        claimed = s.execute(update(Booking).where(Booking.id == booking_id, Booking.status == BookingState.BOOKED,
                                                  column.is_(None))
                            .values({column.key: now}).execution_options(synchronize_session=False))
        if rows_affected(claimed) != 1:
            return False
        if column.key == "reminded_1h_at":
            s.execute(update(Booking).where(Booking.id == booking_id, Booking.reminded_24h_at.is_(None))
                      .values(reminded_24h_at=now).execution_options(synchronize_session=False))
        return True

    def _remind(self, s: Session, booking_id: int, kind: str) -> None:
        booking = s.get_one(Booking, booking_id)
        view = slot_view(s, s.get_one(Slot, booking.slot_id))
        lang, expert_lang = booking.lang, self.expert_lang
        Outbox.put(s, Notice(booking.founder_chat_id, t(f"cs.remind.{kind}", lang, id=booking.id,
                                                        when=view.when(lang), place=view.place(lang))))
        Outbox.put(s, Notice(view.expert_id, t(f"cs.expert.remind.{kind}", expert_lang, id=booking.id,
                                               when=view.when(expert_lang), place=view.place(expert_lang))))
