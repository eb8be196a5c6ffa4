"""Conversation memory, the question log with feedback, and founders' preferences, in the database."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import delete, select

from bot.answering.types import Answer
from bot.observability import metrics
from bot.storage.db import Database
from bot.storage.models import ChatUser, ConversationTurn, QuestionLog, utcnow


class ConversationStore:
    """Per-conversation history (last N turns) and per-user data, surviving restarts."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def history(self, conversation_id: str, turns: int) -> list[tuple[str, str]]:
        """The last `turns` exchanges as (role, text), oldest first."""
        with self.db.session() as s:
            rows = s.execute(
                select(ConversationTurn.role, ConversationTurn.text)
                .where(ConversationTurn.conversation_id == conversation_id)
                .order_by(ConversationTurn.id.desc())
                .limit(turns * 2)
            ).all()
        return [(r, t) for r, t in reversed(rows)]

    def append(self, conversation_id: str, user_id: int | None, question: str, answer: str, keep: int = 20) -> None:
        """Store one exchange and trim the conversation to its most recent `keep` turns."""
        with self.db.session() as s:
            s.add(ConversationTurn(conversation_id=conversation_id, user_id=user_id, role="user", text=question))
            s.add(ConversationTurn(conversation_id=conversation_id, user_id=user_id, role="assistant", text=answer))
            s.flush()
            old = select(ConversationTurn.id).where(ConversationTurn.conversation_id == conversation_id) \
                .order_by(ConversationTurn.id.desc()).offset(keep)
            ids = list(s.scalars(old))
            if ids:
                s.execute(delete(ConversationTurn).where(ConversationTurn.id.in_(ids)))

    def reset(self, conversation_id: str) -> None:
        with self.db.session() as s:
            s.execute(delete(ConversationTurn).where(ConversationTurn.conversation_id == conversation_id))

    def log_question(self, user_id: int | None, conversation_id: str, answer: Answer,
                     cafe_id: str | None = None) -> int:
        """Log the question with the cafe its founder uses right now (`cafe_id`, or else their chosen cafe read in
        the same transaction): /stats counts it for that cafe even after the founder moves to another."""
        with self.db.session() as s:
            if cafe_id is None and user_id is not None:
                cafe_id = s.scalar(select(ChatUser.cafe_id).where(ChatUser.user_id == user_id))
            row = QuestionLog(
                user_id=user_id, conversation_id=conversation_id, question=answer.question,
                standalone_question=answer.standalone_question, lang=answer.lang, kind=answer.kind,
                mode=answer.mode, answer=answer.text,
                sources=[asdict(src) for src in answer.sources],
                latency_ms=answer.latency_ms, cafe_id=cafe_id,
            )
            s.add(row)
            s.flush()
            row_id = row.id
        metrics.note_question_cafe(cafe_id)  # the `cafe` label of this answer's count
        return row_id

    def record_vote(self, question_id: int, user_id: int, vote: int) -> bool:
        """Store 👍 (+1) or 👎 (-1) on the founder's own question; False if it is not theirs."""
        with self.db.session() as s:
            row = s.get(QuestionLog, question_id)
            if row is None or row.user_id != user_id:
                return False
            row.vote, row.voted_at = vote, utcnow()
            return True

    def get_question(self, question_id: int) -> QuestionLog | None:
        with self.db.session() as s:
            return s.get(QuestionLog, question_id)

    # --- users ---

    def touch_user(self, user_id: int) -> str | None:
        """Record that the user was seen; returns their chosen language, if any."""
        with self.db.session() as s:
            user = s.get(ChatUser, user_id)
            if user is None:
                user = ChatUser(user_id=user_id)
                s.add(user)
            user.last_seen_at = utcnow()
            return user.lang

    def set_language(self, user_id: int, lang: str) -> None:
        with self.db.session() as s:
            user = s.get(ChatUser, user_id) or ChatUser(user_id=user_id)
            user.lang = lang
            s.add(user)
