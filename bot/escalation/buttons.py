"""Callback data of every escalation button, built and parsed here only (Telegram allows 64 bytes: ids travel).

The outbox stores buttons as (label, data) pairs, so the domain builds them; the Telegram handlers register the
patterns below and parse with the functions next to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.escalation.enums import CardAction, IntakeField, Stage
from bot.strings import t

Buttons = list[list[tuple[str, str]]]

# Case cards: esc:<action>:<ticket>
CARD_PATTERN = rf"^esc:({'|'.join(a.value for a in CardAction)}):(\d+)$"
# The founder's rating of a closed ticket: esc:rate:<ticket>:<score> (a score outside 1-5 is refused, with words)
RATE_PATTERN = r"^esc:rate:(\d+):(\d)$"


def card_action_data(action: CardAction, ticket_id: int) -> str:
    return f"esc:{action.value}:{ticket_id}"


def parse_card_action(match: re.Match[str]) -> tuple[CardAction, int]:
    return CardAction(match.group(1)), int(match.group(2))


def card_buttons(ticket_id: int, lang: str) -> Buttons:
    def button(key: str, action: CardAction) -> tuple[str, str]:
        return t(key, lang), card_action_data(action, ticket_id)

    return [[button("esc.btn.claim", CardAction.CLAIM), button("esc.btn.answer", CardAction.ANSWER),
             button("esc.btn.info", CardAction.ASK_INFO)],
            [button("esc.btn.close", CardAction.CLOSE), button("esc.btn.pass", CardAction.PASS)]]


def rate_buttons(ticket_id: int) -> Buttons:
    return [[(str(n), f"esc:rate:{ticket_id}:{n}") for n in range(1, 6)]]


def parse_rating(match: re.Match[str]) -> tuple[int, int]:
    """(ticket id, score) of a rating button."""
    return int(match.group(1)), int(match.group(2))


# The idea intake: esc:i:<step action>[:<value>]
class IntakeAction(StrEnum):
    BACK = "back"
    CANCEL = "cancel"
    SKIP = "skip"
    CONFIRM = "ok"
    EDIT = "edit"
    STAGE = "stage"  # + :<Stage>
    FIELD = "field"  # + :<field to edit>


def intake_data(action: IntakeAction, value: str | None = None) -> str:
    return f"esc:i:{action.value}" + (f":{value}" if value is not None else "")


def intake_pattern(action: IntakeAction) -> str:
    if action is IntakeAction.STAGE:
        return rf"^esc:i:stage:({'|'.join(s.value for s in Stage)})$"
    if action is IntakeAction.FIELD:
        return rf"^esc:i:field:({'|'.join([*(f.value for f in IntakeField), ATTACHMENT])})$"
    return rf"^esc:i:{action.value}$"


ATTACHMENT = "attachment"  # the intake's last, optional step: not a ticket field


# Dead outbox sends for staff: obx:<action>:<outbox id>[:l] (":l" when pressed under the /outbox list)
class OutboxAction(StrEnum):
    RETRY = "retry"
    DROP = "drop"
    RETRY_ALL = "all"


OUTBOX_PATTERN = rf"^obx:({'|'.join(a.value for a in OutboxAction)}):(\d+)(:l)?$"


@dataclass(frozen=True)
class OutboxPress:
    action: OutboxAction
    item_id: int
    from_list: bool


def outbox_data(action: OutboxAction, item_id: int = 0, *, from_list: bool = False) -> str:
    return f"obx:{action.value}:{item_id}" + (":l" if from_list else "")


def parse_outbox(match: re.Match[str]) -> OutboxPress:
    return OutboxPress(OutboxAction(match.group(1)), int(match.group(2)), bool(match.group(3)))
