"""Issue 14, the experts' side through the Bot API stand-in (SQLite and PostgreSQL): /slots lists an expert's
slots and the bookings to mark; the guided form (dates as buttons, typed answers checked, back, /cancel) and the
one-line forms publish slots founders can then book; close and cancel (the booked founders told); attended /
no-show; people who are not experts, and experts pressing another expert's buttons, are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from sqlalchemy import select
from telegram_harness import (
    bot_fixture,
    buttons,
    has,
    make_services,
    running_bot,
    settings_for,
    shared_embeddings,
    tg_fixture,
    wait_idle,
)

from bot.consultations import buttons as cs_buttons
from bot.consultations.buttons import Action
from bot.consultations.enums import BookingState, SlotMode, SlotState
from bot.consultations.forms import SEOUL, WEEKDAYS, SlotForm
from bot.consultations.slot_draft import Field, Kind, days_ahead
from bot.consultations.slot_form_buttons import BACK, PUBLISH, answer_data, start_data
from bot.consultations.views import SlotView
from bot.services import Services
from bot.storage.models.base import utcnow
from bot.storage.models.consultations import ConsultationBooking
from bot.strings import t

pytestmark = pytest.mark.asyncio(loop_scope="module")

A1, A2, B1, B2, NO_CAFE = 8701, 8702, 8711, 8712, 8790  # A: Seongsu's experts, B: Sinchon's
STAFF, STRANGER = 9701, 9790
ADDRESS = "서울 성동구 왕십리로 1"
FAST = {"escalation_outbox_interval_seconds": 0.3, "escalation_retry_base_seconds": 0.3}


def cafes_yaml() -> dict:
    return {"cafes": [
        {"id": "seongsu", "name": {"ko": "성수 창업카페", "en": "Seongsu Startup Cafe"}, "district": "성동구",
         "address": ADDRESS, "staff": [STAFF],
         "experts": [{"user_id": A1, "alias": "전문가 A1", "specialties": ["핀테크"]},
                     {"user_id": A2, "alias": "전문가 A2", "specialties": ["콘텐츠"]}]},
        {"id": "sinchon", "name": {"ko": "신촌 창업카페", "en": "Sinchon Startup Cafe"}, "district": "서대문구",
         "address": "서울 서대문구 연세로 2",
         "experts": [{"user_id": B1, "alias": "전문가 B1", "specialties": ["바이오"]},
                     {"user_id": B2, "alias": "전문가 B2", "specialties": ["바이오"]}]},
    ]}


@pytest.fixture(scope="module")
def services(tmp_path_factory, embedding_cache_dir, module_database_url):
    root = tmp_path_factory.mktemp("slots")
    path = root / "cafes.yaml"
    path.write_text(yaml.safe_dump(cafes_yaml(), allow_unicode=True), encoding="utf-8")
    settings = settings_for(root / "data", embedding_cache_dir, database_url=module_database_url, cafes_file=path,
                            **FAST)
    built = make_services(settings, shared_embeddings(embedding_cache_dir))
    built.escalation.experts.register(NO_CAFE, alias="전문가 N", specialties=["핀테크"])  # online only
    yield built
    built.close()


tg = tg_fixture(loop_scope="module")
bot = bot_fixture(loop_scope="module")


def open_of(services: Services, expert: int) -> list[SlotView]:
    return [s for s in services.consultations.open_slots(limit=500) if s.expert_id == expert]


def ahead(days: int, hhmm: str) -> tuple[str, str]:
    """A date `days` from today in Seoul, as the quick form writes it, and the time."""
    return (utcnow().astimezone(SEOUL).date() + timedelta(days=days)).isoformat(), hhmm


def at(days: int, hour: int) -> SlotForm:
    day = utcnow().astimezone(SEOUL).replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return SlotForm(day, 60, SlotMode.ONLINE, 2)


def with_button(data: str):
    return lambda m: data in buttons(m)


async def alert(tg) -> str:
    return (await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert")))["text"]


async def test_an_expert_opens_a_slot_through_the_guided_form_and_founders_can_book_it(tg, bot, services):
    chat = tg.private_chat(A1, "김전문")
    await tg.send_command(chat, chat.user, "slots")
    listing = await tg.wait_for_message(chat, with_button(start_data(Kind.ONE)))
    assert listing["text"].startswith(t("slots.list.empty", "ko")) and "/slots add" in listing["text"]

    await tg.press_button(chat, chat.user, listing, start_data(Kind.ONE))
    await tg.wait_for_message(chat, has(t("slots.start.one", "ko")))
    day = days_ahead(utcnow())[3].isoformat()
    ask_date = await tg.wait_for_message(chat, with_button(answer_data(Field.DATE, day)))
    assert ask_date["text"] == t("slots.ask.date", "ko") and len(days_ahead(utcnow())) == 14
    # A date that is no date: told what is wrong, and asked again.
    await tg.send_text(chat, chat.user, "2026-13-45")
    await tg.wait_for_message(chat, has(t("cs.form.date", "ko", word="2026-13-45")))
    ask_date = await tg.wait_for_message(chat, with_button(answer_data(Field.DATE, day)))
    await tg.press_button(chat, chat.user, ask_date, answer_data(Field.DATE, day))
    ask_time = await tg.wait_for_message(chat, has(t("slots.ask.time", "ko")))
    await tg.send_text(chat, chat.user, "25:00")  # typed, and wrong
    await tg.wait_for_message(chat, has(t("cs.form.time", "ko", word="25:00")))
    await tg.wait_for_message(chat, has(t("slots.ask.time", "ko")))
    await tg.send_text(chat, chat.user, "14:30")
    ask_minutes = await tg.wait_for_message(chat, with_button(answer_data(Field.MINUTES, "90")))
    # Back to the time, which can be tapped this time; nothing typed before is lost.
    await tg.press_button(chat, chat.user, ask_minutes, BACK)
    ask_time = await tg.wait_for_message(chat, with_button(answer_data(Field.TIME, "14:00")))
    await tg.press_button(chat, chat.user, ask_time, answer_data(Field.TIME, "14:00"))
    ask_minutes = await tg.wait_for_message(chat, with_button(answer_data(Field.MINUTES, "90")))
    await tg.press_button(chat, chat.user, ask_minutes, answer_data(Field.MINUTES, "90"))
    ask_mode = await tg.wait_for_message(chat, with_button(answer_data(Field.MODE, "offline")))
    assert ask_mode["text"] == t("slots.ask.mode", "ko", cafe="성수 창업카페")
    await tg.press_button(chat, chat.user, ask_mode, answer_data(Field.MODE, "offline"))
    await tg.wait_for_message(chat, with_button(answer_data(Field.SEATS, "3")))
    await tg.send_text(chat, chat.user, "2")
    summary = await tg.wait_for_message(chat, with_button(PUBLISH))
    assert f"{day} " in summary["text"] and "14:00–15:30" in summary["text"]
    assert f"성수 창업카페, {ADDRESS}" in summary["text"] and "인원: 2명" in summary["text"]
    assert open_of(services, A1) == []  # nothing is published before the expert says so

    await tg.press_button(chat, chat.user, summary, PUBLISH)
    done = await tg.wait_for_message(chat, has("✅"))
    [slot] = open_of(services, A1)
    assert done["text"] == t("slots.published", "ko", id=slot.id, when=slot.when("ko"), place=slot.place("ko"),
                             seats=2)
    assert (slot.starts_at.astimezone(SEOUL).isoformat()[:16], slot.minutes, slot.mode, slot.capacity,
            slot.cafe_id) == (f"{day}T14:00", 90, SlotMode.OFFLINE, 2, "seongsu")
    # The form is over: its buttons say so instead of publishing twice.
    await tg.press_button(chat, chat.user, summary, PUBLISH)
    assert await alert(tg) == t("slots.form_over", "ko")
    assert len(open_of(services, A1)) == 1
    confirmation = services.consultations.book(slot.id, 5701, 5701)
    assert confirmation.slot.id == slot.id


async def test_weekly_office_hours_by_the_form_back_and_cancel_and_by_one_line(tg, bot, services):
    chat = tg.private_chat(A2, "박전문")
    await tg.send_command(chat, chat.user, "slots")
    listing = await tg.wait_for_message(chat, with_button(start_data(Kind.WEEKLY)))
    await tg.press_button(chat, chat.user, listing, start_data(Kind.WEEKLY))
    ask_weekday = await tg.wait_for_message(chat, with_button(answer_data(Field.WEEKDAY, "wed")))
    await tg.send_text(chat, chat.user, "수")  # Korean weekdays are understood
    await tg.wait_for_message(chat, has(t("slots.ask.time", "ko")))
    # A button of the earlier question while the form waits for the time: it waits on.
    await tg.press_button(chat, chat.user, ask_weekday, answer_data(Field.WEEKDAY, "fri"))
    assert await alert(tg) == t("slots.stale", "ko")
    await tg.send_text(chat, chat.user, "10:00")
    await tg.wait_for_message(chat, has(t("slots.ask.minutes", "ko")))
    await tg.send_text(chat, chat.user, "60")
    await tg.wait_for_message(chat, has(t("slots.ask.mode", "ko", cafe="성수 창업카페")))
    await tg.send_text(chat, chat.user, "온라인")
    ask_weeks = await tg.wait_for_message(chat, with_button(answer_data(Field.WEEKS, "4")))
    await tg.send_text(chat, chat.user, "30")  # more weeks than allowed
    await tg.wait_for_message(chat, has(t("cs.form.weeks", "ko", word="30")))
    ask_weeks = await tg.wait_for_message(chat, with_button(answer_data(Field.WEEKS, "4")))
    await tg.press_button(chat, chat.user, ask_weeks, answer_data(Field.WEEKS, "4"))
    await tg.wait_for_message(chat, has(t("slots.ask.seats", "ko")))
    await tg.send_text(chat, chat.user, "3")
    summary = await tg.wait_for_message(chat, with_button(PUBLISH))
    assert "매주 수 10:00 (60분, 한국 시간), 4주" in summary["text"] and "온라인" in summary["text"]
    await tg.send_command(chat, chat.user, "cancel")
    await tg.wait_for_message(chat, has(t("slots.cancelled", "ko")))
    assert open_of(services, A2) == []

    # The same weekly hours in one line; then one slot in one line, and the line's mistakes.
    await tg.send_command(chat, chat.user, "slots", "weekly wed 10:00 60 online 4 3")
    weekly = await tg.wait_for_message(chat, has("✅"))
    made = open_of(services, A2)
    assert len(made) == 4 and {s.starts_at.astimezone(SEOUL).strftime("%a %H:%M") for s in made} == {"Wed 10:00"}
    assert {(s.capacity, s.mode) for s in made} == {(3, SlotMode.ONLINE)}
    assert weekly["text"].startswith(t("slots.published.weekly", "ko", n=4, lines="")) and f"#{made[0].id} " in \
        weekly["text"]
    day, hhmm = ahead(20, "16:00")
    await tg.send_command(chat, chat.user, "slots", f"add {day} {hhmm} 30 offline")
    one = await tg.wait_for_message(chat, has("✅"))
    [new] = [s for s in open_of(services, A2) if s.id not in {m.id for m in made}]
    assert one["text"] == t("slots.published", "ko", id=new.id, when=new.when("ko"), place=new.place("ko"), seats=1)
    await tg.send_command(chat, chat.user, "slots", f"add {day} {hhmm} 30 offline")  # the same time again
    await tg.wait_for_message(chat, has(t("cs.err.overlap", "ko")))
    await tg.send_command(chat, chat.user, "slots", "add 2026-02-30 14:00 60 offline")
    await tg.wait_for_message(chat, has(t("cs.form.date", "ko", word="2026-02-30")))
    await tg.send_command(chat, chat.user, "slots", f"weekly {WEEKDAYS[0]} 14:00 600 online 2")
    await tg.wait_for_message(chat, has(t("cs.form.minutes", "ko", word="600")))
    await tg.send_command(chat, chat.user, "slots", "soon")
    await tg.wait_for_message(chat, has(t("cs.form.usage", "ko")))
    assert len(open_of(services, A2)) == 5

    # An expert of no cafe meets online only: in person is not offered, and refused when typed.
    lone = tg.private_chat(NO_CAFE, "최전문")
    await tg.send_command(lone, lone.user, "slots", f"add {day} {hhmm} 30 offline")
    await tg.wait_for_message(lone, has(t("cs.err.no_cafe", "ko")))
    await tg.send_command(lone, lone.user, "slots")
    start = await tg.wait_for_message(lone, with_button(start_data(Kind.ONE)))
    await tg.press_button(lone, lone.user, start, start_data(Kind.ONE))
    await tg.send_text(lone, lone.user, day)
    await tg.send_text(lone, lone.user, hhmm)
    await tg.send_text(lone, lone.user, "30")
    ask_mode = await tg.wait_for_message(lone, has(t("slots.ask.mode_online", "ko")))
    assert answer_data(Field.MODE, "offline") not in buttons(ask_mode)
    await tg.send_text(lone, lone.user, "offline")
    await tg.wait_for_message(lone, has(t("cs.err.no_cafe", "ko")))
    await tg.wait_for_message(lone, has(t("slots.ask.mode_online", "ko")))
    assert open_of(services, NO_CAFE) == []


async def test_a_form_in_progress_survives_a_restart(tg, services):
    chat = tg.private_chat(A1, "김전문")
    day = days_ahead(utcnow())[5].isoformat()
    async with running_bot(services, tg) as app:
        await tg.send_command(chat, chat.user, "slots")
        listing = await tg.wait_for_message(chat, with_button(start_data(Kind.ONE)))
        await tg.press_button(chat, chat.user, listing, start_data(Kind.ONE))
        ask_date = await tg.wait_for_message(chat, with_button(answer_data(Field.DATE, day)))
        await tg.press_button(chat, chat.user, ask_date, answer_data(Field.DATE, day))
        await tg.wait_for_message(chat, has(t("slots.ask.time", "ko")))
        await wait_idle(app, tg)
    async with running_bot(services, tg):  # another process: the expert goes on where they were
        await tg.send_text(chat, chat.user, "09:00")
        await tg.wait_for_message(chat, has(t("slots.ask.minutes", "ko")))
        for answer in ("30", "online", "1"):
            await tg.send_text(chat, chat.user, answer)
        summary = await tg.wait_for_message(chat, with_button(PUBLISH))
        assert f"{day} " in summary["text"] and "09:00–09:30" in summary["text"]
        await tg.press_button(chat, chat.user, summary, BACK)  # the summary's back: the last question again
        await tg.wait_for_message(chat, has(t("slots.ask.seats", "ko")))
        await tg.send_command(chat, chat.user, "cancel")
        await tg.wait_for_message(chat, has(t("slots.cancelled", "ko")))
    assert all(s.starts_at.astimezone(SEOUL).date().isoformat() != day for s in open_of(services, A1))


async def test_people_who_are_not_experts_are_refused(tg, bot, services):
    stranger = tg.private_chat(STRANGER, "낯선이")
    await tg.send_command(stranger, stranger.user, "slots")
    listing = await tg.wait_for_message(stranger, has(t("slots.not_expert", "ko")))
    assert not buttons(listing)
    day, hhmm = ahead(5, "11:00")
    await tg.send_command(stranger, stranger.user, "slots", f"add {day} {hhmm} 60 online")
    await tg.wait_for_message(stranger, has(t("slots.not_expert", "ko")))
    # Not in a group either, even for an expert.
    group = tg.group_chat(-100870, "전문가방")
    await tg.send_command(group, tg.user(B1, "이전문"), "slots", at_bot=True)
    await tg.wait_for_message(group, has(t("slots.private_only", "ko")))
    assert not [s for s in services.consultations.open_slots(limit=500) if s.expert_id in (STRANGER, B1)]
    # Experts find /slots (and /queue) in their own chat's command menu; others keep the founders' menu.
    menu = await tg.signal.wait_until(lambda: [c["command"] for c in tg.commands(
        scope={"type": "chat", "chat_id": A1}, language_code="ko")] or None, 10)
    assert menu is not None and {"book", "slots", "queue"} <= set(menu) and "docs" not in menu
    assert tg.commands(scope={"type": "chat", "chat_id": STRANGER}, language_code="ko") == []


async def test_an_expert_closes_and_cancels_slots_and_the_booked_founders_are_told(tg, bot, services):
    cs = services.consultations
    keep = cs.publish(B1, at(6, 10)).id
    withdraw = cs.publish(B1, at(7, 10)).id
    founder = tg.private_chat(5711, "민지")
    cs.book(keep, founder.id, founder.id)
    booking = cs.book(withdraw, founder.id, founder.id).booking_id
    chat = tg.private_chat(B1, "이전문")
    await tg.send_command(chat, chat.user, "slots")
    listing = await tg.wait_for_message(chat, with_button(cs_buttons.data(Action.CLOSE, keep)))
    assert f"#{keep} " in listing["text"] and "예약 1/2 · 예약 가능" in listing["text"]
    assert cs_buttons.data(Action.WITHDRAW, withdraw) in buttons(listing)

    # Another expert's press is refused by the domain, whoever's chat the button is in.
    other = tg.user(A1, "김전문")
    await tg.press_button(chat, other, listing, cs_buttons.data(Action.CLOSE, keep))
    assert await alert(tg) == t("cs.err.not_expert", "ko")
    await tg.press_button(chat, other, listing, cs_buttons.data(Action.WITHDRAW, withdraw))
    assert await alert(tg) == t("cs.err.not_expert", "ko")

    await tg.press_button(chat, chat.user, listing, cs_buttons.data(Action.CLOSE, keep))
    await tg.wait_for_message(chat, has(t("slots.closed", "ko", id=keep, when=cs.expert_slot(keep, B1).when("ko"),
                                          booked=1)))
    assert keep not in {s.id for s in open_of(services, B1)}
    assert cs.expert_slot(keep, B1).status == SlotState.CLOSED

    await tg.press_button(chat, chat.user, listing, cs_buttons.data(Action.WITHDRAW, withdraw))
    ask = await tg.wait_for_message(chat, with_button(cs_buttons.data(Action.WITHDRAW_YES, withdraw)))
    assert ask["text"] == t("slots.withdraw.ask", "ko", id=withdraw, when=cs.expert_slot(withdraw, B1).when("ko"),
                            n=1)
    assert withdraw in {s.id for s in open_of(services, B1)}  # asking changes nothing
    await tg.press_button(chat, chat.user, ask, cs_buttons.data(Action.WITHDRAW_YES, withdraw))
    await tg.wait_for_message(chat, has(t("slots.withdrawn", "ko", id=withdraw, n=1)))
    told = await tg.wait_for_message(founder, has(f"예약 #{booking})"))
    assert told["text"].startswith("죄송합니다. 전문가 사정으로")
    assert withdraw not in {s.id for s in open_of(services, B1)}
    # Listed again: the closed slot stays (its founder keeps the seat), the cancelled one is gone.
    await tg.send_command(chat, chat.user, "slots")
    again = await tg.wait_for_message(chat, with_button(start_data(Kind.ONE)))
    assert f"#{keep} " in again["text"] and "예약 마감" in again["text"] and f"#{withdraw} " not in again["text"]
    assert cs_buttons.data(Action.CLOSE, keep) not in buttons(again)
    await tg.press_button(chat, chat.user, listing, cs_buttons.data(Action.WITHDRAW, withdraw))  # the old list
    assert await alert(tg) == t("cs.err.no_slot", "ko")


async def test_an_expert_marks_founders_attended_or_no_show(tg, bot, services):
    cs = services.consultations
    now = utcnow()
    earlier = now - timedelta(days=3)
    slot = cs.publish(B2, SlotForm(now - timedelta(days=2), 60, SlotMode.ONLINE, 2), now=earlier).id
    came = cs.book(slot, 5721, 5721, now=earlier).booking_id
    missed = cs.book(slot, 5722, 5722, now=earlier).booking_id
    chat = tg.private_chat(B2, "정전문")
    await tg.send_command(chat, chat.user, "slots")
    asked = await tg.wait_for_message(chat, with_button(cs_buttons.data(Action.ATTENDED, came)))
    assert f"#{came} " in asked["text"]
    missed_asked = await tg.wait_for_message(chat, with_button(cs_buttons.data(Action.NO_SHOW, missed)))
    await tg.wait_for_message(chat, with_button(start_data(Kind.ONE)))  # the list, empty: the slot is past

    # Another expert cannot mark them.
    await tg.press_button(chat, tg.user(B1, "이전문"), asked, cs_buttons.data(Action.NO_SHOW, came))
    assert await alert(tg) == t("cs.err.not_expert", "ko")
    await tg.press_button(chat, chat.user, asked, cs_buttons.data(Action.ATTENDED, came))
    await tg.wait_for_message(chat, has(t("slots.marked.attended", "ko", id=came)))
    await tg.press_button(chat, chat.user, missed_asked, cs_buttons.data(Action.NO_SHOW, missed))
    await tg.wait_for_message(chat, has(t("slots.marked.no_show", "ko", id=missed)))
    assert cs.to_mark(B2) == []
    with services.db.session() as session:
        marked = dict(session.execute(select(ConsultationBooking.id, ConsultationBooking.status)
                                      .where(ConsultationBooking.slot_id == slot)).tuples().all())
    assert marked == {came: BookingState.ATTENDED, missed: BookingState.NO_SHOW}
    # A mark can be corrected.
    await tg.press_button(chat, chat.user, asked, cs_buttons.data(Action.NO_SHOW, came))
    await tg.wait_for_message(chat, has(t("slots.marked.no_show", "ko", id=came)))
