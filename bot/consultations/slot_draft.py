"""The guided /slots flow's rules, apart from Telegram: which answers each kind of form asks for, in what order,
how a typed or tapped answer is checked, and the form the answers make.

Each answer is kept as the word the quick form would have (`2026-12-10`, `14:00`, `60`, `offline`, `tue`, `4`),
so the finished draft goes through the quick form's own parser: one set of rules for both ways in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum

# The quick form's word parsers: the guided flow checks each answer exactly as the quick form would.
from bot.consultations.forms import (
    MAX_CAPACITY,
    MAX_MINUTES,
    MAX_WEEKS,
    SEOUL,
    WEEKDAYS,
    FormProblem,
    SlotForm,
    SlotFormError,
    WeeklyRule,
    parse_date,
    parse_int,
    parse_mode,
    parse_slot,
    parse_time,
    parse_weekday,
    parse_weekly,
)


class Kind(StrEnum):
    ONE = "one"  # a single slot on a date
    WEEKLY = "weekly"  # office hours: a weekday for the next weeks


class Field(StrEnum):
    DATE = "date"
    WEEKDAY = "weekday"
    TIME = "time"
    MINUTES = "minutes"
    MODE = "mode"
    WEEKS = "weeks"
    SEATS = "seats"


# The order the answers are asked in, and the order of the quick form's words.
STEPS: dict[Kind, tuple[Field, ...]] = {
    Kind.ONE: (Field.DATE, Field.TIME, Field.MINUTES, Field.MODE, Field.SEATS),
    Kind.WEEKLY: (Field.WEEKDAY, Field.TIME, Field.MINUTES, Field.MODE, Field.WEEKS, Field.SEATS),
}
DAYS_OFFERED = 14
TIMES_OFFERED = ("10:00", "11:00", "14:00", "15:00", "16:00", "19:00")
MINUTES_OFFERED = (30, 60, 90, 120)
SEATS_OFFERED = (1, 2, 3, 5)
WEEKS_OFFERED = (4, 8, 12)


def normalise(field: Field, word: str) -> str:
    """The answer as the quick form's word, or SlotFormError naming what is wrong with it."""
    word = word.strip()
    if field is Field.DATE:
        return parse_date(word).isoformat()
    if field is Field.WEEKDAY:
        return WEEKDAYS[parse_weekday(word)]
    if field is Field.TIME:
        return parse_time(word).strftime("%H:%M")
    if field is Field.MINUTES:
        return str(parse_int(word.lower().removesuffix("min").removesuffix("분").strip(), 10, MAX_MINUTES,
                        FormProblem.MINUTES))
    if field is Field.MODE:
        return parse_mode(word).value
    if field is Field.WEEKS:
        return str(parse_int(word.lower().removesuffix("weeks").removesuffix("w").removesuffix("주").strip(), 1,
                        MAX_WEEKS, FormProblem.WEEKS))
    return str(parse_int(word.removesuffix("명").strip(), 1, MAX_CAPACITY, FormProblem.CAPACITY))


def past_field(values: Mapping[str, str], now: datetime) -> Field | None:
    """What makes a single slot's answers lie in the past: a date before today (Asia/Seoul), or a start on it
    already gone; None if neither (or not answered yet)."""
    day, start = values.get(Field.DATE), values.get(Field.TIME)
    if day is None:
        return None
    local = now.astimezone(SEOUL)
    if date.fromisoformat(day) < local.date():
        return Field.DATE
    if start is not None and datetime.combine(date.fromisoformat(day), parse_time(start), SEOUL) <= local:
        return Field.TIME
    return None


def quick_words(kind: Kind, values: Mapping[str, str]) -> str:
    """The answers as the quick form would be typed (`2026-12-10 14:00 60 offline 2`)."""
    return " ".join(values[field] for field in STEPS[kind])


def to_form(values: Mapping[str, str]) -> SlotForm:
    """A single slot's answers as the domain's SlotForm (SlotFormError if one is missing or wrong)."""
    if any(field not in values for field in STEPS[Kind.ONE]):
        raise SlotFormError(FormProblem.USAGE)
    return parse_slot(quick_words(Kind.ONE, values))


def to_rule(values: Mapping[str, str]) -> WeeklyRule:
    """Office hours' answers as the domain's WeeklyRule; the quick form puts the seats after the weeks too."""
    if any(field not in values for field in STEPS[Kind.WEEKLY]):
        raise SlotFormError(FormProblem.USAGE)
    return parse_weekly(quick_words(Kind.WEEKLY, values))


def days_ahead(now: datetime, count: int = DAYS_OFFERED) -> list[date]:
    """The dates offered as buttons: today (Asia/Seoul) and the days after it."""
    today = now.astimezone(SEOUL).date()
    return [today + timedelta(days=n) for n in range(count)]
