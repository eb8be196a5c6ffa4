"""Founders' /subscribe and /unsubscribe; staff notify subscribers of a new document; the broadcast job."""

from __future__ import annotations

import asyncio
import logging

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.observability.logs import user_ref
from bot.staff.announcements import ALL, TOPICS, AlreadyAnnounced, Delivery
from bot.strings import t
from bot.telegram.context import Context, resolve_language, services_of

log = logging.getLogger(__name__)

SUB_PATTERN = r"^sub:(\w+)$"
NOTIFY_PATTERN = r"^sd:notify:([0-9a-f]+)$"
ASK_DOC_PATTERN = r"^adoc:([0-9a-f]+)$"
UNSUB_DATA = "sub:off"
BROADCAST_JOB = "staff-broadcast"


def topics_keyboard(chosen: set[str], lang: str) -> InlineKeyboardMarkup:
    def button(topic: str) -> InlineKeyboardButton:
        mark = "✅ " if topic in chosen else ""
        return InlineKeyboardButton(mark + t(f"staff.sub.topic.{topic}", lang), callback_data=f"sub:{topic}")

    names = [*TOPICS, ALL]
    return InlineKeyboardMarkup([[button(n) for n in names[i:i + 2]] for i in range(0, len(names), 2)])


def chosen_text(chosen: set[str], lang: str) -> str:
    return ", ".join(t(f"staff.sub.topic.{c}", lang) for c in sorted(chosen)) or t("staff.sub.nothing", lang)


async def subscribe(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = await resolve_language(update, context)
    chosen = await asyncio.to_thread(services_of(context).announcements.interests, user.id) or set()
    await message.reply_text(t("staff.sub.pick", lang, chosen=chosen_text(chosen, lang)),
                             reply_markup=topics_keyboard(chosen, lang))


async def unsubscribe(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = await resolve_language(update, context)
    was = await asyncio.to_thread(services_of(context).announcements.unsubscribe, user.id)
    await message.reply_text(t("staff.sub.off" if was else "staff.sub.not_subscribed", lang))


async def on_topic(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang = await resolve_language(update, context)
    topic = (query.data or "").removeprefix("sub:")
    service = services_of(context).announcements
    if query.data == UNSUB_DATA:
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
    from bot.telegram.handlers.staff import staff_lang  # staff imports this module

    query = update.callback_query
    if query is None or (lang := await staff_lang(update, context)) is None:
        return
    await query.answer()
    services = services_of(context)
    doc = await asyncio.to_thread(services.knowledge.get_document, query.data.split(":")[2])  # type: ignore[union-attr]
    if doc is None:
        await query.message.reply_text(t("staff.doc.gone", lang))  # type: ignore[union-attr]
        return
    try:
        _, count = await asyncio.to_thread(services.announcements.announce, doc, update.effective_user.id)  # type: ignore[union-attr]
    except AlreadyAnnounced:
        await query.message.reply_text(t("staff.notify.already", lang))  # type: ignore[union-attr]
        return
    await query.message.reply_text(t("staff.notify.done" if count else "staff.notify.none", lang, count=count))  # type: ignore[union-attr]
    start_broadcast(context.application)


def announcement_keyboard(delivery: Delivery) -> InlineKeyboardMarkup:
    lang = delivery.lang
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t("staff.announce.ask", lang), callback_data=f"adoc:{delivery.document_id}")],
        [InlineKeyboardButton(t("staff.announce.unsubscribe", lang), callback_data=UNSUB_DATA)],
    ])


async def broadcast(context: Context) -> None:
    """Send every pending delivery, paced under Telegram's ~30 messages a second across chats.

    Each row is marked "sending" in the database before its message goes out, so a restart resumes with the
    rest and never repeats one (AIORateLimiter still absorbs any 429 Telegram answers).
    """
    services = services_of(context)
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


def start_broadcast(app: Application) -> None:  # type: ignore[type-arg]
    """Run the broadcast job unless it is already running (one sender keeps the pace)."""
    if app.job_queue is None or any(job.name == BROADCAST_JOB and not job.removed
                                    for job in app.job_queue.get_jobs_by_name(BROADCAST_JOB)):
        return
    app.job_queue.run_once(broadcast, 0, name=BROADCAST_JOB)


async def on_ask_doc(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    lang = await resolve_language(update, context)
    await query.answer()
    doc = await asyncio.to_thread(services_of(context).knowledge.get_document, (query.data or "").split(":")[1])
    if doc is None:
        await query.message.reply_text(t("staff.doc.gone", lang))
        return
    await query.message.reply_text(t("staff.announce.ask_prompt", lang, title=doc.title),
                                   reply_markup=ForceReply(input_field_placeholder=doc.title[:60]))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("subscribe", subscribe))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe))
    app.add_handler(CallbackQueryHandler(on_topic, pattern=SUB_PATTERN))
    app.add_handler(CallbackQueryHandler(on_notify, pattern=NOTIFY_PATTERN))
    app.add_handler(CallbackQueryHandler(on_ask_doc, pattern=ASK_DOC_PATTERN))
    if app.job_queue is not None:
        # Deliveries a previous process left pending are sent after a restart.
        app.job_queue.run_once(broadcast, 2, name=BROADCAST_JOB)
