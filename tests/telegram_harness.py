"""Shared pieces of the Telegram tests: small documents, services built once, the real bot running against
the Bot API stand-in (polling or webhook)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from conftest import offline_settings
from process_harness import free_port
from standins import BotApiStandIn, TgChat
from telegram.ext import Application, Updater

from bot.config import Settings
from bot.knowledge.embeddings import CachedEmbeddings, make_embeddings
from bot.services import Services, build_services
from bot.telegram.app import ALLOWED_UPDATES, build_application, post_init, post_shutdown, webhook_options
from bot.telegram.processor import PerChatUpdateProcessor

TOKEN = "777000:TEST-cafebot-token"
BOT_USERNAME = "cafe_helper_bot"

DOCS = {
    "leap.md": """---
title: 창업도약패키지 안내
programme: 창업도약패키지
valid_until: 2099-12-31
---
# 창업도약패키지

## 신청 자격
창업도약패키지는 업력 3년 초과 7년 이내의 창업기업이 신청할 수 있습니다.

## 신청 기간
창업도약패키지 신청 기간은 2025년 3월 1일부터 3월 31일까지입니다. K-Startup 누리집에서 온라인으로 신청합니다.

## 지원 내용
선정된 기업은 최대 3억 원의 사업화 자금을 지원받습니다.
연구개발(R&D) 비용은 총사업비의 <30%> 이내로만 쓸 수 있습니다.
""",
    "academy.md": """---
title: 청년취업사관학교 안내
programme: 청년취업사관학교
valid_until: 2099-12-31
---
# 청년취업사관학교

## 교육 대상
청년취업사관학교는 서울에 사는 만 18세 이상 34세 이하 청년이 무료로 교육받을 수 있습니다.

## 모집 기간
청년취업사관학교 모집 기간은 2025년 5월 1일부터 5월 20일까지입니다.
""",
    "cafe.md": """---
title: 서울창업카페 이용 안내
programme: 서울창업카페
valid_until: 2099-12-31
---
# 서울창업카페

## 운영 시간
서울창업카페는 평일 오전 9시부터 오후 9시까지 운영합니다.

## 전문가 상담
각 카페에는 벤처투자자 등 민간 전문가가 배치되어 창업 상담을 합니다.
""",
}

KO_QUESTION = "창업도약패키지 신청 자격이 어떻게 되나요?"
# Cross-lingual and about nothing in the documents: far below the relevance floor.
UNANSWERABLE = "What is the tuition for the Mars colony course?"


def settings_for(data_dir: Path, cache_dir: Path, **overrides: Any) -> Settings:
    """Settings like conftest's make_settings, for fixtures that outlive one test: no shipped knowledge, and the
    bot's pacing shortened for tests."""
    values: dict[str, Any] = {
        "knowledge_dir": data_dir / "no-knowledge",
        "telegram_draft_interval_seconds": 0.05,
        "telegram_group_edit_interval_seconds": 0.3,
        "llm_retry_delay_seconds": 0.05,
        "llm_timeout_seconds": 10.0,
        "ops_port": 0,  # no ops server unless a test asks for one on a free port
    }
    values.update(overrides)
    return offline_settings(data_dir, cache_dir, **values)




def write_docs(directory: Path, docs: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, body in (docs or DOCS).items():
        (directory / name).write_text(body, encoding="utf-8")
    return directory


def make_services(settings: Settings, embeddings: CachedEmbeddings, docs: dict[str, str] | None = None,
                  share_intents_with: Services | None = None) -> Services:
    """Services with the small documents ingested; the embedding model (and its query cache) is shared."""
    services = build_services(settings, embeddings=embeddings)
    if share_intents_with is not None:
        # The intent examples are embedded once per classifier; reuse a warm one to keep tests fast.
        services.answers.local_intents = share_intents_with.answers.local_intents
    for path in sorted(write_docs(settings.data_dir / "docs", docs).iterdir()):
        services.knowledge.ingest_file(path)
    return services


@functools.cache
def shared_embeddings(cache_dir: Path) -> CachedEmbeddings:
    """One loaded embedding model (and query cache) for every Telegram test in the run."""
    return make_embeddings(settings_for(cache_dir / "unused-data", cache_dir))


@contextlib.contextmanager
def bot_services(data_dir: Path, cache_dir: Path, docs: dict[str, str] | None = None,
                 **overrides: Any) -> Iterator[Services]:
    """make_services on settings_for(data_dir, ...) with the shared embedding model; closed on the way out."""
    services = make_services(settings_for(data_dir, cache_dir, **overrides), shared_embeddings(cache_dir), docs)
    try:
        yield services
    finally:
        services.close()


def tg_fixture(loop_scope: str | None = None) -> Any:
    """A `tg` fixture for a module (`tg = tg_fixture(...)`): a fresh Bot API stand-in for each test, served on
    the event loop the module's tests run on (`loop_scope`, as in their asyncio mark)."""

    @pytest_asyncio.fixture(name="tg", loop_scope=loop_scope)
    async def _tg() -> AsyncIterator[BotApiStandIn]:
        async with BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME) as standin:
            yield standin

    return _tg


def bot_fixture(loop_scope: str | None = None) -> Any:
    """A `bot` fixture for a module (`bot = bot_fixture(...)`): the real bot long polling the test's stand-in
    with the module's `services`."""

    @pytest_asyncio.fixture(name="bot", loop_scope=loop_scope)
    async def _bot(services: Services, tg: BotApiStandIn) -> AsyncIterator[Application]:
        async with running_bot(services, tg) as app:
            yield app

    return _bot


def bot_settings(services: Services, tg: BotApiStandIn, **overrides: Any) -> Services:
    """The same services, with Telegram pointed at the stand-in."""
    settings = services.settings.model_copy(update={
        "telegram_bot_token": tg.token,
        "telegram_base_url": f"{tg.url}/bot",
        "telegram_base_file_url": f"{tg.url}/file/bot",
        **overrides,
    })
    return replace(services, settings=settings)


class _JobRuns:
    """How many job runs the bot's scheduler has started and not finished, from APScheduler's own events: one
    submission per run time, and one executed, error or missed event for each."""

    MASK = EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED

    def __init__(self) -> None:
        self.running = 0

    def __call__(self, event: JobEvent) -> None:
        if isinstance(event, JobSubmissionEvent):
            self.running += len(event.scheduled_run_times)
        else:
            self.running -= 1


# Keyed by id(app) while the app runs; PTB's Application has no room for the harness's own attributes.
_JOB_RUNS: dict[int, _JobRuns] = {}


@contextlib.asynccontextmanager
async def _started(bound: Services, start_updater: Callable[[Updater], Awaitable[Any]]) -> AsyncIterator[Application]:
    """The real Application started the way run_polling and run_webhook start it; `start_updater` starts how
    updates come in."""
    app = build_application(bound)
    await app.initialize()
    await post_init(app)
    assert app.updater is not None and app.job_queue is not None
    runs = _JOB_RUNS[id(app)] = _JobRuns()
    app.job_queue.scheduler.add_listener(runs, _JobRuns.MASK)  # before app.start() starts the scheduler
    await start_updater(app.updater)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await post_shutdown(app)
        app.job_queue.scheduler.remove_listener(runs)
        del _JOB_RUNS[id(app)]


def _busy_with(app: Application, tg: BotApiStandIn, after_jobs: Iterable[str]) -> str | None:
    """What the bot still has to do, or None when it is idle. Synchronous, on the bot's own event loop, so the
    parts are one consistent snapshot (only the stand-in's thread moves meanwhile, and it is read first)."""
    if tg.pending_updates:
        return "updates the stand-in has not handed out (or the bot has not confirmed)"
    # PTB calls task_done() once an update's processing is over, so this counts updates queued, taken from the
    # queue but not started yet, and running; the attribute is asyncio.Queue's, behind its join().
    if app.update_queue._unfinished_tasks:  # type: ignore[attr-defined]
        return "updates not processed yet"
    processor = app.update_processor
    if processor.current_concurrent_updates or (
            isinstance(processor, PerChatUpdateProcessor) and processor.active_chats):
        return "chats still processing"
    if app.job_queue is not None:
        if _JOB_RUNS[id(app)].running:
            return "a job running"
        now = datetime.now(UTC)
        for job in app.job_queue.jobs():
            if job.name in after_jobs:
                return f"job {job.name} not run yet"
            if job.next_t is not None and job.next_t <= now:
                return f"job {job.name} due"
    # Escalation notices go out through the outbox, flushed by a job: one due and not yet flushed is still to send.
    if app.bot_data.services.escalation.outbox.due(limit=1):
        return "outbox items due"
    return None


async def wait_idle(app: Application, tg: BotApiStandIn, *, after_jobs: Iterable[str] = (),
                    timeout: float = 30.0) -> None:
    """Wait until the in-process bot has done everything it was given: every update the stand-in had for it
    handed out and fully processed (PTB's queue and our per-chat processor empty), no job due or running, and no
    escalation notice due in the outbox. `after_jobs`: names of jobs scheduled for later (e.g. the start-up
    broadcast) to wait for as well. Idle is the moment to assert what the bot has not sent."""
    after = frozenset(after_jobs)
    deadline = asyncio.get_running_loop().time() + timeout
    while (busy := _busy_with(app, tg, after)) is not None:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"the bot was not idle within {timeout}s: {busy}")
        # Polling: the bot's progress has no event of its own to wait on, and a check costs microseconds.
        await asyncio.sleep(0.01)


async def assert_nothing_sent(app: Application, tg: BotApiStandIn, *chats: int | TgChat, since: int | None = None,
                              after_jobs: Iterable[str] = ()) -> None:
    """Once the bot is idle (wait_idle), assert it sent nothing new (after `since`, not yet waited for) to `chats`:
    neither passing before the bot got to its work nor waiting any longer than that work takes."""
    await wait_idle(app, tg, after_jobs=after_jobs)
    for chat in chats:
        tg.assert_no_message(chat, since=since)


@contextlib.asynccontextmanager
async def running_bot(services: Services, tg: BotApiStandIn, **overrides: Any) -> AsyncIterator[Application]:
    """The real Application, long polling the stand-in, started the way run_polling starts it."""

    def start_polling(updater: Updater) -> Awaitable[Any]:
        return updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES)

    async with _started(bot_settings(services, tg, **overrides), start_polling) as app:
        yield app


@contextlib.asynccontextmanager
async def webhook_bot(services: Services, tg: BotApiStandIn, secret: str | None) -> AsyncIterator[Application]:
    """The real Application serving a webhook on 127.0.0.1, set up from settings like run_webhook does."""
    port = free_port()
    bound = bot_settings(services, tg, webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
                         webhook_secret=secret, webhook_listen="127.0.0.1", webhook_port=port)
    async with _started(bound, lambda updater: updater.start_webhook(**webhook_options(bound.settings))) as app:
        yield app


def standin_env(tg: BotApiStandIn, hook_port: int | None = None, secret: str | None = None) -> dict[str, str]:
    """Environment settings pointing a `cafebot run` process at the stand-in; with `hook_port`, updates come by
    webhook to http://127.0.0.1:<hook_port>/hook."""
    env = {"TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_BASE_URL": f"{tg.url}/bot",
           "TELEGRAM_BASE_FILE_URL": f"{tg.url}/file/bot"}
    if hook_port is not None:
        env.update(WEBHOOK_URL=f"http://127.0.0.1:{hook_port}/hook", WEBHOOK_LISTEN="127.0.0.1",
                   WEBHOOK_PORT=str(hook_port))
    if secret is not None:
        env["WEBHOOK_SECRET"] = secret
    return env


def plain(message: dict[str, Any]) -> str:
    return str(message.get("text", ""))


def buttons(message: dict[str, Any]) -> list[str]:
    """The callback data of every inline button on a message."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b.get("callback_data", "") for row in rows for b in row]


def cited_numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def is_answer(message: dict[str, Any]) -> bool:
    """A final answer message: it carries the rating buttons or the ask-an-expert button."""
    return any(b.startswith(("fb:", "ask:")) for b in buttons(message))


def has(text: str) -> Callable[[dict[str, Any]], bool]:
    """Matches a message whose text (or a media message's caption) contains `text`."""
    return lambda m: text in (m.get("text") or m.get("caption") or "")


def has_button(prefix: str) -> Callable[[dict[str, Any]], bool]:
    """Matches a message with an inline button whose callback data starts with `prefix`."""
    return lambda m: any(b.startswith(prefix) for b in buttons(m))
