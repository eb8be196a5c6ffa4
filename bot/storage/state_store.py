"""A small JSON key-value store in SQL: PTB's conversation states and user data, and pending reply prompts.

Kept in the database (not in process memory) so a restart or another replica continues where a person was.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from bot.storage.db import Database
from bot.storage.models.escalation import ConversationState


class StateName(StrEnum):
    """The store's namespaces. Privacy (bot.privacy) erases a person's rows through these, never by repeating them."""

    USER_DATA = "ptb_user"  # PTB user_data (the idea intake's draft lives there), keyed by user id
    CONVERSATION_PREFIX = "ptb:"  # + a ConversationHandler's name; keyed by JSON [chat id, user id]
    PROMPT = "prompt"  # a prompt the bot sent for a typed reply; keyed "chat:message"
    LEGACY_INTAKE = "intake"  # drafts of releases before the intake kept them in user_data: moved there at start


def conversation_key(key: tuple[object, ...]) -> str:
    """A ConversationHandler key (chat id, user id) as a CONVERSATION_PREFIX row is keyed."""
    return json.dumps(list(key))


def conversation_key_ids(key: str) -> list[int]:
    """The ids in a CONVERSATION_PREFIX row's key; [] for a key this code did not write."""
    try:
        parts = json.loads(key)
    except ValueError:
        return []
    return [p for p in parts if isinstance(p, int)] if isinstance(parts, list) else []


def prompt_key(chat_id: int, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


def prompt_chat(key: str) -> int | None:
    """The chat a PROMPT row's prompt was sent to."""
    chat = key.split(":", 1)[0]
    return int(chat) if chat.lstrip("-").isdigit() else None


class StateStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, name: str, key: str) -> Any:
        with self.db.session() as s:
            return self.get_in(s, name, key)

    @staticmethod
    def get_in(session: Session, name: str, key: str) -> Any:
        row = session.get(ConversationState, (name, key))
        return None if row is None else row.value

    def put(self, name: str, key: str, value: Any) -> None:
        """Store a value; None deletes it."""
        with self.db.session() as s:
            self.put_in(s, name, key, value)

    @staticmethod
    def put_in(session: Session, name: str, key: str, value: Any) -> None:
        row = session.get(ConversationState, (name, key))
        if value is None:
            if row is not None:
                session.delete(row)
            return
        if row is None:
            session.add(ConversationState(name=name, key=key, value=value))
        else:
            row.value = value
            flag_modified(row, "value")  # a JSON value changed in place compares equal to itself

    def move_into_user_data(self, name: str, user_data_key: str) -> int:
        """Move every row of `name` (keyed by user id) into that user's USER_DATA under `user_data_key`, unless the
        user data already holds one; returns how many moved. For state older releases kept beside PTB's."""
        with self.db.session() as s:
            rows = list(s.scalars(select(ConversationState).where(ConversationState.name == name)))
            for row in rows:
                data = self.get_in(s, StateName.USER_DATA, row.key)
                data = dict(data) if isinstance(data, dict) else {}
                data.setdefault(user_data_key, row.value)
                self.put_in(s, StateName.USER_DATA, row.key, data)
                s.delete(row)
            return len(rows)

    def all(self, name: str) -> dict[str, Any]:
        with self.db.session() as s:
            rows = s.scalars(select(ConversationState).where(ConversationState.name == name))
            return {r.key: r.value for r in rows}
