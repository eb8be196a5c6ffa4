"""Expert escalation domain on SQLite and PostgreSQL: tickets, routing by specialty and load, claims and
refusals, relaying, closing and rating, service levels, the outbox and duplicate updates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.escalation.export import tickets_csv
from bot.escalation.outbox import Outbox, backoff
from bot.escalation.service import EscalationError, EscalationService, SlaPolicy
from bot.observability.logs import user_ref
from bot.storage.db import Database
from bot.storage.models.base import utcnow

FOUNDER, FINTECH, BIO, STRANGER = 501, 601, 602, 999
FIELDS = {"summary": "소상공인 간편 정산 앱", "problem": "정산이 늦다", "customers": "동네 가게",
          "solution": "카드 매출 당일 정산", "stage": "mvp", "team": "2명", "feedback": "수익 모델"}


@pytest.fixture
def svc(database_url):
    db = Database(database_url)
    service = EscalationService(db, SlaPolicy(timedelta(hours=2), timedelta(hours=6)))
    service.register_expert(FINTECH, display_name="김핀테크", alias="전문가 A", specialties=["핀테크"], capacity=2)
    service.register_expert(BIO, display_name="이바이오", alias="전문가 B", specialties=["바이오"], capacity=2)
    yield service
    db.dispose()


def new_ticket(svc: EscalationService, specialty: str | None = "핀테크", founder: int = FOUNDER) -> int:
    return svc.create_ticket(founder_id=founder, founder_chat_id=founder, founder_name="민지",
                             fields=FIELDS, specialty=specialty).id


def test_dm_routing_prefers_the_specialist_then_the_least_loaded(svc):
    first = svc.route(new_ticket(svc), group_chat_id=None)
    assert first.expert_id == FINTECH and first.route_chat_id == FINTECH
    # No specialty: the expert with fewer open tickets gets it.
    other = svc.route(new_ticket(svc, specialty=None), group_chat_id=None)
    assert other.expert_id == BIO
    # The fintech expert is at capacity after a second ticket; a third fintech ticket goes to the free one.
    svc.route(new_ticket(svc), group_chat_id=None)
    third = svc.route(new_ticket(svc), group_chat_id=None)
    assert third.expert_id == BIO


def test_group_routing_leaves_the_ticket_claimable_by_any_expert(svc):
    ticket = svc.route(new_ticket(svc), group_chat_id=-100500)
    assert ticket.route_chat_id == -100500 and ticket.expert_id is None
    svc.set_thread(ticket.id, 77)
    assert svc.ticket_for_thread(-100500, 77) == ticket.id
    claimed = svc.claim(ticket.id, BIO)
    assert claimed.status == "claimed" and claimed.expert_id == BIO
    with pytest.raises(EscalationError) as taken:
        svc.claim(ticket.id, FINTECH)
    assert taken.value.code == "taken"


def test_non_experts_are_refused_every_ticket_action(svc, caplog):
    tid = svc.route(new_ticket(svc), group_chat_id=-100500).id
    actions = [lambda: svc.claim(tid, STRANGER), lambda: svc.pass_on(tid, STRANGER),
               lambda: svc.close(tid, STRANGER, "요약"), lambda: svc.queue(STRANGER),
               lambda: svc.record_expert_message(tid, STRANGER, text="제 의견은")]
    for action in actions:
        with pytest.raises(EscalationError) as refused:
            action()
        assert refused.value.code == "not_expert"
    # Logged with a pseudonym: the refused user is probably a founder, whose Telegram id stays out of the logs.
    assert caplog.text.count(f"non-expert {user_ref(STRANGER)}") == len(actions)
    assert svc.get(tid).status == "open" and svc.messages(tid) == []


def test_relay_close_and_rate(svc):
    tid = svc.route(new_ticket(svc), group_chat_id=None).id
    svc.record_expert_message(tid, FINTECH, text="고객 인터뷰 결과가 있나요?")
    assert svc.get(tid).status == "claimed"  # answering claims it
    svc.record_founder_message(tid, FOUNDER, kind="document", file_id="doc-1", text="인터뷰 정리")
    with pytest.raises(EscalationError) as not_yours:
        svc.record_founder_message(tid, 12345, text="끼어들기")
    assert not_yours.value.code == "not_yours"
    assert [(m.direction, m.kind) for m in svc.messages(tid)] == [("to_founder", "text"), ("to_experts", "document")]

    with pytest.raises(EscalationError):
        svc.rate(tid, FOUNDER, 5)  # not closed yet
    svc.close(tid, FINTECH, "수익 모델 검증부터")
    with pytest.raises(EscalationError) as closed:
        svc.record_expert_message(tid, FINTECH, text="추가")
    assert closed.value.code == "closed"
    with pytest.raises(EscalationError) as bad:
        svc.rate(tid, FOUNDER, 6)
    assert bad.value.code == "bad_rating"
    rated = svc.rate(tid, FOUNDER, 4, "도움이 됐어요")
    assert (rated.rating, rated.rating_comment) == (4, "도움이 됐어요")
    assert [t.status for t in svc.founder_tickets(FOUNDER)] == ["closed"]


def test_pass_hands_the_ticket_to_the_next_expert(svc):
    tid = svc.route(new_ticket(svc), group_chat_id=None).id
    passed = svc.pass_on(tid, FINTECH)
    assert passed.expert_id == BIO and passed.route_chat_id == BIO and passed.reassign_count == 1
    mine, claimable = svc.queue(BIO)
    assert mine == [] and [t.id for t in claimable] == [tid]
    assert svc.queue(FINTECH) == ([], [])


def test_sla_reminds_then_reassigns(svc):
    tid = svc.route(new_ticket(svc), group_chat_id=None).id
    routed = svc.get(tid).routed_at
    now = routed + timedelta(hours=3)
    assert svc.sla_due(now).remind == [tid] and svc.sla_due(now).reassign == []
    svc.mark_reminded(tid)
    assert svc.sla_due(now).remind == []
    later = routed + timedelta(hours=7)
    assert svc.sla_due(later).reassign == [tid]
    moved = svc.reassign_overdue(tid)
    assert moved.expert_id == BIO and moved.reminded_at is None
    assert svc.next_deadline() is not None
    svc.claim(tid, BIO)
    assert svc.sla_due(utcnow() + timedelta(days=1)).reassign == []


def test_staff_filters_and_csv(svc):
    a = svc.route(new_ticket(svc), group_chat_id=None).id
    b = svc.route(new_ticket(svc, specialty="바이오", founder=502), group_chat_id=None).id
    svc.close(a, FINTECH, "끝")
    assert [t.id for t in svc.search(state="closed")] == [a]
    assert [t.id for t in svc.search(state="open")] == [b]
    assert {t.id for t in svc.search(expert_id=FINTECH)} == {a}
    assert svc.search(older_than=timedelta(days=1)) == []
    with pytest.raises(EscalationError):
        svc.search(state="bogus")
    data = tickets_csv(svc.search()).decode("utf-8-sig").splitlines()
    assert data[0].startswith("id,status") and "소상공인 간편 정산 앱" in data[1] and len(data) == 3


def test_intake_must_be_complete(svc):
    with pytest.raises(EscalationError) as missing:
        svc.create_ticket(founder_id=1, founder_chat_id=1, founder_name="x", fields={**FIELDS, "problem": " "})
    assert missing.value.code == "missing_fields"
    with pytest.raises(EscalationError) as stage:
        svc.create_ticket(founder_id=1, founder_chat_id=1, founder_name="x", fields={**FIELDS, "stage": "ipo"})
    assert stage.value.code == "bad_stage"


def test_outbox_keeps_failed_sends_and_links_replies(svc):
    outbox = Outbox(svc.db)
    tid = new_ticket(svc)
    item = outbox.enqueue(FOUNDER, "전문가 피드백", ticket_id=tid, buttons=[[("평가", "esc:rate:1")]])
    [due] = outbox.due()
    assert due.text == "전문가 피드백" and due.buttons == [[("평가", "esc:rate:1")]]
    delay = outbox.mark_failed(item, "429 Too Many Requests", retry_after=30)
    assert delay == 30 and outbox.due() == [] and outbox.pending_count() == 1
    [retry] = outbox.due(utcnow() + timedelta(seconds=31))
    assert retry.attempts == 1
    outbox.mark_sent(item, 4242)
    assert outbox.pending_count() == 0
    assert svc.ticket_for_message(FOUNDER, 4242) == tid
    assert backoff(1) < backoff(3) <= 600
    dead = outbox.enqueue(FOUNDER, "x")
    assert outbox.mark_failed(dead, "chat not found", permanent=True) is None
    assert outbox.pending_count() == 0


def test_a_duplicate_update_is_processed_once(svc):
    assert svc.first_time(1001) is True
    assert svc.first_time(1001) is False
    assert svc.first_time(1002) is True


def test_the_specialty_is_inferred_from_the_founders_words(svc):
    tid = svc.create_ticket(founder_id=FOUNDER, founder_chat_id=FOUNDER, founder_name="민지",
                            fields={**FIELDS, "summary": "바이오 진단 키트"}).id
    routed = svc.route(tid, group_chat_id=None)
    assert routed.specialty == "바이오" and routed.expert_id == BIO


def test_the_migration_creates_what_the_models_describe(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.storage.models import Base

    db = Database(database_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        db.dispose()
    assert [d for d in diff if "esc_" in repr(d)] == []


def test_a_configured_expert_gets_their_telegram_name_once(svc):
    svc.register_expert(603, keep_existing=True)
    svc.note_name(603, "박멘토")
    svc.note_name(603, "다른 이름")
    assert svc.get_expert(603).display_name == "박멘토"
    assert svc.get_expert(FINTECH).display_name == "김핀테크"  # staff-given names stay
