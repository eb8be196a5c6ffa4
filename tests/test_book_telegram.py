"""Issue 14, founders' side through the Telegram stand-in (SQLite and PostgreSQL): /book lists the founder's cafe's
slots first, two founders racing for one seat (one gets it with a calendar file, the other the next options at
once), cancel reopens the slot and the expert is told, reschedule, "book a consultation" under an expert's reply
tied to the ticket, and reminders sent once across a restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from icalendar import Calendar
from telegram_harness import (
    buttons,
    has,
    make_services,
    running_bot,
    settings_for,
    shared_embeddings,
    tg_fixture,
    wait_idle,
)

from bot.consultations.enums import SlotMode
from bot.consultations.forms import SEOUL, SlotForm
from bot.escalation.enums import ContentKind
from bot.escalation.workflow import Founder, Incoming
from bot.services import Services
from bot.strings import t

A_EXPERT, B_EXPERT = 8701, 8711
F1, F2, F3 = 5701, 5702, 5703
ADDRESS = "서울 성동구 왕십리로 115"
FIELDS = {"summary": "동네 가게 당일 정산 앱", "problem": "정산이 늦다", "customers": "동네 가게",
          "solution": "카드 매출 당일 정산", "stage": "mvp", "team": "2명", "feedback": "수익 모델"}
FAST = {"escalation_outbox_interval_seconds": 0.3, "escalation_retry_base_seconds": 0.3,
        "escalation_sla_check_seconds": 0.3, "consultation_check_seconds": 0.3}

tg = tg_fixture(loop_scope="module")


def cafes_yaml() -> dict:
    return {"cafes": [
        {"id": "seongsu", "name": {"ko": "성수 창업카페", "en": "Seongsu Startup Cafe"}, "district": "성동구",
         "address": ADDRESS,
         "experts": [{"user_id": A_EXPERT, "alias": "성수 핀테크 전문가", "specialties": ["핀테크"]}]},
        {"id": "sinchon", "name": {"ko": "신촌 창업카페", "en": "Sinchon Startup Cafe"}, "district": "서대문구",
         "experts": [{"user_id": B_EXPERT, "alias": "신촌 바이오 전문가", "specialties": ["바이오"]}]},
    ]}


@pytest.fixture
def services(tmp_path, embedding_cache_dir, database_url):
    path = tmp_path / "cafes.yaml"
    path.write_text(yaml.safe_dump(cafes_yaml(), allow_unicode=True), encoding="utf-8")
    settings = settings_for(tmp_path / "data", embedding_cache_dir, database_url=database_url, cafes_file=path,
                            **FAST)
    built = make_services(settings, shared_embeddings(embedding_cache_dir), docs={})
    yield built
    built.close()


def days_ahead(days: int, at: str = "14:00") -> datetime:
    """A time in Seoul `days` from today: far enough that no reminder is due while a test runs."""
    hour, minute = map(int, at.split(":"))
    return (datetime.now(SEOUL) + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def publish(services: Services, expert: int, starts_at: datetime, mode: SlotMode = SlotMode.OFFLINE,
            now: datetime | None = None) -> int:
    return services.consultations.publish(expert, SlotForm(starts_at, 60, mode), now=now).id


def caption(message: dict) -> str:
    return message.get("caption") or message.get("text") or ""


def waiter(tg):
    """wait_for_message from now on: the stand-in lives through the module, and each test runs on two databases."""
    start = tg.mark()

    def wait(chat, predicate, **kwargs):
        return tg.wait_for_message(chat, predicate, since=start, **kwargs)

    return wait, start


def book_buttons(message: dict) -> list[str]:
    return [b for b in buttons(message) if b.startswith("cs:b:")]


@pytest.mark.asyncio(loop_scope="module")
async def test_two_founders_race_for_one_seat_one_books_the_other_gets_the_next_options(tg, services):
    contested = publish(services, A_EXPERT, days_ahead(3))
    later = publish(services, A_EXPERT, days_ahead(4))
    elsewhere = publish(services, B_EXPERT, days_ahead(2), SlotMode.ONLINE)
    for founder in (F1, F2):
        services.cafes.choose(founder, "seongsu")
    f1, f2 = tg.private_chat(F1, "민지"), tg.private_chat(F2, "지호")
    expert = tg.private_chat(A_EXPERT, "김전문")
    wait, start = waiter(tg)
    async with running_bot(services, tg) as app:
        lists = []
        for chat in (f1, f2):
            await tg.send_command(chat, chat.user, "book")
            lists.append(await wait(chat, lambda m: bool(book_buttons(m))))
        # The founder's cafe first (by date), then other cafes; alias and specialty shown.
        assert book_buttons(lists[0]) == [f"cs:b:{contested}", f"cs:b:{later}", f"cs:b:{elsewhere}"]
        text = lists[0]["text"]
        assert text.index("— 성수 창업카페 —") < text.index("— 다른 카페 —")
        assert "성수 핀테크 전문가 (핀테크)" in text and ADDRESS in text and "온라인" in text

        # Both tap the same seat at the same moment.
        await asyncio.gather(*(tg.press_button(chat, chat.user, listed, f"cs:b:{contested}")
                               for chat, listed in ((f1, lists[0]), (f2, lists[1]))))
        await wait_idle(app, tg)
        winners = [chat for chat in (f1, f2) if services.consultations.founder_bookings(chat.id)]
        assert len(winners) == 1
        winner = winners[0]
        loser, lost_list = (f2, lists[1]) if winner is f1 else (f1, lists[0])
        confirmation = await wait(winner, lambda m: "document" in m)
        tg.assert_no_message(loser, since=start)  # no confirmation for the loser
        # The loser's list turned into the next options at once, without the taken slot.
        lost = next(m for m in tg.sent_messages(loser) if m["message_id"] == lost_list["message_id"])
        assert lost["text"].startswith(t("cs.err.slot_full", "ko"))
        assert book_buttons(lost) == [f"cs:b:{later}", f"cs:b:{elsewhere}"]

        # The confirmation: time in Seoul, the cafe's address, the expert; an .ics that calendars read right.
        assert ADDRESS in caption(confirmation) and "(한국 시간)" in caption(confirmation)
        assert confirmation["document"]["file_name"].endswith(".ics")
        event = Calendar.from_ical(tg.file_content(confirmation["document"]["file_id"])).walk("VEVENT")[0]
        start = event["DTSTART"].dt
        assert str(start.tzinfo) == "Asia/Seoul" and start == days_ahead(3)
        assert ADDRESS in str(event["LOCATION"])
        assert [b.split(":")[1] for b in buttons(confirmation)] == ["i", "r", "c"]
        told = await wait(expert, has("📅"))
        assert "(한국 시간)" in told["text"]

        # The loser books the next option; the list keeps the founder's cafe first.
        await tg.press_button(loser, loser.user, lost, f"cs:b:{later}")
        await wait(loser, lambda m: "document" in m)
        await wait_idle(app, tg)
    assert {b.slot.id for b in services.consultations.founder_bookings(winner.id)} == {contested}
    assert {b.slot.id for b in services.consultations.founder_bookings(loser.id)} == {later}


@pytest.mark.asyncio(loop_scope="module")
async def test_cancel_reopens_the_slot_and_reschedule_moves_the_booking(tg, services):
    first = publish(services, A_EXPERT, days_ahead(3))
    second = publish(services, A_EXPERT, days_ahead(5))
    services.cafes.choose(F1, "seongsu")
    f1, f2 = tg.private_chat(F1, "민지"), tg.private_chat(F2, "지호")
    expert = tg.private_chat(A_EXPERT, "김전문")
    wait, _ = waiter(tg)
    async with running_bot(services, tg) as app:
        await tg.send_command(f1, f1.user, "book")
        listed = await wait(f1, lambda m: bool(book_buttons(m)))
        await tg.press_button(f1, f1.user, listed, f"cs:b:{first}")
        confirmation = await wait(f1, lambda m: "document" in m)
        booking = int(caption(confirmation).split("#")[1].split(")")[0])

        # Someone else sees no free seat in it meanwhile.
        await tg.send_command(f2, f2.user, "book")
        other = await wait(f2, lambda m: bool(book_buttons(m)))
        assert book_buttons(other) == [f"cs:b:{second}"]

        # /mybookings shows it; reschedule offers the other slot, moving tells the expert, the new file comes.
        await tg.send_command(f1, f1.user, "mybookings")
        mine = await wait(f1, lambda m: f"cs:r:{booking}" in buttons(m))
        await tg.press_button(f1, f1.user, mine, f"cs:r:{booking}")
        moves = await wait(f1, lambda m: any(b.startswith("cs:mv:") for b in buttons(m)))
        assert buttons(moves) == [f"cs:mv:{booking}:{second}"]
        await tg.press_button(f1, f1.user, moves, f"cs:mv:{booking}:{second}")
        moved = await wait(f1, lambda m: "document" in m)
        await wait(expert, has(t("cs.expert.cancelled", "ko", id=booking, when="")[:10]))
        new_booking = int(caption(moved).split("#")[1].split(")")[0])
        assert [b.slot.id for b in services.consultations.founder_bookings(F1)] == [second]

        # Cancel (asked first): the slot reopens for the next founder, and the expert is told.
        await tg.press_button(f1, f1.user, moved, f"cs:c:{new_booking}")
        ask = await wait(f1, lambda m: f"cs:cy:{new_booking}" in buttons(m))
        await tg.press_button(f1, f1.user, ask, f"cs:cy:{new_booking}")
        await wait(f1, has(t("cs.cancelled", "ko", id=new_booking)), edits=True)
        reopened = t("cs.expert.cancelled", "ko", id=new_booking,
                     when=services.consultations.expert_slots(A_EXPERT)[-1].when("ko"))
        await wait(expert, has(reopened))
        await tg.send_command(f2, f2.user, "book")
        again = await wait(f2, lambda m: len(book_buttons(m)) == 2)
        assert book_buttons(again) == [f"cs:b:{first}", f"cs:b:{second}"]

        # A group is not the place to book: the confirmation is personal.
        group = tg.group_chat(-100777, "창업자 모임")
        await tg.send_command(group, f2.user, "book")
        await wait(group, has(t("cs.private_only", "ko")))
        await wait_idle(app, tg)


@pytest.mark.asyncio(loop_scope="module")
async def test_book_a_consultation_under_an_experts_reply_shows_the_expert_the_idea(tg, services):
    slot = publish(services, A_EXPERT, days_ahead(6))
    esc = services.escalation
    ticket = esc.workflow.submit(Founder(F3, F3), FIELDS, lang="ko", group_chat_id=None, specialty="핀테크",
                                 cafe_id="seongsu").id
    f3, expert = tg.private_chat(F3, "서준"), tg.private_chat(A_EXPERT, "김전문")
    wait, _ = waiter(tg)
    async with running_bot(services, tg) as app:
        await wait(expert, lambda m: f"esc:claim:{ticket}" in buttons(m))
        await asyncio.to_thread(esc.workflow.relay, Incoming(
            ticket_id=ticket, user_id=A_EXPERT, user_name="김전문", private=True, kind=ContentKind.TEXT,
            text="고객 인터뷰부터 해 보세요", file_id=None, chat_id=A_EXPERT, message_id=1))
        feedback = await wait(f3, has("고객 인터뷰부터"))
        assert f"cs:l:{ticket}" in buttons(feedback)
        await tg.press_button(f3, f3.user, feedback, f"cs:l:{ticket}")
        listed = await wait(f3, lambda m: bool(book_buttons(m)))
        assert t("cs.list.for_ticket", "ko", ticket=ticket) in listed["text"]
        assert book_buttons(listed) == [f"cs:b:{slot}:{ticket}"]
        await tg.press_button(f3, f3.user, listed, f"cs:b:{slot}:{ticket}")
        await wait(f3, lambda m: "document" in m)
        told = await wait(expert, has("📅"))
        assert f"#{ticket}" in told["text"] and FIELDS["summary"] in told["text"]
        await wait_idle(app, tg)
    assert [b.ticket_id for b in services.consultations.founder_bookings(F3)] == [ticket]


@pytest.mark.asyncio(loop_scope="module")
async def test_reminders_go_to_both_sides_once_and_a_restart_sends_none_twice(tg, services):
    now = datetime.now(UTC)
    # Booked two days ago for a slot that starts in 50 minutes: its 1 h reminder is due (the 24 h one with it).
    soon = publish(services, A_EXPERT, now + timedelta(minutes=50), now=now - timedelta(days=2))
    services.consultations.book(soon, F1, F1, now=now - timedelta(days=2))
    f1, f2, expert = tg.private_chat(F1, "민지"), tg.private_chat(F2, "지호"), tg.private_chat(A_EXPERT, "김전문")
    other_expert = tg.private_chat(B_EXPERT, "이전문")
    wait, start = waiter(tg)
    async with running_bot(services, tg) as app:
        for chat in (f1, expert):  # the booking's confirmation and notice, then the reminder
            await wait(chat, lambda m: "✅" in caption(m) or "📅" in caption(m))
            await wait(chat, has("⏰ 1시간 뒤"))
        await wait_idle(app, tg)

    # While the bot is down, another booking's reminder falls due; after the restart only that one is sent.
    later = publish(services, B_EXPERT, now + timedelta(minutes=55), SlotMode.ONLINE, now=now - timedelta(days=2))
    services.consultations.book(later, F2, F2, now=now - timedelta(days=2))
    async with running_bot(services, tg) as app:
        for chat in (f2, other_expert):
            await wait(chat, lambda m: "✅" in caption(m) or "📅" in caption(m))
            await wait(chat, has("⏰ 1시간 뒤"))
        await wait_idle(app, tg)
    for chat in (f1, f2, expert, other_expert):  # nothing more: no reminder twice, no 24 h one after the 1 h one
        tg.assert_no_message(chat, since=start)
