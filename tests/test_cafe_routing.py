"""Issue 13, routing by cafe (SQLite and PostgreSQL): an idea goes to its cafe's experts (the cafe's group, or one
of its experts by DM); with none free, to another cafe's expert by specialty and then to an expert without a cafe,
the card naming the founder's cafe; passes and SLA reassignment stay in the cafe first; reassignment notices go to
that cafe's staff and the city-wide ones; metrics and the CSV carry the cafe. One test through the Telegram
stand-in with two cafes, each with its own experts' group, and a third cafe with no experts."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from escalation_helpers import SLA, message
from prometheus_client import REGISTRY
from sqlalchemy import select
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

from bot.cafes.registry import CafeRegistry
from bot.cafes.spec import CafeSpec, load_cafes
from bot.escalation.export import tickets_csv
from bot.escalation.notices import NoticeWriter
from bot.escalation.wiring import Escalation, assemble
from bot.escalation.workflow import Founder
from bot.observability.collectors import DatabaseCollector
from bot.services import Services
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database
from bot.storage.models.escalation import OutboxItem, Ticket
from bot.strings import t

FIELDS = {"summary": "소상공인 간편 정산 앱", "problem": "정산이 늦다", "customers": "동네 가게",
          "solution": "카드 매출 당일 정산", "stage": "mvp", "team": "2명", "feedback": "수익 모델"}
# Seongsu (A): a fintech and a content expert; Sinchon (B): a bio and a fintech expert; Gangnam (C): nobody.
A_FIN, A_CONTENT, B_BIO, B_FIN, FREE_FIN = 8001, 8002, 8011, 8012, 8090  # FREE_FIN: an expert of no cafe
A_STAFF, B_STAFF, C_STAFF, CITY_STAFF, ADMIN, ADDED_STAFF = 9001, 9011, 9021, 9100, 9200, 9300
A_FOUNDER, B_FOUNDER, C_FOUNDER, NO_CAFE_FOUNDER = 5001, 5011, 5021, 5099


def cafes_yaml(*, a_group: int | None = None, b_group: int | None = None, without: tuple[int, ...] = (),
               capacity: int = 3) -> dict:
    def experts(*rows: tuple[int, str]) -> list[dict]:
        return [{"user_id": uid, "specialties": [field], "capacity": capacity} for uid, field in rows
                if uid not in without]

    return {"cafes": [
        {"id": "seongsu", "name": {"ko": "성수 창업카페", "en": "Seongsu Startup Cafe"}, "district": "성동구",
         "expert_chat_id": a_group, "experts": experts((A_FIN, "핀테크"), (A_CONTENT, "콘텐츠")), "staff": [A_STAFF]},
        {"id": "sinchon", "name": {"ko": "신촌 창업카페", "en": "Sinchon Startup Cafe"}, "district": "서대문구",
         "expert_chat_id": b_group, "experts": experts((B_BIO, "바이오"), (B_FIN, "핀테크")), "staff": [B_STAFF]},
        {"id": "gangnam", "name": {"ko": "강남 창업카페", "en": "Gangnam Startup Cafe"}, "district": "강남구",
         "staff": [C_STAFF]},
    ]}


def specs(**kwargs) -> list[CafeSpec]:
    return [CafeSpec.model_validate(c) for c in cafes_yaml(**kwargs)["cafes"]]


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
def esc(db, cafes) -> Escalation:
    staff = StaffRegistry(db, [CITY_STAFF, ADMIN])
    staff.add(ADDED_STAFF, added_by=CITY_STAFF)  # staff of no cafe: city-wide
    escalation = assemble(db, SLA, staff, NoticeWriter("ko"), admins=[ADMIN])
    escalation.experts.register(FREE_FIN, alias="전문가 F", specialties=["핀테크"], capacity=3)
    return escalation


def submit(esc: Escalation, founder: int, cafe: str | None, specialty: str | None = None,
           group: int | None = None) -> Ticket:
    return esc.workflow.submit(Founder(founder, founder), FIELDS, lang="ko", group_chat_id=group,
                               specialty=specialty, cafe_id=cafe)


def sends(db: Database, ticket_id: int | None = None) -> list[tuple[int, str]]:
    with db.session() as s:
        query = select(OutboxItem).order_by(OutboxItem.id)
        if ticket_id is not None:
            query = query.where(OutboxItem.ticket_id == ticket_id)
        return [(o.chat_id, o.text) for o in s.scalars(query)]


def card_to(db: Database, chat: int, ticket_id: int) -> str:
    [text] = [text for c, text in sends(db, ticket_id) if c == chat and f"#{ticket_id}\n" in text]
    return text


FOUNDER_CAFE = t("esc.card.founder_cafe", "ko", cafe="")


def test_a_cafe_ticket_goes_to_its_own_experts_by_specialty_then_load(esc, db):
    fin = submit(esc, A_FOUNDER, "seongsu", "핀테크")
    assert (fin.cafe_id, fin.expert_id, fin.route_chat_id) == ("seongsu", A_FIN, A_FIN)
    assert FOUNDER_CAFE not in card_to(db, A_FIN, fin.id)  # the cafe's own expert: no need to say which cafe
    # A bio idea from Seongsu still stays in Seongsu (its content expert), not Sinchon's bio specialist.
    bio = submit(esc, A_FOUNDER, "seongsu", "바이오")
    assert bio.expert_id == A_CONTENT
    # No specialty: the least loaded of the cafe's experts (both have one; the lower id).
    assert submit(esc, A_FOUNDER, "seongsu").expert_id == A_FIN
    assert submit(esc, B_FOUNDER, "sinchon", "핀테크").expert_id == B_FIN


def test_a_ticket_without_a_cafe_routes_as_before_cafes(esc, db):
    # Any expert, by specialty then load (lowest id on a tie), or EXPERT_CHAT_ID when there is one.
    assert submit(esc, NO_CAFE_FOUNDER, None, "바이오").expert_id == B_BIO
    first = submit(esc, NO_CAFE_FOUNDER, None, "핀테크")
    assert first.expert_id == A_FIN and FOUNDER_CAFE not in card_to(db, A_FIN, first.id)
    grouped = submit(esc, NO_CAFE_FOUNDER, None, "핀테크", group=-100500)
    assert (grouped.route_chat_id, grouped.expert_id, grouped.cafe_id) == (-100500, None, None)


def test_a_cafe_with_an_experts_group_gets_the_card_there(db, cafes, esc):
    cafes.sync(specs(a_group=-1001000000001))
    ticket = submit(esc, A_FOUNDER, "seongsu", "핀테크", group=-100500)  # EXPERT_CHAT_ID is for other tickets
    assert (ticket.route_chat_id, ticket.expert_id) == (-1001000000001, None)
    assert FOUNDER_CAFE not in card_to(db, -1001000000001, ticket.id)
    assert {chat for chat, _ in sends(db, ticket.id)} == {-1001000000001}
    # A Sinchon expert is not offered it in /queue while it waits in Seongsu's group; a Seongsu expert is.
    assert esc.tickets.queue(esc.experts, B_FIN) == ([], [])
    assert [x.id for x in esc.tickets.queue(esc.experts, A_CONTENT)[1]] == [ticket.id]
    assert [x.id for x in esc.tickets.queue(esc.experts, FREE_FIN)[1]] == [ticket.id]  # of no cafe: sees all


def test_a_cafe_without_experts_falls_back_to_another_cafes_specialist_and_the_card_names_it(esc, db):
    bio = submit(esc, C_FOUNDER, "gangnam", "바이오")
    assert (bio.cafe_id, bio.expert_id, bio.route_chat_id) == ("gangnam", B_BIO, B_BIO)  # specialty over load
    assert t("esc.card.founder_cafe", "ko", cafe="강남 창업카페") in card_to(db, B_BIO, bio.id)
    fin = submit(esc, C_FOUNDER, "gangnam", "핀테크")
    assert fin.expert_id == A_FIN  # two cafes' fintech experts, both free: the lower id
    assert "강남 창업카페" in card_to(db, A_FIN, fin.id)


def test_a_full_cafe_falls_back_then_experts_without_a_cafe_then_nobody(db, cafes, esc):
    cafes.sync(specs(capacity=1))  # one open ticket each
    mine = [submit(esc, A_FOUNDER, "seongsu", "핀테크") for _ in range(2)]
    assert [x.expert_id for x in mine] == [A_FIN, A_CONTENT]
    third = submit(esc, A_FOUNDER, "seongsu", "핀테크")
    assert third.expert_id == B_FIN and "성수 창업카페" in card_to(db, B_FIN, third.id)
    assert submit(esc, A_FOUNDER, "seongsu", "핀테크").expert_id == B_BIO  # other cafes before no cafe
    last = submit(esc, A_FOUNDER, "seongsu", "핀테크")
    assert last.expert_id == FREE_FIN and "성수 창업카페" in card_to(db, FREE_FIN, last.id)
    for _ in range(2):
        submit(esc, A_FOUNDER, "seongsu", "핀테크")
    waiting = submit(esc, A_FOUNDER, "seongsu", "핀테크")  # everyone full
    assert (waiting.expert_id, waiting.route_chat_id) == (None, None) and sends(db, waiting.id) == []
    # Nobody free anywhere and an EXPERT_CHAT_ID group: the city-wide group gets it, naming the cafe.
    grouped = submit(esc, A_FOUNDER, "seongsu", "핀테크", group=-100500)
    assert grouped.route_chat_id == -100500 and "성수 창업카페" in card_to(db, -100500, grouped.id)


def test_a_pass_inside_a_cafe_goes_to_another_of_its_experts_before_anyone_else(esc, db):
    tid = submit(esc, A_FOUNDER, "seongsu", "핀테크").id
    esc.workflow.claim(tid, A_FIN, "김핀", A_FIN, None)
    passed = esc.workflow.pass_on(tid, A_FIN)
    assert passed.expert_id == A_CONTENT and passed.route_chat_id == A_CONTENT  # not Sinchon's fintech expert
    assert FOUNDER_CAFE not in card_to(db, A_CONTENT, tid)
    # Everyone in Seongsu passed: Sinchon's fintech expert, then its bio expert, then the expert of no cafe.
    assert esc.workflow.pass_on(tid, A_CONTENT).expert_id == B_FIN
    assert "성수 창업카페" in card_to(db, B_FIN, tid)
    assert esc.workflow.pass_on(tid, B_FIN).expert_id == B_BIO
    assert esc.workflow.pass_on(tid, B_BIO).expert_id == FREE_FIN
    gone = esc.workflow.pass_on(tid, FREE_FIN)
    assert (gone.expert_id, gone.route_chat_id, gone.passed_by) == (None, None, sorted(
        [A_FIN, A_CONTENT, B_FIN, B_BIO, FREE_FIN]))


def test_a_pass_in_a_cafes_group_stays_there_until_the_cafe_runs_out(db, cafes, esc):
    group = -1001000000001
    cafes.sync(specs(a_group=group))
    tid = submit(esc, A_FOUNDER, "seongsu", "핀테크").id
    esc.workflow.claim(tid, A_FIN, "김핀", group, 7)
    passed = esc.workflow.pass_on(tid, A_FIN)
    assert (passed.route_chat_id, passed.expert_id) == (group, A_CONTENT)  # still the cafe's group
    before = len(sends(db, tid))
    moved = esc.workflow.pass_on(tid, A_CONTENT)
    assert (moved.route_chat_id, moved.route_thread_id, moved.expert_id) == (B_FIN, None, B_FIN)  # by DM now
    assert [chat for chat, _ in sends(db, tid)[before:]] == [B_FIN] and "성수 창업카페" in card_to(db, B_FIN, tid)


def staff_told(db: Database, ticket_id: int) -> set[int]:
    reassigned = t("esc.sla.reassigned_staff", "ko", id=ticket_id, expert="").split("(")[0]
    return {chat for chat, text in sends(db) if text.startswith(reassigned)}


def breaches(action: str, cafe: str) -> float:
    return REGISTRY.get_sample_value("cafebot_escalation_sla_breaches_total", {"action": action, "cafe": cafe}) or 0


def test_sla_reminds_and_reassigns_within_the_cafe_first_and_tells_that_cafes_staff(esc, db):
    tid = submit(esc, A_FOUNDER, "seongsu", "핀테크").id
    loose = submit(esc, NO_CAFE_FOUNDER, None, "바이오").id
    routed = esc.tickets.get(tid).routed_at
    reminders, reassigned = breaches("reminder", "seongsu"), breaches("reassigned", "seongsu")
    loose_before = breaches("reassigned", "-")
    assert esc.workflow.check_service_levels(routed + timedelta(hours=3)) == 2
    assert (A_FIN, f"⏰ #{tid}가 아직 담당자가 없습니다.") in sends(db, tid)
    assert breaches("reminder", "seongsu") == reminders + 1

    esc.workflow.check_service_levels(routed + timedelta(hours=7))
    moved = esc.tickets.get(tid)
    assert (moved.expert_id, moved.route_chat_id) == (A_CONTENT, A_CONTENT)  # the cafe's other expert first
    # That cafe's staff, the city-wide admin and staff of no cafe; not the other cafes' staff.
    assert staff_told(db, tid) == {A_STAFF, CITY_STAFF, ADMIN, ADDED_STAFF}
    [note] = [text for chat, text in sends(db) if chat == A_STAFF and f"#{tid}" in text]
    assert "성수 창업카페" in note
    # A ticket without a cafe: every staff member, as before cafes.
    assert staff_told(db, loose) == {A_STAFF, B_STAFF, C_STAFF, CITY_STAFF, ADMIN, ADDED_STAFF}
    assert breaches("reassigned", "seongsu") == reassigned + 1 and breaches("reassigned", "-") == loose_before + 1


def test_sla_reassignment_out_of_the_cafe_names_it_on_the_card(db, cafes, esc):
    cafes.sync(specs(without=(A_CONTENT,)))
    tid = submit(esc, A_FOUNDER, "seongsu", "핀테크").id
    esc.workflow.check_service_levels(esc.tickets.get(tid).routed_at + timedelta(hours=7))
    moved = esc.tickets.get(tid)
    assert moved.expert_id == B_FIN and "성수 창업카페" in card_to(db, B_FIN, tid)


def test_changing_the_cafes_file_keeps_open_tickets(db, cafes, esc):
    tid = submit(esc, A_FOUNDER, "seongsu", "핀테크").id
    claimed = submit(esc, A_FOUNDER, "seongsu", "핀테크").id  # to the content expert (less load)
    esc.workflow.claim(claimed, A_CONTENT, "박콘", A_CONTENT, None)
    report = cafes.sync(specs(without=(A_FIN,)))
    assert report.deactivated == []
    kept = esc.tickets.get(tid)
    assert (kept.status, kept.cafe_id, kept.expert_id) == ("open", "seongsu", A_FIN)  # nothing lost
    assert esc.tickets.get(claimed).status == "claimed"
    # The founder still writes to it; the next reassignment finds the cafe's remaining expert.
    esc.workflow.relay(message(tid, A_FOUNDER, "추가 자료입니다", private=True))
    assert sends(db, tid)[-1][0] == A_FIN
    esc.workflow.check_service_levels(kept.routed_at + timedelta(hours=7))
    assert esc.tickets.get(tid).expert_id == A_CONTENT
    # A cafe left out of the file entirely: its tickets stay, and its founders' ideas go elsewhere, named.
    cafes.sync([s for s in specs() if s.id != "sinchon"])
    fallback = submit(esc, B_FOUNDER, "sinchon", "바이오")
    assert fallback.expert_id not in (None, B_BIO, B_FIN)
    assert "신촌 창업카페" in card_to(db, fallback.expert_id, fallback.id)


def test_gauges_and_csv_carry_the_cafe(esc, db):
    submit(esc, A_FOUNDER, "seongsu", "핀테크")
    submit(esc, C_FOUNDER, "gangnam", "바이오")
    submit(esc, NO_CAFE_FOUNDER, None)
    [family, _] = DatabaseCollector(db).collect()
    samples = {(s.labels["state"], s.labels["cafe"]): s.value for s in family.samples}
    assert samples[("open", "seongsu")] == 1 and samples[("open", "gangnam")] == 1 and samples[("open", "-")] == 1
    assert samples[("open", "sinchon")] == 0 and samples[("closed", "seongsu")] == 0  # every cafe, every state
    rows = tickets_csv(esc.tickets.search()).decode("utf-8-sig").splitlines()
    assert rows[0].endswith(",cafe") and rows[1].endswith(",seongsu") and rows[2].endswith(",gangnam")
    assert rows[3].endswith(",")


# --- through the Telegram stand-in --------------------------------------------------------------------------

tg = tg_fixture(loop_scope="module")
FAST = {"escalation_outbox_interval_seconds": 0.3, "escalation_retry_base_seconds": 0.3,
        "escalation_sla_check_seconds": 0.3}


async def submit_idea(tg, chat, summary: str) -> int:
    """The idea intake answered in full and confirmed; returns the ticket number."""
    await tg.send_command(chat, chat.user, "idea")
    await tg.wait_for_message(chat, has("1/8"))
    for i, answer in enumerate([summary, "검사가 느리다", "동네 병원", "현장 검사"]):
        await tg.send_text(chat, chat.user, answer)
        last = await tg.wait_for_message(chat, has(f"{i + 2}/8"))
    await tg.press_button(chat, chat.user, last, "esc:i:stage:mvp")
    await tg.wait_for_message(chat, has("6/8"))
    await tg.send_text(chat, chat.user, "개발자 2명")
    await tg.wait_for_message(chat, has("7/8"))
    await tg.send_text(chat, chat.user, "수익 모델")
    skip = await tg.wait_for_message(chat, has("8/8"))
    await tg.press_button(chat, chat.user, skip, "esc:i:skip")
    card = await tg.wait_for_message(chat, lambda m: "esc:i:ok" in buttons(m))
    await tg.press_button(chat, chat.user, card, "esc:i:ok")
    created = await tg.wait_for_message(chat, has("접수번호"))
    return int(created["text"].split("#")[1].split("로")[0])


@pytest.fixture
def cafe_bot(tmp_path, embedding_cache_dir, database_url):
    groups = {"a_group": -1001000000001, "b_group": -1001000000002}
    path = tmp_path / "cafes.yaml"
    path.write_text(yaml.safe_dump(cafes_yaml(**groups), allow_unicode=True), encoding="utf-8")
    settings = settings_for(tmp_path / "data", embedding_cache_dir, database_url=database_url, cafes_file=path,
                            **FAST)
    services = make_services(settings, shared_embeddings(embedding_cache_dir))
    yield services, path, groups
    services.close()


def rewrite(path: Path, **kwargs) -> None:
    path.write_text(yaml.safe_dump(cafes_yaml(**kwargs), allow_unicode=True), encoding="utf-8")


@pytest.mark.asyncio(loop_scope="module")
async def test_two_cafes_with_their_own_groups_and_a_third_without_experts(tg, cafe_bot):
    services: Services
    services, path, groups = cafe_bot
    a_group = tg.group_chat(groups["a_group"], "성수 전문가방", is_forum=True)
    b_group = tg.group_chat(groups["b_group"], "신촌 전문가방")
    a_founder, c_founder = tg.private_chat(A_FOUNDER, "민지"), tg.private_chat(C_FOUNDER, "서준")
    a_fin, a_content = tg.user(A_FIN, "김핀"), tg.user(A_CONTENT, "박콘")
    b_bio, b_fin = tg.private_chat(B_BIO, "이바"), tg.private_chat(B_FIN, "최핀")
    services.cafes.choose(A_FOUNDER, "seongsu")  # as /cafe would
    services.cafes.choose(C_FOUNDER, "gangnam")
    async with running_bot(services, tg) as app:
        # Seongsu's founder: the card in Seongsu's forum only (its own topic), nothing for Sinchon.
        a_tid = await submit_idea(tg, a_founder, "핀테크 간편 정산 앱")
        a_card = await tg.wait_for_message(a_group, lambda m: f"esc:claim:{a_tid}" in buttons(m))
        assert FOUNDER_CAFE not in a_card["text"]
        [topic] = tg.topics(a_group)
        assert a_card["message_thread_id"] == topic
        # Gangnam has no experts: Sinchon's bio expert gets it by DM, and the card says where the founder goes.
        c_tid = await submit_idea(tg, c_founder, "바이오 진단 키트")
        c_card = await tg.wait_for_message(b_bio, lambda m: f"esc:claim:{c_tid}" in buttons(m))
        assert t("esc.card.founder_cafe", "ko", cafe="강남 창업카페") in c_card["text"]
        await wait_idle(app, tg)
        for chat in (b_group, b_fin):
            assert not [m for m in tg.sent_messages(chat) if "esc:claim" in str(buttons(m))]
        assert not [m for m in tg.sent_messages(a_group) if f"esc:claim:{c_tid}" in buttons(m)]

        # A pass inside Seongsu: to its other expert (still in its group), not Sinchon's fintech expert.
        await tg.press_button(a_group, a_fin, a_card, f"esc:claim:{a_tid}")
        await tg.wait_for_message(a_group, has(t("esc.expert.claimed", "ko", id=a_tid, expert="김핀")))
        await tg.press_button(a_group, a_fin, a_card, f"esc:pass:{a_tid}")
        await tg.wait_for("answerCallbackQuery", lambda p: p.get("text") == t("esc.expert.passed", "ko", id=a_tid))
        passed = services.escalation.tickets.get(a_tid)
        assert (passed.status, passed.expert_id, passed.route_chat_id) == ("open", A_CONTENT, a_group.id)
        await wait_idle(app, tg)
        assert not [m for m in tg.sent_messages(b_fin) if f"esc:claim:{a_tid}" in buttons(m)]

        # The cafes file changes (Seongsu's fintech expert leaves): both open tickets stay and keep working.
        rewrite(path, **groups, without=(A_FIN,))
        await asyncio.to_thread(services.cafes.sync, load_cafes(path))
        kept = services.escalation.tickets.get(a_tid)
        assert (kept.status, kept.cafe_id, kept.route_chat_id) == ("open", "seongsu", a_group.id)
        assert services.escalation.tickets.get(c_tid).expert_id == B_BIO
        await tg.send_text(a_group, a_content, "고객 인터뷰를 해 보셨나요?", message_thread_id=topic)
        answer = await tg.wait_for_message(a_founder, has("고객 인터뷰"))
        assert f"#{a_tid}" in answer["text"]
        await tg.send_text(b_bio, b_bio.user, "임상 계획이 있나요?", reply_to=c_card)
        await tg.wait_for_message(c_founder, has("임상 계획"))
