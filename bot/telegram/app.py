"""The Telegram application: PTB wiring, startup, polling or webhook."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, JobQueue

from bot.config import Settings
from bot.observability import metrics
from bot.observability.server import OpsServer, ops_server_for
from bot.privacy import PersonalData
from bot.services import Services, build_services, sync_knowledge_dir
from bot.strings import LANGS, t
from bot.telegram.command_menu import publish_menu
from bot.telegram.context import CONTEXT_TYPES, LANG_KEY, App, Context
from bot.telegram.delivery import topic_of
from bot.telegram.handlers import register_all
from bot.telegram.jobs import schedule_jobs
from bot.telegram.persistence import SqlConversationPersistence
from bot.telegram.processor import PerChatUpdateProcessor
from bot.telegram.ratelimit import SlidingWindowLimiter
from bot.telegram.replicas import ReplicaSync

log = logging.getLogger(__name__)

# Named explicitly: without a list Telegram keeps whatever an earlier deployment asked for.
ALLOWED_UPDATES: list[str] = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def build_application(services: Services) -> App:
    """A ready-to-start PTB Application with every handler, the rate limiter and the per-chat processor."""
    settings = services.settings
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        # A self-hosted `telegram-bot-api --local` hands out file paths on its disk instead of download URLs.
        .local_mode(settings.telegram_local_mode)
        # 429s wait for Telegram's retry_after and retry, so a burst delays replies instead of losing them.
        .rate_limiter(AIORateLimiter(max_retries=settings.telegram_rate_limit_retries))
        .concurrent_updates(PerChatUpdateProcessor(settings.telegram_concurrent_chats))
        # The idea intake's ConversationHandler state lives in our database, so restarts and replicas continue it.
        .persistence(SqlConversationPersistence(services.state))
        .context_types(CONTEXT_TYPES)
        .job_queue(JobQueue[Context]())  # typed with our context, so jobs get it too
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data.services = services
    app.bot_data.limiter = SlidingWindowLimiter(settings.user_rate_per_minute, 60.0)
    # Duplicates dropped and shared state loaded/saved around every update: replicas and restarts agree.
    if isinstance(app.update_processor, PerChatUpdateProcessor):
        app.update_processor.hooks = ReplicaSync(app, services)
    register_all(app)
    app.add_error_handler(on_error)
    if app.job_queue is not None:
        app.job_queue.run_repeating(purge_old_records, interval=timedelta(days=1), first=timedelta(minutes=5),
                                    name="retention")
        app.job_queue.run_repeating(prune_limiter, interval=timedelta(minutes=10), name="prune-limiter")
        schedule_jobs(app.job_queue, settings)
    return app


async def post_init(app: App) -> None:
    """Before the first update: the ops server, the command menu in both languages, and warm models and indexes."""
    services = app.bot_data.services
    ops = start_ops_server(app, services)
    await publish_menu(app.bot, services.settings.default_language)
    # In a thread so the event loop (and Telegram's connection) stays responsive while models load.
    await asyncio.to_thread(services.answers.warm_up)
    if ops is not None:
        ops.ready = True
    log.info("bot @%s ready", app.bot.username)


def start_ops_server(app: App, services: Services) -> OpsServer | None:
    """/healthz, /readyz, /metrics on OPS_PORT. A taken port is logged, not fatal: founders still get answers."""
    ops = ops_server_for(services)
    if ops is None:
        return None
    try:
        ops.start()
    except OSError as err:
        log.error("ops server: cannot listen on %s:%s (%s); running without it", ops.listen, ops.port, err)
        return None
    app.bot_data.ops_server = ops
    return ops


async def post_shutdown(app: App) -> None:
    """Stop the ops server (after PTB stopped taking updates)."""
    ops: OpsServer | None = app.bot_data.ops_server
    app.bot_data.ops_server = None
    if ops is not None:
        await ops.stop()


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its trace; tell the founder something went wrong, in words."""
    log.error("update %s failed", getattr(update, "update_id", "-"), exc_info=context.error)
    metrics.record_handler_error(context.error)
    if not isinstance(update, Update) or update.effective_chat is None or isinstance(context.error, Forbidden):
        return
    user_data = context.user_data or {}
    code = (update.effective_user.language_code or "")[:2] if update.effective_user else ""
    lang = user_data.get(LANG_KEY) or (code if code in LANGS else context.services.settings.default_language)
    thread = topic_of(update.effective_message)
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):  # stop the button's spinner; it may be answered already
            await update.callback_query.answer()
    try:
        await context.bot.send_message(update.effective_chat.id, t("tg.error", lang), message_thread_id=thread)
    except TelegramError:
        log.warning("could not tell the chat about the failure")


async def purge_old_records(context: Context) -> None:
    """Daily: destroy founders' records older than RETENTION_DAYS (idempotent, so every replica may run it)."""
    services = context.services
    personal = PersonalData(services.db)
    await asyncio.to_thread(personal.purge_older_than, services.settings.retention_days)
    await asyncio.to_thread(personal.prune_seen_updates)


async def prune_limiter(context: Context) -> None:
    context.limiter.prune()


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Arguments for run_webhook / Updater.start_webhook: listen on the public URL's path, check the secret.

    Without WEBHOOK_SECRET a random one is made per start: setWebhook registers it each time, so forged
    POSTs are still refused (one shared secret is needed only when several processes share the URL).
    """
    if not settings.webhook_url:
        raise ValueError("WEBHOOK_URL is not set")
    secret = settings.webhook_secret
    if secret is None:
        secret = secrets.token_urlsafe(32)
        log.warning("WEBHOOK_SECRET is not set: using a random secret for this run")
    elif not _SECRET_RE.fullmatch(secret):
        raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlsplit(settings.webhook_url).path.strip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": secret,
        "allowed_updates": ALLOWED_UPDATES,
    }


def run_bot(settings: Settings) -> int:
    """Serve the bot until stopped: ingest knowledge/ first, then long polling, or a webhook if WEBHOOK_URL is set."""
    if not settings.telegram_bot_token:
        log.error("TELEGRAM_BOT_TOKEN is not set")
        return 2
    services = build_services(settings)
    try:
        changed = sync_knowledge_dir(services)
        log.info("knowledge base ready (%d documents added or updated)", changed)
        app = build_application(services)
        if settings.webhook_url:
            options = webhook_options(settings)
            log.info("serving the webhook %s on %s:%s", settings.webhook_url, options["listen"], options["port"])
            app.run_webhook(**options)
        else:
            log.info("long polling %s", settings.telegram_base_url)
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    finally:
        services.close()
    return 0
