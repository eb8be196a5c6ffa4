""""Save as an answer for everyone": staff word a question's answer (question, answer, programme, valid-until,
which cafe's founders), then save it as a curated answer in the knowledge base."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.cafes.registry import CafeRegistry
from bot.knowledge.registry import DocumentInfo
from bot.observability import metrics
from bot.staff.questions.access import QuestionAccess, load_question
from bot.staff.questions.enums import LinkPurpose, StaffQuestionError, StaffRefusal
from bot.staff.questions.notices import QuestionWriter, Reply
from bot.storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Draft:
    """What "save as an answer for everyone" will save."""

    question: str
    answer: str
    programme: str | None = None
    valid_until: date | None = None
    cafe_id: str | None = None  # a cafe's own answer (a cafe notice); None: every cafe's founders


SaveCurated = Callable[[Draft, int, str], DocumentInfo]  # (draft, staff id, question's language) -> the document


class AnswerDrafts:
    """The draft lives on the question (StaffQuestion.draft) until it is saved or cancelled."""

    def __init__(self, db: Database, access: QuestionAccess, writer: QuestionWriter, cafes: CafeRegistry,
                 save: SaveCurated) -> None:
        self.db = db
        self.access = access
        self.writer = writer
        self.cafes = cafes
        self.save = save

    def start(self, question_id: int, staff_id: int, lang: str) -> Reply:
        """The pair as it would be saved, with buttons to edit it, save or cancel."""
        self.access.require_staff(staff_id, "save", question_id)
        with self.db.session() as s:
            question = load_question(s, question_id, closed_ok=True)
            if not question.answer:
                raise StaffQuestionError(StaffRefusal.NO_ANSWER)
            # A cafe's founder asked it: by default the answer is that cafe's (its hours, its printer), which
            # staff may widen to every cafe.
            question.draft = {"question": question.question, "answer": question.answer, "programme": None,
                              "valid_until": None, "cafe_id": question.cafe_id}
            return self.writer.draft(question, lang, self._cafe_name(question.draft.get("cafe_id"), lang))

    def edit(self, question_id: int, staff_id: int, purpose: LinkPurpose, value: str, lang: str) -> Reply:
        self.access.require_staff(staff_id, "edit", question_id)
        value = value.strip()
        with self.db.session() as s:
            question = load_question(s, question_id, closed_ok=True)
            draft: dict[str, Any] = dict(question.draft or {})
            if not draft:
                raise StaffQuestionError(StaffRefusal.NO_ANSWER)
            if purpose is LinkPurpose.VALID_UNTIL:
                try:
                    draft["valid_until"] = date.fromisoformat(value).isoformat() if value not in ("", "-") else None
                except ValueError:
                    raise StaffQuestionError(StaffRefusal.BAD_DATE) from None
            elif purpose is LinkPurpose.PROGRAMME:
                draft["programme"] = value if value not in ("", "-") else None
            else:
                if not value:
                    raise StaffQuestionError(StaffRefusal.EMPTY)
                draft["question" if purpose is LinkPurpose.EDIT_QUESTION else "answer"] = value
            question.draft = draft
            return self.writer.draft(question, lang, self._cafe_name(question.draft.get("cafe_id"), lang))

    def toggle_scope(self, question_id: int, staff_id: int, lang: str) -> Reply:
        """This cafe only ⇄ every cafe, for a question a cafe's founder asked."""
        self.access.require_staff(staff_id, "scope", question_id)
        with self.db.session() as s:
            question = load_question(s, question_id, closed_ok=True)
            draft: dict[str, Any] = dict(question.draft or {})
            if not draft:
                raise StaffQuestionError(StaffRefusal.NO_ANSWER)
            draft["cafe_id"] = None if draft.get("cafe_id") else question.cafe_id
            question.draft = draft
            return self.writer.draft(question, lang, self._cafe_name(draft.get("cafe_id"), lang))

    def _cafe_name(self, cafe_id: str | None, lang: str) -> str | None:
        cafe = self.cafes.get(cafe_id)
        return cafe.name(lang) if cafe is not None else None

    def confirm(self, question_id: int, staff_id: int, lang: str) -> str:
        """Save the draft as a curated answer (searchable within seconds); returns what staff are told."""
        self.access.require_staff(staff_id, "save", question_id)
        with self.db.session() as s:
            question = load_question(s, question_id, closed_ok=True)
            stored = dict(question.draft or {})
            qlang = question.lang
        if not stored:
            raise StaffQuestionError(StaffRefusal.NO_ANSWER)
        until = stored.get("valid_until")
        draft = Draft(stored["question"], stored["answer"], stored.get("programme"),
                      date.fromisoformat(until) if until else None, stored.get("cafe_id"))
        # Ingestion commits on its own (SQL, vectors, BM25): the question records the document once it is searchable.
        try:
            document = self.save(draft, staff_id, qlang)
        except ValueError:  # nothing left of the wording once cleaned
            log.info("staff question %s: the saved wording was empty", question_id)
            raise StaffQuestionError(StaffRefusal.EMPTY) from None
        with self.db.session() as s:
            question = load_question(s, question_id, closed_ok=True)
            question.draft = {}
            question.saved_document_id = document.id
        metrics.record_staff_question("saved", question.cafe_id)
        log.info("staff question %s saved as a curated answer by staff %s", question_id, staff_id)
        return self.writer.saved(document.title, lang)

    def cancel(self, question_id: int, staff_id: int) -> None:
        self.access.require_staff(staff_id, "cancel", question_id)
        with self.db.session() as s:
            load_question(s, question_id, closed_ok=True).draft = {}
