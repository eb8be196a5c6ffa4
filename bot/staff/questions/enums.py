"""The closed sets of staff questions, each defined once."""

from __future__ import annotations

from enum import StrEnum


class QuestionState(StrEnum):
    OPEN = "open"  # waiting for staff
    CLAIMED = "claimed"  # a staff member is on it
    ANSWERED = "answered"  # the founder has an answer; follow-ups still reach staff
    CLOSED = "closed"


WAITING_STATES = (QuestionState.OPEN, QuestionState.CLAIMED)


class QuestionOutcome(StrEnum):
    ANSWERED = "answered"  # staff wrote the answer
    COVERED = "covered"  # the documents do cover it: the founder was pointed to the passage (a retrieval miss)
    REDIRECTED = "redirected"  # not the cafe's topic: a polite redirect
    CLOSED = "closed"  # closed without an answer


class LinkPurpose(StrEnum):
    """What a reply to a message that belongs to a question means."""

    THREAD = "thread"  # the card, a notice or the founder's answer: a message in the question's conversation
    ANSWER = "answer"  # the prompt "reply with your answer"
    EDIT_QUESTION = "edit_q"  # the prompts of "save as an answer for everyone"
    EDIT_ANSWER = "edit_a"
    PROGRAMME = "programme"
    VALID_UNTIL = "until"


DRAFT_PROMPTS = (LinkPurpose.EDIT_QUESTION, LinkPurpose.EDIT_ANSWER, LinkPurpose.PROGRAMME, LinkPurpose.VALID_UNTIL)


class QuestionAction(StrEnum):
    """The buttons under a question's card and under the staff's answer."""

    CLAIM = "claim"
    ANSWER = "ans"
    COVERED = "cov"  # then one of the passages retrieval found: cov:<question>:<n>
    REDIRECT = "redir"
    CLOSE = "close"
    SAVE = "save"  # "save as an answer for everyone": opens the draft
    EDIT_QUESTION = "eq"
    EDIT_ANSWER = "ea"
    PROGRAMME = "prog"
    VALID_UNTIL = "until"
    SCOPE = "scope"  # this cafe only ⇄ every cafe
    CONFIRM = "ok"
    CANCEL = "no"
    GAP = "gap"  # "answer this" under a /stats knowledge gap: sq:gap:<the logged question>


class StaffRefusal(StrEnum):
    """Why a staff-question action was refused; the person is told `sq.err.<value>`."""

    NOT_STAFF = "not_staff"
    NO_STAFF = "no_staff"  # nobody to answer: no staff chat and no staff member
    OTHER_CAFE = "other_cafe"  # a cafe's staff acting on another cafe's question
    NO_QUESTION = "no_question"
    CLOSED = "closed"
    NOT_YOURS = "not_yours"
    NO_ANSWER = "no_answer"
    BAD_DATE = "bad_date"
    EMPTY = "empty"


class StaffQuestionError(Exception):
    def __init__(self, code: StaffRefusal) -> None:
        super().__init__(code.value)
        self.code = code
