"""Founders' conversations: users, turns, the question log with feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow
from bot.storage.types import UtcDateTime

# --- founders' conversations ------------------------------------------------------------------


class ChatUser(Base):
    """A person who talked to the bot: their language and when we last heard from them (for retention)."""

    __tablename__ = "chat_users"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    lang: Mapped[str | None] = mapped_column(String(8))
    cafe_id: Mapped[str | None] = mapped_column(String(32))  # the cafe the founder uses (/cafe)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConversationTurn(Base):
    """One message of a conversation, kept so follow-up questions can be understood after a restart."""

    __tablename__ = "conversation_turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(16))  # "user" or "assistant"
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class QuestionLog(Base):
    """A question and what the bot answered: for feedback, staff statistics and knowledge gaps."""

    __tablename__ = "question_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    standalone_question: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(24))  # answer, not_found, idea, smalltalk, out_of_scope
    mode: Mapped[str] = mapped_column(String(16))  # llm, extractive, none
    answer: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # cited sources (answering.Source)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    vote: Mapped[int | None] = mapped_column(Integer)  # +1 / -1
    voted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # When staff answered it for everyone (a curated answer to this question or one close to it): a knowledge gap
    # no longer (bot/staff/insight.py). NULL: not resolved.
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The cafe the founder used when asking (chat_users.cafe_id then): /stats by cafe. NULL: none chosen.
    cafe_id: Mapped[str | None] = mapped_column(String(32), index=True)
