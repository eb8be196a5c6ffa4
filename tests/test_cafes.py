"""Issue 13: the cafes file and the cafes in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
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
from bot.cafes.spec import CafeFileError, load_cafes
from bot.escalation.experts import ExpertRegistry
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database
from bot.strings import t

tg = tg_fixture(loop_scope="module")
EXAMPLE = Path(__file__).resolve().parent.parent / "cafes.example.yaml"


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


def test_the_shipped_example_loads_and_syncs_again_without_change(db):
    specs = load_cafes(EXAMPLE)
    cafes = CafeRegistry(db, admins=[1])
    first = cafes.sync(specs)
    assert first.added == ["seongsu", "sinchon"] and first.deactivated == []
    again = cafes.sync(specs)
    assert again.added == [] and again.updated == ["seongsu", "sinchon"]
    assert [c.name("en") for c in cafes.cafes()] == ["Seongsu Startup Cafe", "Sinchon Startup Cafe"]
    experts = {e.user_id: (e.cafe_id, e.specialties, e.capacity) for e in ExpertRegistry(db).all()}
    assert experts[8001] == ("seongsu", ["핀테크", "콘텐츠"], 5) and experts[8011][0] == "sinchon"
    assert cafes.staff_cafes(9001) == {"seongsu"} and StaffRegistry(db, []).is_staff(9011)
    assert cafes.scope(9001).allows("seongsu") and not cafes.scope(9001).allows("sinchon")
    assert cafes.scope(1).allows("sinchon")  # a city-wide admin


def test_a_cafe_left_out_of_the_file_is_kept_but_no_longer_offered(db, tmp_path):
    cafes = CafeRegistry(db)
    cafes.sync(load_cafes(EXAMPLE))
    cafes.choose(5001, "sinchon")
    only_seongsu = tmp_path / "cafes.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    only_seongsu.write_text(text[: text.index("  - id: sinchon")], encoding="utf-8")
    report = cafes.sync(load_cafes(only_seongsu))
    assert report.deactivated == ["sinchon"]
    assert [c.id for c in cafes.cafes()] == ["seongsu"]
    assert cafes.get("sinchon") is not None and cafes.founder_cafe(5001) == "sinchon"  # history stays
    assert 8011 not in {e.user_id for e in ExpertRegistry(db).all()}  # its experts get no new tickets
    with pytest.raises(KeyError):
        cafes.choose(5002, "sinchon")


def test_the_nearest_cafe_comes_from_the_district_names(db):
    cafes = CafeRegistry(db)
    cafes.sync(load_cafes(EXAMPLE))
    assert [c.id for c in cafes.near("성동구에서 가장 가까운 창업카페는 어디예요?")] == ["seongsu"]
    assert [c.id for c in cafes.near("서대문 근처 카페")] == ["sinchon"]
    assert cafes.near("강남역 근처 카페") == []


def test_a_bad_file_is_refused_with_what_is_wrong(tmp_path):
    bad = tmp_path / "cafes.yaml"
    bad.write_text("cafes:\n  - id: Seong Su\n    name: {ko: 성수}\n", encoding="utf-8")
    with pytest.raises(CafeFileError) as refused:
        load_cafes(bad)
    assert "cafes.0.id" in str(refused.value) and "cafes.0.name.en" in str(refused.value)
    twice = tmp_path / "twice.yaml"
    twice.write_text("cafes:\n  - {id: a, name: {ko: 가, en: A}}\n  - {id: a, name: {ko: 나, en: B}}\n",
                     encoding="utf-8")
    with pytest.raises(CafeFileError, match="listed twice"):
        load_cafes(twice)


CAFES_YAML = """
cafes:
  - id: seongsu
    name: {ko: 성수 창업카페, en: Seongsu Startup Cafe}
    district: 성동구
    address: 서울 성동구 성수이로 118
    hours: 평일 10:00-18:00
    staff: [9301]
  - id: sinchon
    name: {ko: 신촌 창업카페, en: Sinchon Startup Cafe}
    district: 서대문구
    hours: 평일 09:00-21:00
    staff: [9311]
"""


@pytest.fixture
def cafe_services(tmp_path, embedding_cache_dir, database_url):
    cafes_file = tmp_path / "cafes.yaml"
    cafes_file.write_text(CAFES_YAML, encoding="utf-8")
    settings = settings_for(tmp_path / "data", embedding_cache_dir, database_url=database_url, cafes_file=cafes_file,
                            staff_hours="mon-sun 00:00-23:59", escalation_outbox_interval_seconds=0.3)
    services = make_services(settings, shared_embeddings(embedding_cache_dir))
    yield services
    services.close()


@pytest.mark.asyncio(loop_scope="module")
async def test_a_founder_picks_their_cafe_and_its_staff_answer_them_alone(tg, cafe_services):
    founder = tg.private_chat(5301, "민지")
    seongsu_staff, sinchon_staff = tg.private_chat(9301, "성수직원"), tg.private_chat(9311, "신촌직원")
    async with running_bot(cafe_services, tg) as app:
        await tg.send_text(founder, founder.user, "카페에서 프린터 쓸 수 있어요?")
        not_found = await tg.wait_for_message(founder, lambda m: any(b.startswith("askstaff:") for b in buttons(m)),
                                              timeout=15)
        await tg.press_button(founder, founder.user, not_found,
                              next(b for b in buttons(not_found) if b.startswith("askstaff:")))
        # Which cafe, first: the cafes from the file, with district and hours.
        pick = await tg.wait_for_message(founder, has(t("cafe.first", "ko")))
        assert [b["text"] for row in pick["reply_markup"]["inline_keyboard"] for b in row] == [
            "성수 창업카페 · 성동구 · 평일 10:00-18:00", "신촌 창업카페 · 서대문구 · 평일 09:00-21:00"]
        await tg.press_button(founder, founder.user, pick, next(b for b in buttons(pick) if b.endswith(":sinchon")))
        await tg.wait_for_message(founder, has(t("sq.asked", "ko", hours="24")))
        card = await tg.wait_for_message(sinchon_staff, lambda m: any(b.startswith("sq:claim:") for b in buttons(m)))
        qid = int(next(b for b in buttons(card) if b.startswith("sq:claim:")).split(":")[2])
        await wait_idle(app, tg)
        assert tg.sent_messages(seongsu_staff) == []  # another cafe's question never reaches them
        # Another cafe's staff cannot act on it, nor see it in /questions.
        await tg.press_button(sinchon_staff, seongsu_staff.user, card, f"sq:claim:{qid}")
        refused = await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert"))
        assert refused["text"] == t("sq.err.other_cafe", "ko")
        await tg.send_command(seongsu_staff, seongsu_staff.user, "questions")
        await tg.wait_for_message(seongsu_staff, has(t("sq.list.empty", "ko")))
        await tg.send_text(sinchon_staff, sinchon_staff.user, "2층 복합기를 쓰시면 됩니다.", reply_to=card)
        await tg.wait_for_message(founder, has("2층 복합기를"))

        # Saved as the cafe's own answer by default (its printer): 신촌's founders get it, 성수's do not.
        confirm = await tg.wait_for_message(sinchon_staff, lambda m: f"sq:save:{qid}" in buttons(m))
        await tg.press_button(sinchon_staff, sinchon_staff.user, confirm, f"sq:save:{qid}")
        draft = await tg.wait_for_message(sinchon_staff, lambda m: f"sq:ok:{qid}" in buttons(m))
        assert "신촌 창업카페 창업자에게만" in draft["text"] and f"sq:scope:{qid}" in buttons(draft)
        await tg.press_button(sinchon_staff, sinchon_staff.user, draft, f"sq:ok:{qid}")
        await tg.wait_for_message(sinchon_staff, has("저장했습니다"), timeout=15)
        neighbour, other = tg.private_chat(5304, "이웃"), tg.private_chat(5305, "다른이")
        cafe_services.cafes.choose(5304, "sinchon")
        cafe_services.cafes.choose(5305, "seongsu")
        await tg.send_text(neighbour, neighbour.user, "카페에서 프린터 쓸 수 있어요?")
        await tg.wait_for_message(neighbour, has("2층 복합기를"), timeout=15)
        await tg.send_text(other, other.user, "카페에서 프린터 쓸 수 있어요?")
        elsewhere = await tg.wait_for_message(other, lambda m: any(b.startswith("fb:") for b in buttons(m)),
                                              timeout=15)
        assert "2층 복합기를" not in elsewhere["text"]

        # The choice is remembered, and /cafe changes it.
        assert cafe_services.cafes.founder_cafe(5301) == "sinchon"
        await tg.send_command(founder, founder.user, "cafe")
        menu = await tg.wait_for_message(founder, has(t("cafe.pick", "ko")))
        assert "✓ 신촌 창업카페" in str(menu["reply_markup"])
        await tg.press_button(founder, founder.user, menu, next(b for b in buttons(menu) if ":seongsu:" in b))
        await tg.wait_for_message(founder, has("이용 카페: 성수 창업카페"), edits=True)
    assert cafe_services.cafes.founder_cafe(5301) == "seongsu"


@pytest.mark.asyncio(loop_scope="module")
async def test_a_cafes_staff_correct_its_hours_in_chat_and_a_sync_keeps_it(tg, cafe_services, tmp_path):
    seongsu_staff, sinchon_staff = tg.private_chat(9301, "성수직원"), tg.private_chat(9311, "신촌직원")
    async with running_bot(cafe_services, tg):
        await tg.send_command(sinchon_staff, sinchon_staff.user, "cafe", "hours sinchon 평일 09:00-22:00 (12월)")
        await tg.wait_for_message(sinchon_staff, has("운영 시간: 평일 09:00-22:00 (12월)"))
        await tg.send_command(seongsu_staff, seongsu_staff.user, "cafe", "hours sinchon 휴무")
        await tg.wait_for_message(seongsu_staff, has(t("sq.err.other_cafe", "ko")))
        founder = tg.private_chat(5302, "서준")
        await tg.send_command(founder, founder.user, "cafe", "hours sinchon 24시간")
        await tg.wait_for_message(founder, has(t("staff.only", "ko")))
    cafe_services.cafes.sync(load_cafes(tmp_path / "cafes.yaml"))
    assert cafe_services.cafes.get("sinchon").hours == "평일 09:00-22:00 (12월)"


@pytest.mark.asyncio(loop_scope="module")
async def test_the_nearest_cafe_is_answered_from_the_cafes_file(tg, cafe_services):
    founder = tg.private_chat(5303, "하준")
    async with running_bot(cafe_services, tg):
        await tg.send_text(founder, founder.user, "성동구 사는데 제일 가까운 창업카페 어디예요?")
        near = await tg.wait_for_message(founder, has("성수 창업카페"), timeout=15)
        assert "신촌" not in near["text"] and "서울 성동구 성수이로 118" in near["text"]
        await tg.send_text(founder, founder.user, "가까운 카페 알려줘")
        everyone = await tg.wait_for_message(founder, has("신촌 창업카페"), timeout=15)
        assert "성수 창업카페" in everyone["text"]
