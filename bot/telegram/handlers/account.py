"""/start, /help, /lang, /reset, /privacy and /deletemydata: what founders control about themselves."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.privacy import PersonalData
from bot.strings import retention_period, t
from bot.telegram.context import App, Context, conversation_id, forget_user, remember_language, resolve_language
from bot.telegram.keyboards import (
    DELETE_PATTERN,
    LANG_PATTERN,
    LangOrigin,
    delete_keyboard,
    language_keyboard,
    parse_delete,
    parse_language,
)
from bot.telegram.outbox_sender import kick

log = logging.getLogger(__name__)


def start_text(lang: str, name: str, retention_days: int) -> str:
    """The greeting with the privacy notice."""
    notice = t("tg.privacy.notice", lang, period=retention_period(retention_days, lang))
    return t("tg.start", lang, name=name) + "\n\n" + notice


async def start(update: Update, context: Context) -> None:
    """/start: the greeting, the privacy notice and the language buttons."""
    message = update.effective_message
    if message is None:
        return
    lang = await resolve_language(update, context)
    name = update.effective_user.first_name if update.effective_user else ""
    days = context.services.settings.retention_days
    await message.reply_text(start_text(lang, name, days), reply_markup=language_keyboard(LangOrigin.START, lang))


async def help_command(update: Update, context: Context) -> None:
    """/help."""
    if update.effective_message:
        lang = await resolve_language(update, context)
        await update.effective_message.reply_text(t("tg.help", lang))


async def privacy(update: Update, context: Context) -> None:
    """/privacy: the full privacy notice."""
    if update.effective_message:
        lang = await resolve_language(update, context)
        days = context.services.settings.retention_days
        await update.effective_message.reply_text(t("tg.privacy.full", lang, period=retention_period(days, lang)))


async def choose_language(update: Update, context: Context) -> None:
    """/lang: the language buttons."""
    if update.effective_message:
        lang = await resolve_language(update, context)
        await update.effective_message.reply_text(t("tg.lang.choose", lang),
                                                  reply_markup=language_keyboard(LangOrigin.PICK, lang))


async def language_chosen(update: Update, context: Context) -> None:
    """A language button: remember it and redraw the message in it."""
    query = update.callback_query
    button = parse_language(query.data) if query is not None else None
    if query is None or button is None:
        return
    lang = button.lang
    await remember_language(update, context, lang)
    await query.answer(t("tg.lang.set", lang))
    if button.origin == LangOrigin.START:
        # Redraw the greeting in the new language rather than leave a notice the founder can't read.
        days = context.services.settings.retention_days
        await query.edit_message_text(start_text(lang, query.from_user.first_name, days),
                                      reply_markup=language_keyboard(LangOrigin.START, lang))
    else:
        await query.edit_message_text(t("tg.lang.set", lang))
    log.info("language set to %s", lang)  # who: the pseudonym in the line's context


async def reset(update: Update, context: Context) -> None:
    """/reset: forget this chat's conversation."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    lang = await resolve_language(update, context)
    await asyncio.to_thread(context.services.answers.reset, conversation_id(chat.id))
    await message.reply_text(t("tg.reset.done", lang))


async def delete_my_data(update: Update, context: Context) -> None:
    """/deletemydata: ask for confirmation."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    lang = await resolve_language(update, context)
    await message.reply_text(t("tg.delete.confirm", lang), reply_markup=delete_keyboard(user.id, lang))


async def delete_confirmed(update: Update, context: Context) -> None:
    """The requester's confirmation (or not) of /deletemydata."""
    query = update.callback_query
    button = parse_delete(query.data) if query is not None else None
    if query is None or button is None:
        return
    lang = await resolve_language(update, context)
    owner = button.owner
    if query.from_user.id != owner:
        await query.answer(t("tg.delete.not_yours", lang), show_alert=True)
        return
    if not button.confirmed:
        await query.answer()
        await query.edit_message_text(t("tg.delete.cancelled", lang))
        return
    services = context.services
    expert_lang = services.settings.default_language
    erasure = await asyncio.to_thread(PersonalData(services.db).erase_founder, owner,
                                      lambda ticket_id: t("esc.ticket.withdrawn", expert_lang, id=ticket_id))
    forget_user(context, owner)
    log.info("deleted a founder's data on request (%d rows, %d tickets withdrawn)", erasure.total,
             len(erasure.withdrawn))
    if erasure.withdrawn:
        kick(context)  # the experts' withdrawal notices wait in the outbox
    await query.answer()
    await query.edit_message_text(t("tg.delete.done", lang, count=erasure.total))


def register(app: App) -> None:
    """Founders' own commands and buttons."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("privacy", privacy))
    app.add_handler(CommandHandler("lang", choose_language))
    app.add_handler(CommandHandler("reset", reset))
    app.add_handler(CommandHandler("deletemydata", delete_my_data))
    app.add_handler(CallbackQueryHandler(language_chosen, pattern=LANG_PATTERN))
    app.add_handler(CallbackQueryHandler(delete_confirmed, pattern=DELETE_PATTERN))
