"""How a slot's time and place read, in Korean or English (Asia/Seoul)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.cafes.registry import CafeInfo
from bot.consultations.enums import SlotMode
from bot.consultations.forms import KO_WEEKDAYS, SEOUL
from bot.strings import t

EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def when(starts_at: datetime, minutes: int, lang: str) -> str:
    """"2026-12-10 (목) 14:00–15:00 (한국 시간)" / "Thu 2026-12-10, 14:00–15:00 (Korea time)"."""
    start = starts_at.astimezone(SEOUL)
    end = start + timedelta(minutes=minutes)
    names = EN_WEEKDAYS if lang == "en" else KO_WEEKDAYS
    return t("cs.when", lang, date=start.date().isoformat(), weekday=names[start.weekday()],
             start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))


def place(mode: str, cafe: CafeInfo | None, lang: str) -> str:
    """The cafe's name and address (as staff last corrected it), or "online"."""
    if mode == SlotMode.ONLINE or cafe is None:
        return t("cs.online", lang)
    return f"{cafe.name(lang)}, {cafe.address}" if cafe.address else cafe.name(lang)
