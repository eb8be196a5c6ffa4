"""The closed sets of consultations, each defined once."""

from __future__ import annotations

from enum import StrEnum


class SlotMode(StrEnum):
    OFFLINE = "offline"  # in person at the expert's cafe
    ONLINE = "online"  # by video


class SlotState(StrEnum):
    OPEN = "open"  # founders may book its free seats
    CLOSED = "closed"  # no new bookings; the booked ones stand
    CANCELLED = "cancelled"  # withdrawn by the expert: its bookings were cancelled and the founders told


class BookingState(StrEnum):
    BOOKED = "booked"  # holds a seat
    CANCELLED = "cancelled"  # by the founder, or with its slot; the seat is free again
    ATTENDED = "attended"
    NO_SHOW = "no_show"


ACTIVE_BOOKING = BookingState.BOOKED


class Refusal(StrEnum):
    """Why a consultation step was refused; the person is told `cs.err.<value>`."""

    NO_SLOT = "no_slot"  # no such slot
    SLOT_FULL = "slot_full"  # someone else took the last seat (or it is closed or cancelled)
    SLOT_PAST = "slot_past"  # the slot has started
    ALREADY_BOOKED = "already_booked"  # this founder holds a seat in it
    TOO_MANY = "too_many"  # BOOKINGS_PER_FOUNDER future bookings already
    NO_SHOWS = "no_shows"  # NO_SHOW_LIMIT no-shows in the last 90 days
    NO_BOOKING = "no_booking"  # no such booking, or not this person's
    TOO_LATE = "too_late"  # inside BOOKING_CANCEL_HOURS of the start
    NOT_STARTED = "not_started"  # attended / no-show before the slot began
    NOT_EXPERT = "not_expert"  # not an active expert, or not this slot's expert
    NO_CAFE = "no_cafe"  # an in-person slot needs the expert's cafe (its address)
    OVERLAP = "overlap"  # the expert has a slot at that time
    OTHER_CAFE = "other_cafe"  # staff of another cafe


class ConsultationError(Exception):
    """A refused step; `refusal` says why, `options` are the next open slots when a seat was lost."""

    def __init__(self, refusal: Refusal, options: list[object] | None = None) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.options = options or []
