"""What every handler needs: the domain services, the founder's language, the conversation id."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.answering.language import detect_language
from bot.services import Services
from bot.strings import LANGS
from bot.telegram.ratelimit import SlidingWindowLimiter

log = logging.getLogger(__name__)

LANG_KEY = "lang"  # the chosen language, kept in user_data for when the database is unreachable


class BotData:
    """What every handler of this process shares; set once when the application is built.

    Typed attributes instead of `bot_data[...]` keys, as PTB's contexttypesbot.py example does.
    """

    services: Services
    limiter: SlidingWindowLimiter

    def __init__(self) -> None:
        # One outbox flush at a time in this process (replicas are kept apart by the database's leases).
        self.outbox_lock = asyncio.Lock()
        self.ops_server: Any = None


# ExtBot[int]: the bot as AIORateLimiter wraps it (its per-call argument is an int of retries).
class Context(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler and job gets: the domain services without casts or string keys."""

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def limiter(self) -> SlidingWindowLimiter:
        return self.bot_data.limiter

    @property
    def jobs(self) -> JobQueue[Context] | None:
        """The job queue, typed with this context (PTB's own property leaves its type variable unsolved)."""
        return cast("JobQueue[Context] | None", self.job_queue)


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)
# The application as built in bot.telegram.app, for annotations.
App = Application[ExtBot[int], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]]




def store_draft(context: Context, key: str, draft: dict[str, Any] | None) -> None:
    """Keep a guided form's answers in the person's user_data under `key` (None: drop them). Our persistence
    saves user_data as JSON in the database, so the form goes on after a restart or on another replica."""
    if context.user_data is None:
        return
    if draft is None:
        context.user_data.pop(key, None)
    else:
        context.user_data[key] = draft


def conversation_id(chat_id: int) -> str:
    """One memory per chat: a group shares its conversation, like the people in it do."""
    return f"tg:{chat_id}"


def _telegram_language(update: Update) -> str | None:
    user = update.effective_user
    code = (user.language_code or "").lower()[:2] if user else ""
    return code if code in LANGS else None


async def resolve_language(update: Update, context: Context, text: str | None = None) -> str:
    """The founder's chosen language, else their Telegram app's, else the message's, else the default.

    Also records that the founder was seen, which retention counts from.
    """
    services = context.services
    default = services.settings.default_language
    user = update.effective_user
    if user is None:
        return detect_language(text or "", default=default)
    try:
        chosen = await asyncio.to_thread(services.store.touch_user, user.id)
    except Exception:  # the database being away must not silence the bot
        log.warning("could not load the founder's preferences", exc_info=True)
        chosen = context.user_data.get(LANG_KEY) if context.user_data is not None else None
    if chosen in LANGS:
        return str(chosen)
    return _telegram_language(update) or detect_language(text or "", default=default)


async def remember_language(update: Update, context: Context, lang: str) -> None:
    user = update.effective_user
    if user is None:
        return
    await asyncio.to_thread(context.services.store.set_language, user.id, lang)
    if context.user_data is not None:
        context.user_data[LANG_KEY] = lang


def forget_user(context: Context, user_id: int) -> None:
    """Drop what this process holds about a founder after their data was deleted."""
    if context.user_data is not None:
        context.user_data.clear()
    context.limiter.forget(user_id)
