"""PTB persistence for ConversationHandler states and user data, in our SQL database (shared by replicas).

User data is read again before every update (PTB's refresh hook), so a staff member asked for a title by one
process can type it to another. Chat, bot and callback data stay in memory: nothing shared lives there.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from sqlalchemy.exc import StatementError
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.observability.logs import user_ref
from bot.storage.state_store import StateName, StateStore, conversation_key

log = logging.getLogger(__name__)



class SqlConversationPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, store: StateStore, update_interval: float = 1.0) -> None:
        # A short interval: a state change reaches the database within a second even if the process dies.
        super().__init__(store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True,
                                                     callback_data=False), update_interval=update_interval)
        self.store = store

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await asyncio.to_thread(self.store.all, StateName.CONVERSATION_PREFIX + name)
        return {tuple(json.loads(key)): value for key, value in rows.items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        await asyncio.to_thread(self.store.put, StateName.CONVERSATION_PREFIX + name, conversation_key(key), new_state)

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        try:
            await asyncio.to_thread(self.store.put, StateName.USER_DATA, str(user_id), dict(data) or None)
        except (TypeError, StatementError):  # not JSON: keep it in this process only rather than fail the update
            log.warning("user data of %s is not JSON; not shared", user_ref(user_id))

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        await asyncio.to_thread(self.store.put, StateName.USER_DATA, str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        try:
            stored = await asyncio.to_thread(self.store.get, StateName.USER_DATA, str(user_id))
        except Exception:  # the database being away: carry on with what this process remembers
            log.warning("could not refresh the user data of %s", user_ref(user_id), exc_info=True)
            return
        user_data.clear()
        user_data.update(stored or {})

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None
