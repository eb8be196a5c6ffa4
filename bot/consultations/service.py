"""Consultations, each step one transaction with the notices it causes (the outbox delivers them)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, case, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.cafes.registry import CafeInfo, CafeRegistry
from bot.consultations import buttons, render
from bot.consultations.enums import BookingState, ConsultationError, Refusal, SlotMode, SlotState
from bot.consultations.forms import SEOUL, SlotForm, WeeklyRule
from bot.consultations.ics import booking_ics
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
MARK_WITHIN = timedelta(days=7)  # the expert is asked "attended or no-show?" for slots that ended this recently
SEAT_RETRIES = 3  # a seat lost to a founder inserting the same seat a moment earlier: try the next free one
T = TypeVar("T")


@dataclass(frozen=True)
class SlotView:
    id: int
    expert_id: int
    expert_alias: str
    specialties: tuple[str, ...]
    cafe: CafeInfo | None
    starts_at: datetime
    minutes: int
    mode: SlotMode
    capacity: int
    booked: int
    status: SlotState

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def cafe_id(self) -> str | None:
        return self.cafe.id if self.cafe is not None else None

    def when(self, lang: str) -> str:
        return render.when(self.starts_at, self.minutes, lang)

    def place(self, lang: str) -> str:
        return render.place(self.mode, self.cafe, lang)


@dataclass(frozen=True)
class BookingView:
    id: int
    slot: SlotView
    founder_id: int
    status: BookingState
    ticket_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class Confirmation:
    """What the founder gets: the text (time in Asia/Seoul, place or online) and the calendar file."""

    booking_id: int
    slot: SlotView
    text: str
    ics: bytes
    filename: str


@dataclass(frozen=True)
class Offer:
    """The open slots shown to a founder, and what the list needs to say about their cafe."""

    slots: list[SlotView]
    own_cafe: str | None  # the founder's cafe: its slots come first
    pick_cafe: bool  # several cafes and none chosen: /cafe would put theirs first


@dataclass(frozen=True)
class CafeStats:
    cafe_id: str
    held: int  # bookings marked attended
    no_shows: int
    next_free: datetime | None  # the earliest open slot with a free seat
    lead_hours: float | None  # hours from now to it

    @property
    def no_show_rate(self) -> float | None:
        marked = self.held + self.no_shows
        return self.no_shows / marked if marked else None


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
            return self._view(s, slot)

    def publish_weekly(self, expert_id: int, rule: WeeklyRule, now: datetime | None = None) -> list[SlotView]:
        """Office hours: a slot on the rule's weekday for each of the next weeks, in one transaction; a week where
        the expert already has a slot at that time is skipped."""
        now = now or utcnow()
        with self.db.session() as s:
            made = [slot for form in rule.slots(now) if (slot := self._new_slot(s, expert_id, form, now))]
            log.info("expert %s published %d weekly slots", user_ref(expert_id), len(made))
            return [self._view(s, slot) for slot in made]

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
            return [self._view(s, slot) for slot in rows]

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
            return self._view(s, self._own_slot(s, slot_id, expert_id))

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
            return self._view(s, slot)

    def cancel_slot(self, slot_id: int, expert_id: int, now: datetime | None = None) -> int:
        """Withdraw a slot: its bookings are cancelled and each founder told. Returns how many were told. Refused
        once the slot has begun: its bookings are then to be marked attended or no-show, not cancelled."""
        now = now or utcnow()
        with self.db.session() as s:
            if self._own_slot(s, slot_id, expert_id).starts_at <= now:
                raise ConsultationError(Refusal.SLOT_PAST)
            # The slot's row first: a booking racing with this waits for it and then finds the slot not open. A
            # slot already cancelled (an old confirmation pressed again) is refused, not cancelled twice.
            withdrawn = s.execute(update(Slot).where(Slot.id == slot_id, Slot.status != SlotState.CANCELLED)
                                  .values(status=SlotState.CANCELLED).execution_options(synchronize_session=False))
            if rows_affected(withdrawn) != 1:
                raise ConsultationError(Refusal.NO_SLOT)
            slot = s.get_one(Slot, slot_id)
            s.refresh(slot)
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
            return [self._view(s, slot) for slot in rows]

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
        view = self._view(s, slot)
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
        expert = view.expert_alias or "-"
        text = t("cs.confirmed", lang, id=booking_id, when=view.when(lang), place=view.place(lang), expert=expert,
                 hours=render.hours(self.cancel_hours))
        location = view.place(lang)
        ics = booking_ics(booking_id, view.starts_at, view.minutes, t("cs.ics.summary", lang), location,
                          description=f"{expert} (#{booking_id})", stamp=now)
        return Confirmation(booking_id, view, text, ics, t("cs.ics.file", lang, id=booking_id))

    def calendar(self, booking_id: int, founder_id: int | None = None) -> tuple[str, bytes] | None:
        """The booking's calendar file (name, bytes) in its founder's language; None if it is gone, cancelled or
        (with `founder_id`) someone else's."""
        with self.db.session() as s:
            booking = s.get(Booking, booking_id)
            if booking is None or booking.status == BookingState.CANCELLED or (
                    founder_id is not None and booking.founder_id != founder_id):
                return None
            view = self._view(s, s.get_one(Slot, booking.slot_id))
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
        return self._bookings(Booking.founder_id == founder_id, Booking.status == BookingState.BOOKED,
                              Slot.starts_at > now)

    # Reminders
    def due_reminders(self, now: datetime | None = None) -> int:
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
                    view = self._view(s, s.get_one(Slot, booking.slot_id))
                    Outbox.put(s, Notice(view.expert_id, t("cs.expert.mark", self.expert_lang, id=booking_id,
                                                           when=view.when(self.expert_lang)),
                                         buttons=buttons.mark_buttons(booking_id, self.expert_lang)))
                    asked += 1
        return asked

    def to_mark(self, expert_id: int, now: datetime | None = None) -> list[BookingView]:
        """The expert's bookings of slots begun in the last week that are not yet marked attended or no-show."""
        now = now or utcnow()
        return self._bookings(Slot.expert_id == expert_id, Booking.status == BookingState.BOOKED,
                              Slot.starts_at <= now, Slot.starts_at > now - MARK_WITHIN)

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
        view = self._view(s, s.get_one(Slot, booking.slot_id))
        lang, expert_lang = booking.lang, self.expert_lang
        Outbox.put(s, Notice(booking.founder_chat_id, t(f"cs.remind.{kind}", lang, id=booking.id,
                                                        when=view.when(lang), place=view.place(lang))))
        Outbox.put(s, Notice(view.expert_id, t(f"cs.expert.remind.{kind}", expert_lang, id=booking.id,
                                               when=view.when(expert_lang), place=view.place(expert_lang))))

    # Staff
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
        return self._bookings(*conditions)

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

    # Reading
    def _bookings(self, *conditions: ColumnElement[bool]) -> list[BookingView]:
        with self.db.session() as s:
            rows = s.execute(select(Booking, Slot).join(Slot, Slot.id == Booking.slot_id).where(*conditions)
                             .order_by(Slot.starts_at, Booking.id)).tuples().all()
            views: dict[int, SlotView] = {}
            out = []
            for booking, slot in rows:
                view = views.get(slot.id) or views.setdefault(slot.id, self._view(s, slot))
                out.append(BookingView(booking.id, view, booking.founder_id, BookingState(booking.status),
                                       booking.ticket_id, booking.created_at))
            return out

    @staticmethod
    def _view(s: Session, slot: Slot) -> SlotView:
        expert = s.get(Expert, slot.expert_id)
        cafe = s.get(Cafe, slot.cafe_id) if slot.cafe_id is not None else None
        return SlotView(slot.id, slot.expert_id, (expert.alias or expert.display_name) if expert else "",
                        tuple(expert.specialties) if expert else (), CafeInfo.of(cafe) if cafe else None,
                        slot.starts_at, slot.minutes, SlotMode(slot.mode), slot.capacity, slot.booked,
                        SlotState(slot.status))


def _clipped(fields: dict[str, str]) -> dict[str, str]:
    return {name: value if len(value) <= IDEA_FIELD_CHARS else value[:IDEA_FIELD_CHARS - 1] + "…"
            for name, value in fields.items()}
