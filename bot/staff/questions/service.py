"""Questions the documents did not answer, answered by the cafe staff: each step one call that changes the question
and queues the messages it causes in one database transaction (the outbox delivers them). Knows nothing of Telegram;
blocking (database, knowledge search): callers run these off the event loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cafes.registry import CafeRegistry
from bot.escalation.outbox import Outbox, Topic
from bot.observability import metrics
from bot.observability.logs import user_ref
from bot.staff.hours import OfficeHours
from bot.staff.questions.access import QuestionAccess, load_question
from bot.staff.questions.drafts import AnswerDrafts, SaveCurated
from bot.staff.questions.enums import (
    WAITING_STATES,
    LinkPurpose,
    QuestionOutcome,
    QuestionState,
    StaffQuestionError,
    StaffRefusal,
)
from bot.staff.questions.notices import QuestionWriter, Tried
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database
from bot.storage.models.base import utcnow
from bot.storage.models.conversations import QuestionLog
from bot.storage.models.staff_questions import StaffQuestion, StaffQuestionLink

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asker:
    """The founder asking; `name` is empty unless staff are shown founders' names (minimum collection)."""

    user_id: int
    chat_id: int
    name: str = ""


class StaffQuestions:
    def __init__(self, db: Database, staff: StaffRegistry, writer: QuestionWriter, hours: OfficeHours, *,
                 answer_hours: float, route_chat_id: int | None,
                 search: Callable[[str, str | None], list[Tried]],
                 save: SaveCurated, cafes: CafeRegistry | None = None) -> None:
        self.db = db
        self.staff = staff
        self.writer = writer
        self.hours = hours
        self.answer_hours = answer_hours
        self.route_chat_id = route_chat_id
        self.search = search
        self.cafes = cafes or CafeRegistry(db)
        self.access = QuestionAccess(db, staff, self.cafes)
        self.require_staff = self.access.require_staff
        # "Save as an answer for everyone", a flow of its own over the same questions.
        self.drafts = AnswerDrafts(db, self.access, writer, self.cafes, save)

    # Founders
    def ask(self, question_log_id: int, asker: Asker, lang: str, now: datetime | None = None, *,
            cafe_id: str | None = None) -> str:
        """The founder's question (as they asked it, with the turn before it) goes to staff; returns what the
        founder is told: passed on, and when to expect an answer (office hours aware)."""
        now = now or utcnow()
        with self.db.session() as s:
            logged = s.get(QuestionLog, question_log_id)
            if logged is None or logged.user_id != asker.user_id:
                log.warning("staff question refused: question %s is not %s's", question_log_id,
                            user_ref(asker.user_id))
                raise StaffQuestionError(StaffRefusal.NOT_YOURS)
            asked = s.scalar(select(StaffQuestion.id).where(StaffQuestion.question_log_id == question_log_id))
            text, conversation = logged.question, logged.conversation_id
        if asked is None:
            with self.db.session() as s:
                if not self._staff_chats(s, cafe_id=cafe_id):
                    log.warning("staff question refused: no staff chat and no staff member to answer it")
                    raise StaffQuestionError(StaffRefusal.NO_STAFF)
            tried = self._tried(text, cafe_id)
            with self.db.session() as s:
                question = StaffQuestion(
                    founder_id=asker.user_id, founder_chat_id=asker.chat_id, founder_name=asker.name, lang=lang,
                    cafe_id=cafe_id,
                    question=text, context=self._last_turn(s, conversation, question_log_id),
                    question_log_id=question_log_id, tried=[t.as_json() for t in tried],
                    status=QuestionState.OPEN, draft={})
                chats = self._staff_chats(s, cafe_id=cafe_id)
                question.route_chat_id = self.route_chat_id if chats == [self.route_chat_id] else None
                s.add(question)
                s.flush()
                Outbox.put_all(s, self.writer.card(question, chats))
                log.info("staff question %s asked by %s", question.id, user_ref(asker.user_id))
            metrics.record_staff_question("asked", cafe_id)
        back = self.hours.next_open(now)
        return self.writer.passed_on(lang, self.answer_hours, back)

    def ask_from_gap(self, question_log_id: int, staff_id: int) -> int:
        """"Answer this" under a /stats knowledge gap: the same flow, without a founder waiting for the answer.

        The card goes to the staff chat, or to the staff member who pressed. Returns the question's id.
        """
        self.require_staff(staff_id, "answer a gap", question_log_id, any_cafe=True)
        with self.db.session() as s:
            logged = s.get(QuestionLog, question_log_id)
            if logged is None:
                raise StaffQuestionError(StaffRefusal.NO_QUESTION)
            text, lang = logged.question, logged.lang
        tried = self._tried(text)
        with self.db.session() as s:
            question = StaffQuestion(founder_id=None, founder_chat_id=None, founder_name="", lang=lang, question=text,
                                     context={}, question_log_id=None, tried=[t.as_json() for t in tried],
                                     status=QuestionState.CLAIMED, claimed_by=staff_id,
                                     route_chat_id=self.route_chat_id, draft={})
            s.add(question)
            s.flush()
            chats = [self.route_chat_id] if self.route_chat_id is not None else [staff_id]
            Outbox.put_all(s, self.writer.card(question, chats))
            return question.id

    def gap_references(self, examples: list[str]) -> list[int | None]:
        """For each knowledge gap's example, the latest logged question with that text (what "answer this" opens)."""
        with self.db.session() as s:
            return [s.scalar(select(QuestionLog.id).where(QuestionLog.question == example, QuestionLog.kind ==
                                                          "not_found").order_by(QuestionLog.id.desc()).limit(1))
                    for example in examples]

    def _tried(self, text: str, cafe_id: str | None = None) -> list[Tried]:
        """What retrieval finds for the question as the founder's cafe sees it (never another cafe's notices)."""
        try:
            return self.search(text, cafe_id)[:3]
        except Exception:  # the card without passages is still a card
            log.warning("no retrieval shown for a staff question", exc_info=True)
            return []

    @staticmethod
    def _last_turn(session: Session, conversation: str, question_log_id: int) -> dict[str, str]:
        """The exchange before the question (the founder's question and the bot's answer), for staff's context."""
        earlier = session.scalars(select(QuestionLog).where(QuestionLog.conversation_id == conversation,
                                                            QuestionLog.id < question_log_id)
                                  .order_by(QuestionLog.id.desc()).limit(1)).first()
        if earlier is None:
            return {}
        return {"question": earlier.question, "answer": earlier.answer[:500]}

    def follow_up(self, question_id: int, founder_id: int, text: str) -> str:
        """The founder replied to the staff's answer: it reaches the staff who answered (or the staff chat)."""
        with self.db.session() as s:
            question = load_question(s, question_id, closed_ok=True)
            if question.founder_id != founder_id:
                raise StaffQuestionError(StaffRefusal.NOT_YOURS)
            if question.status in (QuestionState.ANSWERED, QuestionState.CLOSED):
                question.status = QuestionState.CLAIMED  # waiting for staff again: the founder asked more
                question.reminded_at = None
            Outbox.put_all(s, self.writer.follow_up(question, text, self._staff_chats(s, question)))
            return self.writer.follow_up_sent(question)

    # Staff
    def claim(self, question_id: int, staff_id: int, staff_name: str, chat_id: int, thread_id: int | None,
              lang: str) -> None:
        self.require_staff(staff_id, "claim", question_id)
        with self.db.session() as s:
            question = load_question(s, question_id, waiting=True)
            question.status, question.claimed_by = QuestionState.CLAIMED, staff_id
            Outbox.put_all(s, [self.writer.claimed(question, staff_name, chat_id, thread_id, lang)])

    def check(self, question_id: int, staff_id: int, action: str, *, closed_ok: bool = False) -> None:
        """Before the bot asks a staff member for a typed reply: may they, and is the question still open (unless
        `closed_ok`: wording a closed question's saved answer)?"""
        self.require_staff(staff_id, action, question_id)
        with self.db.session() as s:
            load_question(s, question_id, closed_ok=closed_ok)

    def tried(self, question_id: int) -> list[Tried]:
        """The passages retrieval found for the question (staff pick the one that answers it)."""
        with self.db.session() as s:
            return [Tried.from_json(x) for x in load_question(s, question_id).tried]

    def expect(self, chat_id: int, message_id: int, question_id: int, purpose: LinkPurpose) -> None:
        """The bot's prompt `message_id` was sent: a reply to it means `purpose` for the question."""
        with self.db.session() as s:
            s.merge(StaffQuestionLink(chat_id=chat_id, message_id=message_id, question_id=question_id,
                                      purpose=purpose))

    def locate(self, chat_id: int, reply_to: int | None, thread_id: int | None) -> tuple[int, LinkPurpose] | None:
        """The question a message belongs to, and what it means: a reply to one of its messages (the card, the
        founder's answer, a prompt), or a message in its forum topic that replies to nothing. A reply to anything
        else (a colleague, a staff note) is not the question's."""
        with self.db.session() as s:
            if reply_to is not None:
                link = s.get(StaffQuestionLink, (chat_id, reply_to))
                return (link.question_id, LinkPurpose(link.purpose)) if link is not None else None
            if thread_id is not None:
                found = s.scalar(select(StaffQuestion.id).where(StaffQuestion.route_chat_id == chat_id,
                                                                StaffQuestion.route_thread_id == thread_id))
                if found is not None:
                    return found, LinkPurpose.THREAD
        return None

    def answer(self, question_id: int, staff_id: int, text: str, chat_id: int, thread_id: int | None,
               lang: str) -> None:
        """The staff's answer goes to the founder, labelled as the cafe staff's; staff may then save it for everyone."""
        self.require_staff(staff_id, "answer", question_id)
        if not text.strip():
            raise StaffQuestionError(StaffRefusal.EMPTY)
        with self.db.session() as s:
            question = load_question(s, question_id)
            question.answer, question.answered_by, question.answered_at = text.strip(), staff_id, utcnow()
            question.status, question.outcome = QuestionState.ANSWERED, QuestionOutcome.ANSWERED
            question.claimed_by = question.claimed_by or staff_id
            Outbox.put_all(s, self.writer.answered(question, chat_id, thread_id, lang))
        metrics.record_staff_question("answered", question.cafe_id)
        log.info("staff question %s answered by staff %s", question_id, staff_id)

    def covered(self, question_id: int, staff_id: int, passage: int, chat_id: int, thread_id: int | None,
                lang: str) -> None:
        """The documents do cover it: the founder is pointed to the passage, and the miss is recorded."""
        self.require_staff(staff_id, "covered", question_id)
        with self.db.session() as s:
            question = load_question(s, question_id)
            tried = [Tried.from_json(t) for t in question.tried]
            if not 0 <= passage < len(tried):
                raise StaffQuestionError(StaffRefusal.NO_ANSWER)
            question.status, question.outcome = QuestionState.CLOSED, QuestionOutcome.COVERED
            question.answered_by, question.answered_at = staff_id, utcnow()
            Outbox.put_all(s, self.writer.covered(question, tried[passage], chat_id, thread_id, lang))
        metrics.record_retrieval_miss(question.cafe_id)
        log.info("staff question %s: the documents cover it (passage %d); a retrieval miss", question_id, passage)

    def redirect(self, question_id: int, staff_id: int, chat_id: int, thread_id: int | None, lang: str) -> None:
        """Not the cafe's topic: the founder gets a polite redirect."""
        self.require_staff(staff_id, "redirect", question_id)
        with self.db.session() as s:
            question = load_question(s, question_id)
            question.status, question.outcome = QuestionState.CLOSED, QuestionOutcome.REDIRECTED
            Outbox.put_all(s, self.writer.redirected(question, chat_id, thread_id, lang))
        metrics.record_staff_question("redirected", question.cafe_id)

    def close(self, question_id: int, staff_id: int, chat_id: int, thread_id: int | None, lang: str) -> None:
        self.require_staff(staff_id, "close", question_id)
        with self.db.session() as s:
            question = load_question(s, question_id)
            question.status = QuestionState.CLOSED
            question.outcome = question.outcome or QuestionOutcome.CLOSED
            Outbox.put_all(s, [self.writer.closed(question, chat_id, thread_id, lang)])
        metrics.record_staff_question("closed", question.cafe_id)

    # Lists and service levels
    def waiting(self, staff_id: int | None = None) -> list[StaffQuestion]:
        """Questions staff still owe an answer, oldest first (/questions): with `staff_id`, those of their cafes."""
        scope = self.cafes.scope(staff_id) if staff_id is not None else None
        with self.db.session() as s:
            rows = s.scalars(select(StaffQuestion).where(StaffQuestion.status.in_(WAITING_STATES))
                             .order_by(StaffQuestion.id))
            return [q for q in rows if scope is None or scope.allows(q.cafe_id)]

    def check_service_levels(self, now: datetime | None = None) -> int:
        """Remind staff, once, of each question waiting longer than STAFF_ANSWER_HOURS; returns notices queued."""
        due = (now or utcnow()) - timedelta(hours=self.answer_hours)
        queued = 0
        with self.db.session() as s:
            overdue = list(s.scalars(select(StaffQuestion).where(StaffQuestion.status.in_(WAITING_STATES),
                                                                 StaffQuestion.reminded_at.is_(None),
                                                                 StaffQuestion.created_at <= due)
                                     .with_for_update(skip_locked=True)))
            for question in overdue:
                question.reminded_at = utcnow()
                queued += Outbox.put_all(s, self.writer.reminder(question, self._staff_chats(s, question)))
        return queued

    def topic_for(self, question_id: int, chat_id: int) -> Topic:
        """The forum topic a send to the staff chat belongs in; a title when none is open yet."""
        with self.db.session() as s:
            question = s.get(StaffQuestion, question_id)
            if question is None or question.route_chat_id != chat_id:
                return Topic(None)
            if question.route_thread_id is not None:
                return Topic(question.route_thread_id)
            return Topic(None, self.writer.topic_title(question))

    def set_thread(self, question_id: int, thread_id: int) -> None:
        with self.db.session() as s:
            question = s.get(StaffQuestion, question_id)
            if question is not None:
                question.route_thread_id = thread_id

    # Helpers
    def _staff_chats(self, session: Session, question: StaffQuestion | None = None, *,
                     cafe_id: str | None = None) -> list[int]:
        """Where staff read about a question: its cafe's staff (the cafes file) in their own chats, else the staff
        chat, else every staff member; once someone took a question asked in DMs, that staff member."""
        if question is not None:
            if question.route_chat_id is not None:
                return [question.route_chat_id]
            if question.claimed_by or question.answered_by:
                return [int(question.claimed_by or question.answered_by or 0)]
            cafe_id = question.cafe_id
        cafe_staff = CafeRegistry.cafe_staff_in(session, cafe_id) if cafe_id is not None else []
        if cafe_staff:
            return cafe_staff
        if self.route_chat_id is not None:
            return [self.route_chat_id]
        # Everyone who may act on it: not another cafe's staff, who would see a founder they cannot help.
        return [u for u in self.staff.all_ids(session) if self.cafes.scope(u).allows(cafe_id)]
