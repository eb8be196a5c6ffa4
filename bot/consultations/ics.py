"""The calendar file a founder gets with a booking (RFC 5545, built with icalendar), in Asia/Seoul time."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from bot.consultations.forms import SEOUL


def booking_ics(booking_id: int, starts_at: datetime, minutes: int, summary: str, location: str,
                description: str = "", stamp: datetime | None = None) -> bytes:
    """One VEVENT with DTSTART/DTEND in Asia/Seoul (and its VTIMEZONE), so calendars show the cafe's time."""
    cal = Calendar()
    cal.add("prodid", "-//cafebot//consultations//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    start = starts_at.astimezone(SEOUL)
    event.add("uid", f"booking-{booking_id}@cafebot")
    event.add("dtstamp", stamp or datetime.now(SEOUL))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=minutes))
    event.add("summary", summary)
    event.add("location", location)
    if description:
        event.add("description", description)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
