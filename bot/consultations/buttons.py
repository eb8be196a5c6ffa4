"""Callback data of the consultation buttons, built and parsed here only: cs:<action>:<id>[:<id>].

The outbox stores buttons as (label, data), so the domain builds them; the Telegram handlers register PATTERN (or
`pattern(...)` for their own actions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.strings import t

Buttons = list[list[tuple[str, str]]]


class Action(StrEnum):
    # Founders
    BOOK = "b"  # cs:b:<slot>[:<ticket>]: take a seat (tied to the ticket, if any)
    LIST = "l"  # cs:l:<ticket or 0>: the open slots (from a ticket's "book a consultation" button)
    CANCEL = "c"  # cs:c:<booking>: ask "cancel this booking?"
    CANCEL_YES = "cy"  # cs:cy:<booking>: cancel it
    RESCHEDULE = "r"  # cs:r:<booking>: the open slots to move to
    MOVE = "mv"  # cs:mv:<booking>:<slot>: move the booking there
    CALENDAR = "i"  # cs:i:<booking>: the .ics again
    # Experts
    CLOSE = "x"  # cs:x:<slot>: no new bookings
    WITHDRAW = "w"  # cs:w:<slot>: ask "cancel this slot and tell its founders?"
    WITHDRAW_YES = "wy"  # cs:wy:<slot>: do it
    ATTENDED = "a"  # cs:a:<booking>
    NO_SHOW = "n"  # cs:n:<booking>


FOUNDER_ACTIONS = (Action.BOOK, Action.LIST, Action.CANCEL, Action.CANCEL_YES, Action.RESCHEDULE, Action.MOVE,
                   Action.CALENDAR)
EXPERT_ACTIONS = (Action.CLOSE, Action.WITHDRAW, Action.WITHDRAW_YES, Action.ATTENDED, Action.NO_SHOW)


def pattern(actions: Iterable[Action]) -> str:
    """The pattern of some actions only, for a handler of one side (founders or experts)."""
    return rf"^cs:({'|'.join(a.value for a in actions)}):(\d+)(?::(\d+))?$"


PATTERN = pattern(Action)


@dataclass(frozen=True)
class Press:
    action: Action
    id: int  # the slot, booking or ticket the action names
    extra: int | None = None  # BOOK: the ticket; MOVE: the slot


def data(action: Action, id_: int, extra: int | None = None) -> str:
    return f"cs:{action.value}:{id_}" + (f":{extra}" if extra is not None else "")


def parse(text: str | None) -> Press | None:
    """The press behind callback data matching PATTERN, else None."""
    found = re.match(PATTERN, text or "")
    if found is None:
        return None
    return Press(Action(found.group(1)), int(found.group(2)),
                 int(found.group(3)) if found.group(3) is not None else None)


def booking_buttons(booking_id: int, lang: str) -> Buttons:
    """Under a founder's confirmation and in /mybookings: the calendar file, reschedule, cancel."""
    return [[(t("cs.btn.calendar", lang), data(Action.CALENDAR, booking_id))],
            [(t("cs.btn.reschedule", lang), data(Action.RESCHEDULE, booking_id)),
             (t("cs.btn.cancel", lang), data(Action.CANCEL, booking_id))]]


def mark_buttons(booking_id: int, lang: str) -> Buttons:
    """The expert's "attended / no-show" for one booking."""
    return [[(t("cs.btn.attended", lang), data(Action.ATTENDED, booking_id)),
             (t("cs.btn.no_show", lang), data(Action.NO_SHOW, booking_id))]]


def book_for_ticket(ticket_id: int | None, lang: str) -> tuple[str, str]:
    """"Book a consultation" under an expert's reply or a closed ticket (0: not tied to a ticket)."""
    return t("cs.btn.book", lang), data(Action.LIST, ticket_id or 0)


def slot_buttons(slot_id: int, is_open: bool, lang: str) -> Buttons:
    """Under one of an expert's slots in /slots: close it to new bookings (while open), or cancel it."""
    close = [(t("slots.btn.close", lang, id=slot_id), data(Action.CLOSE, slot_id))] if is_open else []
    return [close + [(t("slots.btn.withdraw", lang, id=slot_id), data(Action.WITHDRAW, slot_id))]]


def withdraw_buttons(slot_id: int, lang: str) -> Buttons:
    """The expert's "yes, cancel it and tell its founders"."""
    return [[(t("slots.btn.withdraw_yes", lang), data(Action.WITHDRAW_YES, slot_id))]]
