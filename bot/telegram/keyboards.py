"""Inline keyboards and their callback data (at most 64 bytes, so only ids travel)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answering.types import Answer
from bot.strings import LANGS, t

# Callback data patterns, for CallbackQueryHandler(pattern=...).
VOTE_PATTERN = r"^fb:(up|down):(\d+)$"
ASK_EXPERT_PATTERN = r"^ask:(\d+)$"
LANG_PATTERN = r"^lang:(ko|en):(start|pick)$"
DELETE_PATTERN = r"^del:(yes|no):(\d+)$"

FEEDBACK_KINDS = {"answer", "not_found"}
EXPERT_KINDS = {"answer", "not_found", "idea_review", "human"}


def vote_data(question_id: int, helpful: bool) -> str:
    return f"fb:{'up' if helpful else 'down'}:{question_id}"


def ask_expert_data(question_id: int | None) -> str:
    # 0 when the question was not logged: the expert flow then starts without a linked question.
    return f"ask:{question_id or 0}"


def answer_keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    """👍 / 👎 for answers that can be rated, and "ask an expert" wherever a person may help."""
    rows: list[list[InlineKeyboardButton]] = []
    if answer.kind in FEEDBACK_KINDS and answer.question_id:
        rows.append([
            InlineKeyboardButton(t("tg.button.helpful", answer.lang), callback_data=vote_data(answer.question_id, True)),
            InlineKeyboardButton(t("tg.button.unhelpful", answer.lang),
                                 callback_data=vote_data(answer.question_id, False)),
        ])
    if answer.kind in EXPERT_KINDS:
        rows.append([InlineKeyboardButton(t("tg.button.ask_expert", answer.lang),
                                          callback_data=ask_expert_data(answer.question_id))])
    return InlineKeyboardMarkup(rows) if rows else None


def language_keyboard(origin: str, current: str | None = None) -> InlineKeyboardMarkup:
    """한국어 / English; `origin` says which message to redraw ("start" or "pick")."""
    buttons = []
    for code in LANGS:
        label = t(f"tg.lang.{code}", code)
        buttons.append(InlineKeyboardButton(f"✓ {label}" if code == current else label,
                                            callback_data=f"lang:{code}:{origin}"))
    return InlineKeyboardMarkup([buttons])


def delete_keyboard(user_id: int, lang: str) -> InlineKeyboardMarkup:
    # The requester's id travels along so that, in a group, nobody confirms on someone else's behalf.
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t("tg.delete.yes", lang), callback_data=f"del:yes:{user_id}"),
        InlineKeyboardButton(t("tg.delete.no", lang), callback_data=f"del:no:{user_id}"),
    ]])
