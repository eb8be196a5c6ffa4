"""Founders' personal data on SQLite and PostgreSQL: /deletemydata erases every trace (tickets and subscriptions
included) and the retention job destroys what is older than RETENTION_DAYS."""

from __future__ import annotations

from datetime import timedelta

import pytest
from escalation_helpers import build, message
from sqlalchemy import func, select, update
from telegram_harness import DOCS, assert_nothing_sent, bot_services, buttons, running_bot, tg_fixture

from bot.answering.memory import ConversationStore
from bot.answering.types import Answer
from bot.escalation.enums import PromptKind
from bot.escalation.links import Prompt
from bot.escalation.workflow import Attachment, Founder
from bot.privacy import PersonalData
from bot.services import Services
from bot.staff.announcements import AnnouncementService
from bot.storage.db import Database
from bot.storage.models import (
    Announcement,
    AnnouncementDelivery,
    ChatUser,
    ConversationState,
    ConversationTurn,
    OutboxItem,
    QuestionLog,
    SeenUpdate,
    Subscription,
    Ticket,
    TicketMessage,
    utcnow,
)
from bot.storage.state_store import StateName, StateStore, conversation_key
from bot.strings import t
from bot.telegram.handlers.staff_announce import start_broadcast

FOUNDER, OTHER, EXPERT, STAFF = 4101, 4102, 4201, 4301
FIELDS = {"summary": "동네 가게 당일 정산 앱", "problem": "정산이 느리다", "customers": "소상공인",
          "solution": "당일 정산", "stage": "mvp", "team": "2명", "feedback": "수익 모델"}


@pytest.fixture
def db(database_url) -> Database:
    database = Database(database_url)
    yield database
    database.dispose()


def give_founder_data(db: Database, user_id: int, group: int = -100777) -> dict[str, int]:
    """Everything a founder can leave behind: a conversation, a rated question, a subscription, an announcement,
    an open ticket in the experts' forum and a closed one with messages, an unfinished intake and prompts."""
    store, state = ConversationStore(db), StateStore(db)
    esc = build(db)
    esc.experts.register(EXPERT, keep_existing=True)
    workflow = esc.workflow
    store.touch_user(user_id)
    store.set_language(user_id, "ko")
    store.append(f"tg:{user_id}", user_id, "창업도약패키지 신청 자격은?", "업력 3년 초과 7년 이내입니다.")
    qid = store.log_question(user_id, f"tg:{user_id}", Answer(kind="answer", text="답", lang="ko", mode="extractive",
                                                              question="질문", standalone_question="질문"))
    store.record_vote(qid, user_id, 1)
    AnnouncementService(db).toggle(user_id, "all", "ko")
    with db.session() as s:
        ann = s.scalar(select(Announcement).where(Announcement.version_id == "v-privacy"))
        if ann is None:
            ann = Announcement(document_id="d-privacy", version_id="v-privacy", title="공고")
            s.add(ann)
            s.flush()
        s.add(AnnouncementDelivery(announcement_id=ann.id, user_id=user_id, lang="ko", status="sent"))
    open_ticket = workflow.submit(Founder(user_id, user_id, "민지", "minji"), FIELDS, lang="ko", group_chat_id=group,
                                  attachment=Attachment("deck-file-id", "document")).id
    esc.tickets.set_thread(open_ticket, 77)
    workflow.relay(message(open_ticket, user_id, "추가 자료입니다", private=True))
    closed = workflow.submit(Founder(user_id, user_id, "민지"), FIELDS, lang="ko", group_chat_id=group).id
    workflow.relay(message(closed, EXPERT, "좋은 아이디어의 검증 방법은…", private=False, chat_id=group, message_id=2))
    workflow.relay(message(closed, EXPERT, "검증 계획을 세우세요", private=False, chat_id=group, message_id=3,
                           prompt=Prompt(PromptKind.CLOSE, closed, 3)))
    workflow.rate(closed, user_id, 5)
    workflow.expect_reply(user_id, 900 + user_id, closed)
    # The idea intake's draft, in the founder's user data; and one an older release kept on its own.
    state.put(StateName.USER_DATA, str(user_id), {"lang": "ko", "intake_draft": {"fields": {"summary": "다음"}}})
    state.put(StateName.LEGACY_INTAKE, str(user_id), {"fields": {"summary": "다음 아이디어"}, "editing": False})
    state.put(StateName.CONVERSATION_PREFIX + "idea_intake", conversation_key((user_id, user_id)), 2)
    workflow.expect_reply(user_id, 31, closed, PromptKind.COMMENT)
    workflow.expect_reply(group, 32, open_ticket, PromptKind.CLOSE)  # an expert's prompt on it
    return {"open": open_ticket, "closed": closed}


def traces(db: Database, user_id: int) -> dict[str, int]:
    """Rows that are about this founder, per table."""
    with db.session() as s:
        def count(model, *where) -> int:  # type: ignore[no-untyped-def]
            return int(s.scalar(select(func.count()).select_from(model).where(*where)))

        mine = select(Ticket.id).where(Ticket.founder_id == user_id)
        states = [(r.name, r.key, r.value) for r in s.scalars(select(ConversationState))]
        return {
            "conversation_turns": count(ConversationTurn, ConversationTurn.user_id == user_id),
            "question_log": count(QuestionLog, QuestionLog.user_id == user_id),
            "chat_users": count(ChatUser, ChatUser.user_id == user_id),
            "subscriptions": count(Subscription, Subscription.user_id == user_id),
            "announcement_deliveries": count(AnnouncementDelivery, AnnouncementDelivery.user_id == user_id),
            "esc_tickets": count(Ticket, Ticket.founder_id == user_id),
            "esc_messages": count(TicketMessage, TicketMessage.ticket_id.in_(mine)),
            "esc_outbox": count(OutboxItem, OutboxItem.ticket_id.in_(mine)),
            "conversation_state": sum(1 for _, key, _ in states if str(user_id) in key),
        }


def test_erasing_a_founder_removes_every_trace_and_withdraws_open_tickets(db):
    mine = give_founder_data(db, FOUNDER)
    give_founder_data(db, OTHER, group=-100888)
    others_before = traces(db, OTHER)
    assert all(traces(db, FOUNDER).values()) and all(others_before.values())

    erasure = PersonalData(db).erase_founder(FOUNDER, lambda ticket_id: f"#{ticket_id} withdrawn")

    assert erasure.withdrawn == [mine["open"]]
    assert traces(db, FOUNDER) == {k: 0 for k in others_before}
    assert traces(db, OTHER) == others_before
    with db.session() as s:
        texts = [(o.chat_id, o.thread_id, o.text, o.status) for o in s.scalars(select(OutboxItem))]
        prompts = {r.key for r in s.scalars(select(ConversationState).where(ConversationState.name == "prompt"))}
    # The experts' forum topic hears that the request was withdrawn, and nothing of the founder's words is left.
    assert (-100777, 77, f"#{mine['open']} withdrawn", "pending") in texts
    assert not any("추가 자료" in text for chat, _, text, _ in texts if chat == -100777)
    assert "-100777:32" not in prompts and "-100888:32" in prompts
    assert erasure.total >= 12
    # A second request finds nothing left.
    assert PersonalData(db).erase_founder(FOUNDER).total == 0


def test_retention_destroys_what_is_older_than_the_period_and_keeps_the_rest(db):
    old_founder = give_founder_data(db, FOUNDER)
    recent = give_founder_data(db, OTHER, group=-100888)
    tickets = build(db).tickets
    long_ago = utcnow() - timedelta(days=400)
    with db.session() as s:
        # FOUNDER last used the bot 400 days ago; their ticket closed then; OTHER is active today.
        s.execute(update(ConversationTurn).where(ConversationTurn.user_id == FOUNDER).values(created_at=long_ago))
        s.execute(update(QuestionLog).where(QuestionLog.user_id == FOUNDER).values(created_at=long_ago))
        s.execute(update(ChatUser).where(ChatUser.user_id == FOUNDER).values(last_seen_at=long_ago))
        s.execute(update(AnnouncementDelivery).where(AnnouncementDelivery.user_id == FOUNDER)
                  .values(updated_at=long_ago))
        s.execute(update(Ticket).where(Ticket.id == old_founder["closed"]).values(closed_at=long_ago))
        s.add(SeenUpdate(update_id=1, created_at=utcnow() - timedelta(days=3)))
        s.add(SeenUpdate(update_id=2))

    removed = PersonalData(db).purge_older_than(365)
    pruned = PersonalData(db).prune_seen_updates()

    left = traces(db, FOUNDER)
    # The open ticket stays with its message and its queued sends (the card, the deck, the founder's message).
    assert {k: v for k, v in left.items() if v} == {"esc_tickets": 1, "esc_messages": 1, "esc_outbox": 3}
    assert tickets.get(old_founder["open"]).status == "open"  # still being worked on: kept
    assert [t.id for t in tickets.founder_tickets(OTHER)] == [recent["open"], recent["closed"]]
    assert all(traces(db, OTHER).values())
    assert removed["esc_tickets"] == 1 and removed["chat_users"] == 1 and removed["subscriptions"] == 1
    assert pruned == 1
    with db.session() as s:
        assert list(s.scalars(select(SeenUpdate.update_id))) == [2]
    # A shorter period takes the rest of OTHER's closed ticket only once it is older than that.
    assert PersonalData(db).purge_older_than(1).get("esc_tickets") is None


# --- end to end through the bot ------------------------------------------------------------------------------


@pytest.fixture
def services(database_url, tmp_path, embedding_cache_dir) -> Services:
    with bot_services(tmp_path / "data", embedding_cache_dir, docs={"cafe.md": DOCS["cafe.md"]},
                      database_url=database_url, staff_user_ids=[STAFF], expert_user_ids=[EXPERT],
                      broadcast_per_second=50.0, escalation_outbox_interval_seconds=0.3) as built:
        yield built


tg = tg_fixture()


def has(text: str):
    return lambda m: text in (m.get("text") or "")


async def test_deletemydata_takes_the_founders_tickets_and_subscription_with_it(tg, services, tmp_path):
    founder, stays = tg.private_chat(FOUNDER, "민지"), tg.private_chat(OTHER, "서준")
    expert = tg.private_chat(EXPERT, "김전문")
    tickets = services.escalation.tickets
    async with running_bot(services, tg) as app:
        for chat in (founder, stays):
            await tg.send_command(chat, chat.user, "subscribe")
            menu = await tg.wait_for_message(chat, lambda m: "sub:all" in buttons(m))
            await tg.press_button(chat, chat.user, menu, "sub:all")
            await tg.wait_for_message(chat, lambda m: "✅" in str(m.get("reply_markup")), edits=True)
        # By DM to the only expert.
        ticket = services.escalation.workflow.submit(Founder(FOUNDER, FOUNDER), FIELDS, lang="ko", group_chat_id=None)
        await tg.send_command(founder, founder.user, "mytickets")
        await tg.wait_for_message(founder, has(f"#{ticket.id}"))

        await tg.send_command(founder, founder.user, "deletemydata")
        confirm = await tg.wait_for_message(founder, lambda m: m["text"] == t("tg.delete.confirm", "ko"))
        await tg.press_button(founder, founder.user, confirm, f"del:yes:{FOUNDER}")
        await tg.wait_for_message(founder, lambda m: m["text"].startswith("삭제했습니다"), edits=True)
        # The expert hears only that the request was withdrawn.
        await tg.wait_for_message(expert, has(t("esc.ticket.withdrawn", "ko", id=ticket.id)), timeout=10)

        await tg.send_command(founder, founder.user, "mytickets")
        await tg.wait_for_message(founder, lambda m: m["text"] == t("esc.mytickets.none", "ko"))
        path = tmp_path / "call.md"
        path.write_text("---\ntitle: 2026년 예비창업패키지 모집 공고\n---\n# 모집 공고\n\n예비창업자는 누구나 신청할 "
                        "수 있습니다.\n",
                        encoding="utf-8")
        doc = services.knowledge.ingest_file(path).document
        mark = tg.mark()
        _, recipients = services.announcements.announce(doc, STAFF)
        start_broadcast(app)
        await tg.wait_for_message(stays, has("2026년 예비창업패키지 모집 공고"), since=mark, timeout=10)
        await assert_nothing_sent(app, tg, founder, since=mark)
    assert recipients == 1
    assert tickets.founder_tickets(FOUNDER) == [] and services.announcements.interests(FOUNDER) is None


def test_grouping_unanswered_questions_leaves_no_trace_in_the_embedding_cache(make_settings, tmp_path):
    """The passage-vector cache outlives retention and /deletemydata, so founders' questions never go into it."""
    import hashlib
    import sqlite3

    from bot.services import build_services

    services = build_services(make_settings(embedding_cache_dir=tmp_path / "private-cache", knowledge_dir=tmp_path))
    try:
        questions = ["답십리 주차장이 있나요?", "답십리 주차 공간이 있나요?"]
        gaps = services.insight.group_gaps(questions)
        assert gaps and gaps[0].count == 2
        model = services.knowledge.embeddings.model_id
        keys = {hashlib.sha256(f"{model}\x00{q}".encode()).hexdigest() for q in questions}
        path = services.settings.embedding_cache_path / f"{model}.sqlite3"
        with sqlite3.connect(path) as cache:
            stored = {key for (key,) in cache.execute("SELECT key FROM vectors")}
        assert not keys & stored
    finally:
        services.close()
