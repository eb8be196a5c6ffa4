"""The words of staff questions: the staff's card and every notice a step sends, rendered before they are queued.

Staff read the cafe's default language (or the language of whoever pressed, for the note in their chat); founders
read the language they asked in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.escalation.outbox import Notice
from bot.staff.hours import SEOUL
from bot.staff.questions.buttons import card_buttons, draft_buttons, save_buttons
from bot.storage.models.staff_questions import StaffQuestion
from bot.strings import t


@dataclass(frozen=True)
class Tried:
    """A passage retrieval found for the question: shown to staff, and the target of "the documents cover this"."""

    title: str
    page: int | None
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "page": self.page, "text": self.text}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tried:
        return cls(str(data.get("title", "")), data.get("page"), str(data.get("text", "")))

    def where(self, lang: str) -> str:
        return t("sq.where.page", lang, title=self.title, page=self.page) if self.page else self.title


def _snippet(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Reply:
    """What the person who acted sees at once (their own language): a text, and buttons if any."""

    text: str
    buttons: list[list[tuple[str, str]]]


@dataclass(frozen=True)
class QuestionWriter:
    staff_lang: str  # the cafe's default language
    show_founder_name: bool = False  # EXPERT_SHOW_FOUNDER_CONTACT: staff see founders as experts do

    def card(self, question: StaffQuestion, chats: list[int]) -> list[Notice]:
        lang = self.staff_lang
        parts = [t("sq.card", lang, id=question.id, question=question.question)]
        if self.show_founder_name and question.founder_name:
            parts.append(t("sq.card.founder", lang, name=question.founder_name))
        if question.context.get("question"):
            parts.append(t("sq.card.context", lang, question=question.context["question"],
                           answer=_snippet(question.context.get("answer", ""), 200)))
        tried = [Tried.from_json(x) for x in question.tried]
        if tried:
            lines = "\n".join(f"{n}. {p.where(lang)}: {_snippet(p.text)}" for n, p in enumerate(tried, 1))
            parts.append(t("sq.card.tried", lang, passages=lines))
        else:
            parts.append(t("sq.card.tried_none", lang))
        parts.append(t("sq.card.how", lang))
        text = "\n\n".join(parts)
        return [Notice(chat, text, staff_question_id=question.id, buttons=card_buttons(question.id, lang))
                for chat in chats]

    def topic_title(self, question: StaffQuestion) -> str:
        return f"❓ #{question.id} {question.question}"[:128]

    def passed_on(self, lang: str, answer_hours: float, back: datetime | None) -> str:
        hours = f"{answer_hours:g}"
        if back is None:
            return t("sq.asked", lang, hours=hours)
        return t("sq.asked.closed", lang, hours=hours, back=back.astimezone(SEOUL).strftime("%m-%d %H:%M"))

    def claimed(self, question: StaffQuestion, staff_name: str, chat_id: int, thread_id: int | None,
                lang: str) -> Notice:
        return Notice(chat_id, t("sq.claimed", lang, id=question.id, staff=staff_name), thread_id=thread_id)

    def answered(self, question: StaffQuestion, chat_id: int, thread_id: int | None, lang: str) -> list[Notice]:
        notices = []
        if question.founder_chat_id is not None:
            notices.append(Notice(question.founder_chat_id, t("sq.answer", question.lang, id=question.id,
                                                             answer=question.answer or ""),
                                  staff_question_id=question.id))
        notices.append(Notice(chat_id, t("sq.answered", lang, id=question.id), thread_id=thread_id,
                              buttons=save_buttons(question.id, lang)))
        return notices

    def follow_up(self, question: StaffQuestion, text: str, chats: list[int]) -> list[Notice]:
        body = t("sq.follow_up", self.staff_lang, id=question.id, text=text)
        return [Notice(chat, body, staff_question_id=question.id,
                       thread_id=question.route_thread_id if chat == question.route_chat_id else None)
                for chat in chats]

    def follow_up_sent(self, question: StaffQuestion) -> str:
        return t("sq.follow_up.sent", question.lang, id=question.id)

    def covered(self, question: StaffQuestion, passage: Tried, chat_id: int, thread_id: int | None,
                lang: str) -> list[Notice]:
        notices = []
        if question.founder_chat_id is not None:
            notices.append(Notice(question.founder_chat_id, t("sq.covered", question.lang, where=passage.where(
                question.lang), text=_snippet(passage.text, 400)), staff_question_id=question.id))
        notices.append(Notice(chat_id, t("sq.covered.staff", lang, id=question.id), thread_id=thread_id))
        return notices

    def redirected(self, question: StaffQuestion, chat_id: int, thread_id: int | None, lang: str) -> list[Notice]:
        notices = []
        if question.founder_chat_id is not None:
            notices.append(Notice(question.founder_chat_id, t("sq.redirected", question.lang),
                                  staff_question_id=question.id))
        notices.append(Notice(chat_id, t("sq.redirected.staff", lang, id=question.id), thread_id=thread_id))
        return notices

    def closed(self, question: StaffQuestion, chat_id: int, thread_id: int | None, lang: str) -> Notice:
        return Notice(chat_id, t("sq.closed", lang, id=question.id), thread_id=thread_id)

    def reminder(self, question: StaffQuestion, chats: list[int]) -> list[Notice]:
        return [Notice(chat, t("sq.reminder", self.staff_lang, id=question.id, question=_snippet(question.question)),
                       staff_question_id=question.id,
                       thread_id=question.route_thread_id if chat == question.route_chat_id else None)
                for chat in chats]

    def draft(self, question: StaffQuestion, lang: str, cafe_name: str | None = None) -> Reply:
        """The pair "save as an answer for everyone" would save (for `cafe_name`'s founders only, when given), with
        its edit, scope, save and cancel buttons."""
        draft = question.draft
        scope = t("sq.scope.cafe", lang, cafe=cafe_name) if cafe_name else t("sq.scope.all", lang)
        text = t("sq.draft", lang, id=question.id, question=draft.get("question", ""),
                 answer=draft.get("answer", ""), programme=draft.get("programme") or "-",
                 until=draft.get("valid_until") or "-", scope=scope)
        return Reply(text, draft_buttons(question.id, lang, question.cafe_id is not None))

    def saved(self, title: str, lang: str) -> str:
        return t("sq.saved", lang, title=title)
