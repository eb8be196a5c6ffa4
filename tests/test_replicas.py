"""Two `cafebot run` processes in webhook mode behind a load balancer, sharing one Chroma server and one
PostgreSQL: an upload through one is searchable through the other (BM25 included), each update is handled once
even when Telegram delivers it to both, an escalation moves between them with nothing sent twice, and founders
tapping one consultation seat on both at once get one booking between them.

The test plays the load balancer: Telegram (the Bot API stand-in) posts every update to one URL, and the test
forwards it round-robin, to a chosen replica, or to both (a redelivery after the balancer timed out)."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from conftest import PG_ADMIN_URL, _fresh_postgres_database
from process_harness import clean_env, free_port, start_cafebot, stop, wait_processes_idle
from sqlalchemy import create_engine, func, select
from standins import BotApiStandIn
from telegram_harness import (
    BOT_USERNAME,
    TOKEN,
    buttons,
    has,
    has_button,
    is_answer,
    standin_env,
    write_docs,
)

from bot.consultations.enums import SlotMode
from bot.consultations.forms import SlotForm
from bot.consultations.service import Consultations
from bot.storage.db import Database
from bot.storage.models import ConversationState, QuestionLog
from bot.strings import t

pytestmark = [pytest.mark.postgres, pytest.mark.chroma_server, pytest.mark.slow,
              pytest.mark.asyncio(loop_scope="module")]

SECRET = "replica-Secret_2025"
STAFF, EXPERT = 8101, 8201
# A rare place name: only the uploaded document mentions it, and the answering pipeline refuses a Korean
# question naming something its BM25 vocabulary does not know. Replica B can only answer once its BM25
# snapshot has picked up the upload that replica A made.
UPLOAD = """---
title: 답십리 소공인 특화지원센터 안내
programme: 소공인 지원
---
# 답십리 소공인 특화지원센터

## 지원 내용
답십리 소공인 특화지원센터는 동대문구 소공인에게 재봉 장비와 공용 작업장을 무료로 빌려줍니다.
장비 대여는 평일 오전 10시부터 오후 6시까지 센터 1층 접수처에서 신청합니다.
"""
RARE_QUESTION = "답십리에서는 어떤 장비를 빌려주나요?"


@dataclass
class LoadBalancer:
    """One public webhook URL in front of the replicas: round-robin unless told otherwise."""

    backends: dict[str, str] = field(default_factory=dict)  # name -> URL
    ops_ports: dict[str, int] = field(default_factory=dict)  # name -> the replica's /metrics port
    pinned: str | None = None
    duplicate_next: bool = False
    log: list[tuple[tuple[int, int], str, int]] = field(default_factory=list)  # ((chat, message), replica, status)
    port: int = 0
    _turn: Iterator[str] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        message = (await request.json()).get("message") or {}
        key = (int(message.get("chat", {}).get("id", 0)), int(message.get("message_id", 0)))
        headers = {"Content-Type": "application/json",
                   "X-Telegram-Bot-Api-Secret-Token": request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")}
        if self.duplicate_next:
            self.duplicate_next = False
            targets = list(self.backends)
        elif self.pinned is not None:
            targets = [self.pinned]
        else:
            self._turn = self._turn or itertools.cycle(sorted(self.backends))
            targets = [next(self._turn)]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            async def forward(name: str) -> int:
                try:
                    async with session.post(self.backends[name], data=body, headers=headers) as response:
                        return response.status
                except aiohttp.ClientError:
                    return 502

            statuses = await asyncio.gather(*(forward(name) for name in targets))
        self.log.extend((key, name, status) for name, status in zip(targets, statuses, strict=True))
        return web.Response(status=200 if 200 in statuses else 502)

    def replicas_of(self, message: dict) -> list[str]:
        """The replicas that accepted the update carrying this user message."""
        key = (message["chat"]["id"], message["message_id"])
        return [name for logged, name, status in self.log if logged == key and status == 200]

    def accepted(self) -> dict[int, int]:
        """Updates each replica accepted (its webhook answered 200), by the replica's ops port."""
        return {port: sum(1 for _, name, status in self.log if name == replica and status == 200)
                for replica, port in self.ops_ports.items()}


@dataclass
class Cluster:
    tg: BotApiStandIn
    lb: LoadBalancer
    database_url: str


def _start_replica(name: str, tg: BotApiStandIn, lb: LoadBalancer, root: Path, common: dict[str, str],
                   **extra: str) -> tuple[subprocess.Popen[bytes], Path]:
    port = free_port()
    lb.backends[name] = f"http://127.0.0.1:{port}/hook"
    lb.ops_ports[name] = free_port()
    env = clean_env(**common)
    env.update(CAFEBOT_DATA_DIR=str(root / name), WEBHOOK_PORT=str(port), OPS_PORT=str(lb.ops_ports[name]), **extra)
    log_path = root / f"{name}.log"
    return start_cafebot("run", env=env, cwd=root, log=log_path, with_stdout=True), log_path


async def webhooks_set(tg: BotApiStandIn, count: int) -> None:
    """Wait until `count` replicas have started (each calls setWebhook once it is ready to take updates)."""
    done = await tg.signal.wait_until(lambda: True if len(tg.calls_to("setWebhook")) >= count else None, timeout=180)
    assert done, f"only {len(tg.calls_to('setWebhook'))} of {count} replicas came up"


@pytest.fixture(scope="module")
def replica_database() -> Iterator[str]:
    yield from _fresh_postgres_database(PG_ADMIN_URL)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def cluster(chroma_server, replica_database, tmp_path_factory, embedding_cache_dir) -> AsyncIterator[Cluster]:
    root = tmp_path_factory.mktemp("replicas")
    lb = LoadBalancer()
    app = web.Application()
    app.router.add_post("/hook", lb.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    lb.port = free_port()
    await web.TCPSite(runner, "127.0.0.1", lb.port).start()
    async with BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME) as tg:
        common = {
            "EMBEDDING_CACHE_DIR": str(embedding_cache_dir), "KNOWLEDGE_DIR": str(write_docs(root / "knowledge")),
            # One public URL (the balancer); each replica listens on its own port (WEBHOOK_PORT) under the same path.
            **standin_env(tg, lb.port, SECRET),
            "DATABASE_URL": replica_database, "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_server),
            "CHROMA_COLLECTION": f"replicas-{uuid.uuid4().hex[:8]}",
            "STAFF_USER_IDS": str(STAFF), "EXPERT_USER_IDS": str(EXPERT),
            "ESCALATION_OUTBOX_INTERVAL_SECONDS": "0.3", "ESCALATION_SLA_CHECK_SECONDS": "0.3",
            # An unclaimed ticket gets its reminder about two seconds after routing, from whichever replica.
            "ESCALATION_REMINDER_HOURS": "0.0006", "ESCALATION_REASSIGN_HOURS": "24",
            "STAFF_PROGRESS_INTERVAL_SECONDS": "0.2", "TELEGRAM_DRAFT_INTERVAL_SECONDS": "0.05",
            "CONSULTATION_CHECK_SECONDS": "0.3", "BOOKINGS_PER_FOUNDER": "1",
        }
        processes: list[tuple[subprocess.Popen[bytes], Path]] = []
        try:
            # The first replica migrates the schema and ingests knowledge/ (like `cafebot db upgrade` once);
            # the second starts on that schema with DB_AUTO_UPGRADE=false, as replicas in a deployment do.
            processes.append(_start_replica("a", tg, lb, root, common))
            await webhooks_set(tg, 1)
            processes.append(_start_replica("b", tg, lb, root, common, DB_AUTO_UPGRADE="false"))
            await webhooks_set(tg, 2)
            for process, log_path in processes:
                assert process.poll() is None, log_path.read_text(errors="replace")
            assert tg.webhook == {"url": f"http://127.0.0.1:{lb.port}/hook", "secret_token": SECRET}
            yield Cluster(tg, lb, replica_database)
        finally:
            await asyncio.gather(*(stop(process) for process, _ in processes), return_exceptions=True)
            await runner.cleanup()
    for process, log_path in processes:
        output = log_path.read_text(errors="replace")
        assert process.returncode == 0, output
        assert "Traceback" not in output, output


async def test_an_upload_through_one_replica_is_answered_from_by_the_other(cluster):
    tg, lb = cluster.tg, cluster.lb
    staff = tg.private_chat(STAFF, "직원", language_code="ko")
    founder = tg.private_chat(8301, "보민", language_code="ko")

    lb.pinned = "b"
    before = await tg.send_text(founder, founder.user, RARE_QUESTION)
    refusal = await tg.wait_for_message(founder, is_answer, timeout=30)
    assert "답십리" not in refusal["text"] and "[1]" not in refusal["text"]  # not in the documents yet

    lb.pinned = "a"
    upload = await tg.send_document(staff, staff.user, UPLOAD.encode(), "dapsimni.md", "text/markdown")
    summary = await tg.wait_for_message(staff, has_button("sd:notify:"), timeout=90)
    assert "답십리 소공인 특화지원센터 안내" in summary["text"]

    lb.pinned = "b"
    question = await tg.send_text(founder, founder.user, RARE_QUESTION)
    answer = await tg.wait_for_message(founder, is_answer, timeout=30)
    assert "[1] 답십리 소공인 특화지원센터 안내" in answer["text"] and "재봉 장비" in answer["text"]
    await tg.send_text(founder, founder.user, "답십리 센터 장비 대여 신청 시간은 언제예요?")
    follow_up = await tg.wait_for_message(founder, is_answer, timeout=30)
    assert "답십리 소공인 특화지원센터 안내" in follow_up["text"]
    assert [lb.replicas_of(m) for m in (before, upload, question)] == [["b"], ["a"], ["b"]]
    lb.pinned = None


async def test_an_update_delivered_to_both_replicas_is_answered_once(cluster):
    tg, lb = cluster.tg, cluster.lb
    founder = tg.private_chat(8302, "다온", language_code="ko")
    mark = tg.mark()
    lb.duplicate_next = True  # the balancer timed out on one replica and Telegram's retry went to the other
    sent = await tg.send_text(founder, founder.user, "창업도약패키지 신청 기간은 언제인가요?")
    answer = await tg.wait_for_message(founder, is_answer, timeout=30, since=mark)
    assert "3월 31일" in answer["text"]
    await wait_processes_idle(tg, lb.accepted)  # both replicas done with it: one answered, one skipped
    tg.assert_no_message(founder, since=mark)
    assert sorted(lb.replicas_of(sent)) == ["a", "b"]
    engine = create_engine(cluster.database_url)
    try:
        with engine.connect() as conn:
            logged = conn.scalar(select(func.count()).select_from(QuestionLog).where(QuestionLog.user_id == 8302))
    finally:
        engine.dispose()
    assert logged == 1


async def test_an_escalation_opened_through_one_replica_is_answered_through_the_other(cluster):
    tg, lb = cluster.tg, cluster.lb
    founder = tg.private_chat(8303, "하람", language_code="ko")
    expert = tg.private_chat(EXPERT, "김전문", language_code="ko")
    lb.pinned = "a"
    await tg.send_command(founder, founder.user, "idea")
    await tg.wait_for_message(founder, has("1/8"), timeout=15)
    for i, text in enumerate(["동네 가게 당일 정산 앱", "정산이 느리다", "소상공인", "카드 매출 당일 정산"]):
        await tg.send_text(founder, founder.user, text)
        last = await tg.wait_for_message(founder, has(f"{i + 2}/8"), timeout=15)
    await tg.press_button(founder, founder.user, last, "esc:i:stage:mvp")
    await tg.wait_for_message(founder, has("6/8"), timeout=15)
    await tg.send_text(founder, founder.user, "개발자 2명")
    await tg.wait_for_message(founder, has("7/8"), timeout=15)
    await tg.send_text(founder, founder.user, "가격 정책")
    skip = await tg.wait_for_message(founder, has("8/8"), timeout=15)
    await tg.press_button(founder, founder.user, skip, "esc:i:skip")
    card = await tg.wait_for_message(founder, lambda m: "esc:i:ok" in buttons(m), timeout=15)
    await tg.press_button(founder, founder.user, card, "esc:i:ok")
    created = await tg.wait_for_message(founder, has("접수번호"), timeout=15)
    ticket = int(created["text"].split("#")[1].split("로")[0])

    # Both replicas flush the outbox and check deadlines: the expert gets one card and one reminder.
    expert_card = await tg.wait_for_message(expert, has_button(f"esc:claim:{ticket}"), timeout=15)
    reminder = t("esc.sla.reminder", "ko", id=ticket)
    await tg.wait_for_message(expert, has(reminder), timeout=15)

    lb.pinned = "b"
    mark = tg.mark()
    reply = await tg.send_text(expert, expert.user, "고객 인터뷰 20건부터 해 보세요", reply_to=expert_card)
    feedback = await tg.wait_for_message(founder, has("고객 인터뷰 20건부터 해 보세요"), timeout=15, since=mark)
    assert f"#{ticket}" in feedback["text"]
    after = tg.mark()
    await wait_processes_idle(tg, lb.accepted)
    tg.assert_no_message(founder, since=after)
    assert lb.replicas_of(reply) == ["b"]
    expert_texts = [m.get("text") or m.get("caption") or "" for m in tg.sent_messages(expert)]
    assert sum(f"esc:claim:{ticket}" in buttons(m) for m in tg.sent_messages(expert)) == 1
    assert expert_texts.count(reminder) == 1
    founder_texts = [m.get("text") or "" for m in tg.sent_messages(founder)]
    assert sum("고객 인터뷰 20건부터 해 보세요" in text for text in founder_texts) == 1
    lb.pinned = None


async def test_a_staff_question_asked_through_one_replica_is_answered_through_the_other(cluster):
    tg, lb = cluster.tg, cluster.lb
    founder = tg.private_chat(8304, "서하", language_code="ko")
    staff = tg.private_chat(STAFF, "김직원", language_code="ko")
    lb.pinned = "a"
    await tg.send_text(founder, founder.user, "카페에서 프린터 쓸 수 있어요?")
    not_found = await tg.wait_for_message(founder, is_answer, timeout=15)
    ask = next(b for b in buttons(not_found) if b.startswith("askstaff:"))
    await tg.press_button(founder, founder.user, not_found, ask)
    card = await tg.wait_for_message(staff, lambda m: any(b.startswith("sq:claim:") for b in buttons(m)), timeout=15)
    # The replica that sent the card records it (for replies to find the question) just after Telegram accepts it;
    # a person replies seconds later. Idle means every send is recorded.
    await wait_processes_idle(tg, lb.accepted)

    lb.pinned = "b"
    mark = tg.mark()
    reply = await tg.send_text(staff, staff.user, "1층 프린터를 무료로 쓰실 수 있습니다.", reply_to=card)
    await tg.wait_for_message(founder, has("1층 프린터를 무료로"), timeout=15, since=mark)
    await wait_processes_idle(tg, lb.accepted)
    assert lb.replicas_of(reply) == ["b"]
    founder_texts = [m.get("text") or "" for m in tg.sent_messages(founder)]
    assert sum("1층 프린터를 무료로" in text for text in founder_texts) == 1
    assert sum(any(b.startswith("sq:claim:") for b in buttons(m)) for m in tg.sent_messages(staff)) == 1
    lb.pinned = None


async def intake_state(database_url: str, user_id: int) -> object:
    """The founder's intake step as stored in the shared database (None: no intake running)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            value = conn.scalar(select(ConversationState.value).where(
                ConversationState.name == "ptb:idea_intake", ConversationState.key == json.dumps([user_id, user_id])))
    finally:
        engine.dispose()
    return value


async def saved(database_url: str, user_id: int, step: int) -> None:
    """Wait until the replica that handled the last step has written it (it does so right after replying)."""
    for _ in range(100):
        if await intake_state(database_url, user_id) == step:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"intake step {step} never reached the database")


async def test_the_idea_intake_continues_on_whichever_replica_gets_the_next_answer(cluster):
    tg, lb = cluster.tg, cluster.lb
    founder = tg.private_chat(8304, "서율", language_code="ko")
    lb.pinned = None  # round-robin: consecutive answers land on alternate replicas
    sent = [await tg.send_command(founder, founder.user, "idea")]
    await tg.wait_for_message(founder, has("1/8"), timeout=15)
    for i, text in enumerate(["공유 주방 예약 앱", "주방이 비어 있다", "배달 창업자", "시간 단위 예약"]):
        await saved(cluster.database_url, founder.id, i)
        sent.append(await tg.send_text(founder, founder.user, text))
        last = await tg.wait_for_message(founder, has(f"{i + 2}/8"), timeout=15)
    await saved(cluster.database_url, founder.id, 4)
    await tg.press_button(founder, founder.user, last, "esc:i:stage:idea")
    await tg.wait_for_message(founder, has("6/8"), timeout=15)
    for step, text in ((5, "혼자"), (6, "가격")):
        await saved(cluster.database_url, founder.id, step)
        sent.append(await tg.send_text(founder, founder.user, text))
    skip = await tg.wait_for_message(founder, has("8/8"), timeout=15)
    await saved(cluster.database_url, founder.id, 7)
    await tg.press_button(founder, founder.user, skip, "esc:i:skip")
    card = await tg.wait_for_message(founder, lambda m: "esc:i:ok" in buttons(m), timeout=15)
    assert "공유 주방 예약 앱" in card["text"] and "시간 단위 예약" in card["text"] and "가격" in card["text"]
    # Every answer was taken by one replica, and both replicas took part.
    handled = [lb.replicas_of(message) for message in sent]
    assert all(len(names) == 1 for names in handled) and {names[0] for names in handled} == {"a", "b"}


def open_slots(database_url: str, starts: list[datetime], booked_for: int | None = None) -> list[int]:
    """Online slots of the expert (as /slots add makes them), straight in the shared database; `booked_for`: book
    the first for that founder as if two days ago, so its reminders are due now."""
    db = Database(database_url, migrate=False)
    try:
        service = Consultations(db)
        before = datetime.now(UTC) - timedelta(days=2)
        ids = [service.publish(EXPERT, SlotForm(start, 60, SlotMode.ONLINE), now=before).id for start in starts]
        if booked_for is not None:
            service.book(ids[0], booked_for, booked_for, now=before)
        return ids
    finally:
        db.dispose()


def seats_taken(database_url: str, founders: list[int]) -> int:
    db = Database(database_url, migrate=False)
    try:
        service = Consultations(db)
        return sum(len(service.founder_bookings(founder)) for founder in founders)
    finally:
        db.dispose()


async def test_founders_tapping_one_seat_on_both_replicas_get_one_booking_and_reminders_go_once(cluster):
    tg, lb = cluster.tg, cluster.lb
    now = datetime.now(UTC)
    contested, spare = open_slots(cluster.database_url, [now + timedelta(days=3), now + timedelta(days=4)])
    first, second = tg.private_chat(8311, "가온", language_code="ko"), tg.private_chat(8312, "나래", language_code="ko")
    lb.pinned = "a"
    lists = []
    for chat in (first, second):
        await tg.send_command(chat, chat.user, "book")
        lists.append(await tg.wait_for_message(chat, has_button(f"cs:b:{contested}"), timeout=15))
    lb.pinned = None  # round-robin: the two taps land on different replicas, at the same moment
    mark = len(lb.log)
    await asyncio.gather(*(tg.press_button(chat, chat.user, listed, f"cs:b:{contested}")
                           for chat, listed in ((first, lists[0]), (second, lists[1]))))
    await wait_processes_idle(tg, lb.accepted)
    assert {name for _, name, _ in lb.log[mark:]} == {"a", "b"}
    assert seats_taken(cluster.database_url, [first.id, second.id]) == 1
    confirmations = {chat.id: [m for m in tg.sent_messages(chat) if "document" in m] for chat in (first, second)}
    assert sorted(len(found) for found in confirmations.values()) == [0, 1]
    loser, lost_list = (first, lists[0]) if not confirmations[first.id] else (second, lists[1])
    lost = next(m for m in tg.sent_messages(loser) if m["message_id"] == lost_list["message_id"])
    assert lost["text"].startswith(t("cs.err.slot_full", "ko")) and f"cs:b:{spare}" in buttons(lost)

    # One founder tapping two slots on both replicas at once holds BOOKINGS_PER_FOUNDER (1 here), not two.
    third = tg.private_chat(8313, "다온", language_code="ko")
    extra = open_slots(cluster.database_url, [now + timedelta(days=5)])[0]
    lb.pinned = "a"
    await tg.send_command(third, third.user, "book")
    both = await tg.wait_for_message(third, has_button(f"cs:b:{extra}"), timeout=15)
    lb.pinned = None
    await asyncio.gather(tg.press_button(third, third.user, both, f"cs:b:{spare}"),
                         tg.press_button(third, third.user, both, f"cs:b:{extra}"))
    await wait_processes_idle(tg, lb.accepted)
    assert seats_taken(cluster.database_url, [third.id]) == 1

    # A reminder falls due: both replicas look for it, the founder gets it once.
    fourth = tg.private_chat(8314, "라희", language_code="ko")
    open_slots(cluster.database_url, [now + timedelta(minutes=50)], booked_for=fourth.id)
    await tg.wait_for_message(fourth, has("⏰ 1시간 뒤"), timeout=15)
    await wait_processes_idle(tg, lb.accepted)
    assert sum("⏰" in (m.get("text") or "") for m in tg.sent_messages(fourth)) == 1
