"""Operations: /healthz, /readyz and /metrics of the running bot as Prometheus and a load balancer see them,
and JSON logs that carry ids but never message text, names or secrets."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from process_harness import (
    chroma_exe,
    chroma_run,
    clean_env,
    free_port,
    start_cafebot,
    stop,
)
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, make_url, text
from standins import OpenAIStandIn
from standins.llm_responders import message_text
from standins.openai_api import approx_tokens
from telegram_harness import (
    KO_QUESTION,
    UNANSWERABLE,
    bot_services,
    is_answer,
    running_bot,
    standin_env,
    tg_fixture,
    write_docs,
)

from bot.escalation.outbox import Notice
from bot.escalation.tickets import Tickets
from bot.services import Services
from bot.storage.models.escalation import Ticket
from bot.strings import t

pytestmark = pytest.mark.asyncio(loop_scope="module")

STAFF, EXPERT = 7301, 7401
# Unclaimed tickets get a reminder after about 0.7 s; reassignment only after an hour.
FAST = {"escalation_outbox_interval_seconds": 0.3, "escalation_retry_base_seconds": 0.3,
        "escalation_sla_check_seconds": 0.3, "escalation_reminder_hours": 0.0002, "escalation_reassign_hours": 1.0}


class Scrape:
    """One /metrics response, parsed the way Prometheus reads it."""

    def __init__(self, body: str) -> None:
        self.families = {f.name: f for f in text_string_to_metric_families(body)}
        self.samples = [s for f in self.families.values() for s in f.samples]

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples called `name` whose labels include `labels` (0 when there are none)."""
        return sum(s.value for s in self.samples
                   if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


async def scrape(port: int) -> Scrape:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return Scrape(response.text)


async def probe(port: int, path: str) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}{path}", timeout=10)
    return response.status_code, response.json()


async def eventually(check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.1)
    return bool(await check())


@pytest.fixture(scope="module")
def services(tmp_path_factory, embedding_cache_dir) -> Services:
    with bot_services(tmp_path_factory.mktemp("ops"), embedding_cache_dir, staff_user_ids=[STAFF],
                      expert_user_ids=[EXPERT], **FAST) as built:
        yield built


tg = tg_fixture(loop_scope="module")


async def test_health_readiness_and_question_metrics(tg, services):
    port = free_port()
    async with running_bot(services, tg, ops_port=port, user_rate_per_minute=2):
        assert await probe(port, "/healthz") == (200, {"status": "ok"})
        status, ready = await probe(port, "/readyz")
        assert status == 200 and ready["checks"] == {"bot": "ok", "database": "ok", "vector_store": "ok"}

        before = await scrape(port)
        founder = tg.private_chat(8101, "서윤")
        await tg.send_text(founder, founder.user, KO_QUESTION)
        await tg.wait_for_message(founder, is_answer, timeout=20)
        await tg.send_text(founder, founder.user, UNANSWERABLE)
        not_found = await tg.wait_for_message(founder, is_answer, timeout=20)
        assert t("answer.not_found", "en") in not_found["text"]
        await tg.send_text(founder, founder.user, KO_QUESTION)  # a third within the minute: over the limit
        await tg.wait_for_message(founder, lambda m: "1분에 2개까지" in m["text"], timeout=20)
        after = await scrape(port)

    def moved(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    assert moved("cafebot_questions_total", lang="ko", outcome="answered") == 1
    assert moved("cafebot_questions_total", lang="en", outcome="not_found") == 1
    assert moved("cafebot_questions_total", lang="ko", outcome="rejected") == 1
    assert moved("cafebot_questions_total") == 3
    # Not-found rate as a dashboard computes it: not_found / all questions.
    assert moved("cafebot_questions_total", outcome="not_found") / moved("cafebot_questions_total") == 1 / 3
    assert moved("cafebot_answer_latency_seconds_count") == 2  # the refused one never reached the answerer
    assert moved("cafebot_answer_latency_seconds_bucket", le="+Inf") == 2
    assert moved("cafebot_answer_latency_seconds_bucket", le="30.0") == 2
    assert moved("cafebot_answer_latency_seconds_sum") > 0
    assert moved("cafebot_telegram_updates_total", type="message") == 3
    # Every outcome of both languages is exported from the start, so ratios never divide by a missing series.
    assert {s.labels["outcome"] for s in after.families["cafebot_questions"].samples} >= {
        "answered", "not_found", "routed", "rejected"}
    # Without a cafes file no founder has a cafe: the `cafe` label says "-".
    assert moved("cafebot_questions_total", cafe="-") == 3


async def test_llm_tokens_errors_and_latency(tg, tmp_path_factory, embedding_cache_dir):
    with (OpenAIStandIn(stream_chunk_chars=16) as llm,
          bot_services(tmp_path_factory.mktemp("ops-llm"), embedding_cache_dir, openai_base_url=llm.base_url,
                       openai_model="gpt-4o-mini", openai_api_key="sk-test") as services):
        port = free_port()
        async with running_bot(services, tg, ops_port=port):
            before = await scrape(port)
            founder = tg.private_chat(8201, "하준")
            await tg.send_text(founder, founder.user, KO_QUESTION)
            answer = await tg.wait_for_message(founder, is_answer, timeout=30)
            assert "업력 3년 초과 7년 이내" in answer["text"]
            ok = await scrape(port)
            requests = list(llm.chat_requests)

            llm.fail_next(503, times=2)  # the endpoint is overloaded: the founder still gets an answer
            await tg.send_text(founder, founder.user, "창업도약패키지 지원 금액은 얼마인가요?")
            await tg.wait_for_message(founder, is_answer, timeout=30)
            failed = await scrape(port)

    assert requests and any(r.stream for r in requests)
    billed = sum(approx_tokens("\n".join(message_text(m) for m in r.messages)) for r in requests)
    prompt = ok.value("cafebot_llm_tokens_total", model="gpt-4o-mini", kind="prompt") - before.value(
        "cafebot_llm_tokens_total", model="gpt-4o-mini", kind="prompt")
    assert prompt == billed  # what the endpoint reported, streamed answers included
    assert ok.value("cafebot_llm_tokens_total", kind="completion") > before.value(
        "cafebot_llm_tokens_total", kind="completion")
    calls = ok.value("cafebot_llm_latency_seconds_count") - before.value("cafebot_llm_latency_seconds_count")
    assert calls == len(requests)
    assert failed.value("cafebot_llm_errors_total", kind="server") - ok.value(
        "cafebot_llm_errors_total", kind="server") == 2


async def test_ingestion_metrics_count_uploads_and_refusals(tg, services):
    port = free_port()
    staff = tg.private_chat(STAFF, "직원")
    async with running_bot(services, tg, ops_port=port):
        before = await scrape(port)
        body = "---\ntitle: 창업 멘토링 안내\n---\n# 멘토링\n\n매주 화요일 오후 2시에 창업 멘토링이 열립니다.\n"
        await tg.send_document(staff, staff.user, body.encode(), "mentoring.md", mime_type="text/markdown")
        await tg.wait_for_message(staff, lambda m: any(b.startswith("sd:notify:") for row in
                                                       (m.get("reply_markup") or {}).get("inline_keyboard", [])
                                                       for b in [x.get("callback_data", "") for x in row]),
                                  timeout=60)
        mark = tg.mark()
        await tg.send_document(staff, staff.user, b"MZ\x90\x00", "setup.exe")
        await tg.wait_for_message(staff, since=mark, timeout=20)
        after = await scrape(port)

    def moved(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    assert moved("cafebot_ingestions_total", result="added") == 1
    assert moved("cafebot_ingestions_total", result="rejected", reason="unsupported_type") == 1
    assert moved("cafebot_ingestion_duration_seconds_count", result="added") == 1
    assert moved("cafebot_ingestion_duration_seconds_sum", result="added") > 0


async def test_escalation_and_outbox_gauges_read_the_database(tg, services):
    """Gauges come from the database at scrape time; SLA breaches count when the SLA job acts."""
    port = free_port()
    outbox = services.escalation.outbox
    fields = {"summary": "핀테크 정산", "problem": "느린 정산", "customers": "가게", "solution": "당일 정산",
              "stage": "mvp", "team": "2명", "feedback": "수익 모델"}
    staff = tg.private_chat(STAFF, "직원")
    async with running_bot(services, tg, ops_port=port):
        before = await scrape(port)
        sends = len(tg.calls_to("sendMessage"))
        def unrouted_ticket() -> Ticket:  # waiting for an expert, its card already handled
            with services.db.session() as s:
                return Tickets.create(s, founder_id=8301, founder_chat_id=8301, founder_name="", fields=fields)

        ticket = await asyncio.to_thread(unrouted_ticket)
        # A notification Telegram refuses ("chat not found") is given up at once (dead), and staff are told.
        await asyncio.to_thread(outbox.enqueue, Notice(424242, "알림"))
        await tg.wait_for_message(staff, lambda m: t("esc.outbox.reason.chat_not_found", "ko") in m.get("text", ""))

        async def settled() -> bool:
            now = await scrape(port)
            return (now.value("cafebot_escalation_sla_breaches_total", action="reminder")
                    > before.value("cafebot_escalation_sla_breaches_total", action="reminder")
                    and len(tg.calls_to("sendMessage")) > sends
                    # the alert marked sent: nothing of this test's left pending
                    and now.value("cafebot_outbox_messages", state="pending")
                    == before.value("cafebot_outbox_messages", state="pending"))

        assert await eventually(settled, timeout=15)
        middle = await scrape(port)
        await asyncio.to_thread(services.escalation.workflow.claim, ticket.id, EXPERT, "전문가", EXPERT, None)
        after = await scrape(port)

    assert middle.value("cafebot_escalations", state="open") - before.value("cafebot_escalations", state="open") == 1
    assert middle.value("cafebot_escalation_sla_breaches_total", action="reminder") - before.value(
        "cafebot_escalation_sla_breaches_total", action="reminder") == 1
    # Without a cafes file every ticket is of no cafe: the `cafe` label says "-".
    assert middle.value("cafebot_escalations", state="open", cafe="-") - before.value(
        "cafebot_escalations", state="open", cafe="-") == 1
    assert middle.value("cafebot_escalation_sla_breaches_total", action="reminder", cafe="-") - before.value(
        "cafebot_escalation_sla_breaches_total", action="reminder", cafe="-") == 1
    assert middle.value("cafebot_outbox_messages", state="dead") - before.value(
        "cafebot_outbox_messages", state="dead") == 1
    assert {s.labels["state"] for s in middle.families["cafebot_outbox_messages"].samples} == {"pending", "dead"}
    # Claimed by an expert: the database says so at the next scrape, whichever replica did it.
    assert after.value("cafebot_escalations", state="open") == before.value("cafebot_escalations", state="open")
    assert after.value("cafebot_escalations", state="claimed") - before.value(
        "cafebot_escalations", state="claimed") == 1


@pytest.mark.postgres
async def test_readyz_fails_while_the_database_refuses_connections(tg, tmp_path, embedding_cache_dir,
                                                                   postgres_url, postgres_admin_url):
    name = make_url(postgres_url).database
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    port = free_port()
    try:
        with bot_services(tmp_path / "data", embedding_cache_dir, database_url=postgres_url) as services:
            async with running_bot(services, tg, ops_port=port):
                assert (await probe(port, "/readyz"))[0] == 200
                with admin.connect() as conn:  # the database goes away: no new connections, existing ones cut
                    conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                    conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                                 {"n": name})
                status, body = await probe(port, "/readyz")
                assert status == 503 and body["status"] == "unavailable"
                assert body["checks"]["database"] != "ok" and body["checks"]["vector_store"] == "ok"
                assert await probe(port, "/healthz") == (200, {"status": "ok"})  # alive: do not restart it
                down = await scrape(port)  # process metrics still served; the database's gauges are absent
                assert "cafebot_questions" in down.families and "cafebot_escalations" not in down.families

                with admin.connect() as conn:
                    conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

                async def ready() -> bool:
                    return (await probe(port, "/readyz"))[0] == 200

                assert await eventually(ready)
    finally:
        admin.dispose()


@pytest.mark.chroma_server
async def test_readyz_fails_while_the_chroma_server_is_down(tg, tmp_path, embedding_cache_dir):
    with (chroma_run(chroma_exe(), tmp_path / "chroma") as (chroma_port, chroma),
          bot_services(tmp_path / "data", embedding_cache_dir, chroma_host="127.0.0.1",
                       chroma_port=chroma_port) as services):
        port = free_port()
        async with running_bot(services, tg, ops_port=port):
            assert (await probe(port, "/readyz"))[0] == 200
            chroma.terminate()
            await asyncio.to_thread(chroma.wait, 20)
            status, body = await probe(port, "/readyz")
            assert status == 503 and body["checks"]["database"] == "ok"
            assert body["checks"]["vector_store"] != "ok"


async def test_cafebot_run_json_logs_carry_ids_and_no_text_names_or_secrets(tg, tmp_path, embedding_cache_dir,
                                                                            postgres_url):
    """`cafebot -v run` in webhook mode with an LLM, PostgreSQL and LOG_FORMAT=json: every stderr line is one
    JSON object; update lines carry update_id and a pseudonym; no question, name, id or secret shows."""
    founder_id, first_name, username = 918273645, "서진아", "seojin_founder_77"
    api_key, secret, db_password = "sk-live-Obs3rvability-Key", "hook-Secret_2025-obs", "Pg-Passw0rd-obs"
    question = "창업도약패키지 신청 기간은 언제인가요?"
    url = make_url(postgres_url).set(password=db_password)  # trust auth: accepted, and must never be logged
    hook_port, ops_port = free_port(), free_port()
    log = tmp_path / "stderr.log"
    with OpenAIStandIn() as llm:
        env = clean_env(
            CAFEBOT_DATA_DIR=str(tmp_path / "data"), EMBEDDING_CACHE_DIR=str(embedding_cache_dir),
            KNOWLEDGE_DIR=str(write_docs(tmp_path / "knowledge")), DATABASE_URL=url.render_as_string(False),
            OPENAI_API_KEY=api_key, OPENAI_BASE_URL=llm.base_url, OPENAI_MODEL="gpt-4o-mini",
            OPS_PORT=str(ops_port), LOG_FORMAT="json", **standin_env(tg, hook_port, secret),
        )
        process = start_cafebot("-v", "run", env=env, cwd=tmp_path, log=log)
        try:
            await tg.signal.wait_until(lambda: tg.webhook, timeout=120)
            assert await probe(ops_port, "/healthz") == (200, {"status": "ok"})
            assert (await probe(ops_port, "/readyz"))[0] == 200
            before = await scrape(ops_port)
            chat = tg.private_chat(founder_id, first_name, username=username)
            await tg.send_text(chat, chat.user, question)
            await tg.wait_for_message(chat, is_answer, timeout=30)
            after = await scrape(ops_port)
        finally:
            await stop(process, timeout=60)
    stderr = log.read_text(errors="replace")
    assert process.returncode == 0, stderr[-3000:]
    assert after.value("cafebot_questions_total", outcome="answered") - before.value(
        "cafebot_questions_total", outcome="answered") == 1
    assert after.value("cafebot_llm_tokens_total", kind="prompt") > before.value("cafebot_llm_tokens_total",
                                                                                 kind="prompt")

    lines = [json.loads(line) for line in stderr.splitlines()]  # every line is one JSON object
    assert lines and all({"ts", "level", "logger", "msg"} <= set(entry) for entry in lines)
    answered = [e for e in lines if e["logger"] == "bot.answering.service" and e["msg"].startswith("answered")]
    assert len(answered) == 1 and answered[0]["chat_type"] == "private"
    assert isinstance(answered[0]["update_id"], int) and len(answered[0]["user"]) == 12
    ready = next(e for e in lines if e["msg"].startswith("bot @"))
    assert not {"update_id", "user", "document_id", "ticket_id"} & set(ready)  # ids never outlive their update
    assert any(e["logger"] == "httpx" for e in lines)  # -v: request lines, whose URLs hold the token
    for leaked in (question, first_name, username, str(founder_id), tg.token, tg.token.split(":")[1], api_key,
                   secret, db_password):
        assert leaked not in stderr, leaked


async def test_text_logs_show_context_ids_and_redact_secrets(capsys):
    """The default text format: one readable line, the update's ids appended, secrets replaced by ***."""
    import logging

    from bot.config import Settings
    from bot.observability.logs import configure_logging, log_context, user_ref

    settings = Settings(_env_file=None, telegram_bot_token="123456:AAE-text-format-token", log_format="text",
                        openai_api_key="sk-text-format-key")
    root = logging.getLogger()
    level = root.level
    configure_logging(settings, verbose=False)
    try:
        with log_context(update_id=42, chat_type="private", user=user_ref(5551234)):
            logging.getLogger("telegram.ext.Updater").warning(
                "request to https://api.telegram.org/bot%s/getUpdates failed", settings.telegram_bot_token)
            try:
                raise RuntimeError(f"auth with {settings.openai_api_key} refused")
            except RuntimeError:
                logging.getLogger("bot.answering.llm").exception("LLM call failed")
    finally:
        for handler in [h for h in root.handlers if getattr(h, "cafebot", False)]:
            root.removeHandler(handler)
        root.setLevel(level)
        logging.captureWarnings(False)
    err = capsys.readouterr().err
    assert "https://api.telegram.org/bot***/getUpdates failed [update_id=42 chat_type=private user=" in err
    assert "RuntimeError: auth with *** refused" in err
    assert "AAE-text-format-token" not in err and "sk-text-format-key" not in err and "5551234" not in err


async def test_question_metrics_carry_the_cafe():
    """The answered-questions counter gets the cafe its question was logged for (in the worker thread that logs
    it); staff questions count by their cafe; "-" for none."""
    from prometheus_client import REGISTRY

    from bot.answering.types import Answer
    from bot.observability import metrics

    def value(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    @metrics.observe_answers
    async def answer(cafe_id: str | None, lang: str = "ko") -> Answer:
        await asyncio.to_thread(metrics.note_question_cafe, cafe_id)  # as ConversationStore.log_question does
        return Answer("not_found", "…", lang, "none", "q", "q")

    @metrics.observe_answers
    async def failing(*, lang: str) -> Answer:
        await asyncio.to_thread(metrics.note_question_cafe, "sinchon")
        raise RuntimeError("boom")

    before = {cafe: value("cafebot_questions_total", lang="ko", outcome="not_found", cafe=cafe)
              for cafe in ("seongsu", "-")}
    failed = value("cafebot_questions_total", lang="en", outcome="error", cafe="sinchon")
    await asyncio.gather(answer("seongsu"), answer(None), answer("seongsu"))
    with pytest.raises(RuntimeError):
        await failing(lang="en")
    assert value("cafebot_questions_total", lang="ko", outcome="not_found", cafe="seongsu") == before["seongsu"] + 2
    assert value("cafebot_questions_total", lang="ko", outcome="not_found", cafe="-") == before["-"] + 1
    assert value("cafebot_questions_total", lang="en", outcome="error", cafe="sinchon") == failed + 1
    metrics.note_question_cafe("seongsu")  # outside an answer: nothing to label, no error

    asked = {cafe: value("cafebot_staff_questions_total", step="asked", cafe=cafe) for cafe in ("gangnam", "-")}
    covered = value("cafebot_staff_questions_total", step="covered", cafe="gangnam")
    metrics.record_staff_question("asked", "gangnam")
    metrics.record_staff_question("asked", None)
    metrics.record_retrieval_miss("gangnam")
    assert value("cafebot_staff_questions_total", step="asked", cafe="gangnam") == asked["gangnam"] + 1
    assert value("cafebot_staff_questions_total", step="asked", cafe="-") == asked["-"] + 1
    assert value("cafebot_staff_questions_total", step="covered", cafe="gangnam") == covered + 1
