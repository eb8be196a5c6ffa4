"""Expert escalation on Telegram: the case card's buttons, ratings, and replies relayed both ways.

Thin: each handler parses the update, calls one step of bot.escalation.workflow off the event loop, answers, and
kicks the outbox, which delivers what the step queued.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import ForceReply, Message, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.escalation.buttons import CARD_PATTERN, RATE_PATTERN, parse_card_action, parse_rating
from bot.escalation.enums import CardAction, ContentKind, EscalationError, PromptKind, Refusal
from bot.escalation.links import Where
from bot.escalation.workflow import Incoming
from bot.strings import t
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.delivery import replied_to, tell, topic_of
from bot.telegram.outbox_sender import kick

log = logging.getLogger(__name__)

_PROMPTS = {CardAction.ANSWER: ("esc.expert.prompt_answer", None),
            CardAction.ASK_INFO: ("esc.expert.prompt_info", None),
            CardAction.CLOSE: ("esc.expert.prompt_close", PromptKind.CLOSE)}


async def refuse(update: Update, err: EscalationError, lang: str) -> None:
    """Tell the person why the action was refused (the domain logged it)."""
    await tell(update, t(f"esc.err.{err.code}", lang))


async def on_card_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or context.match is None or query.message is None:
        return
    action, ticket_id = parse_card_action(context.match)
    user, chat_id, thread = query.from_user, query.message.chat.id, topic_of(query.message)
    lang = await resolve_language(update, context)
    workflow = context.services.escalation.workflow
    try:
        if action is CardAction.CLAIM:
            await asyncio.to_thread(workflow.claim, ticket_id, user.id, user.full_name, chat_id, thread, lang)
            await query.answer(t("esc.expert.claimed", lang, id=ticket_id, expert=user.full_name))
        elif action is CardAction.PASS:
            await asyncio.to_thread(workflow.pass_on, ticket_id, user.id)
            await query.answer(t("esc.expert.passed", lang, id=ticket_id))
        else:
            key, kind = _PROMPTS[action]
            await asyncio.to_thread(workflow.check_prompt, action, ticket_id, user.id)
            await query.answer()
            prompt = await context.bot.send_message(chat_id, t(key, lang, id=ticket_id), message_thread_id=thread,
                                                    reply_markup=ForceReply(selective=True))
            await asyncio.to_thread(workflow.expect_reply, chat_id, prompt.message_id, ticket_id, kind)
    except EscalationError as err:
        await refuse(update, err, lang)
        return
    kick(context)


async def on_rate(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or context.match is None or query.message is None:
        return
    ticket_id, score = parse_rating(context.match)
    lang = await resolve_language(update, context)
    workflow = context.services.escalation.workflow
    try:
        await asyncio.to_thread(workflow.rate, ticket_id, query.from_user.id, score)
    except EscalationError as err:
        await refuse(update, err, lang)
        return
    await query.answer(t("esc.ticket.rated", lang))
    chat_id = query.message.chat.id
    prompt = await context.bot.send_message(chat_id, t("esc.ticket.rated", lang),
                                            reply_markup=ForceReply(selective=True))
    await asyncio.to_thread(workflow.expect_reply, chat_id, prompt.message_id, ticket_id, PromptKind.COMMENT)


def _content(message: Message) -> tuple[ContentKind, str, str | None] | None:
    """(kind, text, file_id) of a relayable message; None for anything else."""
    if message.document is not None:
        return ContentKind.DOCUMENT, message.caption or "", message.document.file_id
    if message.voice is not None:
        return ContentKind.VOICE, message.caption or "", message.voice.file_id
    if message.photo:
        return ContentKind.PHOTO, message.caption or "", message.photo[-1].file_id
    if message.text:
        return ContentKind.TEXT, message.text, None
    return None


def _where(message: Message) -> Where:
    return Where(message.chat.id, replied_to(message), topic_of(message))


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
    workflow = context.services.escalation.workflow
    ticket_id, prompt = await asyncio.to_thread(workflow.locate, _where(message))
    if ticket_id is None:
        return
    lang = await resolve_language(update, context)
    try:
        content = _content(message)
        if content is None:
            raise EscalationError(Refusal.UNSUPPORTED)
        kind, text, file_id = content
        await _relay(context, Incoming(ticket_id=ticket_id, user_id=user.id, user_name=user.full_name,
                                       private=message.chat.type == ChatType.PRIVATE, kind=kind, text=text,
                                       file_id=file_id, chat_id=message.chat.id, message_id=message.message_id,
                                       prompt=prompt))
    except EscalationError as err:
        await refuse(update, err, lang)
    raise ApplicationHandlerStop


async def _relay(context: Context, incoming: Incoming) -> None:
    ack = await asyncio.to_thread(context.services.escalation.workflow.relay, incoming)
    if ack is not None:
        await context.bot.send_message(incoming.chat_id, ack)
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
    founder = command == "ticket"
    try:
        if founder:
            await asyncio.to_thread(context.services.escalation.workflow.founder_writes, ticket_id, user.id)
        await _relay(context, Incoming(ticket_id=ticket_id, user_id=user.id, user_name=user.full_name,
                                       private=founder, kind=ContentKind.TEXT, text=text, file_id=None,
                                       chat_id=message.chat.id, message_id=message.message_id))
        if not founder:
            await message.reply_text(t("esc.expert.relayed", lang))
    except EscalationError as err:
        await refuse(update, err, lang)


def register(app: App) -> None:
    # Group -1: before the Q&A catch-all, which must still get every message that is not a ticket's.
    app.add_handler(CallbackQueryHandler(on_card_button, pattern=CARD_PATTERN), group=-1)
    app.add_handler(CallbackQueryHandler(on_rate, pattern=RATE_PATTERN), group=-1)
    app.add_handler(CommandHandler(["ticket", "reply"], on_ticket_command), group=-1)
    app.add_handler(MessageHandler((filters.TEXT | filters.Document.ALL | filters.VOICE | filters.PHOTO)
                                   & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_message), group=-1)
