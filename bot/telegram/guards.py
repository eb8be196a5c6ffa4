"""Checks handlers run before doing anything: who may use a command."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.strings import t
from bot.telegram.context import Context, resolve_language

log = logging.getLogger(__name__)


async def require_staff(update: Update, context: Context) -> str | None:
    """The staff member's language, or None after telling a non-staff user that this is for staff."""
    user = update.effective_user
    lang = await resolve_language(update, context)
    if user is not None and await asyncio.to_thread(context.services.staff.is_staff, user.id):
        return lang
    log.info("refused a staff command: not staff")  # the attempt's pseudonym is in the context
    if update.callback_query:
        await update.callback_query.answer(t("staff.only", lang), show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(t("staff.only", lang))
    return None
