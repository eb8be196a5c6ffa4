"""Webhook mode: the real application serves a webhook; Telegram's secret header is required."""

from __future__ import annotations

import json
from datetime import datetime

import httpx
import pytest
from process_harness import clean_env, free_port, start_cafebot, stop
from telegram_harness import (
    KO_QUESTION,
    assert_nothing_sent,
    bot_services,
    is_answer,
    standin_env,
    tg_fixture,
    webhook_bot,
    write_docs,
)

from bot.services import Services

pytestmark = pytest.mark.asyncio(loop_scope="module")
SECRET = "cafe-Secret_2025"


@pytest.fixture(scope="module")
def services(tmp_path_factory, embedding_cache_dir) -> Services:
    with bot_services(tmp_path_factory.mktemp("hook"), embedding_cache_dir) as built:
        yield built


tg = tg_fixture(loop_scope="module")


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
    async with webhook_bot(services, tg, SECRET) as app:
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
        await assert_nothing_sent(app, tg, chat, since=mark)


async def test_cafebot_run_serves_a_webhook_from_environment_settings(tg, tmp_path, embedding_cache_dir):
    """The real entry point in its own process: ingest knowledge/, warm up, set the webhook, answer, stop on SIGTERM."""
    port = free_port()
    env = clean_env(CAFEBOT_DATA_DIR=str(tmp_path / "data"), EMBEDDING_CACHE_DIR=str(embedding_cache_dir),
                    KNOWLEDGE_DIR=str(write_docs(tmp_path / "knowledge")), OPS_PORT="0",
                    **standin_env(tg, port, SECRET))
    log = tmp_path / "stderr.log"
    process = start_cafebot("run", env=env, cwd=tmp_path, log=log)
    try:
        await tg.signal.wait_until(lambda: tg.webhook, timeout=90)
        assert tg.webhook == {"url": f"http://127.0.0.1:{port}/hook", "secret_token": SECRET}, process.poll()
        chat = tg.private_chat(7101, "하람")
        await tg.send_text(chat, chat.user, KO_QUESTION)
        answer = await tg.wait_for_message(chat, is_answer, timeout=20)
        assert "출처\n[1] 창업도약패키지 안내, 신청 자격" in answer["text"]
    finally:
        await stop(process)
    stderr = log.read_text(errors="replace")
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
