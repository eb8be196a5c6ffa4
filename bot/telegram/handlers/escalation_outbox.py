"""/outbox for staff: the sends the outbox gave up on, each with retry and drop, and retry all.

Thin: bot.escalation.dead_letters decides and logs. Every command and button is checked against the staff registry
by user id; the same buttons sit under the alert staff get when a send dies.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.escalation.dead_letters import DeadLetters, age_text, describe
from bot.storage.models.base import utcnow
from bot.strings import t
from bot.telegram.context import Context, services_of
from bot.telegram.handlers.escalation import kick
from bot.telegram.handlers.staff import staff_lang

log = logging.getLogger(__name__)

# obx:<action>:<outbox id>[:l] — ":l" when pressed under the /outbox list (which is then redrawn)
BUTTON_PATTERN = r"^obx:(retry|drop|all):(\d+)(:l)?$"
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
        rows.append([InlineKeyboardButton(t("esc.outbox.btn.retry_n", lang, n=n), callback_data=f"obx:retry:{item.id}:l"),
                     InlineKeyboardButton(t("esc.outbox.btn.drop_n", lang, n=n), callback_data=f"obx:drop:{item.id}:l")])
    if total > len(items):
        lines.append(t("esc.outbox.more", lang, n=total - len(items)))
    rows.append([InlineKeyboardButton(t("esc.outbox.btn.retry_all", lang), callback_data="obx:all:0:l")])
    return t("esc.outbox.list", lang, total=total, lines="\n".join(lines)), InlineKeyboardMarkup(rows)


async def on_outbox(update: Update, context: Context) -> None:
    if (lang := await staff_lang(update, context)) is None or update.effective_message is None:
        return
    text, markup = await asyncio.to_thread(outbox_page, services_of(context).escalation.dead, lang)
    log.info("staff %s listed the dead outbox", update.effective_user.id)  # type: ignore[union-attr]
    await update.effective_message.reply_text(text, reply_markup=markup)


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or context.match is None:
        return
    if (lang := await staff_lang(update, context)) is None:
        return
    action, item_id, from_list = context.match.group(1), int(context.match.group(2)), bool(context.match.group(3))
    dead, staff_id = services_of(context).escalation.dead, query.from_user.id
    if action == "all":
        ids = await asyncio.to_thread(dead.retry_all, staff_id)
        done, note = bool(ids), t("esc.outbox.retried_all", lang, n=len(ids))
    elif action == "retry":
        done, note = await asyncio.to_thread(dead.retry, item_id, staff_id), t("esc.outbox.retried", lang)
    else:
        done, note = await asyncio.to_thread(dead.drop, item_id, staff_id), t("esc.outbox.dropped", lang)
    if not done:
        note = t("esc.outbox.gone", lang)
    await query.answer(note)
    if done and action != "drop":
        kick(context)  # deliver now rather than at the next periodic flush
    try:
        if from_list:
            text, markup = await asyncio.to_thread(outbox_page, dead, lang)
            await query.edit_message_text(text, reply_markup=markup)
        elif query.message is not None and getattr(query.message, "text", None):
            # Under an alert: say what was done and take the buttons away.
            await query.edit_message_text(f"{query.message.text}\n\n{note}")  # type: ignore[union-attr]
    except BadRequest as err:  # "message is not modified" when two staff press at once
        log.debug("outbox message not redrawn: %s", err)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("outbox", on_outbox), group=-1)
    app.add_handler(CallbackQueryHandler(on_button, pattern=BUTTON_PATTERN), group=-1)
