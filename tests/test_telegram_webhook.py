"""Webhook mode: the real application serves a webhook; Telegram's secret header is required."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
import pytest_asyncio
from standins import BotApiStandIn
from telegram_harness import (
    BOT_USERNAME,
    KO_QUESTION,
    TOKEN,
    free_port,
    is_answer,
    make_services,
    settings_for,
    shared_embeddings,
    webhook_bot,
    write_docs,
)

from bot.services import Services

pytestmark = pytest.mark.asyncio(loop_scope="module")
SECRET = "cafe-Secret_2025"


@pytest.fixture(scope="module")
def services(tmp_path_factory, embedding_cache_dir) -> Services:
    settings = settings_for(tmp_path_factory.mktemp("hook"), embedding_cache_dir)
    built = make_services(settings, shared_embeddings(embedding_cache_dir))
    yield built
    built.close()


@pytest_asyncio.fixture(loop_scope="module")
async def tg() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME) as standin:
        yield standin


async def test_webhook_mode_registers_the_secret_and_answers(tg, services):
    async with webhook_bot(services, tg, SECRET):
        assert tg.webhook is not None and tg.webhook["secret_token"] == SECRET
        assert tg.webhook["url"].endswith("/telegram/hook")
        chat = tg.private_chat(7001, "서진")
        await tg.send_text(chat, chat.user, KO_QUESTION)
        answer = await tg.wait_for_message(chat, is_answer, timeout=15)
        assert "업력 3년 초과 7년 이내" in answer["text"]
        assert tg.webhook_deliveries and all(d.ok and d.secret_token == SECRET for d in tg.webhook_deliveries)


async def test_webhook_refuses_updates_without_the_right_secret(tg, services):
    async with webhook_bot(services, tg, SECRET):
        url = tg.webhook["url"]
        chat = tg.private_chat(7002, "도하")
        forged = {
            "update_id": 990001,
            "message": {"message_id": 1, "date": int(datetime.now().timestamp()), "text": KO_QUESTION,
                        "chat": {"id": chat.id, "type": "private", "first_name": "도하"},
                        "from": {"id": chat.id, "is_bot": False, "first_name": "도하"}},
        }
        mark = tg.mark()
        async with httpx.AsyncClient() as client:
            wrong = await client.post(url, content=json.dumps(forged),
                                      headers={"Content-Type": "application/json",
                                               "X-Telegram-Bot-Api-Secret-Token": "not-the-secret"})
            missing = await client.post(url, content=json.dumps(forged), headers={"Content-Type": "application/json"})
        assert wrong.status_code == 403 and missing.status_code == 403
        await tg.expect_no_message(chat, within=1.0, since=mark)


async def test_cafebot_run_serves_a_webhook_from_environment_settings(tg, tmp_path, embedding_cache_dir):
    """The real entry point in its own process: ingest knowledge/, warm up, set the webhook, answer, stop on SIGTERM."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "OPENAI_", "DATABASE_", "CHROMA_",
                                                                     "WEBHOOK_"))}
    env.update(
        CAFEBOT_DATA_DIR=str(tmp_path / "data"), EMBEDDING_CACHE_DIR=str(embedding_cache_dir),
        KNOWLEDGE_DIR=str(write_docs(tmp_path / "knowledge")), TELEGRAM_BOT_TOKEN=tg.token,
        TELEGRAM_BASE_URL=f"{tg.url}/bot", TELEGRAM_BASE_FILE_URL=f"{tg.url}/file/bot",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=SECRET, OPS_PORT="0",
    )
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        await tg.signal.wait_until(lambda: tg.webhook, timeout=90)
        assert tg.webhook == {"url": f"http://127.0.0.1:{port}/hook", "secret_token": SECRET}, process.poll()
        chat = tg.private_chat(7101, "하람")
        await tg.send_text(chat, chat.user, KO_QUESTION)
        answer = await tg.wait_for_message(chat, is_answer, timeout=20)
        assert "출처\n[1] 창업도약패키지 안내, 신청 자격" in answer["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
