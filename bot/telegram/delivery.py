"""Getting text to founders: HTML with a plain-text fallback, typing indicators, and streaming previews."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any, Self

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.telegram.render import MAX_MESSAGE, Chunk

log = logging.getLogger(__name__)

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def is_parse_error(exc: BadRequest) -> bool:
    return "can't parse entities" in exc.message.lower()


def is_not_modified(exc: BadRequest) -> bool:
    return "message is not modified" in exc.message.lower()


def topic_of(message: object) -> int | None:
    """The forum topic a message (or a pressed button's message, possibly inaccessible) is in; None outside one."""
    return getattr(message, "message_thread_id", None) if getattr(message, "is_topic_message", False) else None


def replied_to(message: Message) -> int | None:
    """The message this one really replies to: inside a forum topic every message points at the topic's first
    message, which is not a reply."""
    reply = message.reply_to_message
    if reply is None or (message.is_topic_message and reply.message_id == message.message_thread_id):
        return None
    return reply.message_id


async def tell(update: Update, text: str) -> None:
    """A refusal or notice for the person who acted: an alert under the button they pressed, else a reply."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


@dataclass(frozen=True)
class Target:
    """Where replies go: the chat, its forum topic, and (in groups) the message being answered."""

    chat_id: int
    thread_id: int | None = None
    reply_to: int | None = None

    @classmethod
    def of(cls, message: Message) -> Target:
        thread = topic_of(message)
        reply = message.message_id if message.chat.type != "private" else None
        return cls(message.chat_id, thread, reply)

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"chat_id": self.chat_id, "message_thread_id": self.thread_id}
        if self.reply_to is not None:
            out["reply_parameters"] = ReplyParameters(self.reply_to, allow_sending_without_reply=True)
        return out


def inline_markup(buttons: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    """Rows of (label, callback data), as the domain builds them, as Telegram's inline keyboard."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in buttons])


async def reply_to_press(query: CallbackQuery, text: str,
                         reply_markup: InlineKeyboardMarkup | ForceReply | None = None) -> None:
    """Reply under the message whose button was pressed; in its chat if Telegram no longer hands that message over."""
    message = query.message
    if isinstance(message, Message):
        await message.reply_text(text, reply_markup=reply_markup)
    elif message is not None:
        await query.get_bot().send_message(message.chat.id, text, reply_markup=reply_markup)


async def send_chunk(bot: Bot, target: Target, chunk: Chunk, markup: InlineKeyboardMarkup | None = None) -> Message:
    """Send one rendered message; if Telegram rejects the markup, send the same words as plain text."""
    try:
        return await bot.send_message(text=chunk.html, parse_mode=ParseMode.HTML, reply_markup=markup,
                                      link_preview_options=_NO_PREVIEW, **target.kwargs())
    except BadRequest as exc:
        if not is_parse_error(exc):
            raise
        log.warning("Telegram rejected the HTML of an answer (%s); sending it as plain text", exc.message)
        return await bot.send_message(text=chunk.plain, reply_markup=markup, link_preview_options=_NO_PREVIEW,
                                      **target.kwargs())


async def edit_chunk(message: Message, chunk: Chunk, markup: InlineKeyboardMarkup | None = None) -> None:
    """Turn an existing message into `chunk`, with the same fallback; an unchanged text is not an error."""
    try:
        await message.edit_text(chunk.html, parse_mode=ParseMode.HTML, reply_markup=markup,
                                link_preview_options=_NO_PREVIEW)
    except BadRequest as exc:
        if is_not_modified(exc):
            return
        if not is_parse_error(exc):
            raise
        log.warning("Telegram rejected the HTML of an edit (%s); using plain text", exc.message)
        try:
            await message.edit_text(chunk.plain, reply_markup=markup, link_preview_options=_NO_PREVIEW)
        except BadRequest as again:
            if not is_not_modified(again):
                raise


async def deliver(bot: Bot, target: Target, chunks: list[Chunk], markup: InlineKeyboardMarkup | None = None,
                  existing: Message | None = None) -> list[Message]:
    """Send the chunks in order (the first into `existing` if given); the keyboard goes on the last one."""
    sent: list[Message] = []
    for i, chunk in enumerate(chunks):
        last_markup = markup if i == len(chunks) - 1 else None
        if i == 0 and existing is not None:
            await edit_chunk(existing, chunk, last_markup)
            sent.append(existing)
        else:
            sent.append(await send_chunk(bot, target, chunk, last_markup))
    return sent


class TypingIndicator:
    """Shows "typing…" while an answer is prepared; Telegram shows it ~5 s, so it is renewed every `every` s.

    Nothing is sent when the answer is ready within `delay`: an extractive answer takes tens of milliseconds,
    and every request counts against the bot's ~30 per second (AIORateLimiter); a typing flash for each of
    them halved the answers per second (bench/answer_speed.py: 15.2/s with it, README "Benchmarks").
    `every=None` sends it once: in groups every request counts against the ~20 a minute Telegram allows,
    and the edited preview already shows progress there.
    """

    def __init__(self, bot: Bot, target: Target, every: float | None = 4.5, delay: float = 0.5) -> None:
        self.bot, self.target, self.every, self.delay = bot, target, every, delay
        self._task: asyncio.Task[None] | None = None

    async def _send(self) -> None:
        try:
            await self.bot.send_chat_action(self.target.chat_id, ChatAction.TYPING,
                                            message_thread_id=self.target.thread_id)
        except TelegramError as exc:  # cosmetic: never let it cost the answer
            log.debug("typing indicator failed: %s", exc)

    async def _show(self) -> None:
        await asyncio.sleep(self.delay)
        await self._send()
        while self.every:
            await asyncio.sleep(self.every)
            await self._send()

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._show())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class LivePreview:
    """Shows the answer while the LLM writes it. Subclasses decide how (drafts, or edits of one message).

    `update` only records the newest text, so a slow Telegram never slows the model down; a background
    task pushes the newest text at most once per `interval`.
    """

    def __init__(self, bot: Bot, target: Target, interval: float) -> None:
        self.bot, self.target, self.interval = bot, target, interval
        self._text = ""
        self._shown = ""
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def update(self, text: str) -> None:
        self._text = text
        self._changed.set()
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        await self._pause(self.first_delay())
        while not self._closing.is_set():
            await self._changed.wait()
            self._changed.clear()
            if self._closing.is_set():
                return
            text = self._text[: MAX_MESSAGE - 2]
            if text.strip() and text != self._shown:
                try:
                    await self.show(text)
                    self._shown = text
                except TelegramError as exc:
                    log.info("live preview stopped: %s", exc)
                    return
            await self._pause(self.interval)

    async def _pause(self, seconds: float) -> None:
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), seconds)

    def first_delay(self) -> float:
        return 0.0

    async def show(self, text: str) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        """Stop previewing; a preview already on its way is let through so it cannot land after the answer."""
        self._closing.set()
        self._changed.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), 5.0)
        except (TimeoutError, asyncio.CancelledError):
            self._task.cancel()
        except Exception:  # a failed preview is not the answer's problem
            log.debug("live preview task failed", exc_info=True)


class DraftPreview(LivePreview):
    """Private chats: sendMessageDraft, the animated preview that the final message replaces."""

    def __init__(self, bot: Bot, target: Target, interval: float, draft_id: int) -> None:
        super().__init__(bot, target, interval)
        self.draft_id = draft_id or 1

    async def show(self, text: str) -> None:
        await self.bot.send_message_draft(self.target.chat_id, self.draft_id, text,
                                          message_thread_id=self.target.thread_id)


class EditPreview(LivePreview):
    """Groups: one message edited at most once per `interval` (groups allow ~20 messages a minute).

    Only answers slower than one interval get a preview at all; quick ones arrive as a single message.
    """

    def __init__(self, bot: Bot, target: Target, interval: float) -> None:
        super().__init__(bot, target, interval)
        self.message: Message | None = None

    def first_delay(self) -> float:
        return self.interval

    async def show(self, text: str) -> None:
        text = f"{text} …"
        if self.message is None:
            self.message = await self.bot.send_message(text=text, link_preview_options=_NO_PREVIEW,
                                                       **self.target.kwargs())
            return
        try:
            await self.message.edit_text(text, link_preview_options=_NO_PREVIEW)
        except BadRequest as exc:
            if not is_not_modified(exc):
                raise
