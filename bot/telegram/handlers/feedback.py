"""The buttons under an answer: 👍 / 👎 into the question log, and "ask an expert"."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.strings import t
from bot.telegram.context import Context, resolve_language, services_of
from bot.telegram.keyboards import ASK_EXPERT_PATTERN, VOTE_PATTERN

log = logging.getLogger(__name__)


async def on_vote(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or context.match is None:
        return
    helpful, question_id = context.match.group(1) == "up", int(context.match.group(2))
    lang = await resolve_language(update, context)
    store = services_of(context).store
    if await asyncio.to_thread(store.record_vote, question_id, query.from_user.id, 1 if helpful else -1):
        log.info("vote %s on question %d", "up" if helpful else "down", question_id)
        await query.answer(t("tg.feedback.thanks", lang))
        return
    row = await asyncio.to_thread(store.get_question, question_id)
    log.info("vote on question %d refused (%s)", question_id,
             "no such question" if row is None else "not the asker")
    await query.answer(t("tg.feedback.gone" if row is None else "tg.feedback.not_yours", lang), show_alert=True)


async def on_ask_expert(update: Update, context: Context) -> None:
    """Placeholder until expert escalation exists: where founders can reach a person meanwhile."""
    query = update.callback_query
    if query is None:
        return
    lang = await resolve_language(update, context)
    await query.answer()
    chat = update.effective_chat
    if chat is None:
        return
    message = query.message
    thread = getattr(message, "message_thread_id", None) if getattr(message, "is_topic_message", False) else None
    await context.bot.send_message(chat.id, t("tg.expert.pending", lang), message_thread_id=thread)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(on_vote, pattern=VOTE_PATTERN))
    app.add_handler(CallbackQueryHandler(on_ask_expert, pattern=ASK_EXPERT_PATTERN))
