"""Expert escalation domain on SQLite and PostgreSQL: tickets, routing by specialty and load, claims and
refusals, relaying, closing and rating, service levels, the outbox, and one transaction per step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from escalation_helpers import FIELDS, build, message, submit
from sqlalchemy import event, select

from bot.escalation.enums import CardAction, ContentKind, EscalationError, PromptKind, Refusal, TicketState
from bot.escalation.export import tickets_csv
from bot.escalation.links import Prompt, Where
from bot.escalation.outbox import Notice, Outbox, backoff
from bot.escalation.tickets import Tickets
from bot.observability.logs import user_ref
from bot.storage.db import Database
from bot.storage.models.base import utcnow
from bot.storage.models.escalation import OutboxItem

FOUNDER, FINTECH, BIO, STRANGER, STAFF = 501, 601, 602, 999, 700


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def esc(db):
    escalation = build(db, staff=(STAFF,))
    escalation.experts.register(FINTECH, display_name="김핀테크", alias="전문가 A", specialties=["핀테크"], capacity=2)
    escalation.experts.register(BIO, display_name="이바이오", alias="전문가 B", specialties=["바이오"], capacity=2)
    return escalation


def sends(db: Database) -> list[tuple[int, str]]:
    """What the outbox holds, as (chat, text)."""
    with db.session() as s:
        return [(o.chat_id, o.text) for o in s.scalars(select(OutboxItem).order_by(OutboxItem.id))]


def expert_says(esc, tid: int, expert: int, text: str, kind: ContentKind = ContentKind.TEXT,
                file_id: str | None = None, prompt: Prompt | None = None) -> str | None:
    return esc.workflow.relay(message(tid, expert, text, private=False, kind=kind, file_id=file_id, prompt=prompt))


def founder_says(esc, tid: int, founder: int, text: str, kind: ContentKind = ContentKind.TEXT,
                 file_id: str | None = None) -> str | None:
    return esc.workflow.relay(message(tid, founder, text, private=True, kind=kind, file_id=file_id))


def test_dm_routing_prefers_the_specialist_then_the_least_loaded(esc):
    first = submit(esc, FOUNDER, specialty="핀테크")
    assert first.expert_id == FINTECH and first.route_chat_id == FINTECH
    # No specialty: the expert with fewer open tickets gets it.
    assert submit(esc, FOUNDER).expert_id == BIO
    # The fintech expert is at capacity after a second ticket; a third fintech ticket goes to the free one.
    submit(esc, FOUNDER, specialty="핀테크")
    assert submit(esc, FOUNDER, specialty="핀테크").expert_id == BIO


def test_submitting_queues_the_card_with_the_ticket(esc, db):
    ticket = submit(esc, FOUNDER, specialty="핀테크")
    [(chat, card)] = sends(db)
    assert chat == FINTECH and f"#{ticket.id}" in card and "소상공인 간편 정산 앱" in card


def test_group_routing_leaves_the_ticket_claimable_by_any_expert(esc, db):
    ticket = submit(esc, FOUNDER, group=-100500)
    assert ticket.route_chat_id == -100500 and ticket.expert_id is None
    esc.tickets.set_thread(ticket.id, 77)
    assert esc.workflow.locate(Where(-100500, None, 77)) == (ticket.id, None)
    claimed = esc.workflow.claim(ticket.id, BIO, "이바이오", -100500, 77)
    assert claimed.status == TicketState.CLAIMED and claimed.expert_id == BIO
    # The founder hears who took it (the alias, not the name) and the group sees it, both queued with the claim.
    assert (FOUNDER, "#1 전문가 B이(가) 아이디어를 검토하기 시작했습니다.") in sends(db)
    with pytest.raises(EscalationError) as taken:
        esc.workflow.claim(ticket.id, FINTECH, "김핀테크", -100500, 77)
    assert taken.value.code is Refusal.TAKEN


def test_non_experts_are_refused_every_ticket_action(esc, caplog):
    tid = submit(esc, FOUNDER, group=-100500).id
    actions = [lambda: esc.workflow.claim(tid, STRANGER, "x", -100500, None),
               lambda: esc.workflow.pass_on(tid, STRANGER),
               lambda: esc.workflow.check_prompt(CardAction.CLOSE, tid, STRANGER),
               lambda: expert_says(esc, tid, STRANGER, "요약", prompt=Prompt(PromptKind.CLOSE, tid, 5)),
               lambda: esc.tickets.queue(esc.experts, STRANGER),
               lambda: expert_says(esc, tid, STRANGER, "제 의견은")]
    for action in actions:
        with pytest.raises(EscalationError) as refused:
            action()
        assert refused.value.code is Refusal.NOT_EXPERT
    # Logged with a pseudonym: the refused user is probably a founder, whose Telegram id stays out of the logs.
    assert caplog.text.count(f"non-expert {user_ref(STRANGER)}") == len(actions)
    assert esc.tickets.get(tid).status == TicketState.OPEN and esc.tickets.messages(tid) == []


def test_relay_close_and_rate(esc, db):
    tid = submit(esc, FOUNDER, specialty="핀테크").id
    assert expert_says(esc, tid, FINTECH, "고객 인터뷰 결과가 있나요?") is None
    assert esc.tickets.get(tid).status == TicketState.CLAIMED  # answering claims it
    assert founder_says(esc, tid, FOUNDER, "인터뷰 정리", ContentKind.DOCUMENT, "doc-1") == "#1에 전달했습니다."
    with pytest.raises(EscalationError) as not_yours:
        esc.workflow.founder_writes(tid, 12345)
    assert not_yours.value.code is Refusal.NOT_YOURS
    assert [(m.direction, m.kind) for m in esc.tickets.messages(tid)] == [("to_founder", "text"),
                                                                         ("to_experts", "document")]
    with pytest.raises(EscalationError):
        esc.workflow.rate(tid, FOUNDER, 5)  # not closed yet
    close = Prompt(PromptKind.CLOSE, tid, 77)
    esc.workflow.expect_reply(FINTECH, 77, tid, PromptKind.CLOSE)
    assert esc.workflow.locate(Where(FINTECH, 77)) == (tid, close)
    expert_says(esc, tid, FINTECH, "수익 모델 검증부터", prompt=close)
    assert esc.workflow.locate(Where(FINTECH, 77)) == (tid, None)  # the prompt was answered
    assert any(chat == FOUNDER and "요약: 수익 모델 검증부터" in text for chat, text in sends(db))
    with pytest.raises(EscalationError) as closed:
        expert_says(esc, tid, FINTECH, "추가")
    assert closed.value.code is Refusal.CLOSED
    with pytest.raises(EscalationError) as bad:
        esc.workflow.rate(tid, FOUNDER, 6)
    assert bad.value.code is Refusal.BAD_RATING
    esc.workflow.rate(tid, FOUNDER, 4)
    esc.workflow.expect_reply(FOUNDER, 88, tid, PromptKind.COMMENT)  # "reply to this to add a comment"
    for n, text in enumerate(("도움이 될 것 같아요", "도움이 됐어요")):  # a second reply changes the comment
        found, comment = esc.workflow.locate(Where(FOUNDER, 88))
        assert found == tid and comment == Prompt(PromptKind.COMMENT, tid, 88)
        ack = esc.workflow.relay(message(tid, FOUNDER, text, private=True, message_id=2 + n, prompt=comment))
        assert ack == "의견을 저장했습니다. 감사합니다."
    rated = esc.tickets.get(tid)
    assert (rated.rating, rated.rating_comment) == (4, "도움이 됐어요")
    assert [t.status for t in esc.tickets.founder_tickets(FOUNDER)] == [TicketState.CLOSED]


def test_pass_hands_the_ticket_to_the_next_expert(esc, db):
    tid = submit(esc, FOUNDER, specialty="핀테크").id
    passed = esc.workflow.pass_on(tid, FINTECH)
    assert passed.expert_id == BIO and passed.route_chat_id == BIO and passed.reassign_count == 1
    assert [chat for chat, _ in sends(db)] == [FINTECH, BIO]  # the next expert's card came with the pass
    mine, claimable = esc.tickets.queue(esc.experts, BIO)
    assert mine == [] and [t.id for t in claimable] == [tid]
    assert esc.tickets.queue(esc.experts, FINTECH) == ([], [])


def test_sla_reminds_then_reassigns(esc, db):
    tid = submit(esc, FOUNDER, specialty="핀테크").id
    routed = esc.tickets.get(tid).routed_at
    assert routed.tzinfo is not None
    now = routed + timedelta(hours=3)
    assert esc.levels.due(now).remind == [tid] and esc.levels.due(now).reassign == []
    assert esc.workflow.check_service_levels(now) == 1
    assert esc.levels.due(now).remind == [] and sends(db)[-1] == (FINTECH, "⏰ #1가 아직 담당자가 없습니다.")
    later = routed + timedelta(hours=7)
    assert esc.levels.due(later).reassign == [tid]
    before = len(sends(db))
    esc.workflow.check_service_levels(later)
    moved = esc.tickets.get(tid)
    assert moved.expert_id == BIO and moved.reminded_at is None
    # The new expert's card, the staff notice and the founder's notice, all with the reassignment.
    assert {chat for chat, _ in sends(db)[before:]} == {BIO, STAFF, FOUNDER}
    assert esc.levels.next_deadline() is not None
    esc.workflow.claim(tid, BIO, "이바이오", BIO, None)
    assert esc.levels.due(utcnow() + timedelta(days=1)).reassign == []


def test_staff_filters_and_csv(esc):
    a = submit(esc, FOUNDER, specialty="핀테크").id
    b = submit(esc, 502, specialty="바이오").id
    esc.workflow.relay(message(a, FINTECH, "끝", private=False, message_id=3, prompt=Prompt(PromptKind.CLOSE, a, 3)))
    assert [t.id for t in esc.tickets.search(state="closed")] == [a]
    assert [t.id for t in esc.tickets.search(state="open")] == [b]
    assert {t.id for t in esc.tickets.search(expert_id=FINTECH)} == {a}
    assert esc.tickets.search(older_than=timedelta(days=1)) == []
    with pytest.raises(EscalationError):
        esc.tickets.search(state="bogus")
    data = tickets_csv(esc.tickets.search()).decode("utf-8-sig").splitlines()
    assert data[0].startswith("id,status") and "소상공인 간편 정산 앱" in data[1] and len(data) == 3


def test_intake_must_be_complete(esc, db):
    with pytest.raises(EscalationError) as missing:
        submit(esc, 1, fields={**FIELDS, "problem": " "})
    assert missing.value.code is Refusal.MISSING_FIELDS
    with pytest.raises(EscalationError) as stage:
        submit(esc, 1, fields={**FIELDS, "stage": "ipo"})
    assert stage.value.code is Refusal.BAD_STAGE
    assert sends(db) == [] and esc.tickets.founder_tickets(1) == []


def test_outbox_keeps_failed_sends_and_links_replies(esc, db):
    outbox = Outbox(db)
    tid = submit(esc, FOUNDER, group=-1005).id
    outbox.claim_due()  # the card: out of the way
    item = outbox.enqueue(Notice(FOUNDER, "전문가 피드백", ticket_id=tid, buttons=[[("평가", "esc:rate:1:5")]]))
    [due] = [o for o in outbox.due() if o.id == item]
    assert due.text == "전문가 피드백" and due.buttons == [[("평가", "esc:rate:1:5")]]
    delay = outbox.mark_failed(item, "429 Too Many Requests", retry_after=30)
    assert delay == 30 and all(o.id != item for o in outbox.due())
    [retry] = [o for o in outbox.due(utcnow() + timedelta(seconds=31)) if o.id == item]
    assert retry.attempts == 1
    outbox.mark_sent(item, 4242)
    assert esc.workflow.locate(Where(FOUNDER, 4242)) == (tid, None)  # a reply to the sent message finds it
    assert backoff(1) < backoff(3) <= 600
    dead = outbox.enqueue(Notice(FOUNDER, "x"))
    assert outbox.mark_failed(dead, "chat not found", permanent=True) is None


def test_the_specialty_is_inferred_from_the_founders_words(esc):
    routed = submit(esc, FOUNDER, fields={**FIELDS, "summary": "바이오 진단 키트"})
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


def test_a_configured_expert_gets_their_telegram_name_once(esc):
    esc.experts.register(603, keep_existing=True)
    tid = submit(esc, FOUNDER, group=-100500).id
    esc.workflow.claim(tid, 603, "박멘토", -100500, None)
    tid2 = submit(esc, FOUNDER, group=-100500).id
    esc.workflow.claim(tid2, 603, "다른 이름", -100500, None)
    assert esc.experts.get(603).display_name == "박멘토"
    esc.workflow.claim(submit(esc, FOUNDER, group=-100500).id, FINTECH, "다른 이름", -100500, None)
    assert esc.experts.get(FINTECH).display_name == "김핀테크"  # staff-given names stay


# One transaction per step: a crash between the change and its notices loses neither (issue 11). The failure is
# injected at the database boundary: the outbox row's INSERT fails, as it would if the process died there.
@pytest.fixture
def outbox_insert_fails():
    def fail(*_: object) -> None:
        raise RuntimeError("the process died before the notice was stored")

    event.listen(OutboxItem, "before_insert", fail)
    yield
    event.remove(OutboxItem, "before_insert", fail)


def test_a_claim_whose_notice_cannot_be_stored_does_not_happen(esc, db, outbox_insert_fails):
    with db.session() as s:  # a ticket routed to the group, its card already delivered
        ticket = Tickets.create(s, founder_id=FOUNDER, founder_chat_id=FOUNDER, founder_name="", fields=FIELDS)
        Tickets.route(s, ticket, -100500)
        tid = ticket.id
    with pytest.raises(RuntimeError):
        esc.workflow.claim(tid, FINTECH, "김핀테크", -100500, None)
    assert esc.tickets.get(tid).status == TicketState.OPEN  # not claimed without the founder being told


def test_every_step_is_all_or_nothing(esc, db, outbox_insert_fails):
    with pytest.raises(RuntimeError):
        submit(esc, FOUNDER, specialty="핀테크")
    assert esc.tickets.founder_tickets(FOUNDER) == []  # no ticket without its card
    with db.session() as s:
        ticket = Tickets.create(s, founder_id=FOUNDER, founder_chat_id=FOUNDER, founder_name="", fields=FIELDS)
        Tickets.route(s, ticket, None)
        tid = ticket.id
    with pytest.raises(RuntimeError):
        expert_says(esc, tid, FINTECH, "답변입니다")
    assert esc.tickets.messages(tid) == [] and esc.tickets.get(tid).status == TicketState.OPEN
    with pytest.raises(RuntimeError):
        esc.workflow.pass_on(tid, FINTECH)
    assert esc.tickets.get(tid).expert_id == FINTECH
    with pytest.raises(RuntimeError):
        esc.workflow.check_service_levels(utcnow() + timedelta(hours=7))
    assert esc.tickets.get(tid).expert_id == FINTECH and esc.tickets.get(tid).reassign_count == 0
