"""Founders' inline keyboards and their callback data (at most 64 bytes, so only ids travel).

Each button's data is built and parsed here, next to the pattern its handler is registered with.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answering.types import Answer
from bot.cafes.registry import CafeInfo
from bot.strings import LANGS, t


class Vote(StrEnum):
    UP = "up"
    DOWN = "down"


class LangOrigin(StrEnum):
    """Which message a language button redraws."""

    START = "start"  # the /start greeting, redrawn in the new language
    PICK = "pick"  # /lang's question, replaced by the confirmation


class DeleteChoice(StrEnum):
    YES = "yes"
    NO = "no"


# Callback data patterns, for CallbackQueryHandler(pattern=...).
VOTE_PATTERN = rf"^fb:({'|'.join(Vote)}):(\d+)$"
ASK_EXPERT_PATTERN = r"^ask:(\d+)$"
ASK_STAFF_PATTERN = r"^askstaff:(\d+)(?::([a-z0-9_-]+))?$"  # [:<cafe>] once the founder picked their cafe
LANG_PATTERN = rf"^lang:({'|'.join(LANGS)}):({'|'.join(LangOrigin)})$"
DELETE_PATTERN = rf"^del:({'|'.join(DeleteChoice)}):(\d+)$"

FEEDBACK_KINDS = {"answer", "not_found"}
# Where a person may help: experts for an idea, the cafe staff for what the documents did not answer.
EXPERT_KINDS = {"answer", "idea_review", "human"}
STAFF_KINDS = {"not_found"}


class VoteButton(NamedTuple):
    helpful: bool
    question_id: int


class LanguageButton(NamedTuple):
    lang: str
    origin: LangOrigin


class DeleteButton(NamedTuple):
    confirmed: bool
    owner: int  # the founder who asked; only they may confirm


def vote_data(question_id: int, helpful: bool) -> str:
    """👍 or 👎 on a logged question."""
    return f"fb:{Vote.UP if helpful else Vote.DOWN}:{question_id}"


def parse_vote(data: str | None) -> VoteButton | None:
    """The vote behind callback data matching VOTE_PATTERN, else None."""
    found = re.match(VOTE_PATTERN, data or "")
    return VoteButton(found.group(1) == Vote.UP, int(found.group(2))) if found else None


def ask_expert_data(question_id: int | None) -> str:
    """"Ask an expert" under an answer."""
    # 0 when the question was not logged: the expert flow then starts without a linked question.
    return f"ask:{question_id or 0}"


def ask_staff_data(question_id: int, cafe_id: str | None = None) -> str:
    """"Ask the cafe staff" under a not-found answer (or after 👎): the logged question goes to staff (of `cafe_id`,
    when the founder picks their cafe on the way)."""
    return f"askstaff:{question_id}" + (f":{cafe_id}" if cafe_id else "")


@dataclass(frozen=True)
class AskStaffButton:
    question_id: int
    cafe_id: str | None


def parse_ask_staff(data: str | None) -> AskStaffButton | None:
    """The logged question (and the cafe picked) behind callback data matching ASK_STAFF_PATTERN, else None."""
    found = re.match(ASK_STAFF_PATTERN, data or "")
    return AskStaffButton(int(found.group(1)), found.group(2)) if found else None


class CafeOrigin(StrEnum):
    """Where a cafe button was shown: /cafe, or a step that needs the founder's cafe first."""

    PICK = "p"  # /cafe
    INTAKE = "i"  # the idea intake's submit


CAFE_PATTERN = rf"^cafe:([a-z0-9_-]+):({'|'.join(CafeOrigin)})$"


def cafe_pattern(origin: CafeOrigin) -> str:
    """The cafe buttons shown by `origin` only (each origin's handler registers its own)."""
    return rf"^cafe:([a-z0-9_-]+):{origin}$"


def cafe_data(cafe_id: str, origin: CafeOrigin) -> str:
    return f"cafe:{cafe_id}:{origin}"


def parse_cafe(data: str | None) -> tuple[str, CafeOrigin] | None:
    found = re.match(CAFE_PATTERN, data or "")
    return (found.group(1), CafeOrigin(found.group(2))) if found else None


def cafe_keyboard(cafes: list[CafeInfo], lang: str, data: Callable[[str], str],
                  current: str | None = None) -> InlineKeyboardMarkup:
    """One button per cafe, "name · district · hours", a tick on the founder's current one."""
    rows = []
    for cafe in cafes:
        label = " · ".join(part for part in (cafe.name(lang), cafe.district, cafe.hours) if part)
        rows.append([InlineKeyboardButton(f"✓ {label}" if cafe.id == current else label,
                                          callback_data=data(cafe.id))])
    return InlineKeyboardMarkup(rows)


def ask_staff_keyboard(question_id: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("sq.btn.ask", lang),
                                                       callback_data=ask_staff_data(question_id))]])


def language_data(lang: str, origin: LangOrigin) -> str:
    """A language button redrawing the message `origin` names."""
    return f"lang:{lang}:{origin}"


def parse_language(data: str | None) -> LanguageButton | None:
    """The language and origin behind callback data matching LANG_PATTERN, else None."""
    found = re.match(LANG_PATTERN, data or "")
    return LanguageButton(found.group(1), LangOrigin(found.group(2))) if found else None


def delete_data(choice: DeleteChoice, owner: int) -> str:
    """Confirm or cancel a founder's /deletemydata."""
    return f"del:{choice}:{owner}"


def parse_delete(data: str | None) -> DeleteButton | None:
    """The choice and requester behind callback data matching DELETE_PATTERN, else None."""
    found = re.match(DELETE_PATTERN, data or "")
    return DeleteButton(found.group(1) == DeleteChoice.YES, int(found.group(2))) if found else None


def answer_keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    """👍 / 👎 for answers that can be rated; "ask the cafe staff" when the documents had no answer, "ask an expert"
    for ideas and answers."""
    rows: list[list[InlineKeyboardButton]] = []
    if answer.kind in FEEDBACK_KINDS and answer.question_id:
        rows.append([
            InlineKeyboardButton(t("tg.button.helpful", answer.lang),
                                 callback_data=vote_data(answer.question_id, True)),
            InlineKeyboardButton(t("tg.button.unhelpful", answer.lang),
                                 callback_data=vote_data(answer.question_id, False)),
        ])
    if answer.kind in STAFF_KINDS and answer.question_id:
        rows.append([InlineKeyboardButton(t("sq.btn.ask", answer.lang),
                                          callback_data=ask_staff_data(answer.question_id))])
    if answer.kind in EXPERT_KINDS:
        rows.append([InlineKeyboardButton(t("tg.button.ask_expert", answer.lang),
                                          callback_data=ask_expert_data(answer.question_id))])
    return InlineKeyboardMarkup(rows) if rows else None


def language_keyboard(origin: LangOrigin, current: str | None = None) -> InlineKeyboardMarkup:
    """한국어 / English, a tick on the current one."""
    buttons = []
    for code in LANGS:
        label = t(f"tg.lang.{code}", code)
        buttons.append(InlineKeyboardButton(f"✓ {label}" if code == current else label,
                                            callback_data=language_data(code, origin)))
    return InlineKeyboardMarkup([buttons])


def delete_keyboard(user_id: int, lang: str) -> InlineKeyboardMarkup:
    """Confirm or cancel /deletemydata."""
    # The requester's id travels along so that, in a group, nobody confirms on someone else's behalf.
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t("tg.delete.yes", lang), callback_data=delete_data(DeleteChoice.YES, user_id)),
        InlineKeyboardButton(t("tg.delete.no", lang), callback_data=delete_data(DeleteChoice.NO, user_id)),
    ]])
