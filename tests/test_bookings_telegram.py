"""Issue 14, the staff side of consultations through the Telegram stand-in (SQLite and PostgreSQL): /bookings lists
a cafe's bookings by day with a date filter, scoped to the staff member's cafes (every cafe for the city-wide
admin), as a CSV with the times in Asia/Seoul; another cafe's expert is no staff; /stats adds consultations held,
the no-show rate and the lead time to the next free slot per cafe. First the pure pieces: the arguments, the
split listing, the lead time."""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
import yaml
from telegram_harness import make_services, running_bot, settings_for, shared_embeddings, tg_fixture, wait_idle

from bot.cafes.registry import CafeInfo
from bot.consultations.enums import BookingState, SlotMode, SlotState
from bot.consultations.forms import SEOUL, SlotForm
from bot.consultations.views import BookingView, SlotView
from bot.escalation.workflow import Founder
from bot.services import Services
from bot.strings import t
from bot.telegram.bookings_text import BookingsArgsError, BookingsQuery, lead_time, listing, parse_query
from bot.telegram.render import utf16_len

A_EXPERT, B_EXPERT = 8701, 8711
A_STAFF, B_STAFF, ADMIN = 9801, 9811, 9900
F1, F2, F3, F4, F5, F6, F7 = 5701, 5702, 5703, 5704, 5705, 5706, 5707
FIELDS = {"summary": "동네 가게 간편 정산 앱", "problem": "정산이 늦다", "customers": "동네 가게",
          "solution": "카드 매출 당일 정산", "stage": "mvp", "team": "2명", "feedback": "수익 모델"}


def cafes_yaml() -> dict:
    return {"cafes": [
        {"id": "seongsu", "name": {"ko": "성수 창업카페", "en": "Seongsu Startup Cafe"}, "district": "성동구",
         "address": "서울 성동구 왕십리로 1", "staff": [A_STAFF],
         "experts": [{"user_id": A_EXPERT, "alias": "전문가 A", "specialties": ["핀테크"]}]},
        {"id": "sinchon", "name": {"ko": "신촌 창업카페", "en": "Sinchon Startup Cafe"}, "district": "서대문구",
         "address": "서울 서대문구 연세로 2", "staff": [B_STAFF],
         "experts": [{"user_id": B_EXPERT, "alias": "전문가 B", "specialties": ["바이오"]}]},
        {"id": "gangnam", "name": {"ko": "강남 창업카페", "en": "Gangnam Startup Cafe"}, "district": "강남구"},
    ]}


# --- the pure pieces -----------------------------------------------------------------------------------------

TODAY = date(2026, 12, 1)


def test_the_arguments_read_as_seoul_dates_with_sensible_defaults():
    assert parse_query([], TODAY) == BookingsQuery(TODAY, date(2026, 12, 14), None, False)  # 14 days
    assert parse_query(["week"], TODAY) == BookingsQuery(TODAY, date(2026, 12, 7), None, False)
    assert parse_query(["today", "CSV"], TODAY) == BookingsQuery(TODAY, TODAY, None, True)
    assert parse_query(["2026-12-10"], TODAY) == BookingsQuery(date(2026, 12, 10), date(2026, 12, 10), None, False)
    assert parse_query(["cafe=seongsu", "2026-11-01", "2026-11-30", "csv"], TODAY) == BookingsQuery(
        date(2026, 11, 1), date(2026, 11, 30), "seongsu", True)
    assert parse_query(["2026-12-10", "2026-12-12"], TODAY).filename == "bookings-2026-12-10-2026-12-12.csv"
    for args, problem in ((["2026-02-30"], "word"), (["tomorrow"], "word"), (["cafe="], "word"),
                          (["2026-12-10", "2026-12-09"], "order"), (["week", "2026-12-10"], "dates"),
                          (["today", "2026-12-10", "2026-12-11"], "dates")):
        with pytest.raises(BookingsArgsError) as err:
            parse_query(args, TODAY)
        assert err.value.problem == problem, args
        t(f"bookings.err.{problem}", "ko", **err.value.fields)  # every problem has its message


def test_a_long_listing_is_split_to_fit_and_points_to_the_csv():
    cafe = CafeInfo("seongsu", "성수 창업카페", "Seongsu Startup Cafe", "성동구", "", "", None)
    start = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)

    def booking(n: int) -> BookingView:
        slot = SlotView(n, A_EXPERT, "전문가 A" * 5, ("핀테크",), cafe, start + timedelta(hours=n), 60,
                        SlotMode.OFFLINE, 1, 1, SlotState.OPEN)
        return BookingView(n, slot, 5000 + n, BookingState.BOOKED, 4000 + n, start)

    query = BookingsQuery(date(2026, 12, 10), date(2026, 12, 31), None, False)
    few = listing([booking(n) for n in range(1, 4)], [cafe], query, "ko")
    assert len(few) == 1 and few[0].count("▪ ") == 1  # one day, one heading
    many = [booking(n) for n in range(1, 400)]
    parts = listing(many, [cafe], query, "ko")
    assert len(parts) == 3 and all(utf16_len(p) <= 4096 for p in parts)
    shown = sum(p.count(" · 창업자 ") for p in parts)
    assert 0 < shown < 399 and parts[-1].endswith(t("bookings.more", "ko", n=399 - shown))
    assert parts[0].startswith(t("bookings.header", "ko", period="2026-12-10 ~ 2026-12-31", count=399))


def test_the_lead_time_reads_in_days_and_hours():
    assert lead_time(3 * 24 + 4.6, "ko") == "3일 4시간" and lead_time(3 * 24 + 4.6, "en") == "3 d 4 h"
    assert lead_time(48.2, "ko") == "2일" and lead_time(5.5, "en") == "5 h" and lead_time(0.75, "ko") == "45분"


# --- through the Telegram stand-in --------------------------------------------------------------------------

tg = tg_fixture(loop_scope="module")
FAST = {"escalation_outbox_interval_seconds": 0.3, "escalation_retry_base_seconds": 0.3}


@pytest.fixture
def cafe_bot(tmp_path, embedding_cache_dir, database_url):
    path = tmp_path / "cafes.yaml"
    path.write_text(yaml.safe_dump(cafes_yaml(), allow_unicode=True), encoding="utf-8")
    settings = settings_for(tmp_path / "data", embedding_cache_dir, database_url=database_url, cafes_file=path,
                            admin_user_ids=[ADMIN], staff_hours="mon-sun 00:00-23:59", **FAST)
    services = make_services(settings, shared_embeddings(embedding_cache_dir))
    yield services
    services.close()


def at(day: date, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day.isoformat()}T{hhmm}").replace(tzinfo=SEOUL)


class Booked:
    """The bookings the tests set up with the domain, by who holds them."""

    def __init__(self, services: Services) -> None:
        cs, now = services.consultations, datetime.now(UTC)
        self.today = now.astimezone(SEOUL).date()
        self.d1, self.d2, self.d3 = (self.today + timedelta(days=n) for n in (30, 32, 46))

        def slot(expert: int, when: datetime, capacity: int = 1, mode: SlotMode = SlotMode.OFFLINE,
                 published: datetime = now) -> int:
            return cs.publish(expert, SlotForm(when, 60, mode, capacity), now=published).id

        def book(slot_id: int, founder: int, ticket: int | None = None, when: datetime = now) -> int:
            return cs.book(slot_id, founder, founder, ticket, now=when).booking_id

        self.ticket = services.escalation.workflow.submit(Founder(F1, F1), FIELDS, lang="ko", group_chat_id=None,
                                                          specialty="핀테크", cafe_id="seongsu").id
        self.a1 = book(slot(A_EXPERT, at(self.d1, "09:00")), F1, self.ticket)  # 00:00 UTC: the day before
        online = slot(A_EXPERT, at(self.d2, "14:00"), capacity=2, mode=SlotMode.ONLINE)
        self.a2 = book(online, F2)
        self.a3 = book(online, F3)
        cs.cancel(self.a3, F3)
        self.a4 = book(slot(A_EXPERT, at(self.d3, "11:00")), F1)
        self.b1 = book(slot(B_EXPERT, at(self.d1, "10:00")), F4)
        # Two days ago (published and booked before it): one founder came, one did not.
        before = now - timedelta(days=3)
        past = slot(A_EXPERT, now - timedelta(days=2), capacity=2, published=before)
        self.came, self.missed = book(past, F5, when=before), book(past, F6, when=before)
        cs.mark(self.came, A_EXPERT, attended=True, now=now)
        cs.mark(self.missed, A_EXPERT, attended=False, now=now)
        # The next free seat at Seongsu, half taken; Sinchon's only slot is full.
        self.soon_at = now + timedelta(days=3, hours=4, minutes=30)
        self.soon = book(slot(A_EXPERT, self.soon_at, capacity=2), F7)


def chats(tg) -> dict[int, object]:
    """Everyone the bot talks to, so the confirmations and the experts' notices have somewhere to go."""
    names = {A_STAFF: "성수직원", B_STAFF: "신촌직원", ADMIN: "서울관리자", A_EXPERT: "김전문", B_EXPERT: "이전문"}
    people = {uid: tg.private_chat(uid, name) for uid, name in names.items()}
    for founder in (F1, F2, F3, F4, F5, F6, F7):
        tg.private_chat(founder, f"창업자{founder}")
    return people


async def ask(tg, chat, args: str, match: str, timeout: float = 10.0) -> str:
    await tg.send_command(chat, chat.user, "bookings", args)
    return (await tg.wait_for_message(chat, lambda m: match in m["text"], timeout=timeout))["text"]


@pytest.mark.asyncio(loop_scope="module")
async def test_staff_see_their_cafes_bookings_admins_every_cafes_and_csv_in_seoul_time(tg, cafe_bot, caplog):
    services: Services = cafe_bot
    booked = Booked(services)
    people = chats(tg)
    a_staff, b_staff, admin, b_expert = people[A_STAFF], people[B_STAFF], people[ADMIN], people[B_EXPERT]
    d1, d2, d3 = booked.d1, booked.d2, booked.d3
    caplog.set_level(logging.INFO)
    async with running_bot(services, tg) as app:
        await wait_idle(app, tg)  # the confirmations and the experts' notices are out
        since = len(tg.calls)

        # Seongsu's staff, one day: their booking at 09:00 Seoul time, not Sinchon's at 10:00 the same day.
        one_day = await ask(tg, a_staff, d1.isoformat(), "📅")
        assert one_day.startswith(t("bookings.header", "ko", period=d1.isoformat(), count=1))
        assert t("bookings.cafe", "ko", cafe="성수 창업카페") in one_day
        assert t("bookings.line", "ko", start="09:00", end="10:00", id=booked.a1, expert="전문가 A", founder=F1,
                 status="예약", ticket=f" · 티켓 #{booked.ticket}", online="") in one_day
        assert f"#{booked.b1} " not in one_day and "신촌" not in one_day
        # Two days: every status, the online one marked.
        two_days = await ask(tg, a_staff, f"{d1} {d2}", "📅")
        assert t("bookings.line", "ko", start="14:00", end="15:00", id=booked.a2, expert="전문가 A", founder=F2,
                 status="예약", ticket="", online=" · 온라인") in two_days
        assert f"#{booked.a3} 전문가 A · 창업자 {F3} · 취소" in two_days
        assert f"#{booked.b1} " not in two_days and f"#{booked.a4} " not in two_days
        # No dates: the fortnight ahead, which holds the slot in three days only.
        fortnight = await ask(tg, a_staff, "", "📅")
        assert t("bookings.period", "ko", start=booked.today.isoformat(),
                 end=(booked.today + timedelta(days=13)).isoformat()) in fortnight
        assert f"#{booked.soon} " in fortnight and f"#{booked.a1} " not in fortnight

        # The CSV: the rows of the period, the time in Asia/Seoul (the UTC day before for 09:00).
        await tg.send_command(a_staff, a_staff.user, "bookings", f"{d1} {d3} csv")
        export = await tg.wait_for_message(a_staff, lambda m: "document" in m)
        assert export["document"]["file_name"] == f"bookings-{d1}-{d3}.csv"
        rows = list(csv.DictReader(io.StringIO(tg.file_content(export["document"]["file_id"]).decode("utf-8-sig"))))
        assert [int(r["id"]) for r in rows] == [booked.a1, booked.a2, booked.a3, booked.a4]
        assert {r["cafe"] for r in rows} == {"seongsu"}
        first = rows[0]
        assert (first["starts_at_kst"], first["founder_id"], first["status"], first["ticket_id"]) == (
            f"{d1} 09:00", str(F1), "booked", str(booked.ticket))
        assert [r["status"] for r in rows[1:3]] == ["booked", "cancelled"]

        # Another cafe's bookings are refused, with the domain's log line; bad arguments get the usage.
        await ask(tg, a_staff, "cafe=sinchon", t("cs.err.other_cafe", "ko"))
        assert f"refused bookings of cafe sinchon: staff {A_STAFF}" in caplog.text
        bad = await ask(tg, a_staff, f"{d1.year}-02-30", t("bookings.usage", "ko"))
        assert bad.startswith(t("bookings.err.word", "ko", word=f"{d1.year}-02-30"))
        assert "bad /bookings arguments: word" in caplog.text
        await ask(tg, a_staff, f"{d2} {d1}", t("bookings.err.order", "ko", start=d2.isoformat(), end=d1.isoformat()))

        # Sinchon's staff see Sinchon's; Sinchon's expert, no staff, sees nothing of Seongsu's.
        theirs = await ask(tg, b_staff, d1.isoformat(), "📅")
        assert f"#{booked.b1} 전문가 B · 창업자 {F4} · 예약" in theirs and f"#{booked.a1} " not in theirs
        await ask(tg, b_expert, f"{d1} cafe=seongsu", t("staff.only", "ko"))
        await tg.send_command(b_expert, b_expert.user, "bookings", f"{d1} csv")
        await tg.wait_for_message(b_expert, lambda m: m["text"] == t("staff.only", "ko"))

        # The city-wide admin: both cafes, each under its name in the file's order; cafe= narrows to one.
        everything = await ask(tg, admin, d1.isoformat(), "📅")
        seongsu, sinchon = (everything.index(t("bookings.cafe", "ko", cafe=name))
                            for name in ("성수 창업카페", "신촌 창업카페"))
        assert seongsu < everything.index(f"#{booked.a1} ") < sinchon < everything.index(f"#{booked.b1} ")
        one = await ask(tg, admin, f"{d1} cafe=sinchon", "📅")
        assert f"#{booked.b1} " in one and f"#{booked.a1} " not in one
        await ask(tg, admin, "cafe=busan", t("bookings.unknown_cafe", "ko", cafe="busan",
                                              ids="seongsu, sinchon, gangnam"))
        await wait_idle(app, tg)
    tg.assert_no_message(b_expert, since=since)  # nothing but the two refusals


@pytest.mark.asyncio(loop_scope="module")
async def test_stats_show_consultations_held_no_shows_and_the_next_free_slot(tg, cafe_bot):
    services: Services = cafe_bot
    Booked(services)
    people = chats(tg)
    a_staff, admin = people[A_STAFF], people[ADMIN]
    seongsu = t("bookings.stats.line", "ko", cafe="성수 창업카페", held=1, rate="50%", lead="3일 4시간")
    sinchon = t("bookings.stats.line", "ko", cafe="신촌 창업카페", held=0, rate="-",
                lead=t("bookings.stats.no_slot", "ko"))
    gangnam = t("bookings.stats.line", "ko", cafe="강남 창업카페", held=0, rate="-",
                lead=t("bookings.stats.no_slot", "ko"))
    async with running_bot(services, tg) as app:
        await wait_idle(app, tg)
        await tg.send_command(a_staff, a_staff.user, "stats")
        mine = (await tg.wait_for_message(a_staff, lambda m: "📊" in m["text"], timeout=20))["text"]
        assert t("bookings.stats", "ko", days=7, lines=seongsu) in mine and "신촌" not in mine
        await tg.send_command(admin, admin.user, "stats")
        everything = (await tg.wait_for_message(admin, lambda m: "📊" in m["text"], timeout=20))["text"]
        assert t("bookings.stats", "ko", days=7, lines="\n".join((seongsu, sinchon, gangnam))) in everything
        await tg.send_command(admin, admin.user, "stats", "sinchon")
        one = (await tg.wait_for_message(admin, lambda m: "📊" in m["text"], timeout=20))["text"]
        assert t("bookings.stats", "ko", days=7, lines=sinchon) in one
        await wait_idle(app, tg)
