"""Issue 13, cafe notices: a document one cafe's own answers that cafe's founders, is left out for founders of
another cafe and cited with the cafe's name for founders who chose none; only that cafe's staff (and city-wide
staff) change it; its announcement reaches that cafe's subscribers only. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram_harness import (
    assert_nothing_sent,
    buttons,
    has,
    is_answer,
    make_services,
    running_bot,
    settings_for,
    shared_embeddings,
    tg_fixture,
)

from bot.services import Services
from bot.strings import t

tg = tg_fixture(loop_scope="module")

SEONGSU_STAFF, SINCHON_STAFF, ADMIN = 9401, 9411, 9499
SEONGSU_FOUNDER, SINCHON_FOUNDER, NO_CAFE_FOUNDER = 5401, 5402, 5403

CAFES_YAML = f"""
cafes:
  - id: seongsu
    name: {{ko: 성수 창업카페, en: Seongsu Startup Cafe}}
    district: 성동구
    hours: 평일 10:00-18:00
    staff: [{SEONGSU_STAFF}]
  - id: sinchon
    name: {{ko: 신촌 창업카페, en: Sinchon Startup Cafe}}
    district: 서대문구
    hours: 평일 09:00-21:00
    staff: [{SINCHON_STAFF}]
"""

# ("주말에도 문 열어요?" alone is taken for small talk by the intent routing, with or without cafes.)
WEEKEND_QUESTION = "카페 주말에도 문 열어요?"
# Each cafe's own hours notice, under the same title as a cafe's staff would write it.
SEONGSU_NOTICE = """# 주말 운영 안내

## 주말 운영
이번 달부터 주말(토요일·일요일)에도 문을 엽니다. 주말 운영 시간은 오전 10시부터 오후 5시까지입니다.
"""
SINCHON_NOTICE = """# 주말 운영 안내

## 주말 운영
주말(토요일·일요일)과 공휴일에는 문을 열지 않습니다. 평일에만 운영합니다.
"""
SEONGSU_OPEN = "주말(토요일·일요일)에도 문을 엽니다"
SINCHON_CLOSED = "문을 열지 않습니다"


@pytest.fixture
def services(tmp_path: Path, embedding_cache_dir: Path, database_url: str) -> Services:
    cafes_file = tmp_path / "cafes.yaml"
    cafes_file.write_text(CAFES_YAML, encoding="utf-8")
    settings = settings_for(tmp_path / "data", embedding_cache_dir, database_url=database_url, cafes_file=cafes_file,
                            admin_user_ids=[ADMIN], staff_user_ids=[ADMIN], broadcast_per_second=50.0)
    built = make_services(settings, shared_embeddings(embedding_cache_dir))
    built.cafes.choose(SEONGSU_FOUNDER, "seongsu")
    built.cafes.choose(SINCHON_FOUNDER, "sinchon")
    yield built
    built.close()


def upload_notice(services: Services, staff_id: int, body: str, name: str, cafe: str | None):
    """A staff member's upload through the upload service, then made `cafe`'s own."""
    path = services.settings.data_dir / name
    path.write_text(body, encoding="utf-8")
    scope = services.cafes.scope(staff_id)
    doc = services.uploads.ingest(path, name, staff_id, scope=scope).document
    return services.uploads.set_cafe(doc.id, cafe, scope, staff_id) if cafe else doc


async def ask(services: Services, user_id: int, question: str = WEEKEND_QUESTION):
    return await services.answers.answer(f"chat-{user_id}", question, user_id=user_id, lang="ko")


@pytest.mark.asyncio
async def test_a_notice_answers_its_cafes_founders_only_and_is_labelled_for_founders_of_no_cafe(services):
    seongsu = upload_notice(services, SEONGSU_STAFF, SEONGSU_NOTICE, "seongsu.md", "seongsu")
    sinchon = upload_notice(services, SINCHON_STAFF, SINCHON_NOTICE, "sinchon.md", "sinchon")
    # The same title from another cafe's staff is a document of its own, never a new version of the other's.
    assert seongsu.title == "주말 운영 안내" and sinchon.title == "주말 운영 안내 (2)"
    assert (seongsu.cafe_id, seongsu.version, sinchon.cafe_id) == ("seongsu", 1, "sinchon")

    search = services.knowledge.search
    assert {p.cafe_id for p in search(WEEKEND_QUESTION, 10, cafe_id="seongsu")} <= {None, "seongsu"}
    assert {p.cafe_id for p in search(WEEKEND_QUESTION, 10, cafe_id="sinchon")} <= {None, "sinchon"}
    assert {"seongsu", "sinchon"} <= {p.cafe_id for p in search(WEEKEND_QUESTION, 10)}

    mine = await ask(services, SEONGSU_FOUNDER)
    assert mine.kind == "answer" and SEONGSU_OPEN in mine.text and SINCHON_CLOSED not in mine.text
    assert [s.title for s in mine.sources] == ["주말 운영 안내"]  # their own cafe's notice: no label

    theirs = await ask(services, SINCHON_FOUNDER)
    assert theirs.kind == "answer" and SINCHON_CLOSED in theirs.text and SEONGSU_OPEN not in theirs.text
    assert all(s.document_id != seongsu.id for s in theirs.sources)

    # A founder who chose no cafe may get either notice, but always cited with its cafe.
    anyone = await ask(services, NO_CAFE_FOUNDER)
    assert anyone.kind == "answer" and anyone.sources
    cited = {s.document_id: s.title for s in anyone.sources}
    assert set(cited) <= {seongsu.id, sinchon.id}
    assert all(title in ("성수 창업카페 안내: 주말 운영 안내", "신촌 창업카페 안내: 주말 운영 안내 (2)")
               for title in cited.values())
    english = services.answers.label_cafes(services.knowledge.search(WEEKEND_QUESTION, 3), None, "en")
    assert {p.title for p in english if p.cafe_id == "seongsu"} == {"Seongsu Startup Cafe notice: 주말 운영 안내"}

    # The other cafe's staff correct their notice: a new version of their own numbered document, still theirs.
    again = upload_notice(services, SINCHON_STAFF, SINCHON_NOTICE.replace("평일에만", "평일(월~금)에만"),
                          "sinchon-v2.md", None)
    assert (again.id, again.version, again.title, again.cafe_id) == (sinchon.id, 2, "주말 운영 안내 (2)", "sinchon")
    assert services.knowledge.get_document(seongsu.id).version == 1


def test_another_cafes_staff_cannot_make_or_change_its_notice_and_a_new_version_keeps_the_cafe(services):
    seongsu = upload_notice(services, SEONGSU_STAFF, SEONGSU_NOTICE, "seongsu.md", "seongsu")
    citywide = next(d for d in services.knowledge.list_documents() if d.title == "서울창업카페 이용 안내")
    uploads, sinchon_scope = services.uploads, services.cafes.scope(SINCHON_STAFF)
    for cafe in (None, "sinchon", "seongsu"):
        with pytest.raises(PermissionError):
            uploads.set_cafe(seongsu.id, cafe, sinchon_scope, SINCHON_STAFF)
    with pytest.raises(PermissionError):
        uploads.check(seongsu.id, sinchon_scope)
    with pytest.raises(PermissionError):  # nor make a city-wide document another cafe's
        uploads.set_cafe(citywide.id, "seongsu", sinchon_scope, SINCHON_STAFF)
    path = services.settings.data_dir / "sinchon-v2.md"
    path.write_text(SINCHON_NOTICE, encoding="utf-8")
    with pytest.raises(PermissionError):  # nor make their file its new version
        uploads.ingest(path, "sinchon-v2.md", SINCHON_STAFF, replace_document_id=seongsu.id, scope=sinchon_scope)
    assert services.knowledge.get_document(seongsu.id) == seongsu

    # Their cafe's staff send a corrected notice under the same title: a new version, still their cafe's.
    corrected = SEONGSU_NOTICE.replace("오후 5시", "오후 6시")
    again = upload_notice(services, SEONGSU_STAFF, corrected, "seongsu-v2.md", None)
    assert (again.id, again.version, again.cafe_id) == (seongsu.id, 2, "seongsu")
    # A city-wide admin may make any document any cafe's, and city-wide again.
    admin = services.cafes.scope(ADMIN)
    assert uploads.set_cafe(citywide.id, "sinchon", admin, ADMIN).cafe_id == "sinchon"
    assert uploads.set_cafe(citywide.id, None, admin, ADMIN).cafe_id is None
    with pytest.raises(PermissionError):  # a cafe's staff only make documents their own cafe's
        uploads.set_cafe(citywide.id, "sinchon", services.cafes.scope(SEONGSU_STAFF), SEONGSU_STAFF)
    with pytest.raises(PermissionError):  # nor take a city-wide document they did not upload for their own cafe
        uploads.set_cafe(citywide.id, "seongsu", services.cafes.scope(SEONGSU_STAFF), SEONGSU_STAFF)


def test_a_cafe_notice_is_announced_to_that_cafes_subscribers_only(services):
    for founder in (SEONGSU_FOUNDER, SINCHON_FOUNDER, NO_CAFE_FOUNDER):
        services.announcements.toggle(founder, "all", "ko")
    services.announcements.toggle(5404, "funding", "ko")
    services.cafes.choose(5404, "seongsu")
    notice = upload_notice(services, SEONGSU_STAFF, SEONGSU_NOTICE, "seongsu.md", "seongsu")
    # A cafe's own notice is cafe news for its founders, whatever its title says.
    assert [s.user_id for s in services.announcements.matching_subscribers(notice)] == [SEONGSU_FOUNDER]
    _, count = services.announcements.announce(notice, SEONGSU_STAFF)
    assert count == 1
    citywide = services.uploads.set_cafe(notice.id, None, services.cafes.scope(SEONGSU_STAFF), SEONGSU_STAFF)
    assert {s.user_id for s in services.announcements.matching_subscribers(citywide)} == {
        SEONGSU_FOUNDER, SINCHON_FOUNDER, NO_CAFE_FOUNDER}


def button_with(message: dict, prefix: str) -> str:
    return next(b for b in buttons(message) if b.startswith(prefix))


@pytest.mark.asyncio(loop_scope="module")
async def test_staff_make_an_upload_their_cafes_through_telegram(tg, services):
    seongsu_staff = tg.private_chat(SEONGSU_STAFF, "성수직원")
    sinchon_staff = tg.private_chat(SINCHON_STAFF, "신촌직원")
    seongsu_founder, sinchon_founder, no_cafe_founder = (tg.private_chat(uid, name) for uid, name in (
        (SEONGSU_FOUNDER, "가온"), (SINCHON_FOUNDER, "나래"), (NO_CAFE_FOUNDER, "다솜")))
    for founder in (SEONGSU_FOUNDER, SINCHON_FOUNDER, NO_CAFE_FOUNDER):
        services.announcements.toggle(founder, "all", "ko")
    async with running_bot(services, tg) as app:
        await tg.send_document(seongsu_staff, seongsu_staff.user, SEONGSU_NOTICE.encode(), "weekend.md",
                               mime_type="text/markdown")
        summary = await tg.wait_for_message(seongsu_staff, lambda m: any(b.startswith("sd:notify:")
                                                                         for b in buttons(m)), timeout=60)
        doc_id = button_with(summary, "sd:notify:").removeprefix("sd:notify:")
        assert t("staff.doc.citywide_line", "ko") in summary["text"]
        # A staff member of one cafe gets one "this cafe only" button, for their cafe.
        assert [b for b in buttons(summary) if b.startswith("sd:cafe:")] == [f"sd:cafe:{doc_id}:seongsu"]
        await tg.press_button(seongsu_staff, seongsu_staff.user, summary, f"sd:cafe:{doc_id}:seongsu")
        await tg.wait_for_message(seongsu_staff, has(t("staff.cafe.set", "ko", title="주말 운영 안내",
                                                        cafe="성수 창업카페")))
        toggled = await tg.wait_for_message(seongsu_staff, lambda m: f"sd:cafe:{doc_id}" in buttons(m), edits=True)
        assert f"sd:notify:{doc_id}" in buttons(toggled)  # the rest of the keyboard stays
        assert services.knowledge.get_document(doc_id).cafe_id == "seongsu"

        # The other cafe's staff can neither act on it nor open it; their /docs does not list it, its staff's does.
        mark = tg.mark()
        await tg.press_button(seongsu_staff, sinchon_staff.user, toggled, f"sd:cafe:{doc_id}")
        refused = await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert"), since=mark)
        assert refused["text"] == t("staff.cafe.other", "ko")
        await tg.press_button(seongsu_staff, sinchon_staff.user, toggled, f"sd:notify:{doc_id}")
        refused = await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert"), since=mark)
        assert refused["text"] == t("staff.cafe.other", "ko")
        await tg.send_command(sinchon_staff, sinchon_staff.user, "doc", doc_id)
        await tg.wait_for_message(sinchon_staff, has(t("staff.cafe.other", "ko")))
        await tg.send_command(sinchon_staff, sinchon_staff.user, "docs")
        listing = await tg.wait_for_message(sinchon_staff, has("/doc_"))
        assert f"/doc_{doc_id}" not in listing["text"]
        await tg.send_command(seongsu_staff, seongsu_staff.user, "docs")
        listing = await tg.wait_for_message(seongsu_staff, has(f"/doc_{doc_id}"))
        assert "주말 운영 안내 📍성수 창업카페" in listing["text"]
        assert services.knowledge.get_document(doc_id).cafe_id == "seongsu"

        # The other cafe's staff send their own notice under the same title: a document of its own.
        await tg.send_document(sinchon_staff, sinchon_staff.user, SINCHON_NOTICE.encode(), "weekend.md",
                               mime_type="text/markdown")
        theirs = await tg.wait_for_message(sinchon_staff, lambda m: any(b.startswith("sd:notify:")
                                                                        for b in buttons(m)), timeout=60)
        other_id = button_with(theirs, "sd:notify:").removeprefix("sd:notify:")
        assert other_id != doc_id and "주말 운영 안내 (2)" in theirs["text"]
        await tg.press_button(sinchon_staff, sinchon_staff.user, theirs, f"sd:cafe:{other_id}:sinchon")
        await tg.wait_for_message(sinchon_staff, lambda m: f"sd:cafe:{other_id}" in buttons(m), edits=True)

        # Each cafe's founders get their own cafe's notice.
        await tg.send_text(seongsu_founder, seongsu_founder.user, WEEKEND_QUESTION)
        answer = (await tg.wait_for_message(seongsu_founder, is_answer, timeout=20))["text"]
        assert SEONGSU_OPEN in answer and SINCHON_CLOSED not in answer and "[1] 주말 운영 안내" in answer
        await tg.send_text(sinchon_founder, sinchon_founder.user, WEEKEND_QUESTION)
        answer = (await tg.wait_for_message(sinchon_founder, is_answer, timeout=20))["text"]
        assert SINCHON_CLOSED in answer and SEONGSU_OPEN not in answer
        await tg.send_text(no_cafe_founder, no_cafe_founder.user, WEEKEND_QUESTION)
        answer = (await tg.wait_for_message(no_cafe_founder, is_answer, timeout=20))["text"]
        assert "창업카페 안내: 주말 운영 안내" in answer  # whichever notice, labelled with its cafe

        # Notifying subscribers of the cafe's notice reaches that cafe's founders only.
        mark = tg.mark()
        await tg.press_button(seongsu_staff, seongsu_staff.user, toggled, f"sd:notify:{doc_id}")
        await tg.wait_for_message(seongsu_staff, has(t("staff.notify.done", "ko", count=1)))
        note = await tg.wait_for_message(seongsu_founder, lambda m: any(b.startswith("adoc:") for b in buttons(m)))
        assert "주말 운영 안내" in note["text"]
        await assert_nothing_sent(app, tg, sinchon_founder, no_cafe_founder, since=mark)
