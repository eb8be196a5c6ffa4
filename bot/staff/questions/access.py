"""Who may act on a staff question, and loading one for a step: shared by the workflow and the save flow."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.cafes.registry import CafeRegistry
from bot.observability.logs import bind, user_ref
from bot.staff.questions.enums import WAITING_STATES, QuestionState, StaffQuestionError, StaffRefusal
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database
from bot.storage.models.staff_questions import StaffQuestion

log = logging.getLogger(__name__)


class QuestionAccess:
    def __init__(self, db: Database, staff: StaffRegistry, cafes: CafeRegistry) -> None:
        self.db = db
        self.staff = staff
        self.cafes = cafes

    def require_staff(self, user_id: int, action: str, question_id: int | None = None, *,
                      any_cafe: bool = False) -> None:
        """Staff only, and a cafe's staff only on their cafe's questions (admins and cafe-less staff on all);
        `any_cafe`: `question_id` is not a staff question (a logged question behind a knowledge gap)."""
        if not self.staff.is_staff(user_id):
            log.warning("refused %s on staff question %s by non-staff %s", action, question_id, user_ref(user_id))
            raise StaffQuestionError(StaffRefusal.NOT_STAFF)
        if question_id is None or any_cafe:
            return
        with self.db.session() as s:
            question = s.get(StaffQuestion, question_id)
            cafe_id = question.cafe_id if question is not None else None
        if not self.cafes.scope(user_id).allows(cafe_id):
            log.warning("refused %s on staff question %s: staff %s works at another cafe", action, question_id,
                        user_id)
            raise StaffQuestionError(StaffRefusal.OTHER_CAFE)


def load_question(session: Session, question_id: int, *, waiting: bool = False,
                  closed_ok: bool = False) -> StaffQuestion:
    """The question, row-locked for the step; refused when gone, closed (unless `closed_ok`) or, with `waiting`,
    no longer waiting for staff."""
    bind(staff_question=question_id)
    question = session.get(StaffQuestion, question_id, with_for_update=True)
    if question is None:
        raise StaffQuestionError(StaffRefusal.NO_QUESTION)
    if question.status == QuestionState.CLOSED and not closed_ok:
        raise StaffQuestionError(StaffRefusal.CLOSED)
    if waiting and question.status not in WAITING_STATES:
        raise StaffQuestionError(StaffRefusal.CLOSED)
    return question
