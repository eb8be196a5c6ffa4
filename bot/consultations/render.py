"""How a slot's time and place read, in Korean or English (Asia/Seoul)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.cafes.registry import CafeInfo
from bot.consultations.enums import SlotMode
from bot.consultations.forms import KO_WEEKDAYS, SEOUL
from bot.strings import t

if TYPE_CHECKING:  # the views render with this module: a runtime import would be circular
    from bot.consultations.views import SlotView

EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def weekday_name(index: int, lang: str) -> str:
    """"목" / "Thu" for 0 = Monday .. 6 = Sunday."""
    return (EN_WEEKDAYS if lang == "en" else KO_WEEKDAYS)[index]


def when(starts_at: datetime, minutes: int, lang: str) -> str:
    """"2026-12-10 (목) 14:00–15:00 (한국 시간)" / "Thu 2026-12-10, 14:00–15:00 (Korea time)"."""
    start = starts_at.astimezone(SEOUL)
    end = start + timedelta(minutes=minutes)
    return t("cs.when", lang, date=start.date().isoformat(), weekday=weekday_name(start.weekday(), lang),
             start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))


def place(mode: str, cafe: CafeInfo | None, lang: str) -> str:
    """The cafe's name and address (as staff last corrected it), or "online"."""
    if mode == SlotMode.ONLINE or cafe is None:
        return t("cs.online", lang)
    return f"{cafe.name(lang)}, {cafe.address}" if cafe.address else cafe.name(lang)


def hours(value: float) -> str:
    """BOOKING_CANCEL_HOURS as people write it: "24", "1.5"."""
    return str(int(value)) if float(value).is_integer() else str(value)


def slot_line(n: int, slot: SlotView, lang: str) -> str:
    """One open slot as the founder reads it: when, where, who (alias and specialties), seats left."""
    specialties = f" ({', '.join(slot.specialties)})" if slot.specialties else ""
    return t("cs.list.line", lang, n=n, when=slot.when(lang), place=slot.place(lang),
             expert=(slot.expert_alias or "-") + specialties, seats=slot.seats_left)


def slot_label(n: int, slot: SlotView, lang: str) -> str:
    """The slot's button: short enough for a phone's keyboard row."""
    start = slot.starts_at.astimezone(SEOUL)
    return f"{n}. {start:%m/%d} ({weekday_name(start.weekday(), lang)}) {start:%H:%M} · {slot.expert_alias or '-'}"
