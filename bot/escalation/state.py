"""A small JSON key-value store in SQL: intake drafts, pending prompts and conversation states.

Kept in the database (not in process memory) so a restart or another replica continues where a founder was.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.storage.db import Database
from bot.storage.models.escalation import ConversationState


class StateStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, name: str, key: str) -> Any:
        with self.db.session() as s:
            row = s.get(ConversationState, (name, key))
            return None if row is None else json.loads(row.value)

    def put(self, name: str, key: str, value: Any) -> None:
        """Store a value; None deletes it."""
        with self.db.session() as s:
            row = s.get(ConversationState, (name, key))
            if value is None:
                if row is not None:
                    s.delete(row)
                return
            if row is None:
                s.add(ConversationState(name=name, key=key, value=json.dumps(value, ensure_ascii=False)))
            else:
                row.value = json.dumps(value, ensure_ascii=False)

    def all(self, name: str) -> dict[str, Any]:
        with self.db.session() as s:
            rows = s.scalars(select(ConversationState).where(ConversationState.name == name))
            return {r.key: json.loads(r.value) for r in rows}
