"""The staff domain without Telegram, on SQLite and PostgreSQL: registry, subscriptions and broadcasts, expiry
notices, statistics and the chart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.knowledge.registry import DocumentInfo
from bot.staff.announcements import (
    AlreadyAnnounced,
    AnnouncementService,
    document_topics,
)
from bot.staff.chart import weekly_chart
from bot.staff.insight import InsightService
from bot.staff.roles import StaffRegistry, parse_user_id
from bot.storage.db import Database
from bot.storage.models import QuestionLog


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


def doc(title: str, programme: str | None = None, valid_until: date | None = None, version_id: str = "v1",
        id: str = "d1") -> DocumentInfo:
    return DocumentInfo(id=id, title=title, programme=programme, valid_until=valid_until, lang="ko", source=None,
                        version=1, version_id=version_id, file_name="x.pdf", kind="pdf", page_count=1,
                        chunk_count=1, ingested_at=datetime.now(UTC))


def test_staff_are_configured_ids_plus_added_ones_by_numeric_id(db):
    registry = StaffRegistry(db, [100])
    assert registry.is_staff(100) and not registry.is_staff(200)
    assert registry.add(200, added_by=100) is True
    assert registry.add(200, added_by=100) is False
    assert registry.is_staff(200) and registry.all_ids() == [100, 200]
    assert registry.remove(100, removed_by=200) == "configured"
    assert registry.remove(200, removed_by=100) == "removed"
    assert registry.remove(200, removed_by=100) == "unknown"
    assert not registry.is_staff(200)
    assert parse_user_id("12345") == 12345
    assert parse_user_id("@someone") is None and parse_user_id("-5") is None


def test_broadcast_rows_exist_before_sending_and_nothing_goes_twice(db):
    service = AnnouncementService(db)
    service.toggle(1, "funding", "ko")
    service.toggle(2, "all", "en")
    service.toggle(3, "education", "ko")
    service.toggle(4, "funding", "ko")
    assert service.toggle(4, "funding", "ko") == set()  # tapped twice: no interests, no announcements
    call = doc("2025년 창업도약패키지 모집 공고", "창업도약패키지", date(2025, 3, 13))
    assert document_topics(call) == {"funding"}

    ann_id, count = service.announce(call, staff_id=100)
    assert count == 2
    with pytest.raises(AlreadyAnnounced):
        service.announce(call, staff_id=100)

    first = service.claim_next()
    assert first is not None and first.user_id == 1 and first.deadline == date(2025, 3, 13)
    # The process dies here, after claiming but before confirming: that row is never offered again.
    second = service.claim_next()
    assert second is not None and second.user_id == 2 and second.lang == "en"
    service.finish(second.id, ok=True)
    assert service.claim_next() is None
    assert service.counts(ann_id) == {"sending": 1, "sent": 1}
    assert service.unsubscribe(1) is True and service.interests(1) is None


def test_staff_hear_of_an_expired_document_once(db):
    service = AnnouncementService(db)
    old = doc("지난 공고", valid_until=date(2025, 1, 31), id="old")
    current = doc("이번 공고", valid_until=date(2099, 1, 1), id="new")
    assert service.newly_expired([old, current], date(2025, 2, 1)) == [old]
    assert service.newly_expired([old, current], date(2025, 2, 2)) == []
    extended = doc("지난 공고", valid_until=date(2025, 2, 15), id="old")
    assert service.newly_expired([extended], date(2025, 3, 1)) == [extended]  # a new date is a new expiry


def log_rows(db, rows: list[tuple[str, str, int | None, int]], cited: str | None = None) -> None:
    now = datetime.now(UTC)
    with db.session() as s:
        for question, kind, vote, days_ago in rows:
            sources = [{"number": 1, "title": "x", "location": "p.1", "document_id": cited, "file_name": "x.pdf"}]
            s.add(QuestionLog(user_id=1, conversation_id="tg:1", question=question, standalone_question=question,
                              lang="ko", kind=kind, mode="extractive", answer="",
                              sources=sources if cited and kind == "answer" else [],
                              latency_ms=10, vote=vote, created_at=now - timedelta(days=days_ago)))


def test_stats_count_answers_votes_and_group_unanswered_questions(db):
    log_rows(db, [
        ("신청 자격?", "answer", 1, 0), ("마감일?", "answer", -1, 1), ("지원금?", "answer", None, 1),
        ("주차 되나요?", "not_found", None, 0), ("주차 되나요?", "not_found", None, 2),
        ("와이파이 비밀번호", "not_found", None, 3), ("안녕", "smalltalk", None, 0),
        ("아주 옛날 질문", "not_found", None, 30),
    ])
    stats = InsightService(db).collect(7)
    assert (stats.total, stats.answered, stats.not_found, stats.up, stats.down) == (7, 3, 3, 1, 1)
    assert stats.gaps[0].example == "주차 되나요?" and stats.gaps[0].count == 2
    assert stats.escalations_open in (None, 0)  # None where the escalation feature is absent
    assert sum(sum(c.values()) for c in stats.per_day.values()) == 7
    png = weekly_chart(stats, {"answer": "Answered", "not_found": "Not found", "other": "Other"}, "Last 7 days")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_a_document_lists_the_latest_questions_that_cited_it(db):
    log_rows(db, [("오래된 질문", "answer", None, 3), ("최근 질문", "answer", None, 0),
                  ("못 찾음", "not_found", None, 0)], cited="abc123def456")
    log_rows(db, [("다른 문서 질문", "answer", None, 0)], cited="abc123")  # a prefix of the id is another document
    asked = InsightService(db).citing_questions("abc123def456")
    assert [q.question for q in asked] == ["최근 질문", "오래된 질문"]
    assert [q.question for q in InsightService(db).citing_questions("abc123")] == ["다른 문서 질문"]


def test_escalation_figures_come_from_the_escalation_tables_when_they_exist(db):
    from sqlalchemy import inspect

    if not inspect(db.engine).has_table("esc_tickets"):
        pytest.skip("the escalation feature's tables are not in this schema")
    now = datetime.now(UTC)
    rows = [  # (status, opened hours ago, expert's first reply hours after opening or None)
        ("closed", 50, 2), ("claimed", 30, 4), ("open", 30, None), ("open", 1, None),
    ]
    with db.engine.begin() as conn:
        for status, opened, reply in rows:
            created = now - timedelta(hours=opened)
            ticket_id = conn.execute(text(
                "INSERT INTO esc_tickets (founder_id, founder_chat_id, founder_name, lang, fields, status, "
                "reassign_count, passed_by, routed_at, created_at, updated_at) VALUES "
                "(1, 1, '', 'ko', '{}', :status, 0, '[]', :at, :at, :at) RETURNING id"),
                {"status": status, "at": created}).scalar_one()
            if reply is not None:
                conn.execute(text(
                    "INSERT INTO esc_messages (ticket_id, direction, author_id, kind, text, created_at) "
                    "VALUES (:t, 'to_founder', 7, 'text', 'hi', :at)"),
                    {"t": ticket_id, "at": created + timedelta(hours=reply)})
    stats = InsightService(db).collect(7)
    assert stats.escalations_open == 3
    assert stats.escalations_overdue == 1  # open 30 h with no reply; the 1-hour-old one is not late yet
    assert stats.median_first_reply_minutes == 180
