"""Sends what the outbox holds: the periodic flush, the kick after a change, and one send per queued item.

Every failure is recorded against the item (counted, backed off, given up past the limit and alerted), whether
Telegram refused it or something unexpected broke: a send is never lost and never silently retried forever.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.escalation.enums import ContentKind
from bot.escalation.outbox import Outgoing
from bot.telegram.context import Context
from bot.telegram.delivery import inline_markup

log = logging.getLogger(__name__)


def kick(context: Context) -> None:
    """Deliver what was just stored, now, instead of at the next periodic run."""
    if context.jobs is not None:
        context.jobs.run_once(flush_outbox, 0)


async def _thread_for(context: Context, item: Outgoing) -> int | None:
    """The forum topic of the item's ticket (or staff question) in a group, opened on first use in a forum."""
    if item.thread_id is not None or item.chat_id > 0:
        return item.thread_id
    services = context.services
    if item.ticket_id is not None:
        ticket_id = item.ticket_id
        topic = await asyncio.to_thread(services.escalation.workflow.topic_for, ticket_id, item.chat_id)
        remember = lambda thread: services.escalation.tickets.set_thread(ticket_id, thread)  # noqa: E731
    elif item.staff_question_id is not None:
        question_id = item.staff_question_id
        topic = await asyncio.to_thread(services.questions.topic_for, question_id, item.chat_id)
        remember = lambda thread: services.questions.set_thread(question_id, thread)  # noqa: E731
    else:
        return None
    if topic.title is None or not (await context.bot.get_chat(item.chat_id)).is_forum:
        return topic.thread_id
    created = await context.bot.create_forum_topic(item.chat_id, topic.title)
    await asyncio.to_thread(remember, created.message_thread_id)
    return created.message_thread_id


async def send_outgoing(context: Context, item: Outgoing) -> Message | None:
    """Send one queued item; None when there is nothing to send any more (a booking cancelled or erased before
    its confirmation went out: its words and buttons would be wrong)."""
    bot = context.bot
    markup = inline_markup(item.buttons)
    thread = await _thread_for(context, item)
    caption = item.text or None
    if item.kind == ContentKind.DOCUMENT:
        return await bot.send_document(item.chat_id, str(item.file_id), caption=caption, message_thread_id=thread,
                                       reply_markup=markup)
    if item.kind == ContentKind.PHOTO:
        return await bot.send_photo(item.chat_id, str(item.file_id), caption=caption, message_thread_id=thread,
                                    reply_markup=markup)
    if item.kind == ContentKind.VOICE:
        return await bot.send_voice(item.chat_id, str(item.file_id), caption=caption, message_thread_id=thread,
                                    reply_markup=markup)
    if item.kind == ContentKind.CALENDAR:
        made = await asyncio.to_thread(context.services.consultations.calendar, int(str(item.file_id)))
        if made is None:
            log.info("outbox %s: booking %s is gone; its confirmation is not sent", item.id, item.file_id)
            return None
        name, ics = made
        return await bot.send_document(item.chat_id, InputFile(ics, filename=name), caption=caption,
                                       message_thread_id=thread, reply_markup=markup)
    # Text, and kinds the transport does not know (the staff alert), go as a message.
    return await bot.send_message(item.chat_id, item.text, message_thread_id=thread, reply_markup=markup)


async def flush_outbox(context: Context) -> None:
    """Send every due outbox item; failures stay for a later try with backoff.

    Items are claimed in the database first, so replicas flushing the same outbox never send one twice.
    """
    outbox = context.services.escalation.outbox
    async with context.bot_data.outbox_lock:
        while batch := await asyncio.to_thread(outbox.claim_due):
            for item in batch:
                try:
                    sent = await send_outgoing(context, item)
                except RetryAfter as exc:
                    after = exc.retry_after
                    delay = await asyncio.to_thread(outbox.mark_failed, item.id, str(exc), retry_after=(
                        after.total_seconds() if isinstance(after, timedelta) else float(after)))
                except BadRequest as exc:  # before NetworkError, its base class: e.g. "chat not found", given up
                    delay = await asyncio.to_thread(outbox.mark_failed, item.id, str(exc), permanent=True)
                except (Forbidden, NetworkError) as exc:  # blocked or unreachable: it may come back, keep it
                    delay = await asyncio.to_thread(outbox.mark_failed, item.id, str(exc))
                except Exception as exc:  # our own bug or a broken dependency: counted and backed off the same way
                    log.exception("outbox %s: unexpected failure while sending", item.id)
                    delay = await asyncio.to_thread(outbox.mark_failed, item.id, f"{type(exc).__name__}: {exc}")
                else:
                    await asyncio.to_thread(outbox.mark_sent, item.id, sent.message_id if sent else None)
                    continue
                if delay is not None and context.jobs is not None:
                    context.jobs.run_once(flush_outbox, delay + 0.05)
