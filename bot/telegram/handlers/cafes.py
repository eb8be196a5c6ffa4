"""/cafe: founders choose the startup cafe they use (its experts review their ideas, its staff answer them)."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.strings import t
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.keyboards import CafeOrigin, cafe_data, cafe_keyboard, parse_cafe

log = logging.getLogger(__name__)


async def on_cafe(update: Update, context: Context) -> None:
    """The cafes as buttons (district and hours), a tick on the founder's current one."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = await resolve_language(update, context)
    registry = context.services.cafes
    cafes = await asyncio.to_thread(registry.cafes)
    if not cafes:
        await message.reply_text(t("cafe.one", lang))
        return
    current = await asyncio.to_thread(registry.founder_cafe, user.id)
    await message.reply_text(t("cafe.pick", lang),
                             reply_markup=cafe_keyboard(cafes, lang, lambda c: cafe_data(c, CafeOrigin.PICK),
                                                        current))


async def on_pick(update: Update, context: Context) -> None:
    query = update.callback_query
    picked = parse_cafe(query.data if query is not None else None)
    if query is None or picked is None:
        return
    lang = await resolve_language(update, context)
    try:
        cafe = await asyncio.to_thread(context.services.cafes.choose, query.from_user.id, picked[0])
    except KeyError:
        log.info("a cafe no longer offered was picked")
        await query.answer(t("cafe.gone", lang), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(t("cafe.chosen", lang, name=cafe.name(lang), address=cafe.address or "-",
                                    hours=cafe.hours or "-"))


def register(app: App) -> None:
    app.add_handler(CommandHandler("cafe", on_cafe))
    # The intake's own cafe question (origin i) is the intake conversation's; this is /cafe's.
    app.add_handler(CallbackQueryHandler(on_pick, pattern=rf"^cafe:[a-z0-9_-]+:{CafeOrigin.PICK}$"))
