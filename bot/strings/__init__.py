"""Every user-facing string, in Korean and English, one module per area. Look up with `t(key, lang, **fields)`."""

from __future__ import annotations

from typing import cast

from bot.strings import bookings, consultations, core, escalation, questions, slots, staff, telegram
from bot.strings.types import LANGS, Lang

__all__ = ["LANGS", "MESSAGES", "Lang", "reject_message", "retention_period", "t"]


def _merge(*parts: dict[str, dict[Lang, str]]) -> dict[str, dict[Lang, str]]:
    merged: dict[str, dict[Lang, str]] = {}
    for part in parts:
        clash = merged.keys() & part.keys()
        # Two areas defining one key would silently shadow a message.
        assert not clash, f"message keys defined twice: {sorted(clash)}"
        merged.update(part)
    return merged


MESSAGES = _merge(core.MESSAGES, telegram.MESSAGES, staff.MESSAGES, escalation.MESSAGES, questions.MESSAGES,
                  consultations.MESSAGES, slots.MESSAGES, bookings.MESSAGES)


def t(key: str, lang: str = "ko", /, **fields: object) -> str:
    """The message `key` in `lang` (Korean if the language is unknown), with `fields` filled in."""
    entry = MESSAGES[key]
    text = entry.get(cast(Lang, lang)) or entry["ko"]  # an unknown language falls back to Korean
    return text.format(**fields) if fields else text


def retention_period(days: int, lang: str) -> str:
    """RETENTION_DAYS as the privacy notices say it: "1년" / "one year" for 365 days."""
    if days == 365:
        return t("tg.privacy.period.year", lang)
    if days % 365 == 0:
        return t("tg.privacy.period.years", lang, n=days // 365)
    return t("tg.privacy.period.days", lang, n=days)


def reject_message(reason: str, lang: str, file: str, *, size_mb: float = 0, limit_mb: int = 20) -> str:
    """The message for a DocumentRejected reason."""
    return t(f"reject.{reason}", lang, file=file, size_mb=round(size_mb, 1), limit_mb=limit_mb)
