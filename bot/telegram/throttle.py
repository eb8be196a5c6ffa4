"""USER_RATE_PER_MINUTE for what founders send besides questions: files and other media also cost a reply."""

from __future__ import annotations

import logging

from telegram import Update

from bot.strings import t
from bot.telegram.context import Context
from bot.telegram.delivery import Target

log = logging.getLogger(__name__)


async def within_rate_limit(update: Update, context: Context, lang: str) -> bool:
    """Count this message against the sender's limit; over it, warn once per window and return False."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return True
    limiter = context.limiter
    verdict = limiter.check(user.id)
    if verdict.allowed:
        return True
    log.info("over %d messages a minute; refused", limiter.limit)  # who: the pseudonym in the line's context
    if verdict.warn:
        await context.bot.send_message(text=t("tg.ratelimit", lang, limit=limiter.limit, seconds=verdict.retry_after),
                                       **Target.of(message).kwargs())
    return False
