"""Issue 13, scoped staff (SQLite and PostgreSQL): a cafe's staff see and act on their cafe's tickets and stats
only, city-wide admins see every cafe with a per-cafe breakdown; experts act on their cafe's tickets and on those
routed to them; questions count for the cafe their founder used when asking; the `cafe` label of the question
metrics. The domain rules first, then through the Telegram stand-in with two cafes (each with its experts, one
with its experts' group) and a third without experts."""

from __future__ import annotations

import csv
import io
import logging

import pytest
import yaml
from escalation_helpers import SLA
from prometheus_client import REGISTRY
from sqlalchemy import update
from telegram_harness import (
    KO_QUESTION,
    UNANSWERABLE,
    buttons,
    has,
    is_answer,
    make_services,
    running_bot,
    settings_for,
    shared_embeddings,
    tg_fixture,
    wait_idle,
)

from bot.answering.memory import ConversationStore
from bot.answering.types import Answer
from bot.cafes.registry import CafeRegistry
from bot.cafes.spec import CafeSpec
from bot.escalation.enums import ContentKind, EscalationError, Refusal
from bot.escalation.notices import NoticeWriter
from bot.escalation.wiring import Escalation, assemble
from bot.escalation.workflow import Founder, Incoming
from bot.services import Services
from bot.staff.insight import InsightService
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database
from bot.storage.models import QuestionLog
from bot.storage.models.escalation import Expert
from bot.strings import t

FIELDS = {"summary": "소상공인 간편 정산 앱", "problem": "정산이 늦다", "customers": "동네 가게",
          "solution": "카드 매출 당일 정산", "stage": "mvp", "team": "2명", "feedback": "수익 모델"}
A_FIN, A_CONTENT, B_BIO, B_FIN, FREE_FIN = 8501, 8502, 8511, 8512, 8590  # FREE_FIN: an expert of no cafe
A_STAFF, B_STAFF, C_STAFF, CITY_STAFF, ADMIN = 9501, 9511, 9521, 9600, 9700
A_FOUNDER, B_FOUNDER, C_FOUNDER, NO_CAFE_FOUNDER = 5501, 5511, 5521, 5599
A_GROUP, CITY_GROUP = -1001000000501, -100500500


def cafes_yaml(*, a_group: int | None = None) -> dict:
    return {"cafes": [
        {"id": "seongsu", "name": {"ko": "성수 창업카페", "en": "Seongsu Startup Cafe"}, "district": "성동구",
         "expert_chat_id": a_group, "staff": [A_STAFF],
         "experts": [{"user_id": A_FIN, "specialties": ["핀테크"]}, {"user_id": A_CONTENT, "specialties": ["콘텐츠"]}]},
        {"id": "sinchon", "name": {"ko": "신촌 창업카페", "en": "Sinchon Startup Cafe"}, "district": "서대문구",
         "staff": [B_STAFF],
         "experts": [{"user_id": B_BIO, "specialties": ["바이오"]}, {"user_id": B_FIN, "specialties": ["핀테크"]}]},
        {"id": "gangnam", "name": {"ko": "강남 창업카페", "en": "Gangnam Startup Cafe"}, "district": "강남구",
         "staff": [C_STAFF]},
    ]}


def specs(**kwargs) -> list[CafeSpec]:
    return [CafeSpec.model_validate(c) for c in cafes_yaml(**kwargs)["cafes"]]


# --- the domain ---------------------------------------------------------------------------------------------


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def cafes(db) -> CafeRegistry:
    registry = CafeRegistry(db, admins=[ADMIN])
    registry.sync(specs(a_group=A_GROUP))
    return registry


@pytest.fixture
def esc(db, cafes) -> Escalation:
    escalation = assemble(db, SLA, StaffRegistry(db, [CITY_STAFF, ADMIN]), NoticeWriter("ko"), admins=[ADMIN])
    escalation.experts.register(FREE_FIN, alias="전문가 F", specialties=["핀테크"], capacity=3)
    return escalation


def submit(esc: Escalation, founder: int, cafe: str | None, specialty: str | None = None,
           group: int | None = None) -> int:
    return esc.workflow.submit(Founder(founder, founder), FIELDS, lang="ko", group_chat_id=group,
                               specialty=specialty, cafe_id=cafe).id


def reply(esc: Escalation, ticket_id: int, expert: int, text: str = "좋은 아이디어입니다") -> None:
    esc.workflow.relay(Incoming(ticket_id=ticket_id, user_id=expert, user_name="전문가", private=True,
                                kind=ContentKind.TEXT, text=text, file_id=None, chat_id=expert, message_id=1))


def refused(call) -> Refusal:
    with pytest.raises(EscalationError) as err:
        call()
    return err.value.code


def test_an_expert_acts_on_their_cafes_tickets_and_on_those_routed_to_them(esc, caplog):
    in_group = submit(esc, A_FOUNDER, "seongsu", "핀테크")  # Seongsu's experts' group
    assert esc.tickets.get(in_group).route_chat_id == A_GROUP
    caplog.set_level(logging.WARNING, logger="bot.escalation.tickets")
    # Sinchon's experts can neither claim, pass, prompt nor reply to it: it waits in another cafe's group.
    assert refused(lambda: esc.workflow.claim(in_group, B_FIN, "최핀", A_GROUP, None)) == Refusal.OTHER_CAFE
    assert refused(lambda: esc.workflow.pass_on(in_group, B_FIN)) == Refusal.OTHER_CAFE
    assert refused(lambda: reply(esc, in_group, B_BIO)) == Refusal.OTHER_CAFE
    assert f"refused claim on ticket {in_group} of cafe seongsu" in caplog.text
    assert esc.tickets.get(in_group).status == "open"
    esc.workflow.claim(in_group, A_CONTENT, "박콘", A_GROUP, None)  # the cafe's own expert: fine
    # An expert of no cafe (EXPERT_USER_IDS, /expert add) may act anywhere, as before cafes.
    free = submit(esc, A_FOUNDER, "seongsu", "핀테크")
    reply(esc, free, FREE_FIN)
    assert esc.tickets.get(free).expert_id == FREE_FIN


def test_a_fallback_ticket_is_the_routed_experts_until_it_moves_on(esc):
    gangnam = submit(esc, C_FOUNDER, "gangnam", "바이오")  # no experts at Gangnam: Sinchon's bio expert by DM
    assert esc.tickets.get(gangnam).expert_id == B_BIO
    assert refused(lambda: reply(esc, gangnam, A_FIN)) == Refusal.OTHER_CAFE  # not routed to Seongsu's
    reply(esc, gangnam, B_BIO)
    assert esc.tickets.get(gangnam).status == "claimed"
    # Passed on, it is the next expert's; the one who passed can no longer reply to their old card.
    moved = esc.workflow.pass_on(gangnam, B_BIO)
    assert moved.expert_id not in (None, B_BIO)
    assert refused(lambda: reply(esc, gangnam, B_BIO)) == Refusal.OTHER_CAFE
    reply(esc, gangnam, moved.expert_id)
    # With nobody free, a cafe's ticket may go to EXPERT_CHAT_ID: any expert in that group may take it.
    loose = submit(esc, NO_CAFE_FOUNDER, None, "바이오", group=CITY_GROUP)
    esc.workflow.claim(loose, A_FIN, "김핀", CITY_GROUP, None)  # a ticket of no cafe: everyone's


def test_a_cafe_ticket_in_the_city_wide_group_is_open_to_any_expert_there(db, cafes, esc):
    cafes.sync(specs())  # no group for Seongsu now, and every expert full
    with db.session() as s:
        s.execute(update(Expert).values(capacity=0))
    tid = submit(esc, A_FOUNDER, "seongsu", "핀테크", group=CITY_GROUP)
    assert esc.tickets.get(tid).route_chat_id == CITY_GROUP
    esc.workflow.claim(tid, B_FIN, "최핀", CITY_GROUP, None)


def test_staff_search_is_scoped_to_their_cafes(esc, cafes, caplog):
    a, b, none = submit(esc, A_FOUNDER, "seongsu"), submit(esc, B_FOUNDER, "sinchon"), submit(esc, 5598, None)
    tickets = esc.tickets
    assert [x.id for x in tickets.search(cafes=cafes.scope(A_STAFF).cafes)] == [a, none]  # no cafe: everyone's
    assert [x.id for x in tickets.search(cafes=cafes.scope(ADMIN).cafes)] == [a, b, none]
    assert [x.id for x in tickets.search(cafe="sinchon", cafes=cafes.scope(CITY_STAFF).cafes)] == [b]
    caplog.set_level(logging.WARNING, logger="bot.escalation.tickets")
    assert refused(lambda: tickets.search(cafe="sinchon", cafes=frozenset({"seongsu"}),
                                          staff_id=A_STAFF)) == Refusal.OTHER_CAFE
    assert f"refused /tickets cafe=sinchon to staff {A_STAFF}" in caplog.text
    assert refused(lambda: tickets.search(cafe="busan")) == Refusal.BAD_FILTER
    counts = tickets.by_cafe(tickets.search())
    assert counts["seongsu"]["open"] == 1 and counts["sinchon"]["open"] == 1 and counts[None]["open"] == 1


def answer(kind: str, question: str = "질문") -> Answer:
    return Answer(kind, "답", "ko", "none", question, question)  # type: ignore[arg-type]


def test_questions_count_for_the_cafe_used_when_asking(db, cafes, esc):
    store = ConversationStore(db)
    cafes.choose(A_FOUNDER, "seongsu")
    cafes.choose(B_FOUNDER, "sinchon")
    store.log_question(A_FOUNDER, "tg:a", answer("answer"))
    store.log_question(A_FOUNDER, "tg:a", answer("not_found", "주차 되나요?"))
    store.log_question(B_FOUNDER, "tg:b", answer("answer"))
    store.log_question(NO_CAFE_FOUNDER, "tg:n", answer("not_found", "와이파이 비밀번호?"))
    cafes.choose(A_FOUNDER, "sinchon")  # moving later does not move what they asked before
    store.log_question(A_FOUNDER, "tg:a", answer("answer"))
    with db.session() as s:
        assert [r.cafe_id for r in s.query(QuestionLog).order_by(QuestionLog.id)] == [
            "seongsu", "seongsu", "sinchon", None, "sinchon"]
    submit(esc, A_FOUNDER, "seongsu")
    submit(esc, B_FOUNDER, "sinchon")

    insight = InsightService(db)
    seongsu = insight.collect(7, scope=cafes.scope(A_STAFF).cafes)  # a cafe's staff: their cafe by default
    assert (seongsu.total, seongsu.answered, seongsu.not_found, seongsu.escalations_open) == (2, 1, 1, 1)
    assert [g.example for g in seongsu.gaps] == ["주차 되나요?"] and seongsu.cafes == {"seongsu"}
    with pytest.raises(PermissionError):
        insight.collect(7, cafe="sinchon", scope=cafes.scope(A_STAFF).cafes)
    with pytest.raises(KeyError):
        insight.collect(7, cafe="busan")
    everyone = insight.collect(7, scope=cafes.scope(ADMIN).cafes)
    assert everyone.total == 5 and everyone.escalations_open == 2
    lines = {f.cafe_id: (f.total, f.answered_pct, f.not_found, f.open_tickets) for f in everyone.by_cafe}
    assert [f.cafe_id for f in everyone.by_cafe] == ["seongsu", "sinchon", "gangnam", None]
    assert lines == {"seongsu": (2, 50, 1, 1), "sinchon": (2, 100, 0, 1), "gangnam": (0, 0, 0, 0),
                     None: (1, 0, 1, 0)}
    sinchon = insight.collect(7, cafe="sinchon", scope=None)
    assert (sinchon.total, sinchon.escalations_open) == (2, 1)


# --- through the Telegram stand-in --------------------------------------------------------------------------

tg = tg_fixture(loop_scope="module")
FAST = {"escalation_outbox_interval_seconds": 0.3, "escalation_retry_base_seconds": 0.3,
        "escalation_sla_check_seconds": 0.3}


@pytest.fixture
def cafe_bot(tmp_path, embedding_cache_dir, database_url):
    path = tmp_path / "cafes.yaml"
    path.write_text(yaml.safe_dump(cafes_yaml(a_group=A_GROUP), allow_unicode=True), encoding="utf-8")
    settings = settings_for(tmp_path / "data", embedding_cache_dir, database_url=database_url, cafes_file=path,
                            admin_user_ids=[ADMIN], staff_hours="mon-sun 00:00-23:59", **FAST)
    services = make_services(settings, shared_embeddings(embedding_cache_dir))
    yield services
    services.close()


def tickets_text(message: dict) -> str:
    return message["text"]


@pytest.mark.asyncio(loop_scope="module")
async def test_staff_see_and_act_on_their_cafes_tickets_and_admins_see_all(tg, cafe_bot, caplog):
    services: Services = cafe_bot
    esc = services.escalation
    a_staff, b_staff, admin = (tg.private_chat(uid, name) for uid, name in
                               ((A_STAFF, "성수직원"), (B_STAFF, "신촌직원"), (ADMIN, "서울관리자")))
    a_group = tg.group_chat(A_GROUP, "성수 전문가방")
    b_fin, a_fin, b_bio = tg.private_chat(B_FIN, "최핀"), tg.private_chat(A_FIN, "김핀"), tg.private_chat(B_BIO, "이바")
    c_founder = tg.private_chat(C_FOUNDER, "서준")
    a_tid = submit(esc, A_FOUNDER, "seongsu", "핀테크")  # to Seongsu's group
    b_tid = submit(esc, B_FOUNDER, "sinchon", "핀테크")  # to Sinchon's fintech expert by DM
    c_tid = submit(esc, C_FOUNDER, "gangnam", "바이오")  # Gangnam has none: Sinchon's bio expert, by DM
    caplog.set_level(logging.WARNING)
    async with running_bot(services, tg) as app:
        a_card = await tg.wait_for_message(a_group, lambda m: f"esc:claim:{a_tid}" in buttons(m))
        await tg.wait_for_message(b_fin, lambda m: f"esc:claim:{b_tid}" in buttons(m))
        await tg.wait_for_message(b_bio, lambda m: f"esc:claim:{c_tid}" in buttons(m))

        # Seongsu's staff: their cafe's ticket only, no breakdown; Sinchon's is neither listed nor exported.
        await tg.send_command(a_staff, a_staff.user, "tickets")
        mine = tickets_text(await tg.wait_for_message(a_staff, has(f"#{a_tid} ")))
        assert f"#{b_tid} " not in mine and f"#{c_tid} " not in mine and "카페별" not in mine
        await tg.send_command(a_staff, a_staff.user, "tickets", "csv")
        export = await tg.wait_for_message(a_staff, lambda m: "document" in m)
        rows = list(csv.DictReader(io.StringIO(
            tg.file_content(export["document"]["file_id"]).decode("utf-8-sig"))))
        assert [(int(r["id"]), r["cafe"]) for r in rows] == [(a_tid, "seongsu")]
        # Asking for another cafe's tickets is refused, with a log line.
        await tg.send_command(a_staff, a_staff.user, "tickets", "cafe=sinchon")
        await tg.wait_for_message(a_staff, has(t("esc.tickets.other_cafe", "ko", cafe="sinchon", mine="seongsu")))
        assert f"refused /tickets cafe=sinchon to staff {A_STAFF}" in caplog.text
        # Nor can they change experts (set in the cafes file), another cafe's least of all, nor add staff who
        # would see every cafe.
        await tg.send_command(a_staff, a_staff.user, "expert", f"remove {B_FIN}")
        await tg.wait_for_message(a_staff, has(t("staff.city_wide_only", "ko")))
        await tg.send_command(a_staff, a_staff.user, "staff", "add 9999")
        await tg.wait_for_message(a_staff, has(t("staff.city_wide_only", "ko")))
        assert services.escalation.experts.get(B_FIN) is not None

        # The city-wide admin: every ticket, a line per cafe above them; and one cafe with cafe=.
        await tg.send_command(admin, admin.user, "tickets")
        everything = tickets_text(await tg.wait_for_message(admin, has(f"#{a_tid} ")))
        assert f"#{b_tid} " in everything and f"#{c_tid} " in everything
        breakdown = everything.splitlines()[0]
        assert breakdown == t("esc.tickets.by_cafe", "ko", cafes=" | ".join([
            t("esc.tickets.cafe_counts", "ko", cafe="성수 창업카페", open=1, claimed=0, closed=0),
            t("esc.tickets.cafe_counts", "ko", cafe="신촌 창업카페", open=1, claimed=0, closed=0),
            t("esc.tickets.cafe_counts", "ko", cafe="강남 창업카페", open=1, claimed=0, closed=0)]))
        await tg.send_command(admin, admin.user, "tickets", "cafe=sinchon")
        one = tickets_text(await tg.wait_for_message(admin, has(f"#{b_tid} ")))
        assert f"#{a_tid} " not in one

        # Sinchon's fintech expert cannot act on Seongsu's ticket: /reply, nor the card's claim in its group.
        await tg.send_command(b_fin, b_fin.user, "reply", f"{a_tid} 제가 볼게요")
        await tg.wait_for_message(b_fin, has(t("esc.err.other_cafe", "ko")))
        await tg.press_button(a_group, tg.user(B_FIN, "최핀"), a_card, f"esc:claim:{a_tid}")
        alert = await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert"))
        assert alert["text"] == t("esc.err.other_cafe", "ko")
        assert f"refused reply on ticket {a_tid} of cafe seongsu" in caplog.text
        # Seongsu's expert cannot answer Gangnam's ticket either; the Sinchon expert it was routed to can.
        await tg.send_command(a_fin, a_fin.user, "reply", f"{c_tid} 안녕하세요")
        await tg.wait_for_message(a_fin, has(t("esc.err.other_cafe", "ko")))
        await tg.send_command(b_bio, b_bio.user, "reply", f"{c_tid} 임상 계획이 있나요?")
        await tg.wait_for_message(c_founder, has("임상 계획"))
        await wait_idle(app, tg)
    assert esc.tickets.get(a_tid).status == "open" and esc.tickets.get(c_tid).expert_id == B_BIO


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.asyncio(loop_scope="module")
async def test_stats_are_their_cafes_for_cafe_staff_and_every_cafes_for_admins(tg, cafe_bot):
    services: Services = cafe_bot
    a_staff, b_staff, admin = (tg.private_chat(uid, name) for uid, name in
                               ((A_STAFF, "성수직원"), (B_STAFF, "신촌직원"), (ADMIN, "서울관리자")))
    a_founder, b_founder = tg.private_chat(A_FOUNDER, "민지"), tg.private_chat(B_FOUNDER, "지호")
    services.cafes.choose(A_FOUNDER, "seongsu")  # as /cafe would
    services.cafes.choose(B_FOUNDER, "sinchon")
    submit(services.escalation, A_FOUNDER, "seongsu", "핀테크")
    answered = {cafe: sample("cafebot_questions_total", lang="ko", outcome="answered", cafe=cafe)
                for cafe in ("seongsu", "sinchon")}
    asked = sample("cafebot_staff_questions_total", step="asked", cafe="seongsu")
    async with running_bot(services, tg):
        await tg.send_text(a_founder, a_founder.user, KO_QUESTION)
        await tg.wait_for_message(a_founder, is_answer, timeout=20)
        await tg.send_text(a_founder, a_founder.user, UNANSWERABLE)
        not_found = await tg.wait_for_message(a_founder, lambda m: any(b.startswith("askstaff:")
                                                                       for b in buttons(m)), timeout=20)
        await tg.press_button(a_founder, a_founder.user, not_found,
                              next(b for b in buttons(not_found) if b.startswith("askstaff:")))
        await tg.wait_for_message(a_staff, lambda m: any(b.startswith("sq:claim:") for b in buttons(m)))
        await tg.send_text(b_founder, b_founder.user, KO_QUESTION)
        await tg.wait_for_message(b_founder, is_answer, timeout=20)

        # Seongsu's staff: Seongsu's two questions and its one open ticket, named; no breakdown.
        await tg.send_command(a_staff, a_staff.user, "stats")
        mine = (await tg.wait_for_message(a_staff, has("📊"), timeout=20))["text"]
        assert mine.startswith(t("staff.stats.cafe", "ko", cafes="성수 창업카페"))
        assert "질문: 2\n" in mine and "진행 중 1" in mine and "카페별" not in mine
        assert "Mars colony" in mine  # its knowledge gap
        # Sinchon's staff may not look at Seongsu's.
        await tg.send_command(b_staff, b_staff.user, "stats", "seongsu")
        await tg.wait_for_message(b_staff, has(t("staff.stats.other_cafe", "ko", cafe="seongsu", mine="sinchon")))
        await tg.send_command(b_staff, b_staff.user, "stats")
        theirs = (await tg.wait_for_message(b_staff, has("📊"), timeout=20))["text"]
        assert "질문: 1\n" in theirs and "진행 중 0" in theirs and "Mars" not in theirs

        # The admin: everything, and a line per cafe; /stats <cafe> narrows it to one.
        await tg.send_command(admin, admin.user, "stats")
        everything = (await tg.wait_for_message(admin, has("📊"), timeout=20))["text"]
        assert "질문: 3\n" in everything
        assert t("staff.stats.cafe_line", "ko", cafe="성수 창업카페", total=2, answered_pct=50, not_found=1,
                 open=1) in everything
        assert t("staff.stats.cafe_line", "ko", cafe="신촌 창업카페", total=1, answered_pct=100, not_found=0,
                 open=0) in everything
        assert t("staff.stats.cafe_line", "ko", cafe="강남 창업카페", total=0, answered_pct=0, not_found=0,
                 open=0) in everything
        await tg.send_command(admin, admin.user, "stats", "sinchon")
        one = (await tg.wait_for_message(admin, has("📊"), timeout=20))["text"]
        assert one.startswith(t("staff.stats.cafe", "ko", cafes="신촌 창업카페")) and "질문: 1\n" in one
        await tg.send_command(admin, admin.user, "stats", "busan")
        await tg.wait_for_message(admin, has(t("staff.stats.unknown_cafe", "ko", cafe="busan",
                                               ids="seongsu, sinchon, gangnam")))

    # The question metrics carry the founder's cafe.
    assert sample("cafebot_questions_total", lang="ko", outcome="answered", cafe="seongsu") == answered["seongsu"] + 1
    assert sample("cafebot_questions_total", lang="ko", outcome="answered", cafe="sinchon") == answered["sinchon"] + 1
    assert sample("cafebot_staff_questions_total", step="asked", cafe="seongsu") == asked + 1
