"""Staff send documents: size and type checks, download, ingestion with one throttled progress message, summary.

Founders' documents never reach the knowledge base. The idea intake (issue 4) owns documents sent during an
intake: its handlers in group 0 see them first (raising ApplicationHandlerStop keeps them from us), and it can
also register "is this update part of an intake?" with `register_intake_check`; either way we stay out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from typing import Self

from telegram import Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ConversationHandler, MessageHandler, filters

from bot.knowledge.errors import DocumentRejected, RejectReason
from bot.knowledge.service import IngestProgress, IngestResult
from bot.staff.uploads import upload_limit_mb
from bot.strings import reject_message, t
from bot.telegram.cafe_notices import cafe_buttons, cafe_line
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.staff_buttons import summary_keyboard
from bot.telegram.staff_docs import REPLACE_NEXT_KEY, document_summary
from bot.telegram.throttle import within_rate_limit

log = logging.getLogger(__name__)

UPLOAD_GROUP = 1
IntakeCheck = Callable[[Update, Context], bool]
_intake_checks: list[IntakeCheck] = []


def register_intake_check(check: IntakeCheck) -> Callable[[], None]:
    """The idea intake calls this with "is this update part of an intake?"; such documents are not ours.

    Returns a function that unregisters the check.
    """
    _intake_checks.append(check)
    return lambda: _intake_checks.remove(check)


def in_intake(update: Update, context: Context) -> bool:
    """A registered check says so, or a ConversationHandler (the intake) would take this update itself."""
    if any(check(update, context) for check in _intake_checks):
        return True
    return any(isinstance(handler, ConversationHandler) and handler.check_update(update)
               for handlers in context.application.handlers.values() for handler in handlers)


def summary_text(result: IngestResult, lang: str) -> str:
    """What an upload did to the knowledge base, and the document as it now is."""
    return document_summary(result.document, t(f"staff.upload.status.{result.status}", lang), lang)


class ProgressMessage:
    """One message edited as ingestion advances; edits are throttled, the worker thread only sets the text."""

    def __init__(self, message: Message, file: str, lang: str, interval: float) -> None:
        self.message, self.file, self.lang, self.interval = message, file, lang, interval
        self.shown = message.text or ""
        self.latest = self.shown
        self._loop = asyncio.get_running_loop()
        self._task: asyncio.Task[None] | None = None

    def stage_text(self, p: IngestProgress) -> str:
        f, lang = self.file, self.lang
        if p.stage == "reading":
            return t("staff.upload.read", lang, file=f, pages=p.total) if p.total else t("staff.upload.reading",
                                                                                         lang, file=f)
        if p.stage == "chunking":
            return t("staff.upload.chunked", lang, file=f, chunks=p.total)
        if p.stage == "embedding":
            return t("staff.upload.embedding", lang, file=f, done=p.done, total=p.total)
        return t("staff.upload.indexing", lang, file=f)

    def report(self, p: IngestProgress) -> None:
        """Called from the ingestion thread."""
        if p.stage != "done":
            text = self.stage_text(p)
            self._loop.call_soon_threadsafe(setattr, self, "latest", text)

    async def _pump(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self._show(self.latest)

    async def _show(self, text: str) -> None:
        if text == self.shown:
            return
        try:
            await self.message.edit_text(text)
            self.shown = text
        except TelegramError:  # a missed progress edit is cosmetic; the final one is retried by the rate limiter
            log.debug("progress edit failed", exc_info=True)

    def __enter__(self) -> Self:
        self._task = asyncio.create_task(self._pump())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task:
            self._task.cancel()

    async def finish(self, text: str) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # a failed edit must not hide the result
                await self._task
        await self._show(text)


async def on_document(update: Update, context: Context) -> None:
    """A staff member's file into the knowledge base; anyone else's is refused politely."""
    message, user = update.effective_message, update.effective_user
    if message is None or message.document is None or user is None or in_intake(update, context):
        return
    services = context.services
    lang = await resolve_language(update, context)
    if not await asyncio.to_thread(services.staff.is_staff, user.id):
        if not await within_rate_limit(update, context, lang):  # a stream of files must not become a stream of replies
            return
        log.info("document from a non-staff user refused politely")
        await message.reply_text(t("staff.upload.founder", lang))
        return
    document = message.document
    name = document.file_name or "file"
    limit = upload_limit_mb(services.settings)
    try:
        services.uploads.check_before_download(name, document.file_size, limit)
    except DocumentRejected as err:
        await _reject(message, err, lang, document.file_size or 0, limit, services.settings.telegram_local_mode)
        return
    started = time.perf_counter()
    progress_message = await message.reply_text(t("staff.upload.downloading", lang, file=name))
    path = services.uploads.staging_path(uuid.uuid4().hex, name)
    try:
        telegram_file = await context.bot.get_file(document.file_id)
        await telegram_file.download_to_drive(path)
    except BadRequest as err:
        log.warning("staff %s: download of %s refused: %s", user.id, name, err.message)
        path.unlink(missing_ok=True)
        await progress_message.edit_text(t("staff.upload.failed_progress", lang, file=name))
        if "too big" in err.message.lower():
            await _reject(message, DocumentRejected(name, RejectReason.TOO_LARGE), lang, document.file_size or 0,
                          limit)
        else:
            await message.reply_text(t("staff.upload.download_failed", lang, file=name))
        return
    except TelegramError:
        log.warning("staff %s: download of %s failed", user.id, name, exc_info=True)
        path.unlink(missing_ok=True)
        await progress_message.edit_text(t("staff.upload.failed_progress", lang, file=name))
        await message.reply_text(t("staff.upload.download_failed", lang, file=name))
        return
    replace_id = context.user_data.pop(REPLACE_NEXT_KEY, None) if context.user_data is not None else None
    progress = ProgressMessage(progress_message, name, lang, services.settings.staff_progress_interval_seconds)
    # A cafe's staff never make their file a new version of another cafe's notice (see UploadService.ingest).
    scope = await asyncio.to_thread(services.cafes.scope, user.id)
    try:
        with progress:
            result = await asyncio.to_thread(services.uploads.ingest, path, name, user.id, progress.report,
                                             replace_id, scope)
    except DocumentRejected as err:
        await progress.finish(t("staff.upload.failed_progress", lang, file=name))
        await _reject(message, err, lang, document.file_size or 0, limit)
        return
    except PermissionError:
        log.warning("staff %s: %s refused as a new version of another cafe's document", user.id, name)
        await progress.finish(t("staff.upload.failed_progress", lang, file=name))
        await message.reply_text(t("staff.cafe.other", lang) + "\n" + t("staff.kb_unchanged", lang))
        return
    except Exception:
        log.exception("staff %s: ingestion of %s failed", user.id, name)
        await progress.finish(t("staff.upload.failed_progress", lang, file=name))
        await message.reply_text(t("staff.upload.error", lang, file=name))
        return
    await progress.finish(t("staff.upload.done", lang, file=name, seconds=time.perf_counter() - started))
    text = summary_text(result, lang)
    if line := await asyncio.to_thread(cafe_line, services, result.document, lang):
        text += "\n" + line
    cafes = await asyncio.to_thread(cafe_buttons, services, result.document, user.id, lang)
    await message.reply_text(text, reply_markup=summary_keyboard(result.document.id, lang, result.status == "added",
                                                                 cafes))


async def _reject(message: Message, err: DocumentRejected, lang: str, size: int, limit: int,
                  local_mode: bool = False) -> None:
    log.info("upload of %s rejected: %s %s", err.file_name, err.reason.value, err.detail)
    text = reject_message(err.reason.value, lang, err.file_name, size_mb=size / 2**20, limit_mb=limit)
    if err.reason == RejectReason.TOO_LARGE and not local_mode:
        text += "\n" + t("staff.upload.too_large_hint", lang, limit_mb=limit)
    await message.reply_text(text + "\n" + t("staff.kb_unchanged", lang))


def register(app: App) -> None:
    """Document uploads, after the idea intake's handlers."""
    # Group 1: after every group-0 handler, so the idea intake gets first claim on a document.
    app.add_handler(MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE, on_document), group=UPLOAD_GROUP)
