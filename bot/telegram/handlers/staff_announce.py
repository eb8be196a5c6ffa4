"""Founders' /subscribe and /unsubscribe; staff notify subscribers of a new document; the broadcast job."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import ForceReply, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.observability.logs import user_ref
from bot.staff.announcements import AlreadyAnnounced
from bot.strings import t
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.delivery import reply_to_press
from bot.telegram.guards import require_staff
from bot.telegram.staff_buttons import (
    ASK_DOC_PATTERN,
    NOTIFY_PATTERN,
    SUB_PATTERN,
    UNSUBSCRIBE,
    announcement_keyboard,
    asked_doc,
    notified_doc,
    parse_topic,
    topics_keyboard,
)

log = logging.getLogger(__name__)

BROADCAST_JOB = "staff-broadcast"


def chosen_text(chosen: set[str], lang: str) -> str:
    """The chosen topics' names, or "nothing"."""
    return ", ".join(t(f"staff.sub.topic.{c}", lang) for c in sorted(chosen)) or t("staff.sub.nothing", lang)


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe: the topic buttons."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = await resolve_language(update, context)
    chosen = await asyncio.to_thread(context.services.announcements.interests, user.id) or set()
    await message.reply_text(t("staff.sub.pick", lang, chosen=chosen_text(chosen, lang)),
                             reply_markup=topics_keyboard(chosen, lang))


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe: stop every announcement."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = await resolve_language(update, context)
    was = await asyncio.to_thread(context.services.announcements.unsubscribe, user.id)
    await message.reply_text(t("staff.sub.off" if was else "staff.sub.not_subscribed", lang))


async def on_topic(update: Update, context: Context) -> None:
    """A topic button toggles it; the unsubscribe button under an announcement stops them all."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang = await resolve_language(update, context)
    topic = parse_topic(query.data)
    service = context.services.announcements
    if topic == UNSUBSCRIBE:
        was = await asyncio.to_thread(service.unsubscribe, user.id)
        await query.answer(t("staff.sub.off" if was else "staff.sub.not_subscribed", lang), show_alert=True)
        return
    try:
        chosen = await asyncio.to_thread(service.toggle, user.id, topic, lang)
    except ValueError:
        log.info("unknown subscription topic %r", topic)
        await query.answer()
        return
    await query.answer()
    await query.edit_message_text(t("staff.sub.pick", lang, chosen=chosen_text(chosen, lang)),
                                  reply_markup=topics_keyboard(chosen, lang))


async def on_notify(update: Update, context: Context) -> None:
    """Staff tell subscribers about a document, once: a cafe's notice only reaches the subscribers who chose that
    cafe, and only that cafe's staff (or city-wide staff) may send it."""
    query = update.callback_query
    if query is None or (lang := await require_staff(update, context)) is None:
        return
    services = context.services
    doc = await asyncio.to_thread(services.knowledge.get_document, notified_doc(query.data))
    if doc is not None and not (await asyncio.to_thread(services.cafes.scope, query.from_user.id)).allows(doc.cafe_id):
        log.warning("staff %s refused notifying about document %s: another cafe's", query.from_user.id, doc.id)
        await query.answer(t("staff.cafe.other", lang), show_alert=True)
        return
    await query.answer()
    if doc is None:
        await reply_to_press(query, t("staff.doc.gone", lang))
        return
    try:
        _, count = await asyncio.to_thread(services.announcements.announce, doc, query.from_user.id)
    except AlreadyAnnounced:
        await reply_to_press(query, t("staff.notify.already", lang))
        return
    await reply_to_press(query, t("staff.notify.done" if count else "staff.notify.none", lang, count=count))
    start_broadcast(context.application)


async def broadcast(context: Context) -> None:
    """Send every pending delivery, paced under Telegram's ~30 messages a second across chats.

    Each row is marked "sending" in the database before its message goes out, so a restart resumes with the
    rest and never repeats one (AIORateLimiter still absorbs any 429 Telegram answers).
    """
    services = context.services
    service, pause = services.announcements, 1.0 / max(services.settings.broadcast_per_second, 0.1)
    while (delivery := await asyncio.to_thread(service.claim_next)) is not None:
        lang = delivery.lang
        deadline = t("staff.announce.deadline", lang, date=delivery.deadline.isoformat()) if delivery.deadline else ""
        ok = True
        try:
            await context.bot.send_message(delivery.user_id, t("staff.announce.message", lang, title=delivery.title,
                                                               deadline=deadline),
                                           reply_markup=announcement_keyboard(delivery))
        except Forbidden:
            ok = False
            log.info("announcement %s: user %s blocked the bot", delivery.announcement_id, user_ref(delivery.user_id))
        except TelegramError:
            ok = False
            log.warning("announcement %s to %s failed", delivery.announcement_id, user_ref(delivery.user_id),
                        exc_info=True)
        await asyncio.to_thread(service.finish, delivery.id, ok)
        await asyncio.sleep(pause)


# Any application: PTB types a handler's `context.application` with an unsolved context type variable.
def start_broadcast(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Run the broadcast job unless it is already running (one sender keeps the pace)."""
    if app.job_queue is None or any(job.name == BROADCAST_JOB and not job.removed
                                    for job in app.job_queue.get_jobs_by_name(BROADCAST_JOB)):
        return
    app.job_queue.run_once(broadcast, 0, name=BROADCAST_JOB)


async def on_ask_doc(update: Update, context: Context) -> None:
    """"Ask about this" under an announcement: a reply field with the document's title."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    lang = await resolve_language(update, context)
    await query.answer()
    doc = await asyncio.to_thread(context.services.knowledge.get_document, asked_doc(query.data))
    if doc is None:
        await reply_to_press(query, t("staff.doc.gone", lang))
        return
    await reply_to_press(query, t("staff.announce.ask_prompt", lang, title=doc.title),
                         reply_markup=ForceReply(input_field_placeholder=doc.title[:60]))


def register(app: App) -> None:
    """Subscriptions, announcements and their pending deliveries after a restart."""
    app.add_handler(CommandHandler("subscribe", subscribe))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe))
    app.add_handler(CallbackQueryHandler(on_topic, pattern=SUB_PATTERN))
    app.add_handler(CallbackQueryHandler(on_notify, pattern=NOTIFY_PATTERN))
    app.add_handler(CallbackQueryHandler(on_ask_doc, pattern=ASK_DOC_PATTERN))
    if app.job_queue is not None:
        # Deliveries a previous process left pending are sent after a restart.
        app.job_queue.run_once(broadcast, 2, name=BROADCAST_JOB)
