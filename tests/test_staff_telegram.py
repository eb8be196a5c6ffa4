"""Staff on Telegram, end to end through the Bot API stand-in with the real 2025 call documents: upload with
progress, founders asking about it, replace, remove, refusals, staff management, announcements and /stats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import ANNOUNCEMENT_PDF, FORM_DOCX, FORM_HWP
from standins import BotApiStandIn
from telegram_harness import (
    BOT_USERNAME,
    DOCS,
    TOKEN,
    assert_nothing_sent,
    bot_fixture,
    bot_services,
    buttons,
    has_button,
    is_answer,
    running_bot,
    tg_fixture,
)

from bot.services import Services
from bot.storage.models import QuestionLog
from bot.strings import t
from bot.telegram.handlers.staff import expiry_check
from bot.telegram.handlers.staff_announce import BROADCAST_JOB
from bot.telegram.handlers.staff_uploads import register_intake_check

pytestmark = pytest.mark.asyncio(loop_scope="module")

STAFF = 9001
DEADLINE_QUESTION = "2025년 창업도약패키지 일반형 신청 마감일은 언제였나요?"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def services(tmp_path_factory, embedding_cache_dir, module_database_url) -> Services:
    with bot_services(tmp_path_factory.mktemp("staff"), embedding_cache_dir, docs={"cafe.md": DOCS["cafe.md"]},
                      staff_user_ids=[STAFF], database_url=module_database_url,
                      staff_progress_interval_seconds=0.05, broadcast_per_second=50.0) as built:
        yield built


tg = tg_fixture(loop_scope="module")
bot = bot_fixture(loop_scope="module")


def scanned_pdf() -> bytes:
    """A PDF page that is only a picture, like a scan: nothing to extract."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.27, 11.69))
    fig.add_axes((0.1, 0.1, 0.8, 0.8)).imshow([[0, 1, 0], [1, 0, 1]] * 20, cmap="gray")
    fig.axes[0].set_axis_off()
    out = io.BytesIO()
    fig.savefig(out, format="pdf")
    return out.getvalue()


def button_id(message: dict, prefix: str) -> str:
    return next(b for b in buttons(message) if b.startswith(prefix)).removeprefix(prefix)


async def upload(tg: BotApiStandIn, chat, content: bytes, name: str, timeout: float = 90.0, **kw) -> dict:
    """Send a file and wait for the upload summary (it always offers to notify subscribers)."""
    await tg.send_document(chat, chat.user, content, name, **kw)
    return await tg.wait_for_message(chat, has_button("sd:notify:"), timeout=timeout)


async def ask(tg: BotApiStandIn, chat, text: str) -> str:
    await tg.send_text(chat, chat.user, text)
    return (await tg.wait_for_message(chat, is_answer, timeout=20))["text"]


async def test_upload_with_progress_then_founders_ask_then_replace_and_remove(tg, bot, services):
    staff = tg.private_chat(STAFF, "직원", language_code="ko")
    summary = await upload(tg, staff, ANNOUNCEMENT_PDF.read_bytes(), ANNOUNCEMENT_PDF.name, mime_type="application/pdf")
    doc_id = button_id(summary, "sd:notify:")
    doc = services.knowledge.get_document(doc_id)
    assert doc is not None and doc.page_count > 5
    assert doc.title in summary["text"] and f"쪽수: {doc.page_count} · 조각: {doc.chunk_count}" in summary["text"]
    assert set(buttons(summary)) >= {f"sd:title:{doc_id}", f"sd:repl:{doc_id}",
                                     f"sd:undo:{doc_id}", f"sd:valid:{doc_id}", f"sd:prog:{doc_id}"}
    # One progress message, edited through the stages and ending in "done".
    progress = next(m for m in tg.sent_messages(staff) if "완료" in m["text"])
    edits = [c.params["text"] for c in tg.calls_to("editMessageText")
             if int(c.params["message_id"]) == progress["message_id"]]
    assert edits[-1].startswith("✅") and "지금부터 검색됩니다" in edits[-1]
    assert any("임베딩" in e or "조각" in e or "쪽을 읽었습니다" in e for e in edits[:-1])

    founder = tg.private_chat(3101, "수아", language_code="ko")
    answer = await ask(tg, founder, DEADLINE_QUESTION)
    assert f"[1] {doc.title}, p." in answer  # cited from the uploaded PDF, with its page

    await tg.send_command(staff, staff.user, "doc", doc_id)
    detail = await tg.wait_for_message(staff, has_button("sd:rm:"))
    assert f"조각: {doc.chunk_count}" in detail["text"] and DEADLINE_QUESTION in detail["text"]

    # Replace with a corrected call, confirmed first.
    await tg.press_button(staff, staff.user, detail, f"sd:new:{doc_id}")
    confirm = await tg.wait_for_message(staff, has_button(f"sd:newok:{doc_id}"))
    await tg.press_button(staff, staff.user, confirm, f"sd:newok:{doc_id}")
    await tg.wait_for_message(staff, lambda m: "새 파일을 보내 주세요" in m["text"], edits=True)
    corrected = ("# 2025년도 창업도약패키지(일반형) 창업기업 모집 재공고\n\n## 신청 기간\n"
                 "2025년 창업도약패키지 일반형 신청 마감일은 2025년 3월 27일(목) 16:00까지로 연장되었습니다.\n")
    summary2 = await upload(tg, staff, corrected.encode(), "재공고.md", mime_type="text/markdown")
    assert t("staff.upload.status.updated", "ko") in summary2["text"] and f"{doc_id} (v2)" in summary2["text"]
    assert services.knowledge.get_document(doc_id).version == 2
    answer = await ask(tg, founder, DEADLINE_QUESTION)
    assert "3월 27일" in answer and ", p." not in answer  # the PDF's pages are no longer cited

    # Remove, confirmed first: founders no longer get it.
    await tg.send_command(staff, staff.user, "doc", doc_id)
    detail = await tg.wait_for_message(staff, has_button("sd:rm:"))
    await tg.press_button(staff, staff.user, detail, f"sd:rm:{doc_id}")
    confirm = await tg.wait_for_message(staff, has_button(f"sd:rmok:{doc_id}"))
    await tg.press_button(staff, staff.user, confirm, f"sd:rmok:{doc_id}")
    await tg.wait_for_message(staff, lambda m: m["text"].startswith("삭제했습니다"), edits=True)
    assert services.knowledge.get_document(doc_id) is None
    answer = await ask(tg, founder, DEADLINE_QUESTION)
    assert "3월 27일" not in answer and "모집 재공고" not in answer


async def test_summary_buttons_set_metadata_replace_an_existing_document_and_undo(tg, bot, services):
    staff = tg.private_chat(STAFF, "직원", language_code="ko")
    cafe = next(d for d in services.knowledge.list_documents() if d.title == "서울창업카페 이용 안내")
    summary = await upload(tg, staff, FORM_HWP.read_bytes(), FORM_HWP.name)
    hwp_id = button_id(summary, "sd:notify:")
    assert services.knowledge.get_document(hwp_id).kind == "hwp"
    await tg.press_button(staff, staff.user, summary, f"sd:valid:{hwp_id}")
    await tg.wait_for_message(staff, lambda m: m["text"] == t("staff.ask.valid", "ko"))
    await tg.send_text(staff, staff.user, "3월 말")
    await tg.wait_for_message(staff, lambda m: "날짜가 아닙니다" in m["text"])
    await tg.send_text(staff, staff.user, "2025-03-31")
    saved = await tg.wait_for_message(staff, lambda m: m["text"].startswith(t("staff.meta.saved", "ko")))
    assert "2025-03-31" in saved["text"] and not is_answer(saved)
    await tg.press_button(staff, staff.user, summary, f"sd:undo:{hwp_id}")
    await tg.wait_for_message(staff, lambda m: m["text"].startswith("되돌렸습니다"))
    assert services.knowledge.get_document(hwp_id) is None

    new_cafe = ("# 서울창업카페 이용 안내(개정)\n\n## 운영 시간\n"
                "서울창업카페는 평일 오전 8시부터 오후 10시까지 운영합니다.\n")
    summary = await upload(tg, staff, new_cafe.encode(), "cafe-2026.md")
    new_id = button_id(summary, "sd:notify:")
    await tg.press_button(staff, staff.user, summary, f"sd:repl:{new_id}")
    pick = await tg.wait_for_message(staff, has_button(f"sd:rto:{new_id}:"))
    await tg.press_button(staff, staff.user, pick, f"sd:rto:{new_id}:{cafe.id}")
    confirm = await tg.wait_for_message(staff, has_button(f"sd:rok:{new_id}:{cafe.id}"), edits=True)
    await tg.press_button(staff, staff.user, confirm, f"sd:rok:{new_id}:{cafe.id}")
    await tg.wait_for_message(staff, lambda m: m["text"].startswith("교체했습니다"), edits=True)
    assert services.knowledge.get_document(new_id) is None
    assert services.knowledge.get_document(cafe.id).version == cafe.version + 1


async def test_files_sent_together_are_each_reported_and_expiry_is_told_to_staff(tg, bot, services):
    staff = tg.private_chat(STAFF, "직원", language_code="ko")
    for n, topic in ((1, "멘토링 프로그램"), (2, "공유 회의실 예약")):
        body = f"# {topic} 안내\n\n## 내용\n서울창업카페의 {topic}은 입주 기업과 예비창업자 누구나 이용할 수 " \
               "있습니다.\n"
        await tg.send_document(staff, staff.user, body.encode(), f"notice-{n}.md")
    first = await tg.wait_for_message(staff, has_button("sd:notify:"), timeout=30)
    second = await tg.wait_for_message(staff, has_button("sd:notify:"), timeout=30)
    assert "멘토링 프로그램 안내" in first["text"] and "공유 회의실 예약 안내" in second["text"]

    expiring = button_id(second, "sd:notify:")
    services.knowledge.update_metadata(expiring, valid_until=date(2024, 12, 31))
    bot.job_queue.run_once(expiry_check, 0)
    notice = await tg.wait_for_message(staff, lambda m: m["text"].startswith("⏰"))
    assert "공유 회의실 예약 안내" in notice["text"] and "2024-12-31" in notice["text"]
    mark = tg.mark()
    bot.job_queue.run_once(expiry_check, 0)  # told once, not every day
    await assert_nothing_sent(bot, tg, staff, since=mark)
    assert all(p.document_id != expiring for p in services.knowledge.search("공유 회의실 예약", 5))


async def test_founder_upload_is_declined_politely_and_nothing_is_downloaded(tg, bot, services):
    founder = tg.private_chat(3201, "하준", language_code="ko")
    before, gets = len(services.knowledge.list_documents()), len(tg.calls_to("getFile"))
    await tg.send_document(founder, founder.user, FORM_DOCX.read_bytes(), FORM_DOCX.name)
    reply = await tg.wait_for_message(founder)
    assert reply["text"] == t("staff.upload.founder", "ko")
    assert len(services.knowledge.list_documents()) == before and len(tg.calls_to("getFile")) == gets

    # Inside an idea intake the document belongs to the intake's ticket: the upload handlers stay out.
    unregister = register_intake_check(lambda update, context: update.effective_user.id == founder.id)
    try:
        await tg.send_document(founder, founder.user, FORM_DOCX.read_bytes(), FORM_DOCX.name)
        await assert_nothing_sent(bot, tg, founder)
    finally:
        unregister()
    assert len(services.knowledge.list_documents()) == before and len(tg.calls_to("getFile")) == gets


async def test_refusals_explain_and_leave_the_knowledge_base_alone(tg, bot, services):
    staff = tg.private_chat(STAFF, "직원", language_code="ko")
    before, gets = services.knowledge.list_documents(), len(tg.calls_to("getFile"))
    await tg.send_document(staff, staff.user, b"%PDF-1.4", "big.pdf", file_size=25 * MB)
    too_big = await tg.wait_for_message(staff, lambda m: "big.pdf" in m["text"])
    assert "25.0 MB" in too_big["text"] and "최대 20 MB" in too_big["text"] and "TELEGRAM_LOCAL_MODE" in too_big["text"]
    assert len(tg.calls_to("getFile")) == gets  # refused before spending a download

    await tg.send_document(staff, staff.user, b"%PDF-1.7\n" + bytes(range(256)) * 40, "broken.pdf")
    corrupt = await tg.wait_for_message(staff, lambda m: m["text"].startswith("broken.pdf:"), timeout=20)
    assert corrupt["text"].startswith(t("reject.corrupt", "ko", file="broken.pdf"))
    assert t("staff.kb_unchanged", "ko") in corrupt["text"]
    await tg.send_document(staff, staff.user, scanned_pdf(), "scan.pdf")
    scan = await tg.wait_for_message(staff, lambda m: m["text"].startswith("scan.pdf:"), timeout=20)
    assert scan["text"].startswith(t("reject.no_text", "ko", file="scan.pdf"))
    await tg.send_document(staff, staff.user, b"MZ\x90\x00", "setup.exe")
    unsupported = await tg.wait_for_message(staff, lambda m: m["text"].startswith("setup.exe:"))
    assert "PDF, HWP" in unsupported["text"]
    assert services.knowledge.list_documents() == before


async def test_a_self_hosted_bot_api_server_takes_files_over_20_mb(services, tmp_path):
    async with (BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME, local_mode=True) as local,
                running_bot(services, local, telegram_local_mode=True, max_upload_mb=50)):
        staff = local.private_chat(STAFF, "직원", language_code="ko")
        body = "# 대용량 안내 자료\n\n## 개요\n스캔 사진이 많이 들어간 대용량 안내 자료입니다. 창업카페 지도 포함.\n"
        summary = await upload(local, staff, body.encode(), "big-guide.md", file_size=25 * MB)
        assert "대용량 안내 자료" in summary["text"]
    services.knowledge.remove_document(button_id(summary, "sd:notify:"))


async def test_staff_add_and_remove_by_numeric_id_only_for_staff(tg, bot, services):
    staff = tg.private_chat(STAFF, "직원", language_code="ko")
    outsider = tg.private_chat(3301, "민수", language_code="ko")
    await tg.send_command(outsider, outsider.user, "staff", "add 3301")
    assert (await tg.wait_for_message(outsider))["text"] == t("staff.only", "ko")
    await tg.send_command(staff, staff.user, "staff", "add @minsu")
    assert "숫자로 된" in (await tg.wait_for_message(staff, lambda m: "@minsu" in m["text"]))["text"]
    await tg.send_command(staff, staff.user, "staff", "add 3301")
    await tg.wait_for_message(staff, lambda m: m["text"] == t("staff.added", "ko", id=3301))
    staff_menu = [c["command"] for c in tg.commands(scope={"type": "chat", "chat_id": 3301}, language_code="ko")]
    assert {"start", "docs", "stats", "staff", "subscribe"} <= set(staff_menu)
    await tg.send_command(outsider, outsider.user, "docs")
    listing = await tg.wait_for_message(outsider, lambda m: m["text"].startswith("문서 1–"))
    assert "/doc_" in listing["text"]
    await tg.send_command(staff, staff.user, "staff", f"remove {STAFF}")
    await tg.wait_for_message(staff, lambda m: "STAFF_USER_IDS" in m["text"])
    await tg.send_command(staff, staff.user, "staff", "remove 3301")
    await tg.wait_for_message(staff, lambda m: m["text"] == t("staff.removed", "ko", id=3301))
    assert tg.commands(scope={"type": "chat", "chat_id": 3301}, language_code="ko") == []
    await tg.send_command(outsider, outsider.user, "stats")
    assert (await tg.wait_for_message(outsider))["text"] == t("staff.only", "ko")


async def test_stats_text_and_weekly_chart(tg, bot, services):
    now = datetime.now(UTC)
    with services.db.session() as s:
        for i, (question, kind, vote) in enumerate([
            ("주차장이 있나요?", "not_found", None), ("주차 공간이 있나요?", "not_found", -1),
            ("주차장이 있나요?", "not_found", None), ("운영 시간은?", "answer", 1), ("운영 시간 알려줘", "answer", 1),
        ]):
            s.add(QuestionLog(user_id=5000 + i, conversation_id="tg:5000", question=question,
                              standalone_question=question, lang="ko", kind=kind, mode="extractive", answer="",
                              sources=[], latency_ms=5, vote=vote, created_at=now - timedelta(days=i)))
    staff = tg.private_chat(STAFF, "직원", language_code="ko")
    await tg.send_command(staff, staff.user, "stats")
    report = await tg.wait_for_message(staff, lambda m: m["text"].startswith("📊"), timeout=20)
    text = report["text"]
    assert "👍" in text and "못 찾음" in text and "전문가 연결" in text
    assert "1. 주차장이 있나요? (3회)" in text or "1. 주차장이 있나요? (2회)" in text
    photo = await tg.wait_for_message(staff, lambda m: bool(m["photo"]), timeout=20)
    assert tg.file_content(photo["photo"][-1]["file_id"]).startswith(b"\x89PNG")

    # "Answer this" under the gap: the staff-question flow, its card in the staff member's chat, then an answer.
    [answer_this, *_] = [b for b in buttons(report) if b.startswith("sq:gap:")]
    await tg.press_button(staff, staff.user, report, answer_this)
    card = await tg.wait_for_message(staff, lambda m: any(b.startswith("sq:claim:") for b in buttons(m)))
    assert "주차" in card["text"]
    await tg.send_text(staff, staff.user, "카페 건물 지하 주차장을 2시간 무료로 쓰실 수 있습니다.", reply_to=card)
    await tg.wait_for_message(staff, lambda m: any(b.startswith("sq:save:") for b in buttons(m)))


async def test_subscribers_get_one_announcement_even_across_a_restart(services):
    """Announcement rows are stored before sending; a restarted bot sends the rest and repeats nothing."""
    async with BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME) as tg:
        staff = tg.private_chat(STAFF, "직원", language_code="ko")
        funding, everything, training = (tg.private_chat(uid, name, language_code="ko")
                                         for uid, name in ((3401, "가윤"), (3402, "나윤"), (3403, "다윤")))
        async with running_bot(services, tg) as app:
            for chat, topic in ((funding, "funding"), (everything, "all"), (training, "education")):
                await tg.send_command(chat, chat.user, "subscribe")
                menu = await tg.wait_for_message(chat, has_button("sub:"))
                await tg.press_button(chat, chat.user, menu, f"sub:{topic}")
                await tg.wait_for_message(chat, lambda m: "✅" in str(m.get("reply_markup")), edits=True)
            call = ("---\ntitle: 2026년 예비창업패키지 모집 공고\nvalid_until: 2026-03-20\n---\n"
                    "# 2026년 예비창업패키지 모집 공고\n\n## 신청 자격\n예비창업자는 누구나 신청할 수 있습니다.\n")
            summary = await upload(tg, staff, call.encode(), "pre-startup-2026.md")
            doc_id = button_id(summary, "sd:notify:")
            await tg.press_button(staff, staff.user, summary, f"sd:notify:{doc_id}")
            await tg.wait_for_message(staff, lambda m: m["text"] == t("staff.notify.done", "ko", count=2))
            for chat in (funding, everything):
                note = await tg.wait_for_message(chat, has_button("adoc:"))
                assert "2026년 예비창업패키지 모집 공고" in note["text"] and "마감: 2026-03-20" in note["text"]
                assert "sub:off" in buttons(note)
            await tg.press_button(staff, staff.user, summary, f"sd:notify:{doc_id}")
            await tg.wait_for_message(staff, lambda m: m["text"] == t("staff.notify.already", "ko"))
            await assert_nothing_sent(app, tg, training)

        # A second call is announced and the process dies after sending the first message of it.
        second = services.knowledge.ingest_file(_write(services, "events.md", "# 2026 창업 데모데이 행사 모집\n\n"
                                                       "## 일정\n데모데이 행사는 2026년 5월 20일 "
                                                       "서울창업허브에서 열리며, 서울창업카페 입주 기업이 투자자 "
                                                       "앞에서 발표합니다.\n"
                                                       )).document
        ann_id, count = services.announcements.announce(second, STAFF)
        assert count == 2
        sent_before = services.announcements.claim_next()
        services.announcements.finish(sent_before.id, ok=True)
        mark = tg.mark()
        async with running_bot(services, tg) as app:
            rest = next(c for c in (funding, everything) if c.id != sent_before.user_id)
            await tg.wait_for_message(rest, lambda m: "데모데이" in m["text"], since=mark, timeout=10)
            await assert_nothing_sent(app, tg, sent_before.user_id, since=mark, after_jobs=[BROADCAST_JOB])
        assert services.announcements.counts(ann_id) == {"sent": 2}
        mark = tg.mark()
        async with running_bot(services, tg) as app:
            # Nothing left to send: the start-up broadcast runs and finds no delivery pending.
            await assert_nothing_sent(app, tg, funding, everything, since=mark, after_jobs=[BROADCAST_JOB])
            note = next(m for m in tg.sent_messages(funding) if has_button("sub:off")(m))
            await tg.press_button(funding, funding.user, note, "sub:off")
            toast = await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert"))
            assert toast["text"] == t("staff.sub.off", "ko")
        assert services.announcements.interests(funding.id) is None


def _write(services: Services, name: str, body: str):
    path = services.settings.data_dir / "docs" / name
    path.write_text(body, encoding="utf-8")
    return path
