"""The closed sets of the expert escalation, each defined once: handlers, privacy, metrics and export import them."""

from __future__ import annotations

from enum import StrEnum


class TicketState(StrEnum):
    OPEN = "open"  # routed, waiting for an expert
    CLAIMED = "claimed"  # an expert took it
    CLOSED = "closed"  # the expert wrote the closing summary


OPEN_STATES = (TicketState.OPEN, TicketState.CLAIMED)


class Stage(StrEnum):
    """How far the founder's idea is; one of the intake's answers."""

    IDEA = "idea"
    MVP = "mvp"
    REVENUE = "revenue"


class IntakeField(StrEnum):
    """The intake's questions, in the order they are asked; a ticket's `fields` holds one answer for each."""

    SUMMARY = "summary"
    PROBLEM = "problem"
    CUSTOMERS = "customers"
    SOLUTION = "solution"
    STAGE = "stage"
    TEAM = "team"
    FEEDBACK = "feedback"


INTAKE_FIELDS: tuple[IntakeField, ...] = tuple(IntakeField)


class Direction(StrEnum):
    TO_FOUNDER = "to_founder"
    TO_EXPERTS = "to_experts"


class ContentKind(StrEnum):
    """What a relayed message or a queued send carries."""

    TEXT = "text"
    DOCUMENT = "document"
    PHOTO = "photo"
    VOICE = "voice"
    CALENDAR = "calendar"  # a booking's confirmation with its .ics (file_id: the booking, built when sent)


class OutboxStatus(StrEnum):
    PENDING = "pending"  # stored, not yet accepted by Telegram (maybe leased to a process sending it)
    SENT = "sent"
    DEAD = "dead"  # given up: staff were alerted and may retry or drop it
    DROPPED = "dropped"  # staff dropped a dead send


class CardAction(StrEnum):
    """The buttons under a case card."""

    CLAIM = "claim"
    ANSWER = "ans"
    ASK_INFO = "info"
    CLOSE = "close"
    PASS = "pass"


class PromptKind(StrEnum):
    """What the text typed in reply to one of the bot's prompts means."""

    CLOSE = "close"  # an expert's closing summary
    COMMENT = "comment"  # the founder's comment after rating


class Refusal(StrEnum):
    """Why a ticket action was refused; the person is told `esc.err.<value>`."""

    NOT_EXPERT = "not_expert"
    NO_TICKET = "no_ticket"
    TAKEN = "taken"
    CLOSED = "closed"
    NOT_YOURS = "not_yours"
    BAD_RATING = "bad_rating"
    NOT_CLOSED = "not_closed"
    EMPTY_SUMMARY = "empty_summary"
    BAD_FILTER = "bad_filter"
    MISSING_FIELDS = "missing_fields"
    BAD_STAGE = "bad_stage"
    UNSUPPORTED = "unsupported"
    OTHER_CAFE = "other_cafe"  # another cafe's ticket, not routed to this expert (or outside this staff's cafes)


class EscalationError(Exception):
    """A refused ticket action; `code` says why."""

    def __init__(self, code: Refusal) -> None:
        super().__init__(code.value)
        self.code = code
