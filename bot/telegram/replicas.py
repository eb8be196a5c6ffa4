"""What lets several processes serve one bot behind a load balancer (or one process survive restarts).

Each update is acted on once, whichever process gets it and however often Telegram delivers it; the idea
intake's conversation state is read from the database before an update and, with the user data, written back
right after it, so the next update of that founder can land on any process.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.ext import ConversationHandler
from telegram.ext._utils.trackingdict import TrackingDict
from telegram.ext._utils.types import ConversationKey

from bot.services import Services
from bot.storage.db import Database
from bot.storage.models.escalation import SeenUpdate
from bot.storage.state_store import StateName, conversation_key
from bot.telegram.context import App, Context

log = logging.getLogger(__name__)


def first_time(db: Database, update_id: int) -> bool:
    """True the first time any process sees an update; a redelivered update gets False and is skipped.

    An atomic insert on the update id's primary key, so two replicas given the same update agree on one.
    """
    try:
        with db.session() as s:
            s.add(SeenUpdate(update_id=update_id))
        return True
    except IntegrityError:
        log.info("update %s already processed; skipped", update_id)
        return False


class ReplicaSync:
    """The PerChatUpdateProcessor's hooks (bot.telegram.processor.UpdateHooks)."""

    def __init__(self, app: App, services: Services) -> None:
        self.app = app
        self.services = services

    async def admit(self, update: object) -> bool:
        """First sight of this update_id in the shared database (an atomic insert on its primary key)."""
        if not isinstance(update, Update):
            return True
        return await asyncio.to_thread(first_time, self.services.db, update.update_id)

    def _conversations(self) -> list[ConversationHandler[Context]]:
        return [h for group in self.app.handlers.values() for h in group
                if isinstance(h, ConversationHandler) and h.persistent and h.name]

    async def load(self, update: object) -> None:
        """Replace the in-memory conversation state of this update's conversation with the database's.

        PTB reads conversation states only when it starts; another process may have moved this founder's
        intake on (or ended it) since.
        """
        if not isinstance(update, Update):
            return
        for handler in self._conversations():
            try:
                key = handler._get_key(update)  # private, but PTB has no public way to ask
            except RuntimeError:  # the handler does not track this kind of update
                continue
            stored: Any = await asyncio.to_thread(self.services.state.get,
                                                  StateName.CONVERSATION_PREFIX + str(handler.name),
                                                  conversation_key(key))
            # PTB keeps them in a TrackingDict: written back by persistence only when changed through it.
            states = cast(TrackingDict[ConversationKey, object], handler._conversations)
            if stored is None:
                states.data.pop(key, None)  # untracked: nothing to write back
            else:
                states.update_no_track({key: stored})

    async def save(self) -> None:
        """Write changed conversation states and user data now instead of at PTB's next interval."""
        await self.app.update_persistence()
