"""Founders' questions the documents did not answer, passed to the cafe staff, and the messages that belong to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow
from bot.storage.types import UtcDateTime


class StaffQuestion(Base):
    """One question for the staff, from the founder's tap (or a /stats knowledge gap) to its answer.

    The founder's identity is kept only as escalation settings allow (founder_name empty otherwise); a question
    from a knowledge gap has no founder at all.
    """

    __tablename__ = "staff_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    founder_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    founder_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    founder_name: Mapped[str] = mapped_column(Text, default="")
    cafe_id: Mapped[str | None] = mapped_column(String(32), index=True)  # the cafe whose staff answer it
    lang: Mapped[str] = mapped_column(String(8), default="ko")
    question: Mapped[str] = mapped_column(Text)
    # The conversation's last turn before the question ({"question", "answer"}), for context.
    context: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    question_log_id: Mapped[int | None] = mapped_column(Integer)
    # What retrieval found ([{"title", "page", "text"}]): staff see why the bot could not answer.
    tried: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # a QuestionState
    outcome: Mapped[str | None] = mapped_column(String(16))  # a QuestionOutcome, once closed or answered
    claimed_by: Mapped[int | None] = mapped_column(BigInteger)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(BigInteger)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    route_chat_id: Mapped[int | None] = mapped_column(BigInteger)  # the staff chat; None: each staff member's DM
    route_thread_id: Mapped[int | None] = mapped_column(BigInteger)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # "Save as an answer for everyone": the wording staff are about to save ({"question", "answer", ...}).
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    saved_document_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class StaffQuestionLink(Base):
    """A message that belongs to a staff question (its card, the answer the founder got, a prompt), so a reply to it
    finds the question; `purpose` says what a reply to it means."""

    __tablename__ = "staff_question_links"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    question_id: Mapped[int] = mapped_column(ForeignKey("staff_questions.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="thread")  # a LinkPurpose
