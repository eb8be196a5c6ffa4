"""/bookings: staff see their cafe's consultations (date filter, CSV)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from bot.consultations.enums import ConsultationError, Refusal
from bot.consultations.export import bookings_csv
from bot.consultations.forms import SEOUL
from bot.strings import t
from bot.telegram.bookings_text import BookingsArgsError, listing, parse_query
from bot.telegram.context import App, Context
from bot.telegram.guards import require_staff

log = logging.getLogger(__name__)


async def on_bookings(update: Update, context: Context) -> None:
    """/bookings [from] [to] [cafe=ID] [csv]: the consultations booked at the staff member's cafes (every cafe
    for admins and staff of no cafe), by cafe, day and time, or as a CSV file."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or (lang := await require_staff(update, context)) is None:
        return
    if message.chat.type != ChatType.PRIVATE:  # founders' ids and no-shows are not for a group to read
        log.info("refused /bookings in a group chat")
        await message.reply_text(t("bookings.private_only", lang))
        return
    services = context.services
    try:
        query = parse_query(context.args or [], datetime.now(SEOUL).date())
    except BookingsArgsError as err:
        log.info("bad /bookings arguments: %s (%d arguments)", err.problem, len(context.args or []))
        await message.reply_text(t(f"bookings.err.{err.problem}", lang, **err.fields) + "\n\n"
                                 + t("bookings.usage", lang))
        return
    cafes = await asyncio.to_thread(services.cafes.cafes)
    if query.cafe is not None and query.cafe not in {c.id for c in cafes}:
        log.info("/bookings for an unknown cafe")
        await message.reply_text(t("bookings.unknown_cafe", lang, cafe=query.cafe[:40],
                                   ids=", ".join(c.id for c in cafes) or "-"))
        return
    try:
        found = await asyncio.to_thread(services.consultations.cafe_bookings, user.id, query.cafe, query.start,
                                        query.end)
    except ConsultationError as err:
        if err.refusal is not Refusal.OTHER_CAFE:
            raise
        await message.reply_text(t("cs.err.other_cafe", lang))  # the domain logged it
        return
    if query.as_csv:
        await message.reply_document(bookings_csv(found), filename=query.filename,
                                     caption=t("bookings.csv", lang, period=query.period(lang), count=len(found)))
        return
    for part in listing(found, cafes, query, lang):
        await message.reply_text(part)


def register(app: App) -> None:
    app.add_handler(CommandHandler("bookings", on_bookings))
