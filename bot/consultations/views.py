"""What the consultations' steps return and staff read: slots, bookings, a confirmation, a founder's offer, a
cafe's figures; and reading them from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from bot.cafes.registry import CafeInfo
from bot.consultations import render
from bot.consultations.enums import BookingState, SlotMode, SlotState
from bot.consultations.ics import booking_ics
from bot.storage.db import Database
from bot.storage.models.cafes import Cafe
from bot.storage.models.consultations import ConsultationBooking as Booking
from bot.storage.models.consultations import ConsultationSlot as Slot
from bot.storage.models.escalation import Expert
from bot.strings import t


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
    lang: str
    stamp: datetime  # when the booking was made: the calendar file's DTSTAMP

    @property
    def filename(self) -> str:
        return t("cs.ics.file", self.lang, id=self.booking_id)

    @property
    def ics(self) -> bytes:
        """The calendar file, built when asked for: the outbox builds it when it sends the confirmation."""
        expert = self.slot.expert_alias or "-"
        return booking_ics(self.booking_id, self.slot.starts_at, self.slot.minutes, t("cs.ics.summary", self.lang),
                           self.slot.place(self.lang), description=f"{expert} (#{self.booking_id})", stamp=self.stamp)


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


def slot_view(s: Session, slot: Slot) -> SlotView:
    """A slot as people read it: the expert's alias and specialties, the cafe as staff last corrected it."""
    expert = s.get(Expert, slot.expert_id)
    cafe = s.get(Cafe, slot.cafe_id) if slot.cafe_id is not None else None
    return SlotView(slot.id, slot.expert_id, (expert.alias or expert.display_name) if expert else "",
                    tuple(expert.specialties) if expert else (), CafeInfo.of(cafe) if cafe else None,
                    slot.starts_at, slot.minutes, SlotMode(slot.mode), slot.capacity, slot.booked,
                    SlotState(slot.status))


def read_bookings(db: Database, *conditions: ColumnElement[bool]) -> list[BookingView]:
    """The bookings (joined with their slots) that meet `conditions`, by the slot's time."""
    with db.session() as s:
        rows = s.execute(select(Booking, Slot).join(Slot, Slot.id == Booking.slot_id).where(*conditions)
                         .order_by(Slot.starts_at, Booking.id)).tuples().all()
        views: dict[int, SlotView] = {}
        out = []
        for booking, slot in rows:
            view = views.get(slot.id) or views.setdefault(slot.id, slot_view(s, slot))
            out.append(BookingView(booking.id, view, booking.founder_id, BookingState(booking.status),
                                   booking.ticket_id, booking.created_at))
        return out
