"""Work that several bot processes share through one database is claimed there, so none of it happens twice:
updates, outbox sends (in each chat's order), SLA reminders and reassignments, expiry notices."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

import pytest
from escalation_helpers import build, submit
from sqlalchemy import update

from bot.escalation.outbox import LEASE_SECONDS, Notice, Outbox
from bot.escalation.sla import SlaPolicy
from bot.knowledge.registry import DocumentInfo
from bot.staff.announcements import AnnouncementService
from bot.storage.db import Database
from bot.storage.models import Ticket, utcnow
from bot.telegram.replicas import first_time

SLA = SlaPolicy(timedelta(hours=4), timedelta(hours=24))
FIELDS = {"summary": "정산 앱", "problem": "느린 정산", "customers": "소상공인", "solution": "당일 정산",
          "stage": "mvp", "team": "2명", "feedback": "가격"}


@pytest.fixture
def two(database_url):
    """Two processes' connections to one database (the first one migrates it, like `cafebot db upgrade`)."""
    first = Database(database_url)
    second = Database(database_url, migrate=False)
    yield first, second
    first.dispose()
    second.dispose()


def test_each_update_is_admitted_by_exactly_one_process(two):
    ids = list(range(5000, 5040))

    def admit_all(db: Database) -> list[int]:
        return [update_id for update_id in ids if first_time(db, update_id)]

    with ThreadPoolExecutor(2) as pool:
        admitted = list(pool.map(admit_all, two))
    assert sorted(admitted[0] + admitted[1]) == ids


def test_two_processes_flushing_one_outbox_send_each_message_once_in_chat_order(two):
    a, b = (Outbox(db) for db in two)
    chats = (101, 102, -100103)
    for i in range(4):
        for chat in chats:
            a.enqueue(Notice(chat, f"{chat}:{i}"))
    sent: list[tuple[str, str]] = []

    def flush(name: str, outbox: Outbox) -> None:
        while batch := outbox.claim_due():
            for item in batch:
                sent.append((name, item.text))
                outbox.mark_sent(item.id, 1)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(flush, ("a", "b"), (a, b)))
    texts = [text for _, text in sent]
    assert sorted(texts) == sorted(f"{chat}:{i}" for chat in chats for i in range(4))  # each exactly once
    for chat in chats:
        assert [x for x in texts if x.startswith(f"{chat}:")] == [f"{chat}:{i}" for i in range(4)]
    assert a.pending_count() == 0


def test_a_claim_held_by_a_dead_process_is_given_back_after_its_lease(two):
    a, b = (Outbox(db) for db in two)
    first = a.enqueue(Notice(7, "첫 번째"))
    a.enqueue(Notice(7, "두 번째"))
    [claimed] = a.claim_due()  # ...and the process dies before sending it
    assert claimed.id == first
    assert b.claim_due() == []  # leased, and the chat's next message waits behind it
    later = utcnow() + timedelta(seconds=LEASE_SECONDS + 1)
    assert [item.text for item in b.claim_due(later)] == ["첫 번째"]


def test_sla_reminders_and_reassignments_are_claimed_once(two):
    a, b = (build(db, SLA) for db in two)
    for escalation in (a, b):
        escalation.experts.register(601, capacity=5, keep_existing=True)
        escalation.experts.register(602, capacity=5, keep_existing=True)
    reminded = submit(a, 1, fields=FIELDS).id
    overdue = submit(a, 2, fields=FIELDS).id
    with two[0].session() as s:
        s.execute(update(Ticket).where(Ticket.id == reminded).values(routed_at=utcnow() - timedelta(hours=5)))
        s.execute(update(Ticket).where(Ticket.id == overdue).values(routed_at=utcnow() - timedelta(hours=25)))
    now = utcnow()
    # Both processes' SLA job finds the same work...
    assert a.levels.due(now) == b.levels.due(now)
    assert a.levels.due(now).remind == [reminded] and a.levels.due(now).reassign == [overdue]
    # ...and only one of them gets to do each piece, at the same time: one reminder, one reassignment.
    with ThreadPoolExecutor(2) as pool:
        queued = list(pool.map(lambda escalation: escalation.workflow.check_service_levels(now), (a, b)))
    # The reminder, the new expert's card and the founder's notice, once (beside the two first cards).
    assert sum(queued) == 3 and a.outbox.pending_count() == 2 + 3
    assert a.tickets.get(overdue).reassign_count == 1 and a.tickets.get(overdue).passed_by != []
    assert a.tickets.get(reminded).reminded_at is not None


def _doc(doc_id: str, valid_until: date) -> DocumentInfo:
    return DocumentInfo(id=doc_id, title=f"문서 {doc_id}", programme=None, valid_until=valid_until, lang="ko",
                        source=None, version=1, version_id=f"v{doc_id}", file_name="x.md", kind="md", page_count=1,
                        chunk_count=1, ingested_at=datetime(2025, 1, 1))


def test_an_expiry_notice_is_claimed_by_one_process(two):
    a, b = (AnnouncementService(db) for db in two)
    docs = [_doc(f"{i:02x}", date(2025, 1, 31)) for i in range(12)]
    today = date(2025, 2, 1)
    with ThreadPoolExecutor(2) as pool:
        told = list(pool.map(lambda service: service.newly_expired(docs, today), (a, b)))
    assert sorted(d.id for d in told[0] + told[1]) == [d.id for d in docs]
