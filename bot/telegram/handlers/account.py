"""/start, /help, /lang, /reset, /privacy and /deletemydata: what founders control about themselves."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.strings import t
from bot.telegram.context import (
    Context,
    conversation_id,
    forget_user,
    remember_language,
    resolve_language,
    services_of,
)
from bot.telegram.keyboards import DELETE_PATTERN, LANG_PATTERN, delete_keyboard, language_keyboard

log = logging.getLogger(__name__)


def start_text(lang: str, name: str) -> str:
    return t("tg.start", lang, name=name) + "\n\n" + t("tg.privacy.notice", lang)


async def start(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    lang = await resolve_language(update, context)
    name = update.effective_user.first_name if update.effective_user else ""
    await message.reply_text(start_text(lang, name), reply_markup=language_keyboard("start", lang))


async def help_command(update: Update, context: Context) -> None:
    if update.effective_message:
        lang = await resolve_language(update, context)
        await update.effective_message.reply_text(t("tg.help", lang))


async def privacy(update: Update, context: Context) -> None:
    if update.effective_message:
        lang = await resolve_language(update, context)
        await update.effective_message.reply_text(t("tg.privacy.full", lang))


async def choose_language(update: Update, context: Context) -> None:
    if update.effective_message:
        lang = await resolve_language(update, context)
        await update.effective_message.reply_text(t("tg.lang.choose", lang),
                                                  reply_markup=language_keyboard("pick", lang))


async def language_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or context.match is None:
        return
    lang, origin = context.match.group(1), context.match.group(2)
    await remember_language(update, context, lang)
    await query.answer(t("tg.lang.set", lang))
    if origin == "start":
        # Redraw the greeting in the new language rather than leave a notice the founder can't read.
        await query.edit_message_text(start_text(lang, query.from_user.first_name),
                                      reply_markup=language_keyboard("start", lang))
    else:
        await query.edit_message_text(t("tg.lang.set", lang))
    log.info("user %s chose language %s", query.from_user.id, lang)


async def reset(update: Update, context: Context) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    lang = await resolve_language(update, context)
    await asyncio.to_thread(services_of(context).answers.reset, conversation_id(chat.id))
    await message.reply_text(t("tg.reset.done", lang))


async def delete_my_data(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    lang = await resolve_language(update, context)
    await message.reply_text(t("tg.delete.confirm", lang), reply_markup=delete_keyboard(user.id, lang))


async def delete_confirmed(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or context.match is None:
        return
    lang = await resolve_language(update, context)
    choice, owner = context.match.group(1), int(context.match.group(2))
    if query.from_user.id != owner:
        await query.answer(t("tg.delete.not_yours", lang), show_alert=True)
        return
    if choice == "no":
        await query.answer()
        await query.edit_message_text(t("tg.delete.cancelled", lang))
        return
    count = await asyncio.to_thread(services_of(context).store.delete_user_data, owner)
    forget_user(context, owner)
    log.info("deleted the data of user %s (%d rows)", owner, count)
    await query.answer()
    await query.edit_message_text(t("tg.delete.done", lang, count=count))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("privacy", privacy))
    app.add_handler(CommandHandler("lang", choose_language))
    app.add_handler(CommandHandler("reset", reset))
    app.add_handler(CommandHandler("deletemydata", delete_my_data))
    app.add_handler(CallbackQueryHandler(language_chosen, pattern=LANG_PATTERN))
    app.add_handler(CallbackQueryHandler(delete_confirmed, pattern=DELETE_PATTERN))
