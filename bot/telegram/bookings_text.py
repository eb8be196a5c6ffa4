"""What staff read about consultations: the /bookings arguments and listing, and the /stats section."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.cafes.registry import CafeInfo
from bot.consultations.enums import SlotMode
from bot.consultations.forms import SEOUL, SlotFormError, parse_date
from bot.consultations.render import weekday_name
from bot.consultations.views import BookingView, CafeStats
from bot.strings import t
from bot.telegram.render import MAX_MESSAGE, utf16_len

DEFAULT_DAYS = 14  # no date: the fortnight ahead, what a cafe plans its rooms and staff for
WEEK_DAYS = 7
MAX_MESSAGES = 3  # beyond this a listing stops being read in chat: the rest is pointed to the CSV
MAX_LINE = 300  # an expert's alias is free text: one line must never outgrow a message


class BookingsArgsError(ValueError):
    """Arguments /bookings cannot read; the staff member is told `bookings.err.<problem>` and the usage."""

    def __init__(self, problem: str, **fields: object) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fields = fields


@dataclass(frozen=True)
class BookingsQuery:
    start: date  # Asia/Seoul dates, inclusive
    end: date
    cafe: str | None
    as_csv: bool

    def period(self, lang: str) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return t("bookings.period", lang, start=self.start.isoformat(), end=self.end.isoformat())

    @property
    def filename(self) -> str:
        return f"bookings-{self.start.isoformat()}-{self.end.isoformat()}.csv"


def parse_query(args: Sequence[str], today: date) -> BookingsQuery:
    """`[from] [to] [cafe=ID] [csv]`: a date is YYYY-MM-DD or `today`; `week` alone is today and the next six
    days; one date is that day; none, DEFAULT_DAYS from today. Raises BookingsArgsError."""
    dates: list[date] = []
    week = False
    cafe: str | None = None
    as_csv = False
    for arg in args:
        word = arg.casefold()
        if word == "csv":
            as_csv = True
        elif word.startswith("cafe="):
            cafe = arg[len("cafe="):]
            if not cafe:
                raise BookingsArgsError("word", word=arg[:40])
        elif word == "today":
            dates.append(today)
        elif word == "week":
            week = True
        else:
            try:  # a date as the slot forms read one
                dates.append(parse_date(arg))
            except SlotFormError:
                raise BookingsArgsError("word", word=arg[:40]) from None
    if (week and dates) or len(dates) > 2:
        raise BookingsArgsError("dates")
    if week:
        start, end = today, today + timedelta(days=WEEK_DAYS - 1)
    elif not dates:
        start, end = today, today + timedelta(days=DEFAULT_DAYS - 1)
    else:
        start, end = dates[0], dates[-1]
    if end < start:
        raise BookingsArgsError("order", start=start.isoformat(), end=end.isoformat())
    return BookingsQuery(start, end, cafe, as_csv)


def _line(booking: BookingView, lang: str) -> str:
    slot = booking.slot
    start = slot.starts_at.astimezone(SEOUL)
    end = start + timedelta(minutes=slot.minutes)
    ticket = t("bookings.ticket", lang, ticket=booking.ticket_id) if booking.ticket_id is not None else ""
    online = t("bookings.online", lang) if slot.mode == SlotMode.ONLINE else ""
    text = t("bookings.line", lang, start=start.strftime("%H:%M"), end=end.strftime("%H:%M"), id=booking.id,
             expert=slot.expert_alias or "-", founder=booking.founder_id,
             status=t(f"bookings.status.{booking.status}", lang), ticket=ticket, online=online)
    return text[:MAX_LINE]


def _day(day: date, lang: str) -> str:
    return t("bookings.day", lang, date=day.isoformat(), weekday=weekday_name(day.weekday(), lang))


def listing(bookings: Sequence[BookingView], cafes: Iterable[CafeInfo], query: BookingsQuery, lang: str,
            limit: int = MAX_MESSAGE, max_messages: int = MAX_MESSAGES) -> list[str]:
    """The messages of a /bookings reply: a header, then each cafe (the file's order; experts of no cafe last)
    with its bookings by day and time. Split to fit Telegram; past `max_messages` the rest is counted and
    pointed to the CSV."""
    if not bookings:
        return [t("bookings.none", lang, period=query.period(lang))]
    names = {c.id: c.name(lang) for c in cafes}
    order = {cafe_id: n for n, cafe_id in enumerate(names)}
    groups: dict[str | None, list[BookingView]] = {}
    for booking in bookings:
        groups.setdefault(booking.slot.cafe_id, []).append(booking)

    def place(cafe_id: str | None) -> tuple[bool, int, str]:  # the file's order, then inactive cafes, then none
        return cafe_id is None, order.get(cafe_id or "", len(order)), cafe_id or ""

    items: list[tuple[str, bool]] = [(t("bookings.header", lang, period=query.period(lang), count=len(bookings)),
                                      False)]
    for cafe_id in sorted(groups, key=place):
        name = t("bookings.no_cafe", lang) if cafe_id is None else names.get(cafe_id, cafe_id)
        items.append(("\n" + t("bookings.cafe", lang, cafe=name), False))
        day = None
        for booking in groups[cafe_id]:
            local = booking.slot.starts_at.astimezone(SEOUL).date()
            if local != day:
                day = local
                items.append((_day(day, lang), False))
            items.append((_line(booking, lang), True))
    return _pack(items, len(bookings), lang, limit, max_messages)


def _pack(items: list[tuple[str, bool]], total: int, lang: str, limit: int, max_messages: int) -> list[str]:
    """Lines into messages of at most `limit` UTF-16 units; the last message keeps room for the "n more" note."""
    messages: list[str] = []
    current: list[str] = []
    size = shown = 0
    note_room = utf16_len(t("bookings.more", lang, n=total)) + 1
    for text, is_booking in items:
        last = len(messages) == max_messages - 1
        needed = utf16_len(text) + (1 if current else 0)
        if size + needed + (note_room if last else 0) > limit:
            if last:
                current.append(t("bookings.more", lang, n=total - shown))
                break
            messages.append("\n".join(current))
            text = text.lstrip("\n")
            current, size = [text], utf16_len(text)
        else:
            current.append(text)
            size += needed
        shown += is_booking
    if current:
        messages.append("\n".join(current))
    return messages


def lead_time(hours: float, lang: str) -> str:
    """"3일 4시간" / "3 d 4 h"; under an hour, minutes."""
    minutes = int(hours * 60)
    if minutes < 60:
        return t("bookings.lead.minutes", lang, minutes=max(minutes, 0))
    days, whole = divmod(minutes // 60, 24)
    if not days:
        return t("bookings.lead.hours", lang, hours=whole)
    if not whole:
        return t("bookings.lead.days", lang, days=days)
    return t("bookings.lead.days_hours", lang, days=days, hours=whole)


def stats_section(figures: Iterable[CafeStats], cafes: Iterable[CafeInfo], days: int, lang: str) -> str:
    """The consultations part of /stats, a line per cafe; empty when there are no cafes."""
    names = {c.id: c.name(lang) for c in cafes}
    lines = []
    for f in figures:
        rate = "-" if f.no_show_rate is None else f"{round(100 * f.no_show_rate)}%"
        lead = t("bookings.stats.no_slot", lang) if f.lead_hours is None else lead_time(f.lead_hours, lang)
        lines.append(t("bookings.stats.line", lang, cafe=names.get(f.cafe_id, f.cafe_id), held=f.held, rate=rate,
                       lead=lead))
    return t("bookings.stats", lang, days=days, lines="\n".join(lines)) if lines else ""
