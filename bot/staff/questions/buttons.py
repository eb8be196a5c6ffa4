"""Callback data of the staff-question buttons, built and parsed here only: sq:<action>:<question>[:<n>].

The outbox stores buttons as (label, data), so the domain builds them; the Telegram handler registers the pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.staff.questions.enums import QuestionAction
from bot.strings import t

Buttons = list[list[tuple[str, str]]]

PATTERN = rf"^sq:({'|'.join(a.value for a in QuestionAction)}):(\d+)(?::(\d+))?$"


@dataclass(frozen=True)
class Press:
    action: QuestionAction
    question_id: int
    n: int | None = None  # which passage, for COVERED


def data(action: QuestionAction, question_id: int, n: int | None = None) -> str:
    return f"sq:{action.value}:{question_id}" + (f":{n}" if n is not None else "")


def parse(match: re.Match[str]) -> Press:
    return Press(QuestionAction(match.group(1)), int(match.group(2)),
                 int(match.group(3)) if match.group(3) is not None else None)


def _button(key: str, action: QuestionAction, question_id: int, lang: str) -> tuple[str, str]:
    return t(key, lang), data(action, question_id)


def card_buttons(question_id: int, lang: str) -> Buttons:
    return [[_button("sq.btn.claim", QuestionAction.CLAIM, question_id, lang),
             _button("sq.btn.answer", QuestionAction.ANSWER, question_id, lang)],
            [_button("sq.btn.covered", QuestionAction.COVERED, question_id, lang),
             _button("sq.btn.redirect", QuestionAction.REDIRECT, question_id, lang),
             _button("sq.btn.close", QuestionAction.CLOSE, question_id, lang)]]


def gap_buttons(gaps: list[tuple[int, int]], lang: str) -> Buttons:
    """"Answer this" under each /stats knowledge gap: (its number in the list, a logged question of the gap)."""
    return [[(t("sq.btn.answer_gap", lang, n=n), data(QuestionAction.GAP, question_log_id))]
            for n, question_log_id in gaps]


def passage_buttons(question_id: int, count: int) -> Buttons:
    """One button per passage retrieval found: the one that answers the question."""
    return [[(f"{n + 1}", data(QuestionAction.COVERED, question_id, n)) for n in range(count)]]


def save_buttons(question_id: int, lang: str) -> Buttons:
    return [[_button("sq.btn.save", QuestionAction.SAVE, question_id, lang)]]


def draft_buttons(question_id: int, lang: str, cafe_question: bool = False) -> Buttons:
    """Edit the wording, programme and valid-until; for a cafe's question, this cafe only ⇄ every cafe."""
    scope = [[_button("sq.btn.scope", QuestionAction.SCOPE, question_id, lang)]] if cafe_question else []
    return [[_button("sq.btn.edit_question", QuestionAction.EDIT_QUESTION, question_id, lang),
             _button("sq.btn.edit_answer", QuestionAction.EDIT_ANSWER, question_id, lang)],
            [_button("sq.btn.programme", QuestionAction.PROGRAMME, question_id, lang),
             _button("sq.btn.valid_until", QuestionAction.VALID_UNTIL, question_id, lang)], *scope,
            [_button("sq.btn.confirm", QuestionAction.CONFIRM, question_id, lang),
             _button("sq.btn.cancel", QuestionAction.CANCEL, question_id, lang)]]
