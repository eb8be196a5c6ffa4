"""Update scheduling: many chats at once, each chat's updates strictly one after another."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_key(update: object) -> Hashable | None:
    """What must be serialised: the chat, or the user for chat-less updates (inline queries)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Runs up to `max_concurrent_chats` chats concurrently; updates of one chat run in arrival order.

    A follow-up question must see the answer to the one before it, and a button press the answer it
    belongs to, so a chat never has two updates in flight. PTB starts one task per update in arrival
    order and both locks below are FIFO, which preserves that order.
    """

    def __init__(self, max_concurrent_chats: int, max_pending_updates: int = 4096) -> None:
        # The base semaphore only caps queued updates; the real work limit is taken after the chat lock,
        # so a chat waiting for its turn never holds a worker slot that another chat could use.
        super().__init__(max_pending_updates)
        if max_concurrent_chats < 1:
            raise ValueError("max_concurrent_chats must be positive")
        self.max_concurrent_chats = max_concurrent_chats
        self._workers = asyncio.BoundedSemaphore(max_concurrent_chats)
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._workers:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._workers:
                await coroutine
        finally:
            # Forget idle chats so the lock table does not grow with every chat ever seen.
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]

    @property
    def active_chats(self) -> int:
        """Chats with an update running or waiting."""
        return len(self._locks)

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for running updates itself."""
