"""Consultations: experts' slots and founders' bookings, each step one transaction with the notices it causes (the
outbox delivers them). Reminders and staff's reports are their own modules, reached through this service."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import case, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.cafes.registry import CafeInfo, CafeRegistry
from bot.consultations import buttons, render
from bot.consultations.enums import BookingState, ConsultationError, Refusal, SlotMode, SlotState
from bot.consultations.forms import SlotForm, WeeklyRule
from bot.consultations.reminders import MARK_WITHIN, Reminders
from bot.consultations.reports import BookingReports
from bot.consultations.views import (
    BookingView,
    CafeStats,
    Confirmation,
    Offer,
    SlotView,
    read_bookings,
    slot_view,
)
from bot.escalation.enums import ContentKind
from bot.escalation.notices import fields_text
from bot.escalation.outbox import Notice, Outbox
from bot.observability.logs import user_ref
from bot.storage.db import Database, rows_affected
from bot.storage.models.base import utcnow
from bot.storage.models.cafes import Cafe
from bot.storage.models.consultations import ConsultationBooking as Booking
from bot.storage.models.consultations import ConsultationSlot as Slot
from bot.storage.models.escalation import Expert, Ticket
from bot.strings import t

log = logging.getLogger(__name__)

NO_SHOW_DAYS = 90
IDEA_FIELD_CHARS = 300  # each intake answer in the expert's booking notice: the whole idea fits one message
SEAT_RETRIES = 3  # a seat lost to a founder inserting the same seat a moment earlier: try the next free one
T = TypeVar("T")


class Consultations:
    def __init__(self, db: Database, cafes: CafeRegistry | None = None, *, per_founder: int = 2,
                 cancel_hours: float = 24.0, no_show_limit: int = 2, expert_lang: str = "ko") -> None:
        """`no_show_limit` 0: no-shows never limit booking."""
        self.db = db
        self.cafes = cafes or CafeRegistry(db)
        self.per_founder = per_founder
        self.cancel_hours = cancel_hours
        self.no_show_limit = no_show_limit
        self.expert_lang = expert_lang
        self.reminders = Reminders(db, expert_lang)
        self.reports = BookingReports(db, self.cafes)

    # Experts
    def publish(self, expert_id: int, form: SlotForm, now: datetime | None = None) -> SlotView:
        """One slot of the expert's: at their cafe (offline) or online. Refused: not an expert, in the past, an
        in-person slot without a cafe, or overlapping one of their slots."""
        now = now or utcnow()
        with self.db.session() as s:
            slot = self._new_slot(s, expert_id, form, now)
            if slot is None:
                raise ConsultationError(Refusal.OVERLAP)
            log.info("expert %s published slot %s", user_ref(expert_id), slot.id)
            return slot_view(s, slot)

    def publish_weekly(self, expert_id: int, rule: WeeklyRule, now: datetime | None = None) -> list[SlotView]:
        """Office hours: a slot on the rule's weekday for each of the next weeks, in one transaction; a week where
        the expert already has a slot at that time is skipped."""
        now = now or utcnow()
        with self.db.session() as s:
            made = [slot for form in rule.slots(now) if (slot := self._new_slot(s, expert_id, form, now))]
            log.info("expert %s published %d weekly slots", user_ref(expert_id), len(made))
            return [slot_view(s, slot) for slot in made]

    def _new_slot(self, s: Session, expert_id: int, form: SlotForm, now: datetime) -> Slot | None:
        expert = s.get(Expert, expert_id)
        if expert is None or not expert.active:
            raise ConsultationError(Refusal.NOT_EXPERT)
        if form.starts_at <= now:
            raise ConsultationError(Refusal.SLOT_PAST)
        if form.mode == SlotMode.OFFLINE and expert.cafe_id is None:
            raise ConsultationError(Refusal.NO_CAFE)
        start, end = form.starts_at, form.starts_at + timedelta(minutes=form.minutes)
        nearby = s.scalars(select(Slot).where(Slot.expert_id == expert_id, Slot.status != SlotState.CANCELLED,
                                              Slot.starts_at < end, Slot.starts_at > start - timedelta(days=1)))
        if any(other.starts_at + timedelta(minutes=other.minutes) > start for other in nearby):
            return None
        slot = Slot(expert_id=expert_id, cafe_id=expert.cafe_id, starts_at=form.starts_at, minutes=form.minutes,
                    mode=form.mode, capacity=form.capacity, booked=0, status=SlotState.OPEN)
        s.add(slot)
        s.flush()
        return slot

    def expert_slots(self, expert_id: int, now: datetime | None = None) -> list[SlotView]:
        """The expert's slots still ahead (open or closed), by time."""
        now = now or utcnow()
        with self.db.session() as s:
            rows = s.scalars(select(Slot).where(Slot.expert_id == expert_id, Slot.status != SlotState.CANCELLED,
                                                Slot.starts_at > now).order_by(Slot.starts_at, Slot.id))
            return [slot_view(s, slot) for slot in rows]

    def expert_cafe(self, expert_id: int) -> CafeInfo | None:
        """The cafe an active expert's in-person slots are at (None: online only); NOT_EXPERT for anyone else."""
        with self.db.session() as s:
            expert = s.get(Expert, expert_id)
            if expert is None or not expert.active:
                raise ConsultationError(Refusal.NOT_EXPERT)
            cafe = s.get(Cafe, expert.cafe_id) if expert.cafe_id is not None else None
            return CafeInfo.of(cafe) if cafe is not None else None

    def agenda(self, expert_id: int, now: datetime | None = None) -> tuple[list[SlotView], list[BookingView]]:
        """An active expert's slots still ahead and their bookings still to mark (/slots); NOT_EXPERT for anyone
        else."""
        now = now or utcnow()
        self.expert_cafe(expert_id)
        return self.expert_slots(expert_id, now), self.to_mark(expert_id, now)

    def expert_slot(self, slot_id: int, expert_id: int) -> SlotView:
        """One of the expert's slots (e.g. to say how many founders a cancellation would tell); NO_SLOT, or
        NOT_EXPERT for another expert's."""
        with self.db.session() as s:
            return slot_view(s, self._own_slot(s, slot_id, expert_id))

    def to_mark(self, expert_id: int, now: datetime | None = None) -> list[BookingView]:
        """The expert's bookings of slots begun in the last week that are not yet marked attended or no-show."""
        now = now or utcnow()
        return read_bookings(self.db, Slot.expert_id == expert_id, Booking.status == BookingState.BOOKED,
                             Slot.starts_at <= now, Slot.starts_at > now - MARK_WITHIN)

    def close_slot(self, slot_id: int, expert_id: int, now: datetime | None = None) -> SlotView:
        """No new bookings; the booked founders keep their seats. Refused once the slot has begun."""
        now = now or utcnow()
        with self.db.session() as s:
            slot = self._own_slot(s, slot_id, expert_id)
            if slot.starts_at <= now:
                raise ConsultationError(Refusal.SLOT_PAST)
            s.execute(update(Slot).where(Slot.id == slot_id, Slot.status == SlotState.OPEN)
                      .values(status=SlotState.CLOSED))
            s.refresh(slot)
            return slot_view(s, slot)

    def cancel_slot(self, slot_id: int, expert_id: int, now: datetime | None = None) -> int:
        """Withdraw a slot: its bookings are cancelled and each founder told. Returns how many were told. Refused
        once the slot has begun: its bookings are then to be marked attended or no-show, not cancelled."""
        now = now or utcnow()
        with self.db.session() as s:
            slot = self._own_slot(s, slot_id, expert_id)
            if slot.starts_at <= now:
                raise ConsultationError(Refusal.SLOT_PAST)
            # The slot's row first: a booking racing with this waits for it and then finds the slot not open. A
            # slot already cancelled (an old confirmation pressed again) is refused, not cancelled twice.
            withdrawn = s.execute(update(Slot).where(Slot.id == slot_id, Slot.status != SlotState.CANCELLED)
                                  .values(status=SlotState.CANCELLED).execution_options(synchronize_session=False))
            if rows_affected(withdrawn) != 1:
                raise ConsultationError(Refusal.NO_SLOT)
            told = 0
            for booking in s.scalars(select(Booking).where(Booking.slot_id == slot_id,
                                                           Booking.status == BookingState.BOOKED)).all():
                if self._release(s, booking, now):
                    Outbox.put(s, Notice(booking.founder_chat_id, t(
                        "cs.slot_cancelled", booking.lang, id=booking.id,
                        when=render.when(slot.starts_at, slot.minutes, booking.lang))))
                    told += 1
            log.info("expert %s cancelled slot %s: %d founders told", user_ref(expert_id), slot_id, told)
            return told

    def mark(self, booking_id: int, expert_id: int, attended: bool, now: datetime | None = None) -> BookingState:
        """The slot's expert marks a founder attended or no-show (once the slot has started; correctable)."""
        now = now or utcnow()
        with self.db.session() as s:
            booking = s.get(Booking, booking_id)
            if booking is None or booking.status == BookingState.CANCELLED:
                raise ConsultationError(Refusal.NO_BOOKING)
            slot = self._own_slot(s, booking.slot_id, expert_id)
            if slot.starts_at > now:
                raise ConsultationError(Refusal.NOT_STARTED)
            booking.status = BookingState.ATTENDED if attended else BookingState.NO_SHOW
            booking.marked_at = now
            return BookingState(booking.status)

    @staticmethod
    def _own_slot(s: Session, slot_id: int, expert_id: int) -> Slot:
        slot = s.get(Slot, slot_id)
        if slot is None:
            raise ConsultationError(Refusal.NO_SLOT)
        if slot.expert_id != expert_id:
            log.warning("refused: %s is not the expert of slot %s", user_ref(expert_id), slot_id)
            raise ConsultationError(Refusal.NOT_EXPERT)
        return slot

    # Founders
    def open_slots(self, founder_id: int | None = None, cafe_id: str | None = None, now: datetime | None = None,
                   limit: int = 10, exclude: Iterable[int] = ()) -> list[SlotView]:
        """Slots with a free seat still ahead: the founder's cafe first, then other cafes, each by date."""
        now = now or utcnow()
        query = select(Slot).where(Slot.status == SlotState.OPEN, Slot.booked < Slot.capacity, Slot.starts_at > now)
        if founder_id is not None:
            query = query.where(~exists().where(Booking.slot_id == Slot.id, Booking.founder_id == founder_id,
                                                Booking.status == BookingState.BOOKED))
        skipped = list(exclude)
        if skipped:
            query = query.where(Slot.id.not_in(skipped))
        order: list[Any] = [case((Slot.cafe_id == cafe_id, 0), else_=1)] if cafe_id is not None else []
        with self.db.session() as s:
            rows = s.scalars(query.order_by(*order, Slot.starts_at, Slot.id).limit(limit)).all()
            return [slot_view(s, slot) for slot in rows]

    def offer(self, founder_id: int, now: datetime | None = None, limit: int = 8,
              exclude: Iterable[int] = ()) -> Offer:
        """The open slots for the founder to pick from: their cafe's first, then other cafes', each by date."""
        own = self.cafes.founder_cafe(founder_id)
        slots = self.open_slots(founder_id, own, now, limit, exclude)
        return Offer(slots, own, own is None and len(self.cafes.cafes()) > 1)

    def book(self, slot_id: int, founder_id: int, founder_chat_id: int, ticket_id: int | None = None, *,
             lang: str = "ko", cafe_id: str | None = None, now: datetime | None = None) -> Confirmation:
        """A seat in the slot for the founder, or ConsultationError: a lost race (SLOT_FULL, with the next open
        slots as `options`, the founder's cafe `cafe_id` (default: the one they chose) first), the per-founder
        limit, the no-show limit."""
        now = now or utcnow()
        cafe_id = cafe_id or self.cafes.founder_cafe(founder_id)

        def step(s: Session) -> Confirmation:
            return self._book_in(s, slot_id, founder_id, founder_chat_id, ticket_id, lang, now)

        return self._booking(step, slot_id, founder_id, cafe_id, now)

    def reschedule(self, booking_id: int, founder_id: int, slot_id: int, *, cafe_id: str | None = None,
                   now: datetime | None = None) -> Confirmation:
        """Move a booking to another slot in one transaction: if the new seat is refused the old one stands."""
        now = now or utcnow()
        cafe_id = cafe_id or self.cafes.founder_cafe(founder_id)

        def step(s: Session) -> Confirmation:
            old = self._cancellable(s, booking_id, founder_id, now, also_lock=slot_id)
            self._release(s, old, now)
            self._tell_expert_cancelled(s, old)
            return self._book_in(s, slot_id, founder_id, old.founder_chat_id, old.ticket_id, old.lang, now)

        return self._booking(step, slot_id, founder_id, cafe_id, now)

    def _booking(self, step: Callable[[Session], T], slot_id: int, founder_id: int, cafe_id: str | None,
                 now: datetime) -> T:
        for _ in range(SEAT_RETRIES):
            try:
                with self.db.session() as s:
                    return step(s)
            except IntegrityError:
                # Another founder's booking took the seat this one chose (rolled back): the next free seat, if any.
                log.info("seat of slot %s taken concurrently; trying again", slot_id)
            except ConsultationError as refused:
                if refused.refusal is Refusal.SLOT_FULL:
                    options = self.open_slots(founder_id, cafe_id, now, limit=5, exclude=[slot_id])
                    raise ConsultationError(Refusal.SLOT_FULL, list(options)) from None
                raise
        options = self.open_slots(founder_id, cafe_id, now, limit=5, exclude=[slot_id])
        raise ConsultationError(Refusal.SLOT_FULL, list(options))

    def _book_in(self, s: Session, slot_id: int, founder_id: int, chat_id: int, ticket_id: int | None, lang: str,
                 now: datetime) -> Confirmation:
        slot = s.get(Slot, slot_id)
        if slot is None:
            raise ConsultationError(Refusal.NO_SLOT)
        if slot.starts_at <= now:
            raise ConsultationError(Refusal.SLOT_PAST)
        hold = self._check_founder(s, founder_id, now)
        if s.scalar(select(Booking.id).where(Booking.slot_id == slot_id, Booking.founder_id == founder_id,
                                             Booking.status == BookingState.BOOKED)) is not None:
            raise ConsultationError(Refusal.ALREADY_BOOKED)
        # The seat count is raised only while the slot is open and not full, checked by the database under the
        # row's lock: of founders racing for the last seat, one UPDATE matches, the others' match nothing.
        won = s.execute(update(Slot).where(Slot.id == slot_id, Slot.status == SlotState.OPEN,
                                           Slot.booked < Slot.capacity)
                        .values(booked=Slot.booked + 1).execution_options(synchronize_session=False))
        if rows_affected(won) != 1:
            log.info("founder %s lost slot %s: full or closed", user_ref(founder_id), slot_id)
            raise ConsultationError(Refusal.SLOT_FULL)
        s.refresh(slot)
        taken = set(s.scalars(select(Booking.seat).where(Booking.slot_id == slot_id, Booking.seat.is_not(None))))
        free = [seat for seat in range(1, slot.capacity + 1) if seat not in taken]
        if not free:
            raise ConsultationError(Refusal.SLOT_FULL)
        ahead = slot.starts_at - now
        booking = Booking(slot_id=slot_id, seat=free[0], hold=hold, founder_id=founder_id, founder_chat_id=chat_id,
                          ticket_id=ticket_id, lang=lang, status=BookingState.BOOKED,
                          # A reminder whose time has passed at booking is not sent: the confirmation is fresh.
                          reminded_24h_at=now if ahead <= timedelta(hours=24) else None,
                          reminded_1h_at=now if ahead <= timedelta(hours=1) else None)
        s.add(booking)
        # (slot_id, seat) is unique: a founder who chose the same seat a moment earlier wins; (founder_id, hold) is
        # unique: the same founder booking on another replica at the same instant cannot pass the limit twice.
        s.flush()
        view = slot_view(s, slot)
        idea = s.get(Ticket, ticket_id) if ticket_id is not None else None
        if idea is not None and idea.founder_id != founder_id:  # only the founder's own idea goes to the expert
            log.warning("founder %s tied a booking to ticket %s, not theirs: ignored", user_ref(founder_id), ticket_id)
            idea = None
        booking.ticket_id = idea.id if idea is not None else None
        # The idea itself, as the case card shows it, so the expert reads it before they meet.
        ticket = (t("cs.expert.ticket", self.expert_lang, ticket=idea.id,
                    fields=fields_text(_clipped(idea.fields), self.expert_lang)) if idea is not None else "")
        Outbox.put(s, Notice(slot.expert_id, t("cs.expert.booked", self.expert_lang, id=booking.id,
                                               when=view.when(self.expert_lang),
                                               place=view.place(self.expert_lang), ticket=ticket)))
        log.info("founder %s booked slot %s (booking %s)", user_ref(founder_id), slot_id, booking.id)
        confirmation = self._confirmation(booking.id, view, lang, now)
        # The confirmation and its calendar file go through the outbox with the booking: promised, never lost.
        Outbox.put(s, Notice(chat_id, confirmation.text, kind=ContentKind.CALENDAR, file_id=str(booking.id),
                             buttons=buttons.booking_buttons(booking.id, lang)))
        return confirmation

    def _check_founder(self, s: Session, founder_id: int, now: datetime) -> int:
        """The no-show limit, then one of the founder's BOOKINGS_PER_FOUNDER places for the new booking."""
        if self.no_show_limit > 0:
            missed = s.scalar(select(func.count(Booking.id)).join(Slot, Slot.id == Booking.slot_id)
                              .where(Booking.founder_id == founder_id, Booking.status == BookingState.NO_SHOW,
                                     Slot.starts_at >= now - timedelta(days=NO_SHOW_DAYS))) or 0
            if missed >= self.no_show_limit:
                log.info("founder %s refused: %d no-shows", user_ref(founder_id), missed)
                raise ConsultationError(Refusal.NO_SHOWS)
        # A booking whose slot has begun no longer counts: its place is given back before choosing one.
        s.execute(update(Booking).where(Booking.founder_id == founder_id, Booking.hold.is_not(None),
                                        Booking.slot_id.in_(select(Slot.id).where(Slot.starts_at <= now)))
                  .values(hold=None).execution_options(synchronize_session=False))
        held = set(s.scalars(select(Booking.hold).where(Booking.founder_id == founder_id, Booking.hold.is_not(None))))
        free = [n for n in range(1, self.per_founder + 1) if n not in held]
        if not free:
            raise ConsultationError(Refusal.TOO_MANY)
        return free[0]

    def _confirmation(self, booking_id: int, view: SlotView, lang: str, now: datetime) -> Confirmation:
        text = t("cs.confirmed", lang, id=booking_id, when=view.when(lang), place=view.place(lang),
                 expert=view.expert_alias or "-", hours=render.hours(self.cancel_hours))
        return Confirmation(booking_id, view, text, lang, now)

    def calendar(self, booking_id: int, founder_id: int | None = None) -> tuple[str, bytes] | None:
        """The booking's calendar file (name, bytes) in its founder's language; None if it is gone, cancelled or
        (with `founder_id`) someone else's."""
        with self.db.session() as s:
            booking = s.get(Booking, booking_id)
            if booking is None or booking.status == BookingState.CANCELLED or (
                    founder_id is not None and booking.founder_id != founder_id):
                return None
            view = slot_view(s, s.get_one(Slot, booking.slot_id))
            made = self._confirmation(booking.id, view, booking.lang, booking.created_at)
            return made.filename, made.ics

    def cancel(self, booking_id: int, founder_id: int, now: datetime | None = None) -> None:
        """The founder cancels (up to BOOKING_CANCEL_HOURS before): the seat reopens and the expert is told."""
        now = now or utcnow()
        with self.db.session() as s:
            booking = self._cancellable(s, booking_id, founder_id, now)
            if self._release(s, booking, now):
                self._tell_expert_cancelled(s, booking)
                log.info("founder %s cancelled booking %s", user_ref(founder_id), booking_id)

    def _cancellable(self, s: Session, booking_id: int, founder_id: int, now: datetime,
                     also_lock: int | None = None) -> Booking:
        """The founder's active booking, still before the cut-off; its slot's row (and `also_lock`'s) locked first,
        in id order, as cancelling a slot and booking lock them: slot before booking, so none waits on another."""
        booking = s.get(Booking, booking_id)
        if booking is None or booking.founder_id != founder_id or booking.status != BookingState.BOOKED:
            raise ConsultationError(Refusal.NO_BOOKING)
        ids = sorted({booking.slot_id, *([also_lock] if also_lock is not None else [])})
        s.scalars(select(Slot.id).where(Slot.id.in_(ids)).order_by(Slot.id).with_for_update()).all()
        slot = s.get_one(Slot, booking.slot_id)
        if slot.starts_at - now < timedelta(hours=self.cancel_hours):
            raise ConsultationError(Refusal.TOO_LATE)
        return booking

    def _tell_expert_cancelled(self, s: Session, booking: Booking) -> None:
        slot = s.get_one(Slot, booking.slot_id)
        Outbox.put(s, Notice(slot.expert_id, t("cs.expert.cancelled", self.expert_lang, id=booking.id,
                                               when=render.when(slot.starts_at, slot.minutes, self.expert_lang))))

    @staticmethod
    def _release(s: Session, booking: Booking, now: datetime) -> bool:
        """Cancel an active booking and give its seat back, if it is still active (checked by the UPDATE)."""
        done = s.execute(update(Booking).where(Booking.id == booking.id, Booking.status == BookingState.BOOKED)
                         .values(status=BookingState.CANCELLED, seat=None, hold=None, cancelled_at=now)
                         .execution_options(synchronize_session=False))
        if rows_affected(done) != 1:
            return False
        s.execute(update(Slot).where(Slot.id == booking.slot_id).values(booked=Slot.booked - 1)
                  .execution_options(synchronize_session=False))
        s.expire_all()
        return True

    def founder_bookings(self, founder_id: int, now: datetime | None = None) -> list[BookingView]:
        """The founder's bookings still ahead, by time."""
        now = now or utcnow()
        return read_bookings(self.db, Booking.founder_id == founder_id, Booking.status == BookingState.BOOKED,
                             Slot.starts_at > now)

    # Reminders and staff's reports (bot.consultations.reminders, .reports)
    def due_reminders(self, now: datetime | None = None) -> int:
        """Queue the reminders and "attended?" questions due; returns how many (see Reminders.due)."""
        return self.reminders.due(now)

    def cafe_bookings(self, staff_id: int, cafe_id: str | None = None, start: date | None = None,
                      end: date | None = None) -> list[BookingView]:
        """A cafe's bookings for its staff (see BookingReports.cafe_bookings)."""
        return self.reports.cafe_bookings(staff_id, cafe_id, start, end)

    def stats(self, cafe_ids: Iterable[str] | None = None, now: datetime | None = None,
              since: datetime | None = None) -> list[CafeStats]:
        """Each cafe's consultations held, no-shows and next free slot (see BookingReports.stats)."""
        return self.reports.stats(cafe_ids, now, since)


def _clipped(fields: dict[str, str]) -> dict[str, str]:
    return {name: value if len(value) <= IDEA_FIELD_CHARS else value[:IDEA_FIELD_CHARS - 1] + "…"
            for name, value in fields.items()}
