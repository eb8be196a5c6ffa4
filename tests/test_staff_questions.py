"""Issue 12 through the Bot API stand-in: a question the documents cannot answer goes to the cafe staff, their
answer reaches the founder, staff save it for everyone, and the next founder's paraphrase gets it with its citation.
Restarts between the steps lose nothing; people who are not staff are refused. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select
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

from bot.answering.memory import ConversationStore
from bot.answering.types import Answer
from bot.knowledge.registry import DocumentInfo
from bot.privacy import PersonalData
from bot.services import Services
from bot.staff.hours import OfficeHours
from bot.staff.questions.drafts import Draft
from bot.staff.questions.enums import LinkPurpose, StaffQuestionError, StaffRefusal
from bot.staff.questions.notices import QuestionWriter, Tried
from bot.staff.questions.service import Asker, StaffQuestions
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database
from bot.storage.models.base import utcnow
from bot.storage.models.escalation import OutboxItem
from bot.strings import t

ON_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")
tg = tg_fixture(loop_scope="module")

FOUNDER, SECOND, STAFF, STRANGER = 5101, 5102, 7101, 9101
FAST = {"escalation_outbox_interval_seconds": 0.3, "escalation_retry_base_seconds": 0.3,
        "staff_hours": "mon-sun 00:00-23:59", "staff_answer_hours": 24}
QUESTION = "카페에서 프린터 쓸 수 있어요?"
ANSWER = "1층 안내데스크 옆 프린터를 무료로 쓸 수 있습니다(하루 50장)."
PARAPHRASE = "출력할 게 있는데 인쇄기 이용 가능한가요?"


@pytest.fixture
def make(tmp_path, embedding_cache_dir, database_url):
    built: list[Services] = []

    def _make(**overrides) -> Services:
        settings = settings_for(tmp_path / "data", embedding_cache_dir, staff_user_ids=[STAFF],
                                database_url=database_url, **{**FAST, **overrides})
        services = make_services(settings, shared_embeddings(embedding_cache_dir))
        built.append(services)
        return services

    yield _make
    for services in built:
        services.close()


def answer_of(message: dict) -> bool:
    return any(b.startswith(("fb:", "ask:", "askstaff:")) for b in buttons(message))


@ON_MODULE_LOOP
async def test_a_question_reaches_staff_their_answer_the_founder_and_the_next_founder_gets_it(tg, make):
    staff_chat = tg.group_chat(-100777, "카페 직원방", is_forum=True)
    services = make(staff_chat_id=staff_chat.id)
    founder, second = tg.private_chat(FOUNDER, "민지"), tg.private_chat(SECOND, "서준")
    staff, stranger = tg.user(STAFF, "김직원"), tg.user(STRANGER, "낯선이")

    async with running_bot(services, tg):
        await tg.send_text(founder, founder.user, QUESTION)
        not_found = await tg.wait_for_message(founder, answer_of, timeout=15)
        assert not_found["text"].startswith(t("tg.answer.header_not_found", "ko"))
        ask = next(b for b in buttons(not_found) if b.startswith("askstaff:"))
        assert not [b for b in buttons(not_found) if b.startswith("ask:")]  # not the experts' idea intake
        await tg.press_button(founder, founder.user, not_found, ask)
        await tg.wait_for_message(founder, has(t("sq.asked", "ko", hours="24")))
        card = await tg.wait_for_message(staff_chat, lambda m: any(b.startswith("sq:claim:") for b in buttons(m)))
        [topic] = tg.topics(staff_chat)
        assert card["message_thread_id"] == topic and QUESTION in card["text"]
        assert "민지" not in card["text"]  # founders' names only as the escalation settings allow

    async with running_bot(services, tg) as app:  # a restart: the card's buttons and topic still work
        qid = int(next(b for b in buttons(card) if b.startswith("sq:claim:")).split(":")[2])
        for action in ("claim", "ans", "cov", "redir", "close"):
            await tg.press_button(staff_chat, stranger, card, f"sq:{action}:{qid}")
            refusal = await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert"))
            assert refusal["text"] == t("staff.only", "ko")
        await tg.send_command(tg.private_chat(STRANGER, "낯선이"), stranger, "questions")
        await tg.wait_for_message(STRANGER, has(t("staff.only", "ko")))
        await tg.send_command(tg.private_chat(STAFF, "김직원"), staff, "questions")
        listing = await tg.wait_for_message(STAFF, has("#"))
        assert QUESTION[:20] in listing["text"]

        await tg.press_button(staff_chat, staff, card, f"sq:claim:{qid}")
        await tg.wait_for_message(staff_chat, has(t("sq.claimed", "ko", id=qid, staff="김직원")))
        await tg.send_text(staff_chat, staff, ANSWER, message_thread_id=topic)
        answered = await tg.wait_for_message(founder, has(ANSWER))
        assert answered["text"].startswith("🧑‍💼")  # labelled as the cafe staff's answer
        confirm = await tg.wait_for_message(staff_chat, lambda m: f"sq:save:{qid}" in buttons(m))
        await wait_idle(app, tg)

    async with running_bot(services, tg):
        # The founder follows up by replying; it reaches the question's topic.
        await tg.send_text(founder, founder.user, "컬러 인쇄도 되나요?", reply_to=answered)
        await tg.wait_for_message(founder, has(t("sq.follow_up.sent", "ko", id=qid)))
        follow_up = await tg.wait_for_message(staff_chat, has("컬러 인쇄도 되나요?"))
        assert follow_up["message_thread_id"] == topic

        # Save it for everyone, with the question reworded and no trace of the founder.
        await tg.press_button(staff_chat, stranger, confirm, f"sq:save:{qid}")
        await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert"))
        await tg.press_button(staff_chat, staff, confirm, f"sq:save:{qid}")
        draft = await tg.wait_for_message(staff_chat, lambda m: f"sq:ok:{qid}" in buttons(m))
        assert QUESTION in draft["text"] and ANSWER in draft["text"]
        await tg.press_button(staff_chat, staff, draft, f"sq:eq:{qid}")
        prompt = await tg.wait_for_message(staff_chat, has(t("sq.prompt.edit_q", "ko", id=qid)))
        await tg.send_text(staff_chat, staff, "카페에서 프린터를 쓸 수 있나요?", reply_to=prompt,
                           message_thread_id=topic)
        edited = await tg.wait_for_message(staff_chat, lambda m: f"sq:ok:{qid}" in buttons(m)
                                           and "카페에서 프린터를 쓸 수 있나요?" in m["text"])
        await tg.press_button(staff_chat, staff, edited, f"sq:ok:{qid}")
        await tg.wait_for_message(staff_chat, has("저장했습니다"), timeout=15)

        # The next founder asks it in other words and gets the staff's answer, cited as theirs.
        await tg.send_text(second, second.user, PARAPHRASE)
        reply = await tg.wait_for_message(second, answer_of, timeout=15)
        assert "하루 50장" in reply["text"] and "카페 직원 답변" in reply["text"]
        assert "민지" not in reply["text"]

    saved = [d for d in services.knowledge.list_documents() if "카페 직원 답변" in d.title or "프린터" in d.title]
    assert len(saved) == 1


@ON_MODULE_LOOP
async def test_without_a_staff_chat_questions_go_to_each_staff_member_and_a_reply_answers(tg, make):
    services = make()
    founder = tg.private_chat(FOUNDER + 10, "하린")
    staff_dm = tg.private_chat(STAFF, "김직원")
    async with running_bot(services, tg):
        await tg.send_text(founder, founder.user, QUESTION)
        not_found = await tg.wait_for_message(founder, answer_of, timeout=15)
        await tg.press_button(founder, founder.user, not_found,
                              next(b for b in buttons(not_found) if b.startswith("askstaff:")))
        card = await tg.wait_for_message(staff_dm, lambda m: any(b.startswith("sq:claim:") for b in buttons(m)))
        await tg.send_text(staff_dm, staff_dm.user, ANSWER, reply_to=card)
        await tg.wait_for_message(founder, has(ANSWER))


@ON_MODULE_LOOP
async def test_a_thumbs_down_offers_the_staff_and_the_covered_button_points_to_the_passage(tg, make):
    staff_chat = tg.group_chat(-100778, "카페 직원방")  # a plain group: cards, no topics
    services = make(staff_chat_id=staff_chat.id)
    founder = tg.private_chat(FOUNDER + 20, "도윤")
    staff = tg.user(STAFF, "김직원")
    async with running_bot(services, tg):
        await tg.send_text(founder, founder.user, "창업도약패키지 신청 자격이 어떻게 되나요?")
        answer = await tg.wait_for_message(founder, answer_of, timeout=15)
        down = next(b for b in buttons(answer) if b.startswith("fb:down:"))
        await tg.press_button(founder, founder.user, answer, down)
        offer = await tg.wait_for_message(founder, lambda m: any(b.startswith("askstaff:") for b in buttons(m)))
        await tg.press_button(founder, founder.user, offer, buttons(offer)[0])
        card = await tg.wait_for_message(staff_chat, lambda m: any(b.startswith("sq:cov:") for b in buttons(m)))
        qid = int(next(b for b in buttons(card) if b.startswith("sq:cov:")).split(":")[2])
        assert "창업도약패키지" in card["text"]  # what retrieval found is on the card
        await tg.press_button(staff_chat, staff, card, f"sq:cov:{qid}")
        pick = await tg.wait_for_message(staff_chat, lambda m: f"sq:cov:{qid}:0" in buttons(m))
        await tg.press_button(staff_chat, staff, pick, f"sq:cov:{qid}:0")
        pointed = await tg.wait_for_message(founder, has("문서에 있습니다"))
        assert "📄" in pointed["text"]


def test_office_hours_say_when_staff_are_back():
    hours = OfficeHours.parse("mon-fri 10:00-18:00")
    friday_night = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # 21:00 in Seoul
    assert not hours.is_open(friday_night)
    assert hours.next_open(friday_night) == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 10:00 in Seoul
    assert hours.next_open(datetime(2026, 12, 7, 2, 0, tzinfo=UTC)) is None  # Monday 11:00: in
    with pytest.raises(ValueError):
        OfficeHours.parse("weekdays 9-6")


# The domain without Telegram: service levels, erasure, and one transaction per step.
@pytest.fixture
def domain(database_url):
    db = Database(database_url)
    writer = QuestionWriter("ko")
    saved: list[Draft] = []

    def save(draft: Draft, staff_id: int, lang: str) -> DocumentInfo:
        saved.append(draft)
        return DocumentInfo(id="d1", title="카페 직원 답변", programme=None, valid_until=None, lang=lang, source=None,
                            version=1, version_id="v1", file_name="x.md", kind="md", page_count=1, chunk_count=1,
                            ingested_at=datetime(2026, 12, 2, tzinfo=UTC))

    questions = StaffQuestions(db, StaffRegistry(db, [STAFF]), writer, OfficeHours.parse("mon-sun 00:00-23:59"),
                               answer_hours=2, route_chat_id=None,
                               search=lambda q, cafe: [Tried("서울창업카페 이용 안내", 1, "평일 9시부터 21시까지")],
                               save=save)
    yield db, questions, saved
    db.dispose()


def logged_question(db: Database, user_id: int, text: str) -> int:
    store = ConversationStore(db)
    return store.log_question(user_id, f"tg:{user_id}", Answer(kind="not_found", text="", lang="ko",
                                                               mode="extractive", question=text,
                                                               standalone_question=text))


def outbox(db: Database) -> list[tuple[int, str]]:
    with db.session() as s:
        return [(o.chat_id, o.text) for o in s.scalars(select(OutboxItem).order_by(OutboxItem.id))]


def test_a_waiting_question_reminds_staff_once_and_an_answer_is_saved_without_the_founder(domain):
    db, questions, saved = domain
    qid_log = logged_question(db, FOUNDER, QUESTION)
    told = questions.ask(qid_log, Asker(FOUNDER, FOUNDER, "민지"), "ko")
    assert told == t("sq.asked", "ko", hours="2")
    assert questions.ask(qid_log, Asker(FOUNDER, FOUNDER), "ko") == told  # a second tap asks nothing new
    [waiting] = questions.waiting()
    assert [chat for chat, _ in outbox(db)] == [STAFF]  # the card, to the one staff member's DM
    later = utcnow() + timedelta(hours=3)
    assert questions.check_service_levels(later) == 1 and questions.check_service_levels(later) == 0
    assert outbox(db)[-1][1].startswith("⏰")
    with pytest.raises(StaffQuestionError) as refused:
        questions.answer(waiting.id, STRANGER, ANSWER, STRANGER, None, "ko")
    assert refused.value.code is StaffRefusal.NOT_STAFF
    questions.answer(waiting.id, STAFF, ANSWER, STAFF, None, "ko")
    assert (FOUNDER, t("sq.answer", "ko", id=waiting.id, answer=ANSWER)) in outbox(db)
    assert questions.waiting() == []
    questions.drafts.start(waiting.id, STAFF, "ko")
    with pytest.raises(StaffQuestionError) as bad_date:
        questions.drafts.edit(waiting.id, STAFF, LinkPurpose.VALID_UNTIL, "내년 봄", "ko")
    assert bad_date.value.code is StaffRefusal.BAD_DATE
    questions.drafts.edit(waiting.id, STAFF, LinkPurpose.VALID_UNTIL, "2027-06-30", "ko")
    questions.drafts.confirm(waiting.id, STAFF, "ko")
    assert saved == [Draft(QUESTION, ANSWER, None, date(2027, 6, 30))]


def test_a_founders_questions_go_with_their_data(domain):
    db, questions, _ = domain
    questions.ask(logged_question(db, FOUNDER, QUESTION), Asker(FOUNDER, FOUNDER), "ko")
    assert PersonalData(db).erase_founder(FOUNDER).removed["staff_questions"] == 1
    assert questions.waiting() == [] and outbox(db) == []


def test_asking_is_all_or_nothing(domain):
    db, questions, _ = domain

    def fail(*_: object) -> None:
        raise RuntimeError("the process died before the card was stored")

    event.listen(OutboxItem, "before_insert", fail)
    try:
        with pytest.raises(RuntimeError):
            questions.ask(logged_question(db, FOUNDER, QUESTION), Asker(FOUNDER, FOUNDER), "ko")
    finally:
        event.remove(OutboxItem, "before_insert", fail)
    assert questions.waiting() == []  # no question that staff would never see


def test_only_replies_to_the_question_reach_the_founder_and_a_closed_question_can_still_be_worded(domain):
    db, questions, saved = domain
    qid = logged_question(db, FOUNDER, QUESTION)
    questions.ask(qid, Asker(FOUNDER, FOUNDER), "ko")
    [waiting] = questions.waiting()
    # A staff note (claimed, closed) is not the question's: replying to it answers nobody.
    questions.claim(waiting.id, STAFF, "김직원", -100777, 5, "ko")
    with db.session() as s:
        note = s.scalars(select(OutboxItem).where(OutboxItem.text.like("%맡았습니다%"))).one()
        assert note.staff_question_id is None
    questions.expect(-100777, 41, waiting.id, LinkPurpose.ANSWER)
    assert questions.locate(-100777, 41, 5) == (waiting.id, LinkPurpose.ANSWER)
    assert questions.locate(-100777, 999, 5) is None  # a reply to a colleague in the topic
    questions.answer(waiting.id, STAFF, ANSWER, STAFF, None, "ko")
    questions.close(waiting.id, STAFF, STAFF, None, "ko")
    questions.check(waiting.id, STAFF, "eq", closed_ok=True)  # the saved wording may still be edited
    questions.drafts.start(waiting.id, STAFF, "ko")
    questions.drafts.edit(waiting.id, STAFF, LinkPurpose.EDIT_QUESTION, "카페에 프린터가 있나요?", "ko")
    questions.drafts.confirm(waiting.id, STAFF, "ko")
    assert saved[-1].question == "카페에 프린터가 있나요?"
    # The founder asking more after the close reopens it for staff.
    assert questions.follow_up(waiting.id, FOUNDER, "컬러도 되나요?") == t("sq.follow_up.sent", "ko", id=waiting.id)
    assert [q.id for q in questions.waiting()] == [waiting.id]
