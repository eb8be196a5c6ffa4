"""Checks handlers run before doing anything: who may use a command."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.strings import t
from bot.telegram.context import Context, resolve_language
from bot.telegram.delivery import tell

log = logging.getLogger(__name__)


async def require_staff(update: Update, context: Context) -> str | None:
    """The staff member's language, or None after telling a non-staff user that this is for staff."""
    user = update.effective_user
    lang = await resolve_language(update, context)
    if user is not None and await asyncio.to_thread(context.services.staff.is_staff, user.id):
        return lang
    log.info("refused a staff command: not staff")  # the attempt's pseudonym is in the context
    await tell(update, t("staff.only", lang))
    return None


async def require_city_wide_staff(update: Update, context: Context) -> str | None:
    """Like require_staff, for what spans every cafe (staff and experts, undelivered sends): city-wide admins and
    staff of no cafe; a cafe's staff are told it is for the city-wide staff."""
    if (lang := await require_staff(update, context)) is None:
        return None
    user = update.effective_user
    assert user is not None
    scope = await asyncio.to_thread(context.services.cafes.scope, user.id)
    if scope.cafes is None:
        return lang
    log.info("refused a city-wide staff command: a cafe's staff member")
    await tell(update, t("staff.city_wide_only", lang))
    return None
