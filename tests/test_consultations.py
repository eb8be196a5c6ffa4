"""Consultations, the domain (bot.consultations): slots, booking without double booking (decided by the database,
across connections), limits, cancel and reschedule, reminders once across replicas, the .ics file, staff listings,
CSV, stats and erasure. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from sqlalchemy import select

from bot.cafes.registry import CafeRegistry
from bot.cafes.spec import CafeSpec
from bot.consultations.enums import BookingState, ConsultationError, Refusal, SlotMode, SlotState
from bot.consultations.export import bookings_csv
from bot.consultations.forms import SEOUL, FormProblem, SlotForm, SlotFormError, WeeklyRule, parse_slot, parse_weekly
from bot.consultations.service import Consultations
from bot.privacy import PersonalData
from bot.storage.db import Database, upgrade_schema
from bot.storage.models import OutboxItem
from bot.storage.models.consultations import ConsultationBooking
from bot.storage.models.escalation import Ticket

A_EXPERT, B_EXPERT, NO_CAFE_EXPERT = 8601, 8611, 8690
A_STAFF, B_STAFF, ADMIN = 9601, 9611, 9700
F1, F2, F3 = 5601, 5602, 5603
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 10:00 in Seoul, a Tuesday
SEONGSU_ADDRESS = "서울 성동구 왕십리로 1"


def specs() -> list[CafeSpec]:
    return [CafeSpec.model_validate(c) for c in [
        {"id": "seongsu", "name": {"ko": "성수 창업카페", "en": "Seongsu Startup Cafe"}, "district": "성동구",
         "address": SEONGSU_ADDRESS, "staff": [A_STAFF],
         "experts": [{"user_id": A_EXPERT, "alias": "전문가 A", "specialties": ["핀테크"]}]},
        {"id": "sinchon", "name": {"ko": "신촌 창업카페", "en": "Sinchon Startup Cafe"}, "district": "서대문구",
         "address": "서울 서대문구 연세로 2", "staff": [B_STAFF],
         "experts": [{"user_id": B_EXPERT, "alias": "전문가 B", "specialties": ["바이오"]}]},
    ]]


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def cafes(db) -> CafeRegistry:
    registry = CafeRegistry(db, admins=[ADMIN])
    registry.sync(specs())
    return registry


@pytest.fixture
def cs(db, cafes) -> Consultations:
    return Consultations(db, cafes, per_founder=2, cancel_hours=24, no_show_limit=2)


def seoul(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=SEOUL)


def slot(cs: Consultations, expert: int = A_EXPERT, when: datetime | None = None, capacity: int = 1,
         mode: SlotMode = SlotMode.OFFLINE, minutes: int = 60) -> int:
    return cs.publish(expert, SlotForm(when or seoul("2026-12-10", "14:00"), minutes, mode, capacity), NOW).id


def outbox(db: Database, chat_id: int | None = None) -> list[str]:
    with db.session() as s:
        query = select(OutboxItem).order_by(OutboxItem.id)
        if chat_id is not None:
            query = query.where(OutboxItem.chat_id == chat_id)
        return [item.text for item in s.scalars(query)]


# --- the quick form -----------------------------------------------------------------------------------------


def test_the_quick_form_parses_to_a_seoul_time_or_names_the_problem():
    form = parse_slot("add 2026-12-10 14:00 60 offline 3")
    assert form == SlotForm(seoul("2026-12-10", "14:00"), 60, SlotMode.OFFLINE, 3)
    assert form.starts_at.astimezone(UTC).hour == 5
    assert parse_slot("2026-12-10 9:30 30 온라인").mode is SlotMode.ONLINE
    for text, problem in [("add 2026-12-10 14:00", FormProblem.USAGE), ("add 2026-13-10 14:00 60 offline",
                          FormProblem.DATE), ("add 2026-12-10 25:00 60 offline", FormProblem.TIME),
                          ("add 2026-12-10 14:00 5 offline", FormProblem.MINUTES),
                          ("add 2026-12-10 14:00 60 phone", FormProblem.MODE),
                          ("add 2026-12-10 14:00 60 online 0", FormProblem.CAPACITY)]:
        with pytest.raises(SlotFormError) as err:
            parse_slot(text)
        assert err.value.problem is problem
    rule = parse_weekly("weekly tue 14:00 60 online 4 2")
    assert rule == WeeklyRule(1, rule.start, 60, SlotMode.ONLINE, 4, 2)
    assert parse_weekly("화 14:00 60 offline 2w").weekday == 1


# --- slots -------------------------------------------------------------------------------------------------


def test_an_expert_publishes_lists_closes_and_the_weekly_rule_makes_slots(cs):
    one = cs.publish(A_EXPERT, parse_slot("add 2026-12-10 14:00 60 offline"), NOW)
    assert one.cafe_id == "seongsu" and one.place("ko") == f"성수 창업카페, {SEONGSU_ADDRESS}"
    assert one.when("ko") == "2026-12-10 (목) 14:00–15:00 (한국 시간)"
    with pytest.raises(ConsultationError) as err:
        cs.publish(A_EXPERT, parse_slot("add 2026-12-10 14:30 30 online"), NOW)
    assert err.value.refusal is Refusal.OVERLAP
    with pytest.raises(ConsultationError) as err:
        cs.publish(A_EXPERT, parse_slot("add 2026-11-30 14:00 60 online"), NOW)
    assert err.value.refusal is Refusal.SLOT_PAST
    with pytest.raises(ConsultationError) as err:
        cs.publish(F1, parse_slot("add 2026-12-10 16:00 60 online"), NOW)
    assert err.value.refusal is Refusal.NOT_EXPERT

    # Tuesday 10:00 in Seoul: today's 14:00 is still ahead, so the rule starts today.
    weekly = cs.publish_weekly(A_EXPERT, parse_weekly("weekly tue 14:00 60 online 3"), NOW)
    assert [s.starts_at.astimezone(SEOUL).date() for s in weekly] == [date(2026, 12, 1), date(2026, 12, 8),
                                                                       date(2026, 12, 15)]
    assert all(s.starts_at.astimezone(SEOUL).hour == 14 and s.place("en") == "Online (video)" for s in weekly)
    # The same rule again makes nothing: each week already has that slot.
    assert cs.publish_weekly(A_EXPERT, parse_weekly("weekly tue 14:00 60 online 3"), NOW) == []
    assert len(cs.expert_slots(A_EXPERT, NOW)) == 4

    closed = cs.close_slot(one.id, A_EXPERT)
    assert closed.status is SlotState.CLOSED
    assert one.id not in [s.id for s in cs.open_slots(F1, "seongsu", NOW)]
    with pytest.raises(ConsultationError) as err:
        cs.close_slot(weekly[0].id, B_EXPERT)
    assert err.value.refusal is Refusal.NOT_EXPERT


def test_open_slots_list_the_founders_cafe_first_then_other_cafes_by_date(cs):
    other_early = slot(cs, B_EXPERT, seoul("2026-12-03", "10:00"))
    own_late = slot(cs, A_EXPERT, seoul("2026-12-12", "10:00"))
    own_early = slot(cs, A_EXPERT, seoul("2026-12-05", "10:00"))
    other_late = slot(cs, B_EXPERT, seoul("2026-12-04", "10:00"))
    listed = cs.open_slots(F1, "seongsu", NOW)
    assert [s.id for s in listed] == [own_early, own_late, other_early, other_late]
    assert listed[0].expert_alias == "전문가 A" and listed[0].specialties == ("핀테크",)


# --- booking -----------------------------------------------------------------------------------------------


def test_a_booking_confirms_with_the_seoul_time_the_address_and_an_ics_file(cs, db):
    slot_id = slot(cs)
    booked = cs.book(slot_id, F1, F1, ticket_id=None, lang="ko", now=NOW)
    assert "2026-12-10 (목) 14:00–15:00 (한국 시간)" in booked.text and SEONGSU_ADDRESS in booked.text
    assert booked.filename.endswith(".ics")
    cal = Calendar.from_ical(booked.ics)
    (event,) = cal.walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == seoul("2026-12-10", "14:00") and end == seoul("2026-12-10", "15:00")
    assert str(start.tzinfo) == "Asia/Seoul" and event["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert start.astimezone(UTC) == datetime(2026, 12, 10, 5, 0, tzinfo=UTC)
    assert SEONGSU_ADDRESS in str(event["LOCATION"])
    assert cal.walk("VTIMEZONE")
    # The expert is told.
    assert any(f"#{booked.booking_id}" in text for text in outbox(db, A_EXPERT))
    online = cs.book(slot(cs, mode=SlotMode.ONLINE, when=seoul("2026-12-11", "09:00")), F1, F1, lang="en",
                     now=NOW)
    assert "Online (video)" in online.text and "Korea time" in online.text


def _race(database_url: str, slot_id: int, founders: list[int]) -> list[object]:
    """Each founder books the slot at once, on a connection (a Database, as a replica has) of their own."""
    return _race_bookings(database_url, [(slot_id, founder) for founder in founders])


def _race_bookings(database_url: str, attempts: list[tuple[int, int]]) -> list[object]:
    """Each (slot, founder) booking at once, each on a connection of its own."""
    databases = [Database(database_url) for _ in attempts]
    barrier = threading.Barrier(len(attempts))
    results: list[object] = [None] * len(attempts)

    def run(i: int) -> None:
        service = Consultations(databases[i], CafeRegistry(databases[i]), per_founder=2)
        barrier.wait()
        slot_id, founder = attempts[i]
        try:
            results[i] = service.book(slot_id, founder, founder, now=NOW)
        except ConsultationError as refused:
            results[i] = refused

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for database in databases:
        database.dispose()
    return results


def test_founders_racing_for_the_last_seat_on_two_connections_exactly_one_wins(cs, db, database_url):
    contested = slot(cs)
    spare = slot(cs, when=seoul("2026-12-11", "14:00"))
    for _ in range(3):  # a few rounds: the race must never let two through
        results = _race(database_url, contested, [F1, F2])
        won = [r for r in results if not isinstance(r, ConsultationError)]
        lost = [r for r in results if isinstance(r, ConsultationError)]
        assert len(won) == 1 and len(lost) == 1
        assert lost[0].refusal is Refusal.SLOT_FULL
        assert [o.id for o in lost[0].options] == [spare]  # the next open slots
        with db.session() as s:
            active = s.scalars(select(ConsultationBooking).where(ConsultationBooking.slot_id == contested,
                                                                 ConsultationBooking.status == "booked")).all()
            assert len(active) == 1 and active[0].seat == 1
            winner = active[0]
        cs.cancel(winner.id, winner.founder_id, NOW)  # reopen for the next round

    # Capacity 2, three founders: two seats, two bookings, never three.
    pair = slot(cs, when=seoul("2026-12-12", "14:00"), capacity=2)
    results = _race(database_url, pair, [F1, F2, F3])
    assert sum(not isinstance(r, ConsultationError) for r in results) == 2
    with db.session() as s:
        seats = sorted(s.scalars(select(ConsultationBooking.seat).where(ConsultationBooking.slot_id == pair,
                                                                        ConsultationBooking.status == "booked")))
    assert seats == [1, 2]


def test_a_founder_holds_at_most_the_limit_and_books_a_slot_once(cs):
    first, second, third = (slot(cs, when=seoul(f"2026-12-1{n}", "14:00"), capacity=3) for n in range(3))
    cs.book(first, F1, F1, now=NOW)
    with pytest.raises(ConsultationError) as err:
        cs.book(first, F1, F1, now=NOW)
    assert err.value.refusal is Refusal.ALREADY_BOOKED
    booked = cs.book(second, F1, F1, now=NOW)
    with pytest.raises(ConsultationError) as err:
        cs.book(third, F1, F1, now=NOW)
    assert err.value.refusal is Refusal.TOO_MANY
    cs.cancel(booked.booking_id, F1, NOW)
    cs.book(third, F1, F1, now=NOW)
    assert [b.slot.id for b in cs.founder_bookings(F1, NOW)] == [first, third]


def test_one_founder_booking_two_slots_at_once_on_two_connections_stays_within_the_limit(cs, db, database_url):
    cs.book(slot(cs, when=seoul("2026-12-09", "14:00")), F1, F1, now=NOW)  # one of the two places taken
    for day in ("12", "14", "16"):  # a few rounds: never three upcoming bookings
        left, right = slot(cs, when=seoul(f"2026-12-{day}", "10:00")), slot(cs, when=seoul(f"2026-12-{day}", "16:00"))
        results = _race_bookings(database_url, [(left, F1), (right, F1)])
        refused = [r for r in results if isinstance(r, ConsultationError)]
        assert len(refused) == 1 and refused[0].refusal is Refusal.TOO_MANY
        upcoming = cs.founder_bookings(F1, NOW)
        assert len(upcoming) == 2
        cs.cancel(upcoming[-1].id, F1, NOW)


def test_a_booking_whose_slot_has_begun_no_longer_counts_against_the_limit(cs):
    soon = [slot(cs, when=seoul("2026-12-02", f"1{n}:00")) for n in (0, 2)]
    for slot_id in soon:
        cs.book(slot_id, F1, F1, now=NOW)
    later = slot(cs, when=seoul("2026-12-20", "14:00"))
    with pytest.raises(ConsultationError) as err:
        cs.book(later, F1, F1, now=NOW)
    assert err.value.refusal is Refusal.TOO_MANY
    cs.book(later, F1, F1, now=seoul("2026-12-02", "13:00"))  # the first has begun: its place is free again


def test_repeated_no_shows_pause_booking(cs):
    past = [slot(cs, when=seoul(f"2026-12-0{n}", "14:00")) for n in (2, 3)]
    for slot_id in past:
        booking = cs.book(slot_id, F1, F1, now=NOW).booking_id
        after = NOW + timedelta(days=5)
        with pytest.raises(ConsultationError) as err:
            cs.mark(booking, B_EXPERT, attended=False, now=after)
        assert err.value.refusal is Refusal.NOT_EXPERT
        with pytest.raises(ConsultationError) as err:
            cs.mark(booking, A_EXPERT, attended=False, now=NOW)
        assert err.value.refusal is Refusal.NOT_STARTED
        assert cs.mark(booking, A_EXPERT, attended=False, now=after) is BookingState.NO_SHOW
    later = slot(cs, when=seoul("2026-12-20", "14:00"))
    with pytest.raises(ConsultationError) as err:
        cs.book(later, F1, F1, now=NOW + timedelta(days=5))
    assert err.value.refusal is Refusal.NO_SHOWS
    # 90 days on, the no-shows no longer count.
    cs.publish(A_EXPERT, SlotForm(seoul("2027-04-01", "14:00"), 60, SlotMode.ONLINE), NOW)
    again = cs.open_slots(F1, "seongsu", NOW + timedelta(days=100))[0].id
    cs.book(again, F1, F1, now=NOW + timedelta(days=100))


def test_cancel_reopens_the_seat_and_tells_the_expert_and_the_cut_off_refuses(cs, db):
    slot_id = slot(cs)
    booking = cs.book(slot_id, F1, F1, now=NOW).booking_id
    assert cs.open_slots(F2, "seongsu", NOW) == []
    cs.cancel(booking, F1, NOW)
    assert [s.id for s in cs.open_slots(F2, "seongsu", NOW)] == [slot_id]
    assert any("취소" in text and f"#{booking}" in text for text in outbox(db, A_EXPERT))
    with pytest.raises(ConsultationError) as err:
        cs.cancel(booking, F1, NOW)
    assert err.value.refusal is Refusal.NO_BOOKING

    again = cs.book(slot_id, F2, F2, now=NOW).booking_id
    close_to_start = seoul("2026-12-09", "20:00")  # 18 h before
    with pytest.raises(ConsultationError) as err:
        cs.cancel(again, F2, close_to_start)
    assert err.value.refusal is Refusal.TOO_LATE
    with pytest.raises(ConsultationError) as err:
        cs.cancel(again, F1, NOW)
    assert err.value.refusal is Refusal.NO_BOOKING


def test_reschedule_moves_the_booking_or_keeps_the_old_one(cs):
    first, second, full = (slot(cs, when=seoul(f"2026-12-1{n}", "14:00")) for n in range(3))
    cs.book(full, F2, F2, now=NOW)
    booking = cs.book(first, F1, F1, now=NOW).booking_id
    with pytest.raises(ConsultationError) as err:
        cs.reschedule(booking, F1, full, now=NOW)
    assert err.value.refusal is Refusal.SLOT_FULL
    assert [b.id for b in cs.founder_bookings(F1, NOW)] == [booking]  # unchanged
    moved = cs.reschedule(booking, F1, second, now=NOW)
    assert [b.slot.id for b in cs.founder_bookings(F1, NOW)] == [second]
    assert moved.slot.id == second and first in [s.id for s in cs.open_slots(F3, "seongsu", NOW)]


def test_cancelling_a_slot_cancels_its_bookings_and_tells_the_founders(cs, db):
    slot_id = slot(cs, capacity=2)
    cs.book(slot_id, F1, F1, now=NOW)
    cs.book(slot_id, F2, F2, lang="en", now=NOW)
    assert cs.cancel_slot(slot_id, A_EXPERT, NOW) == 2
    assert any("취소" in text for text in outbox(db, F1))
    assert any("cancelled" in text for text in outbox(db, F2))
    assert cs.founder_bookings(F1, NOW) == [] and cs.open_slots(F3, None, NOW) == []
    with pytest.raises(ConsultationError) as err:
        cs.book(slot_id, F3, F3, now=NOW)
    assert err.value.refusal is Refusal.SLOT_FULL
    told = len(outbox(db))
    with pytest.raises(ConsultationError) as err:  # an old confirmation pressed again: nothing happens twice
        cs.cancel_slot(slot_id, A_EXPERT, NOW)
    assert err.value.refusal is Refusal.NO_SLOT and len(outbox(db)) == told


def test_a_begun_slot_can_be_neither_closed_nor_withdrawn(cs, db):
    slot_id = slot(cs, when=seoul("2026-12-03", "14:00"))
    cs.book(slot_id, F1, F1, now=NOW)
    begun = seoul("2026-12-03", "14:10")
    for step in (cs.close_slot, cs.cancel_slot):
        with pytest.raises(ConsultationError) as err:
            step(slot_id, A_EXPERT, begun)
        assert err.value.refusal is Refusal.SLOT_PAST
    assert cs.to_mark(A_EXPERT, begun)[0].status is BookingState.BOOKED  # still to mark, not cancelled


# --- reminders ----------------------------------------------------------------------------------------------


def test_reminders_go_once_to_both_sides_even_with_two_replicas_at_once(cs, db, database_url):
    slot_id = slot(cs, capacity=2)
    cs.book(slot_id, F1, F1, now=NOW)
    cs.book(slot_id, F2, F2, now=NOW)
    start = seoul("2026-12-10", "14:00")
    assert cs.due_reminders(start - timedelta(hours=30)) == 0

    def replicas_at(now: datetime) -> int:
        databases = [Database(database_url) for _ in range(2)]
        barrier = threading.Barrier(2)
        counts = [0, 0]

        def run(i: int) -> None:
            service = Consultations(databases[i], CafeRegistry(databases[i]))
            barrier.wait()
            counts[i] = service.due_reminders(now)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        for database in databases:
            database.dispose()
        return sum(counts)

    assert replicas_at(start - timedelta(hours=23)) == 2
    assert replicas_at(start - timedelta(hours=22)) == 0  # a restart: nothing again
    assert replicas_at(start - timedelta(minutes=50)) == 2
    assert cs.due_reminders(start - timedelta(minutes=40)) == 0
    founder = outbox(db, F1)
    assert sum("내일" in text for text in founder) == 1 and sum("1시간 뒤" in text for text in founder) == 1
    assert sum("⏰" in text for text in outbox(db, A_EXPERT)) == 4  # two bookings, two reminders each


def test_a_late_booking_gets_only_the_reminders_still_ahead(cs, db):
    slot_id = slot(cs, when=seoul("2026-12-01", "20:00"))  # ten hours after NOW
    cs.book(slot_id, F1, F1, now=NOW)
    assert cs.due_reminders(NOW + timedelta(hours=1)) == 0
    assert cs.due_reminders(seoul("2026-12-01", "19:10")) == 1
    assert [text for text in outbox(db, F1) if "⏰" in text][0].startswith("⏰ 1시간 뒤")


# --- staff -------------------------------------------------------------------------------------------------


def idea(db, founder: int, summary: str = "동네 가게 당일 정산 앱") -> int:
    """A founder's ticket (an idea sent to the experts), as the intake leaves it."""
    with db.session() as s:
        ticket = Ticket(founder_id=founder, founder_chat_id=founder, fields={"summary": summary, "stage": "mvp"})
        s.add(ticket)
        s.flush()
        return ticket.id


def test_a_booking_tied_to_the_founders_idea_shows_the_expert_the_idea_and_not_someone_elses(cs, db):
    mine, theirs = idea(db, F1), idea(db, F2, "남의 아이디어")
    cs.book(slot(cs, when=seoul("2026-12-05", "10:00")), F1, F1, ticket_id=mine, now=NOW)
    told = [text for text in outbox(db, A_EXPERT) if "📅" in text][-1]
    assert f"#{mine}" in told and "동네 가게 당일 정산 앱" in told
    booked = cs.book(slot(cs, when=seoul("2026-12-06", "10:00")), F1, F1, ticket_id=theirs, now=NOW)
    told = [text for text in outbox(db, A_EXPERT) if "📅" in text][-1]
    assert "남의 아이디어" not in told and f"#{theirs}" not in told.replace(f"#{booked.booking_id}", "")
    assert [b.ticket_id for b in cs.founder_bookings(F1, now=NOW)] == [mine, None]


def test_a_long_idea_is_clipped_so_the_experts_booking_notice_fits_one_message(cs, db):
    long = idea(db, F1, summary="당일 정산 " * 400)  # the intake takes up to 2000 characters per answer
    cs.book(slot(cs, when=seoul("2026-12-05", "10:00")), F1, F1, ticket_id=long, now=NOW)
    told = [text for text in outbox(db, A_EXPERT) if "📅" in text][-1]
    assert len(told) < 4096 and "당일 정산 당일" in told and "…" in told


def test_staff_see_their_cafes_bookings_with_a_date_filter_csv_and_stats(cs, db):
    a1 = slot(cs, A_EXPERT, seoul("2026-12-03", "14:00"))
    a2 = slot(cs, A_EXPERT, seoul("2026-12-10", "14:00"), capacity=2)
    b1 = slot(cs, B_EXPERT, seoul("2026-12-04", "14:00"))
    first = cs.book(a1, F1, F1, now=NOW).booking_id
    ticket = idea(db, F2)
    second = cs.book(a2, F2, F2, ticket_id=ticket, now=NOW).booking_id
    cs.book(b1, F3, F3, now=NOW)
    later = NOW + timedelta(days=4)
    cs.mark(first, A_EXPERT, attended=True, now=later)

    assert [b.id for b in cs.cafe_bookings(A_STAFF, "seongsu")] == [first, second]
    assert [b.id for b in cs.cafe_bookings(A_STAFF, "seongsu", start=date(2026, 12, 10))] == [second]
    assert [b.id for b in cs.cafe_bookings(A_STAFF, "seongsu", end=date(2026, 12, 3))] == [first]
    assert [b.id for b in cs.cafe_bookings(A_STAFF)] == [first, second]  # their cafes only
    assert len(cs.cafe_bookings(ADMIN)) == 3
    with pytest.raises(ConsultationError) as err:
        cs.cafe_bookings(B_STAFF, "seongsu")
    assert err.value.refusal is Refusal.OTHER_CAFE

    data = bookings_csv(cs.cafe_bookings(A_STAFF, "seongsu"))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == [str(first), str(second)]
    assert rows[0]["starts_at_kst"] == "2026-12-03 14:00" and rows[0]["status"] == "attended"
    assert rows[1]["ticket_id"] == str(ticket) and rows[1]["expert"] == "전문가 A"

    stats = {s.cafe_id: s for s in cs.stats(now=later)}
    assert stats["seongsu"].held == 1 and stats["seongsu"].no_show_rate == 0.0
    assert stats["seongsu"].next_free == seoul("2026-12-10", "14:00")  # a2 has a seat left
    assert stats["seongsu"].lead_hours == pytest.approx((seoul("2026-12-10", "14:00") - later).total_seconds()
                                                        / 3600)
    assert stats["sinchon"].held == 0 and stats["sinchon"].no_show_rate is None
    assert stats["sinchon"].next_free is None and stats["sinchon"].lead_hours is None
    assert [s.cafe_id for s in cs.stats(["sinchon"], now=later)] == ["sinchon"]


# --- privacy -----------------------------------------------------------------------------------------------


def test_erasure_removes_a_founders_bookings_reopens_seats_and_retention_drops_old_ones(cs, db):
    upcoming = slot(cs, when=datetime.now(UTC) + timedelta(days=3), mode=SlotMode.ONLINE)
    cs.book(upcoming, F1, F1, now=NOW)
    cs.book(slot(cs, when=seoul("2026-12-10", "14:00")), F2, F2, now=NOW)
    erased = PersonalData(db).erase_founder(F1)
    assert erased.removed["consult_bookings"] == 1
    assert [s.id for s in cs.open_slots(F3, None, datetime.now(UTC))][0] == upcoming  # the seat is open again
    assert any("삭제" in text for text in outbox(db, A_EXPERT))
    with db.session() as s:
        assert s.scalars(select(ConsultationBooking.founder_id)).all() == [F2]

    # Retention: a year after the slot, the booking goes.
    removed = PersonalData(db).purge_older_than(365, now=seoul("2027-12-11", "00:00"))
    assert removed["consult_bookings"] == 1
    with db.session() as s:
        assert s.scalars(select(ConsultationBooking)).all() == []


def test_bookings_made_before_the_per_founder_places_are_numbered_by_the_migration(database_url):
    engine = sa.create_engine(database_url)
    try:
        upgrade_schema(engine, "0013")
        slots = sa.table("consult_slots", *(sa.column(c) for c in (
            "id", "expert_id", "minutes", "mode", "capacity", "booked", "status")),
            *(sa.column(c, sa.DateTime(timezone=True)) for c in ("starts_at", "created_at", "updated_at")))
        bookings = sa.table("consult_bookings", *(sa.column(c) for c in (
            "id", "slot_id", "seat", "founder_id", "founder_chat_id", "lang", "status")),
            *(sa.column(c, sa.DateTime(timezone=True)) for c in ("created_at", "updated_at")))
        now = datetime.now(UTC)
        with engine.begin() as conn:
            for slot_id, days in ((1, 9), (2, 3), (3, -3)):  # two ahead (the later one first), one past
                conn.execute(sa.insert(slots).values(
                    id=slot_id, expert_id=A_EXPERT, starts_at=now + timedelta(days=days), minutes=60,
                    mode="online", capacity=2, booked=1, status="open", created_at=now, updated_at=now))
            for booking_id, slot_id, founder in ((1, 1, F1), (2, 2, F1), (3, 3, F1), (4, 1, F2)):
                conn.execute(sa.insert(bookings).values(
                    id=booking_id, slot_id=slot_id, seat=1 if founder == F1 else 2, founder_id=founder,
                    founder_chat_id=founder, lang="ko", status="booked", created_at=now, updated_at=now))
        upgrade_schema(engine)
        with engine.connect() as conn:
            holds = dict(conn.execute(sa.text("SELECT id, hold FROM consult_bookings")).tuples().all())
        assert holds == {1: 2, 2: 1, 3: None, 4: 1}  # in start order; a past booking holds no place
    finally:
        engine.dispose()
