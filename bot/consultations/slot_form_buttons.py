"""Callback data of the guided /slots flow's buttons, built and parsed here only: slf:<what>[:<field>:<word>].

Kept apart from bot.consultations.buttons (cs:...): these buttons belong to one expert's form in progress, not to a
slot or booking, and their pattern must not be taken for a slot's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from bot.cafes.registry import CafeInfo
from bot.consultations.buttons import Buttons
from bot.consultations.enums import SlotMode
from bot.consultations.forms import WEEKDAYS
from bot.consultations.render import weekday_name
from bot.consultations.slot_draft import (
    MINUTES_OFFERED,
    SEATS_OFFERED,
    TIMES_OFFERED,
    WEEKS_OFFERED,
    Field,
    Kind,
    days_ahead,
)
from bot.strings import t

PREFIX = "slf"
START_PATTERN = rf"^{PREFIX}:new:({'|'.join(k.value for k in Kind)})$"
PUBLISH = f"{PREFIX}:ok"
CANCEL = f"{PREFIX}:no"
BACK = f"{PREFIX}:back"
ANY_PATTERN = rf"^{PREFIX}:"  # a button of a form that is over (finished, cancelled, or never started here)


def start_data(kind: Kind) -> str:
    return f"{PREFIX}:new:{kind.value}"


def answer_data(field: Field, word: str) -> str:
    return f"{PREFIX}:v:{field.value}:{word}"


def answer_pattern(field: Field) -> str:
    """The pattern of one step's answer buttons; group 1 is the answer's word."""
    return rf"^{PREFIX}:v:{field.value}:(.+)$"


def parse_start(text: str | None) -> Kind | None:
    found = re.match(START_PATTERN, text or "")
    return Kind(found.group(1)) if found else None


def start_buttons(lang: str) -> Buttons:
    """Under /slots: open one slot, or weekly office hours, the guided way."""
    return [[(t("slots.btn.one", lang), start_data(Kind.ONE)), (t("slots.btn.weekly", lang), start_data(Kind.WEEKLY))]]


def _rows(items: Iterable[tuple[str, str]], per_row: int) -> Buttons:
    listed = list(items)
    return [listed[i:i + per_row] for i in range(0, len(listed), per_row)]


def _date_label(day: date, lang: str) -> str:
    return f"{day.month}/{day.day} ({weekday_name(day.weekday(), lang)})"


def answer_buttons(field: Field, lang: str, now: datetime, cafe: CafeInfo | None) -> Buttons:
    """The choices offered for a step (each can be typed instead), then back and cancel."""
    rows: Buttons
    if field is Field.DATE:
        rows = _rows(((_date_label(day, lang), answer_data(field, day.isoformat())) for day in days_ahead(now)), 4)
    elif field is Field.WEEKDAY:
        rows = _rows(((weekday_name(i, lang), answer_data(field, name)) for i, name in enumerate(WEEKDAYS)), 7)
    elif field is Field.TIME:
        rows = _rows(((hhmm, answer_data(field, hhmm)) for hhmm in TIMES_OFFERED), 3)
    elif field is Field.MINUTES:
        rows = _rows(((t("slots.minutes", lang, n=n), answer_data(field, str(n))) for n in MINUTES_OFFERED), 4)
    elif field is Field.MODE:
        # In person only with a cafe to meet at: an expert of no cafe is offered online alone.
        offline = ([(t("slots.btn.offline", lang, cafe=cafe.name(lang)), answer_data(field, SlotMode.OFFLINE))]
                   if cafe is not None else [])
        rows = [offline + [(t("slots.btn.online", lang), answer_data(field, SlotMode.ONLINE))]]
    elif field is Field.WEEKS:
        rows = _rows(((t("slots.weeks", lang, n=n), answer_data(field, str(n))) for n in WEEKS_OFFERED), 3)
    else:
        rows = _rows(((str(n), answer_data(field, str(n))) for n in SEATS_OFFERED), 4)
    return rows + nav_buttons(lang)


def nav_buttons(lang: str) -> Buttons:
    return [[(t("slots.btn.back", lang), BACK), (t("slots.btn.cancel", lang), CANCEL)]]


def summary_buttons(lang: str) -> Buttons:
    return [[(t("slots.btn.publish", lang), PUBLISH)], *nav_buttons(lang)]
