"""A send the outbox gives up on does not vanish: staff are told once, and /outbox puts it back in the queue.

End to end through the Bot API stand-in (a founder who blocked the bot, an expert, staff, a stranger), and two
processes sharing one database for "told once"."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import pytest_asyncio
from standins import BotApiStandIn
from telegram_harness import (
    BOT_USERNAME,
    TOKEN,
    buttons,
    make_services,
    running_bot,
    settings_for,
    shared_embeddings,
)
from test_escalation_telegram import has, submit

from bot.escalation.dead_letters import DeadLetters
from bot.escalation.outbox import Notice, Outbox
from bot.observability.collectors import DatabaseCollector
from bot.services import Services
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database
from bot.strings import t

FOUNDER, FINTECH, STAFF, STRANGER = 521, 621, 721, 921
# Given up after three refused tries, a fraction of a second apart.
FAST = {"escalation_outbox_interval_seconds": 0.3, "escalation_retry_base_seconds": 0.2,
        "escalation_sla_check_seconds": 0.3, "outbox_max_attempts": 3}
ANSWER = "시장 규모부터 확인해 보세요"


@pytest.fixture
def services(tmp_path, embedding_cache_dir, database_url) -> Iterator[Services]:
    settings = settings_for(tmp_path / "data", embedding_cache_dir, expert_user_ids=[FINTECH],
                            staff_user_ids=[STAFF], database_url=database_url, **FAST)
    built = make_services(settings, shared_embeddings(embedding_cache_dir))
    built.escalation.experts.register(FINTECH, alias="전문가 A", display_name="김핀", specialties=["핀테크"],
                                             capacity=3)
    yield built
    built.close()


@pytest_asyncio.fixture(loop_scope="module")
async def tg() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME) as standin:
        yield standin


async def eventually(check, timeout: float = 10.0) -> bool:
    for _ in range(int(timeout / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return bool(check())


def dead_gauge(services: Services) -> float:
    """cafebot_outbox_messages{state="dead"} as /metrics reports it."""
    [depth] = [f for f in DatabaseCollector(services.db).collect() if f.name == "cafebot_outbox_messages"]
    return next(s.value for s in depth.samples if s.labels["state"] == "dead")


def to_chat(call, chat_id: int) -> bool:
    return str(call.params.get("chat_id")) == str(chat_id)


@pytest.mark.asyncio(loop_scope="module")
async def test_an_answer_the_founder_never_got_alerts_staff_once_and_a_retry_delivers_it_once(tg, services):
    founder, fin = tg.private_chat(FOUNDER, "민지"), tg.private_chat(FINTECH, "김핀")
    staff = tg.private_chat(STAFF, "운영", language_code="ko")
    stranger = tg.private_chat(STRANGER, "행인", language_code="en")
    async with running_bot(services, tg):
        tid = await submit(tg, founder)
        await tg.wait_for_message(fin, lambda m: f"esc:claim:{tid}" in buttons(m))
        tg.block_bot(founder)
        await tg.send_command(fin, fin.user, "reply", f"{tid} {ANSWER}")

        # After OUTBOX_MAX_ATTEMPTS refusals the staff member is told which ticket, to whom and why; not what.
        alert = await tg.wait_for_message(staff, has(f"#{tid}"), timeout=15)
        assert t("esc.outbox.to.founder", "ko") in alert["text"]
        assert t("esc.outbox.reason.blocked", "ko") in alert["text"] and "/outbox" in alert["text"]
        assert ANSWER not in alert["text"] and str(FOUNDER) not in alert["text"]
        refused = [c for c in tg.calls_to("sendMessage") if to_chat(c, FOUNDER) and not c.ok]
        assert len(refused) == 3
        assert await eventually(lambda: services.escalation.outbox.pending_count() == 0)
        assert [m for m in tg.sent_messages(staff) if f"#{tid}" in m.get("text", "")] == [alert]
        assert dead_gauge(services) == 1

        tg.unblock_bot(founder)
        # /outbox and its buttons are for staff only, checked by user id.
        await tg.send_command(stranger, stranger.user, "outbox")
        await tg.wait_for_message(stranger, has(t("staff.only", "en")))
        await tg.send_command(staff, staff.user, "outbox")
        listing = await tg.wait_for_message(staff, lambda m: "obx:all:0:l" in buttons(m))
        assert f"#{tid}" in listing["text"] and t("esc.outbox.reason.blocked", "ko") in listing["text"]
        assert ANSWER not in listing["text"]
        [retry] = [b for b in buttons(listing) if b.startswith("obx:retry:")]
        await tg.press_button(staff, stranger.user, listing, retry)
        await tg.wait_for("answerCallbackQuery", lambda p: p.get("text") == t("staff.only", "en"))
        assert dead_gauge(services) == 1

        await tg.press_button(staff, staff.user, listing, retry)
        delivered = await tg.wait_for_message(founder, has(ANSWER), timeout=10)
        assert delivered["text"].startswith(f"💬 #{tid}")
        await tg.wait_for_message(staff, has(t("esc.outbox.empty", "ko")), edits=True)
        assert await eventually(lambda: services.escalation.outbox.pending_count() == 0)
        assert len([m for m in tg.sent_messages(founder) if ANSWER in m.get("text", "")]) == 1
        assert dead_gauge(services) == 0
        # /outbox is in the staff's command menu, e.g. a new staff member's.
        await tg.send_command(staff, staff.user, "staff", "add 3303")
        await tg.wait_for_message(staff, has(t("staff.added", "ko", id=3303)))
        assert "outbox" in [c["command"] for c in tg.commands(scope={"type": "chat", "chat_id": 3303},
                                                              language_code="ko")]


@pytest.mark.asyncio(loop_scope="module")
async def test_a_send_that_fails_unexpectedly_is_retried_and_then_given_up_like_any_other(tg, services):
    """Not a Telegram error (a garbled answer the client library cannot read): counted, backed off, retried; past
    the limit given up with the staff alerted. It used to escape the flush job and sit leased for minutes."""
    founder, fin = tg.private_chat(FOUNDER, "민지"), tg.private_chat(FINTECH, "김핀")
    staff = tg.private_chat(STAFF, "운영", language_code="ko")
    async with running_bot(services, tg):
        tid = await submit(tg, founder)
        await tg.wait_for_message(fin, lambda m: f"esc:claim:{tid}" in buttons(m))
        tg.garble_next("sendMessage", FOUNDER)
        await tg.send_command(fin, fin.user, "reply", f"{tid} {ANSWER}")
        delivered = await tg.wait_for_message(founder, has(ANSWER), timeout=10)
        assert delivered["text"].startswith(f"💬 #{tid}")

        tg.garble_next("sendMessage", FOUNDER, times=3)
        await tg.send_command(fin, fin.user, "reply", f"{tid} 두 번째 의견")
        alert = await tg.wait_for_message(staff, has(f"#{tid}"), timeout=15)
        assert "두 번째 의견" not in alert["text"]
        assert await eventually(lambda: services.escalation.outbox.pending_count() == 0)
        assert dead_gauge(services) == 1


@pytest.mark.asyncio(loop_scope="module")
async def test_drop_and_retry_all_from_the_list_and_an_undeliverable_alert_does_not_alert_again(tg, services):
    staff = tg.private_chat(STAFF, "운영", language_code="en")
    outbox = services.escalation.outbox
    async with running_bot(services, tg):
        # Chats Telegram does not know ("chat not found", a 400): given up at once. The alerts to the other staff
        # member, whose chat Telegram does not know either, die too, quietly.
        await asyncio.to_thread(services.staff.add, 8080, STAFF)
        for chat in (424242, 434343):
            await asyncio.to_thread(outbox.enqueue, Notice(chat, "알림"))
        alerts = [await tg.wait_for_message(staff, has(t("esc.outbox.reason.chat_not_found", "ko")))
                  for _ in range(2)]
        assert all(t("esc.outbox.no_ticket", "ko") in a["text"] for a in alerts)
        # Quiet: nothing left to send (an alert is queued with the death it reports), 2 notices + 2 alerts dead.
        assert await eventually(lambda: outbox.pending_count() == 0 and services.escalation.dead.count() == 4)
        assert len(tg.sent_messages(staff)) == 2

        await tg.send_command(staff, staff.user, "outbox")
        listing = await tg.wait_for_message(staff, lambda m: "obx:all:0:l" in buttons(m))
        assert len([b for b in buttons(listing) if b.startswith("obx:retry:")]) == 4
        assert t("esc.outbox.to.staff", "en") in listing["text"]
        drop = next(b for b in buttons(listing) if b.startswith("obx:drop:"))
        await tg.press_button(staff, staff.user, listing, drop)
        redrawn = await tg.wait_for_message(staff, lambda m: "obx:all:0:l" in buttons(m) and drop not in buttons(m),
                                            edits=True)
        assert await eventually(lambda: services.escalation.dead.count() == 3)
        await tg.press_button(staff, staff.user, redrawn, "obx:all:0:l")
        await tg.wait_for("answerCallbackQuery", lambda p: p.get("text") == t("esc.outbox.retried_all", "en", n=3))
        # Still unreachable: tried again from the start and given up again, with one new alert (the notice's).
        await tg.wait_for_message(staff, has(t("esc.outbox.reason.chat_not_found", "ko")))
        assert await eventually(lambda: outbox.pending_count() == 0 and services.escalation.dead.count() == 4)


def test_two_replicas_giving_up_one_send_alert_each_staff_member_once(database_url):
    """Both processes flush the outbox while a chat refuses every send; the alert is queued once per staff member."""
    first, second = Database(database_url), Database(database_url, migrate=False)
    try:
        staff_ids = [7001, 7002]
        boxes = [Outbox(db, base_delay=0.0, max_attempts=4,
                        on_dead=DeadLetters(db, StaffRegistry(db, staff_ids)).on_dead) for db in (first, second)]
        target = boxes[0].enqueue(Notice(424242, "전달할 답변"))
        alerts: list[tuple[int, str]] = []

        def flush(box: Outbox) -> None:
            for _ in range(200):
                for item in box.claim_due():
                    if item.chat_id == 424242:
                        box.mark_failed(item.id, "Forbidden: bot was blocked by the user")
                    else:
                        alerts.append((item.chat_id, item.text))
                        box.mark_sent(item.id, 1)

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(flush, boxes))
        assert sorted(chat for chat, _ in alerts) == staff_ids
        assert all("전달할 답변" not in text and t("esc.outbox.reason.blocked", "ko") in text for _, text in alerts)
        # A process whose claim ran out reporting the same send late changes nothing and alerts nobody.
        assert boxes[1].mark_failed(target, "Forbidden: bot was blocked by the user", permanent=True) is None
        assert boxes[1].pending_count() == 0
        [dead], total = DeadLetters(second, StaffRegistry(second, staff_ids)).oldest()
        assert (total, dead.id, dead.attempts, dead.recipient) == (1, target, 4, "other")
    finally:
        first.dispose()
        second.dispose()
