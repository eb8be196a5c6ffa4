"""The buttons under an answer: 👍 / 👎 into the question log, and "ask an expert"."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.strings import t
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.delivery import reply_to_press
from bot.telegram.keyboards import VOTE_PATTERN, ask_staff_keyboard, parse_vote

log = logging.getLogger(__name__)


async def on_vote(update: Update, context: Context) -> None:
    """👍 / 👎 into the question log, only from the founder who asked."""
    query = update.callback_query
    vote = parse_vote(query.data) if query is not None else None
    if query is None or vote is None:
        return
    helpful, question_id = vote
    lang = await resolve_language(update, context)
    store = context.services.store
    if await asyncio.to_thread(store.record_vote, question_id, query.from_user.id, 1 if helpful else -1):
        log.info("vote %s on question %d", "up" if helpful else "down", question_id)
        await query.answer(t("tg.feedback.thanks", lang))
        if not helpful and query.message is not None:  # a person may answer what the bot could not
            await reply_to_press(query, t("sq.offer", lang), ask_staff_keyboard(question_id, lang))
        return
    row = await asyncio.to_thread(store.get_question, question_id)
    log.info("vote on question %d refused (%s)", question_id,
             "no such question" if row is None else "not the asker")
    await query.answer(t("tg.feedback.gone" if row is None else "tg.feedback.not_yours", lang), show_alert=True)


def register(app: App) -> None:
    """The buttons under answers."""
    app.add_handler(CallbackQueryHandler(on_vote, pattern=VOTE_PATTERN))
