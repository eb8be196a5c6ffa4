"""The staff's office hours ("mon-fri 10:00-18:00", Asia/Seoul): whether staff are in, and when they are back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(r"^\s*(?P<days>[a-z,\-]+)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$")


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"unknown day in {text!r}: use {', '.join(DAYS)}")
        a, b = DAYS.index(first), DAYS.index(last or first)
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(days)


def _time(text: str) -> time:
    hours, minutes = (int(x) for x in text.split(":"))
    return time(hours, minutes)


@dataclass(frozen=True)
class OfficeHours:
    days: frozenset[int]  # Monday is 0
    start: time
    end: time

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        """"mon-fri 10:00-18:00" (days: a range or a comma list of mon..sun); raises ValueError otherwise."""
        found = _SPEC.match(spec.lower())
        if found is None:
            raise ValueError(f"office hours {spec!r}: expected e.g. 'mon-fri 10:00-18:00'")
        hours = cls(_days(found["days"]), _time(found["start"]), _time(found["end"]))
        if hours.start >= hours.end:
            raise ValueError(f"office hours {spec!r}: the day must end after it starts")
        return hours

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(SEOUL)
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_open(self, now: datetime) -> datetime | None:
        """When staff are next in (Asia/Seoul), or None when they are in now."""
        if self.is_open(now):
            return None
        local = now.astimezone(SEOUL)
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            opening = datetime.combine(day, self.start, SEOUL)
            if day.weekday() in self.days and opening > local:
                return opening
        return None  # no office days at all
