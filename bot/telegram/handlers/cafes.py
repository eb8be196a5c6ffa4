"""/cafe: founders choose the startup cafe they use (its experts review their ideas, its staff answer them)."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.cafes.registry import CafeField
from bot.strings import t
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.guards import require_staff
from bot.telegram.keyboards import CafeOrigin, cafe_data, cafe_keyboard, cafe_pattern, parse_cafe

log = logging.getLogger(__name__)


async def on_cafe(update: Update, context: Context) -> None:
    """The cafes as buttons (district and hours), a tick on the founder's current one; staff: /cafe hours|address
    <cafe id> <text> corrects a cafe's hours or address ("-" goes back to the cafes file's)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if context.args:
        await _edit(update, context, context.args)
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


async def _edit(update: Update, context: Context, args: list[str]) -> None:
    message = update.effective_message
    if message is None or update.effective_user is None or (lang := await require_staff(update, context)) is None:
        return
    fields = {f.value: f for f in CafeField}
    if len(args) < 3 or args[0] not in fields:
        log.info("bad /cafe edit (%d arguments)", len(args))
        await message.reply_text(t("cafe.edit.usage", lang))
        return
    try:
        cafe = await asyncio.to_thread(context.services.cafes.edit, args[1], fields[args[0]], " ".join(args[2:]),
                                       update.effective_user.id)
    except KeyError:
        await message.reply_text(t("cafe.edit.unknown", lang, id=args[1]))
        return
    except PermissionError:
        await message.reply_text(t("sq.err.other_cafe", lang))
        return
    await message.reply_text(t("cafe.edited", lang, name=cafe.name(lang), address=cafe.address or "-",
                               hours=cafe.hours or "-"))


def register(app: App) -> None:
    app.add_handler(CommandHandler("cafe", on_cafe))
    # The intake's own cafe question (origin i) is the intake conversation's; this is /cafe's.
    app.add_handler(CallbackQueryHandler(on_pick, pattern=cafe_pattern(CafeOrigin.PICK)))
