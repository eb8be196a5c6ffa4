"""Founders' questions: text in, typing and a streamed preview, then the cited answer with its buttons."""

from __future__ import annotations

import logging
import re

from telegram import Bot, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import MessageHandler, filters

from bot.observability import metrics
from bot.strings import t
from bot.telegram.context import App, Context, conversation_id, resolve_language
from bot.telegram.delivery import DraftPreview, EditPreview, LivePreview, Target, TypingIndicator, deliver
from bot.telegram.keyboards import answer_keyboard
from bot.telegram.render import Chunk, escape, render_answer
from bot.telegram.throttle import within_rate_limit

log = logging.getLogger(__name__)


def addressed_text(message: Message, bot: Bot) -> str | None:
    """In a group: the question with the bot's @mention removed, or None if the bot was not addressed."""
    text = message.text or ""
    username = (bot.username or "").lower()
    mentioned = False
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.MENTION and value.lower() == f"@{username}":
            mentioned = True
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            mentioned = True
            text = text.replace(value, " ", 1)
    if username:
        text, found = re.subn(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
        mentioned = mentioned or bool(found)
    replied = message.reply_to_message
    to_bot = bool(replied and replied.from_user and replied.from_user.id == bot.id)
    if not (mentioned or to_bot):
        return None
    return " ".join(text.split())


async def on_text(update: Update, context: Context) -> None:
    """A question in a private chat, or addressed to the bot in a group; rate-limited per founder."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or not message.text:
        return
    text = message.text if chat.type == ChatType.PRIVATE else addressed_text(message, context.bot)
    if text is None:
        return  # group chatter not meant for the bot
    lang = await resolve_language(update, context, text)
    target = Target.of(message)
    if not text.strip():
        await context.bot.send_message(text=t("tg.group.empty", lang), **target.kwargs())
        return
    if user is not None:
        limiter = context.limiter
        verdict = limiter.check(user.id)
        if not verdict.allowed:
            # Who it was is in the line's context (a pseudonym); the founder's id is not logged.
            log.info("over %d questions a minute; refused", limiter.limit)
            metrics.record_rejected(lang)
            if verdict.warn:
                await context.bot.send_message(
                    text=t("tg.ratelimit", lang, limit=limiter.limit, seconds=verdict.retry_after), **target.kwargs()
                )
            return
    await answer_question(context, message, target, text, user.id if user else None, lang)


async def answer_question(
    context: Context, message: Message, target: Target, text: str, user_id: int | None, lang: str
) -> None:
    """Answer with a live preview (drafts in private chats, a throttled edit in groups), then the final text."""
    services = context.services
    settings = services.settings
    bot = context.bot
    preview: LivePreview
    private = message.chat.type == ChatType.PRIVATE
    if private:
        preview = DraftPreview(bot, target, settings.telegram_draft_interval_seconds, message.message_id)
    else:
        preview = EditPreview(bot, target, settings.telegram_group_edit_interval_seconds)
    try:
        async with TypingIndicator(bot, target, every=4.5 if private else None):
            answer = await services.answers.answer(
                conversation_id(target.chat_id), text, user_id=user_id, lang=lang, on_delta=preview.update
            )
    except Exception:
        # The founder gets an apology, never the trace; the log gets the trace.
        log.exception("answering failed")  # the chat is in the line's context
        await preview.close()
        existing = preview.message if isinstance(preview, EditPreview) else None
        apology = t("tg.error", lang)
        await deliver(bot, target, [Chunk(escape(apology), apology)], existing=existing)
        return
    await preview.close()
    existing = preview.message if isinstance(preview, EditPreview) else None
    await deliver(bot, target, render_answer(answer), answer_keyboard(answer), existing=existing)


async def on_unsupported(update: Update, context: Context) -> None:
    """Photos, voice notes and the like in a private chat: say what works instead of staying silent."""
    if update.effective_message is None:
        return
    lang = await resolve_language(update, context)
    if not await within_rate_limit(update, context, lang):
        return
    log.info("unsupported message type")
    await update.effective_message.reply_text(t("tg.text_only", lang))


UNSUPPORTED = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & (
    filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE | filters.Sticker.ALL
    | filters.LOCATION | filters.CONTACT
)


def register(app: App) -> None:
    """Questions and unsupported media; registered last as the catch-all for text."""
    # Edits of old questions are not new questions.
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(MessageHandler(UNSUPPORTED, on_unsupported))
