"""What an expert types to publish slots: `add 2026-12-10 14:00 60 offline [n]` and `weekly tue 14:00 60 online
4 [n]` (every Tuesday for the next 4 weeks). Times are Asia/Seoul."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.consultations.enums import SlotMode

SEOUL = ZoneInfo("Asia/Seoul")
MAX_MINUTES = 480
MAX_CAPACITY = 50
MAX_WEEKS = 26
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KO_WEEKDAYS = ("월", "화", "수", "목", "금", "토", "일")
_MODES = {"offline": SlotMode.OFFLINE, "대면": SlotMode.OFFLINE, "오프라인": SlotMode.OFFLINE,
          "online": SlotMode.ONLINE, "온라인": SlotMode.ONLINE, "비대면": SlotMode.ONLINE}


class FormProblem(StrEnum):
    """What is wrong with a typed slot; the expert is told `cs.form.<value>`."""

    USAGE = "usage"  # not the form at all (too few or too many words, an unknown command)
    DATE = "date"  # not YYYY-MM-DD
    WEEKDAY = "weekday"  # not mon..sun
    TIME = "time"  # not HH:MM
    MINUTES = "minutes"  # not 10..480
    MODE = "mode"  # not offline / online
    CAPACITY = "capacity"  # not 1..50
    WEEKS = "weeks"  # not 1..26


class SlotFormError(ValueError):
    def __init__(self, problem: FormProblem, word: str = "") -> None:
        super().__init__(f"{problem.value}: {word}" if word else problem.value)
        self.problem = problem
        self.word = word


@dataclass(frozen=True)
class SlotForm:
    """One slot: its start as an aware Asia/Seoul datetime."""

    starts_at: datetime
    minutes: int
    mode: SlotMode
    capacity: int = 1


@dataclass(frozen=True)
class WeeklyRule:
    """Office hours: the same weekday and time for the next `weeks` weeks."""

    weekday: int  # 0 = Monday
    start: time
    minutes: int
    mode: SlotMode
    weeks: int
    capacity: int = 1

    def slots(self, now: datetime) -> list[SlotForm]:
        """The slots the rule makes from `now` on: the first such weekday still ahead, then weekly."""
        local = now.astimezone(SEOUL)
        first = local.date() + timedelta(days=(self.weekday - local.weekday()) % 7)
        starts = [datetime.combine(first + timedelta(weeks=n), self.start, SEOUL) for n in range(self.weeks + 1)]
        return [SlotForm(s, self.minutes, self.mode, self.capacity) for s in starts if s > local][:self.weeks]


def parse_date(word: str) -> date:
    """YYYY-MM-DD, or SlotFormError(DATE)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        raise SlotFormError(FormProblem.DATE, word)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise SlotFormError(FormProblem.DATE, word) from None


def parse_time(word: str) -> time:
    """HH:MM (Asia/Seoul), or SlotFormError(TIME)."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", word)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise SlotFormError(FormProblem.TIME, word)
    return time(int(m[1]), int(m[2]))


def parse_int(word: str, low: int, high: int, problem: FormProblem) -> int:
    """A whole number from `low` to `high`, or SlotFormError(problem)."""
    if not word.isdigit() or not low <= int(word) <= high:
        raise SlotFormError(problem, word)
    return int(word)


def parse_mode(word: str) -> SlotMode:
    """offline / online (or 대면, 온라인, ...), or SlotFormError(MODE)."""
    mode = _MODES.get(word.lower())
    if mode is None:
        raise SlotFormError(FormProblem.MODE, word)
    return mode


def parse_weekday(word: str) -> int:
    """mon..sun or 월..일 as 0..6, or SlotFormError(WEEKDAY)."""
    low = word.lower()[:3]
    if low in WEEKDAYS:
        return WEEKDAYS.index(low)
    if word[:1] in KO_WEEKDAYS and word in (word[:1], word[:1] + "요일"):
        return KO_WEEKDAYS.index(word[:1])
    raise SlotFormError(FormProblem.WEEKDAY, word)


def parse_slot(text: str) -> SlotForm:
    """`add 2026-12-10 14:00 60 offline [n]` (the leading `add` optional) -> a SlotForm, or SlotFormError."""
    words = text.split()
    if words and words[0].lower() == "add":
        words = words[1:]
    if len(words) not in (4, 5):
        raise SlotFormError(FormProblem.USAGE)
    day, start = parse_date(words[0]), parse_time(words[1])
    minutes = parse_int(words[2], 10, MAX_MINUTES, FormProblem.MINUTES)
    mode = parse_mode(words[3])
    capacity = parse_int(words[4], 1, MAX_CAPACITY, FormProblem.CAPACITY) if len(words) == 5 else 1
    return SlotForm(datetime.combine(day, start, SEOUL), minutes, mode, capacity)


def parse_weekly(text: str) -> WeeklyRule:
    """`weekly tue 14:00 60 online 4 [n]` (the leading `weekly` optional) -> a WeeklyRule, or SlotFormError."""
    words = text.split()
    if words and words[0].lower() == "weekly":
        words = words[1:]
    if len(words) not in (5, 6):
        raise SlotFormError(FormProblem.USAGE)
    weekday, start = parse_weekday(words[0]), parse_time(words[1])
    minutes = parse_int(words[2], 10, MAX_MINUTES, FormProblem.MINUTES)
    mode = parse_mode(words[3])
    weeks = parse_int(words[4].lower().removesuffix("w").removesuffix("주"), 1, MAX_WEEKS, FormProblem.WEEKS)
    capacity = parse_int(words[5], 1, MAX_CAPACITY, FormProblem.CAPACITY) if len(words) == 6 else 1
    return WeeklyRule(weekday, start, minutes, mode, weeks, capacity)
