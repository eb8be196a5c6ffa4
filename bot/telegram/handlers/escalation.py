"""Expert escalation on Telegram: cards, expert buttons, replies relayed both ways, commands, outbox and SLA jobs.

Thin: every decision is in bot.escalation; this module only reads updates and sends what the outbox holds.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.escalation.outbox import Outgoing
from bot.escalation.service import EscalationError
from bot.storage.models.base import utcnow
from bot.storage.models.escalation import Ticket
from bot.strings import t
from bot.telegram.context import Context, resolve_language, services_of

log = logging.getLogger(__name__)

ACTION_PATTERN = r"^esc:(claim|info|ans|close|pass):(\d+)$"
RATE_PATTERN = r"^esc:rate:(\d+):(\d)$"


def esc(context: Context):  # type: ignore[no-untyped-def]
    return services_of(context).escalation


def card_buttons(ticket_id: int, lang: str) -> list[list[tuple[str, str]]]:
    return [[(t("esc.btn.claim", lang), f"esc:claim:{ticket_id}"), (t("esc.btn.answer", lang), f"esc:ans:{ticket_id}"),
             (t("esc.btn.info", lang), f"esc:info:{ticket_id}")],
            [(t("esc.btn.close", lang), f"esc:close:{ticket_id}"), (t("esc.btn.pass", lang), f"esc:pass:{ticket_id}")]]


def fields_text(fields: dict[str, str], lang: str) -> str:
    names = ("summary", "problem", "customers", "solution", "stage", "team", "feedback")
    lines = []
    for name in names:
        value = fields.get(name) or "-"
        if name == "stage" and value in ("idea", "mvp", "revenue"):
            value = t(f"esc.stage.{value}", lang)
        lines.append(f"{t(f'esc.field.{name}', lang)}: {value}")
    return "\n".join(lines)


def expert_label(context: Context, expert_id: int | None, lang: str) -> str:
    """What founders see: the alias or the display name (EXPERT_LABEL), never a Telegram id."""
    expert = esc(context).tickets.get_expert(expert_id) if expert_id is not None else None
    if expert is None:
        return t("esc.expert.anonymous", lang)
    by_name = services_of(context).settings.expert_label == "name"
    preferred, other = (expert.display_name, expert.alias) if by_name else (expert.alias, expert.display_name)
    return preferred or other or t("esc.expert.anonymous", lang)


def enqueue_card(context: Context, ticket: Ticket, chat_id: int, summary: str | None = None) -> None:
    """The case card (and the attachment) for the experts, stored in the outbox before any send."""
    settings, services = services_of(context).settings, services_of(context)
    lang = settings.default_language
    fields = esc(context).tickets.fields_of(ticket)
    parts = [t("esc.card", lang, id=ticket.id, fields=fields_text(fields, lang))]
    if settings.expert_show_founder_contact:
        contact = ticket.founder_name + (f" (@{ticket.founder_username})" if ticket.founder_username else "")
        parts.append(t("esc.card.founder", lang, name=contact))
    try:  # retrieval only: the programmes the knowledge base finds for this idea, no generated opinion
        passages = services.knowledge.search(f"{fields.get('summary', '')} {fields.get('problem', '')}", 3)
        titles = list(dict.fromkeys(p.title for p in passages if p.title))
        if titles:
            parts.append(t("esc.card.related", lang, titles=", ".join(titles)))
    except Exception:
        log.warning("no related programmes for ticket %s", ticket.id, exc_info=True)
    if summary:
        parts.append(t("esc.card.summary", lang, summary=summary))
    parts.append(t("esc.card.how", lang, id=ticket.id))
    outbox = esc(context).outbox
    outbox.enqueue(chat_id, "\n\n".join(parts), ticket_id=ticket.id, buttons=card_buttons(ticket.id, lang))
    if ticket.attachment_file_id:
        outbox.enqueue(chat_id, f"#{ticket.id}", ticket_id=ticket.id, kind=ticket.attachment_kind or "document",
                       file_id=ticket.attachment_file_id)


def kick(context: Context) -> None:
    """Deliver what was just stored, now, instead of at the next periodic run."""
    if context.job_queue is not None:
        context.job_queue.run_once(flush_outbox, 0)


async def _send(context: Context, item: Outgoing) -> Message:
    bot, tickets = context.bot, esc(context).tickets
    thread = item.thread_id
    if item.ticket_id is not None and thread is None and item.chat_id < 0:
        ticket = await asyncio.to_thread(tickets.get, item.ticket_id)
        if ticket.route_chat_id == item.chat_id:
            thread = ticket.route_thread_id
            if thread is None and (await bot.get_chat(item.chat_id)).is_forum:
                fields = tickets.fields_of(ticket)
                topic = await bot.create_forum_topic(item.chat_id, f"#{ticket.id} {fields.get('summary', '')}"[:128])
                thread = topic.message_thread_id
                await asyncio.to_thread(tickets.set_thread, ticket.id, thread)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(a, callback_data=b) for a, b in row]
                                   for row in item.buttons]) if item.buttons else None
    common = {"message_thread_id": thread, "reply_markup": markup}
    if item.kind == "document":
        return await bot.send_document(item.chat_id, item.file_id, caption=item.text or None, **common)
    if item.kind == "photo":
        return await bot.send_photo(item.chat_id, item.file_id, caption=item.text or None, **common)
    if item.kind == "voice":
        return await bot.send_voice(item.chat_id, item.file_id, caption=item.text or None, **common)
    return await bot.send_message(item.chat_id, item.text, **common)


async def flush_outbox(context: Context) -> None:
    """Send every due outbox item; failures stay for a later try with backoff.

    Items are claimed in the database first, so replicas flushing the same outbox never send one twice.
    """
    outbox = esc(context).outbox
    lock = context.bot_data.outbox_lock
    async with lock:
        while batch := await asyncio.to_thread(outbox.claim_due):
            for item in batch:
                try:
                    sent = await _send(context, item)
                except RetryAfter as exc:
                    after = exc.retry_after
                    delay = await asyncio.to_thread(outbox.mark_failed, item.id, str(exc), retry_after=(
                        after.total_seconds() if isinstance(after, timedelta) else float(after)))
                except BadRequest as exc:  # before NetworkError, its base class: e.g. "chat not found", given up
                    delay = await asyncio.to_thread(outbox.mark_failed, item.id, str(exc), permanent=True)
                except (Forbidden, NetworkError) as exc:  # blocked or unreachable: it may come back, keep it
                    delay = await asyncio.to_thread(outbox.mark_failed, item.id, str(exc))
                else:
                    await asyncio.to_thread(outbox.mark_sent, item.id, sent.message_id)
                    continue
                if delay is not None and context.job_queue is not None:
                    context.job_queue.run_once(flush_outbox, delay + 0.05)


async def sla_tick(context: Context) -> None:
    """Reminders and reassignments due by the database's clock, so a restart loses no deadline."""
    services = services_of(context)
    tickets, outbox, lang = esc(context).tickets, esc(context).outbox, services.settings.default_language
    now = utcnow()
    due = await asyncio.to_thread(tickets.sla_due, now)
    for ticket_id in due.remind:
        # Claimed in the database first: with several replicas only one sends each reminder.
        if not await asyncio.to_thread(tickets.mark_reminded, ticket_id):
            continue
        ticket = await asyncio.to_thread(tickets.get, ticket_id)
        if ticket.route_chat_id is not None:
            outbox.enqueue(ticket.route_chat_id, t("esc.sla.reminder", lang, id=ticket_id), ticket_id=ticket_id)
    for ticket_id in due.reassign:
        ticket = await asyncio.to_thread(tickets.reassign_overdue, ticket_id, now)
        if ticket is None:  # another replica reassigned it
            continue
        label = str(ticket.expert_id) if ticket.expert_id else "-"
        if ticket.route_chat_id is not None and ticket.route_chat_id > 0:
            enqueue_card(context, ticket, ticket.route_chat_id)
        elif ticket.route_chat_id is not None:
            outbox.enqueue(ticket.route_chat_id, t("esc.sla.reminder", lang, id=ticket_id), ticket_id=ticket_id)
        for staff_id in await asyncio.to_thread(services.staff.all_ids):
            outbox.enqueue(staff_id, t("esc.sla.reassigned_staff", lang, id=ticket_id, expert=label))
        outbox.enqueue(ticket.founder_chat_id, t("esc.ticket.reassigned_founder", ticket.lang, id=ticket_id),
                       ticket_id=ticket_id)
    if due.remind or due.reassign:
        await flush_outbox(context)


async def _refuse(update: Update, context: Context, err: EscalationError, lang: str) -> None:
    key = f"esc.err.{err.code}"
    if update.callback_query is not None:
        await update.callback_query.answer(t(key, lang), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(t(key, lang))


async def on_action(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or context.match is None or query.message is None:
        return
    action, ticket_id, user = context.match.group(1), int(context.match.group(2)), query.from_user
    lang = await resolve_language(update, context)
    tickets, outbox = esc(context).tickets, esc(context).outbox
    message = query.message
    thread = message.message_thread_id if getattr(message, "is_topic_message", False) else None
    try:
        if action == "claim":
            ticket = await asyncio.to_thread(tickets.claim, ticket_id, user.id)
            await asyncio.to_thread(tickets.note_name, user.id, user.full_name)
            await query.answer(t("esc.expert.claimed", lang, id=ticket_id, expert=user.full_name))
            outbox.enqueue(ticket.founder_chat_id, t("esc.ticket.claimed", ticket.lang, id=ticket_id,
                                                     expert=expert_label(context, user.id, ticket.lang)),
                           ticket_id=ticket_id)
            outbox.enqueue(message.chat.id, t("esc.expert.claimed", lang, id=ticket_id, expert=user.full_name),
                           thread_id=thread)
        elif action == "pass":
            ticket = await asyncio.to_thread(tickets.pass_on, ticket_id, user.id)
            await query.answer(t("esc.expert.passed", lang, id=ticket_id))
            if ticket.route_chat_id is not None and ticket.route_chat_id > 0:
                enqueue_card(context, ticket, ticket.route_chat_id)
        else:
            await asyncio.to_thread(_require_open, context, ticket_id, user.id)
            await query.answer()
            key = {"ans": "esc.expert.prompt_answer", "info": "esc.expert.prompt_info",
                   "close": "esc.expert.prompt_close"}[action]
            prompt = await context.bot.send_message(message.chat.id, t(key, lang, id=ticket_id),
                                                    message_thread_id=thread, reply_markup=ForceReply(selective=True))
            await asyncio.to_thread(tickets.link_message, message.chat.id, prompt.message_id, ticket_id)
            if action == "close":
                await asyncio.to_thread(esc(context).state.put, "prompt", f"{message.chat.id}:{prompt.message_id}",
                                        {"kind": "close", "ticket": ticket_id})
    except EscalationError as err:
        await _refuse(update, context, err, lang)
        return
    kick(context)


def _require_open(context: Context, ticket_id: int, user_id: int) -> None:
    tickets = esc(context).tickets
    if not tickets.is_expert(user_id):
        log.warning("refused prompt on ticket %s: not an expert", ticket_id)  # who: the context's pseudonym
        raise EscalationError("not_expert")
    ticket = tickets.get(ticket_id)
    if ticket.status == "closed":
        raise EscalationError("closed")


async def on_rate(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or context.match is None or query.message is None:
        return
    ticket_id, score = int(context.match.group(1)), int(context.match.group(2))
    lang = await resolve_language(update, context)
    try:
        await asyncio.to_thread(esc(context).tickets.rate, ticket_id, query.from_user.id, score)
    except EscalationError as err:
        await _refuse(update, context, err, lang)
        return
    await query.answer(t("esc.ticket.rated", lang))
    prompt = await context.bot.send_message(query.message.chat.id, t("esc.ticket.rated", lang),
                                            reply_markup=ForceReply(selective=True))
    await asyncio.to_thread(esc(context).state.put, "prompt", f"{query.message.chat.id}:{prompt.message_id}",
                            {"kind": "comment", "ticket": ticket_id})


def _content(message: Message) -> tuple[str, str, str | None] | None:
    """(kind, text, file_id) of a relayable message; None for anything else."""
    if message.document is not None:
        return "document", message.caption or "", message.document.file_id
    if message.voice is not None:
        return "voice", message.caption or "", message.voice.file_id
    if message.photo:
        return "photo", message.caption or "", message.photo[-1].file_id
    if message.text:
        return "text", message.text, None
    return None


def _locate(context: Context, message: Message) -> tuple[int | None, dict | None]:
    tickets, chat_id = esc(context).tickets, message.chat.id
    reply = message.reply_to_message
    # A reply inside a forum topic points at the topic's first message; only a real reply counts.
    if reply is not None and not (message.is_topic_message and reply.message_id == message.message_thread_id):
        prompt = esc(context).state.get("prompt", f"{chat_id}:{reply.message_id}")
        found = tickets.ticket_for_message(chat_id, reply.message_id)
        if found is not None or prompt is not None:
            return (found or (prompt or {}).get("ticket")), prompt
    if message.is_topic_message and message.message_thread_id is not None:
        return tickets.ticket_for_thread(chat_id, message.message_thread_id), None
    return None, None


async def on_message(update: Update, context: Context) -> None:
    """Replies that belong to a ticket: relayed the other way. Anything else falls through to the Q&A."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or user.is_bot or (message.text or "").startswith("/"):
        return
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == context.bot.id:
        # A reply to a message the outbox is still recording: wait for the flush that sent it to link it,
        # or a quick answer to an expert would be taken for a new question.
        async with context.bot_data.outbox_lock:
            pass
    ticket_id, prompt = await asyncio.to_thread(_locate, context, message)
    if ticket_id is None:
        return
    lang = await resolve_language(update, context)
    content = _content(message)
    try:
        if content is None:
            raise EscalationError("unsupported")
        await relay(context, ticket_id, user.id, user.full_name, message.chat.type == "private", content, prompt,
                    message.chat.id, message.message_id)
    except EscalationError as err:
        await _refuse(update, context, err, lang)
    raise ApplicationHandlerStop


async def relay(context: Context, ticket_id: int, user_id: int, name: str, private: bool,
                content: tuple[str, str, str | None], prompt: dict | None, chat_id: int, message_id: int) -> None:
    tickets, outbox, state = esc(context).tickets, esc(context).outbox, esc(context).state
    kind, text, file_id = content
    ticket = await asyncio.to_thread(tickets.get, ticket_id)
    lang = services_of(context).settings.default_language
    if prompt and prompt.get("kind") == "comment":
        await asyncio.to_thread(tickets.rate, ticket_id, user_id, ticket.rating or 0, text)
        await context.bot.send_message(chat_id, t("esc.ticket.comment_saved", ticket.lang))
        return
    if prompt and prompt.get("kind") == "close":
        closed = await asyncio.to_thread(tickets.close, ticket_id, user_id, text)
        outbox.enqueue(closed.founder_chat_id, t("esc.ticket.closed", closed.lang, id=ticket_id, summary=text),
                       ticket_id=ticket_id,
                       buttons=[[(str(n), f"esc:rate:{ticket_id}:{n}") for n in range(1, 6)]])
        outbox.enqueue(chat_id, t("esc.expert.closed", lang, id=ticket_id, summary=text),
                       thread_id=closed.route_thread_id if chat_id == closed.route_chat_id else None)
        await asyncio.to_thread(state.put, "prompt", f"{chat_id}:{message_id}", None)
        kick(context)
        return
    if private and user_id == ticket.founder_id:
        await asyncio.to_thread(tickets.record_founder_message, ticket_id, user_id, kind=kind, text=text,
                                file_id=file_id)
        target = ticket.route_chat_id or ticket.expert_id
        if target is not None:
            outbox.enqueue(target, f"{t('esc.expert.founder_msg', lang, id=ticket_id)}\n\n{text}".strip(),
                           ticket_id=ticket_id, kind=kind, file_id=file_id)
        await context.bot.send_message(chat_id, t("esc.ticket.sent", ticket.lang, id=ticket_id))
    else:
        await asyncio.to_thread(tickets.record_expert_message, ticket_id, user_id, kind=kind, text=text,
                                file_id=file_id)
        await asyncio.to_thread(tickets.note_name, user_id, name)
        label = t("esc.ticket.feedback", ticket.lang, id=ticket_id, expert=expert_label(context, user_id, ticket.lang))
        outbox.enqueue(ticket.founder_chat_id, f"{label}\n\n{text}".strip(), ticket_id=ticket_id, kind=kind,
                       file_id=file_id)
    kick(context)


async def on_ticket_command(update: Update, context: Context) -> None:
    """/ticket <n> <text> from a founder, /reply <n> <text> from an expert."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = await resolve_language(update, context)
    command = (message.text or "").split()[0].lstrip("/").split("@")[0]
    args = context.args or []
    if len(args) < 2 or not args[0].lstrip("#").isdigit():
        log.info("bad /%s", command)  # never the text: it is meant for the other side of the ticket
        await message.reply_text(t(f"esc.usage.{command}", lang))
        return
    ticket_id, text = int(args[0].lstrip("#")), " ".join(args[1:])
    try:
        ticket = await asyncio.to_thread(esc(context).tickets.get, ticket_id)
        if command == "ticket" and ticket.founder_id != user.id:
            raise EscalationError("not_yours")
        await relay(context, ticket_id, user.id, user.full_name, command == "ticket", ("text", text, None), None,
                    message.chat.id, message.message_id)
        if command == "reply":
            await message.reply_text(t("esc.expert.relayed", lang))
    except EscalationError as err:
        await _refuse(update, context, err, lang)


def register(app: Application) -> None:  # type: ignore[type-arg]
    # Group -1: before the Q&A catch-all, which must still get every message that is not a ticket's.
    app.add_handler(CallbackQueryHandler(on_action, pattern=ACTION_PATTERN), group=-1)
    app.add_handler(CallbackQueryHandler(on_rate, pattern=RATE_PATTERN), group=-1)
    app.add_handler(CommandHandler(["ticket", "reply"], on_ticket_command), group=-1)
    app.add_handler(MessageHandler((filters.TEXT | filters.Document.ALL | filters.VOICE | filters.PHOTO)
                                   & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_message), group=-1)


def schedule_escalation_jobs(job_queue, settings) -> None:  # type: ignore[no-untyped-def]
    """The outbox and SLA loops; both read the database, so after a restart they pick up where things were."""
    job_queue.run_repeating(flush_outbox, interval=settings.escalation_outbox_interval_seconds, first=0.5,
                            name="esc-outbox")
    job_queue.run_repeating(sla_tick, interval=settings.escalation_sla_check_seconds, first=1.0, name="esc-sla")
