"""Update scheduling: many chats at once, each chat's updates strictly one after another."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Hashable
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.observability import metrics
from bot.observability.logs import log_context, user_ref

log = logging.getLogger(__name__)


class UpdateHooks(Protocol):
    """Around each update, inside its chat's turn (bot.telegram.replicas implements it)."""

    async def admit(self, update: object) -> bool:
        """False for an update already handled (by this or another process): it is skipped."""

    async def load(self, update: object) -> None:
        """Before the handlers: bring shared state for this update up to date."""

    async def save(self) -> None:
        """After the handlers: write what they changed, before the chat's next update runs."""


def chat_key(update: object) -> Hashable | None:
    """What must be serialised: the chat, or the user for chat-less updates (inline queries)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


def update_type(update: object) -> str:
    """The update's kind as Telegram names it (message, callback_query, ...)."""
    if isinstance(update, Update):
        for kind in Update.ALL_TYPES:
            if getattr(update, kind, None) is not None:
                return str(kind)
    return "other"


def log_ids(update: object) -> dict[str, Any]:
    """What every log line about this update carries: ids and a pseudonym, never names or text."""
    if not isinstance(update, Update):
        return {}
    chat, user = update.effective_chat, update.effective_user
    return {"update_id": update.update_id, "chat_type": chat.type if chat else None,
            "user": user_ref(user.id) if user else None}


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
        self.hooks: UpdateHooks | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        metrics.record_update(update_type(update))
        with log_context(**log_ids(update)):
            await self._in_order(update, coroutine)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._workers:
                await self._run(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._workers:
                await self._run(update, coroutine)
        finally:
            # Forget idle chats so the lock table does not grow with every chat ever seen.
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]

    async def _run(self, update: object, coroutine: Awaitable[Any]) -> None:
        hooks = self.hooks
        if hooks is None:
            await coroutine
            return
        try:
            admitted = await hooks.admit(update)
        except Exception:  # the database being away must not silence the bot: answer, maybe twice
            log.warning("could not check update %s for duplicates", getattr(update, "update_id", "-"), exc_info=True)
            admitted = True
        if not admitted:
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never started
            return
        try:
            await hooks.load(update)
        except Exception:
            log.warning("could not load shared state for update %s", getattr(update, "update_id", "-"),
                        exc_info=True)
        try:
            await coroutine
        finally:
            try:
                await hooks.save()
            except Exception:
                log.warning("could not save state after update %s", getattr(update, "update_id", "-"),
                            exc_info=True)

    @property
    def active_chats(self) -> int:
        """Chats with an update running or waiting."""
        return len(self._locks)

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for running updates itself."""
