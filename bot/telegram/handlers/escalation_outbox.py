"""/outbox for staff: the sends the outbox gave up on, each with retry and drop, and retry all.

Thin: bot.escalation.dead_letters decides and logs. Every command and button is checked against the staff registry
by user id; the same buttons sit under the alert staff get when a send dies.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.escalation.buttons import OUTBOX_PATTERN, OutboxAction, outbox_data, parse_outbox
from bot.escalation.dead_letters import DeadLetters, age_text, describe
from bot.storage.models.base import utcnow
from bot.strings import t
from bot.telegram.context import App, Context
from bot.telegram.guards import require_city_wide_staff
from bot.telegram.outbox_sender import kick

log = logging.getLogger(__name__)

PAGE_SIZE = 10


def outbox_page(dead: DeadLetters, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The oldest dead sends, numbered, with a retry and a drop button each and "retry all" under them."""
    items, total = dead.oldest(PAGE_SIZE)
    if not items:
        return t("esc.outbox.empty", lang), None
    now, lines, rows = utcnow(), [], []
    for n, item in enumerate(items, 1):
        ticket, recipient, reason = describe(item, lang)
        lines.append(t("esc.outbox.line", lang, n=n, ticket=ticket, recipient=recipient, reason=reason,
                       age=age_text(item.age(now), lang)))
        rows.append([InlineKeyboardButton(t(f"esc.outbox.btn.{key}_n", lang, n=n),
                                          callback_data=outbox_data(action, item.id, from_list=True))
                     for key, action in (("retry", OutboxAction.RETRY), ("drop", OutboxAction.DROP))])
    if total > len(items):
        lines.append(t("esc.outbox.more", lang, n=total - len(items)))
    rows.append([InlineKeyboardButton(t("esc.outbox.btn.retry_all", lang),
                                      callback_data=outbox_data(OutboxAction.RETRY_ALL, from_list=True))])
    return t("esc.outbox.list", lang, total=total, lines="\n".join(lines)), InlineKeyboardMarkup(rows)


async def on_outbox(update: Update, context: Context) -> None:
    if (lang := await require_city_wide_staff(update, context)) is None or update.effective_message is None:
        return
    text, markup = await asyncio.to_thread(outbox_page, context.services.escalation.dead, lang)
    log.info("staff listed the dead outbox")  # who: the update's pseudonym in the log context
    await update.effective_message.reply_text(text, reply_markup=markup)


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or context.match is None:
        return
    if (lang := await require_city_wide_staff(update, context)) is None:
        return
    press = parse_outbox(context.match)
    action, item_id, from_list = press.action, press.item_id, press.from_list
    dead, staff_id = context.services.escalation.dead, query.from_user.id
    if action is OutboxAction.RETRY_ALL:
        ids = await asyncio.to_thread(dead.retry_all, staff_id)
        done, note = bool(ids), t("esc.outbox.retried_all", lang, n=len(ids))
    elif action is OutboxAction.RETRY:
        done, note = await asyncio.to_thread(dead.retry, item_id, staff_id), t("esc.outbox.retried", lang)
    else:
        done, note = await asyncio.to_thread(dead.drop, item_id, staff_id), t("esc.outbox.dropped", lang)
    if not done:
        note = t("esc.outbox.gone", lang)
    await query.answer(note)
    if done and action is not OutboxAction.DROP:
        kick(context)  # deliver now rather than at the next periodic flush
    try:
        if from_list:
            text, markup = await asyncio.to_thread(outbox_page, dead, lang)
            await query.edit_message_text(text, reply_markup=markup)
        elif isinstance(query.message, Message) and query.message.text:
            # Under an alert: say what was done and take the buttons away.
            await query.edit_message_text(f"{query.message.text}\n\n{note}")
    except BadRequest as err:  # "message is not modified" when two staff press at once
        log.debug("outbox message not redrawn: %s", err)


def register(app: App) -> None:
    app.add_handler(CommandHandler("outbox", on_outbox), group=-1)
    app.add_handler(CallbackQueryHandler(on_button, pattern=OUTBOX_PATTERN), group=-1)
