"""Expert escalation end to end: the real bot long-polls the Bot API stand-in; a founder, two experts, a staff
member and a stranger in private chats, a forum supergroup and a plain group."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import select
from standins import OpenAIStandIn
from telegram_harness import (
    assert_nothing_sent,
    buttons,
    has,
    make_services,
    running_bot,
    settings_for,
    shared_embeddings,
    tg_fixture,
    wait_idle,
    webhook_bot,
)

from bot.escalation.links import Where
from bot.services import Services
from bot.storage.models.escalation import ConversationState
from bot.storage.state_store import StateName, conversation_key
from bot.strings import t

pytestmark = pytest.mark.asyncio(loop_scope="module")

FOUNDER, FINTECH, BIO, STAFF, STRANGER = 501, 601, 602, 701, 999
FAST = {"escalation_outbox_interval_seconds": 0.3, "escalation_retry_base_seconds": 0.3,
        "escalation_sla_check_seconds": 0.3}


@pytest.fixture
def make(tmp_path, embedding_cache_dir, database_url):
    built: list[Services] = []

    def _make(**overrides) -> Services:
        assert not built, "one service set per test: they would share this test's database"
        settings = settings_for(tmp_path / f"d{len(built)}", embedding_cache_dir, expert_user_ids=[FINTECH, BIO],
                                staff_user_ids=[STAFF], database_url=database_url, **{**FAST, **overrides})
        services = make_services(settings, shared_embeddings(embedding_cache_dir))
        experts = services.escalation.experts
        experts.register(FINTECH, alias="전문가 A", display_name="김핀", specialties=["핀테크"], capacity=3)
        experts.register(BIO, alias="전문가 B", display_name="이바", specialties=["바이오"], capacity=3)
        built.append(services)
        return services

    yield _make
    for services in built:
        services.close()


tg = tg_fixture(loop_scope="module")


async def eventually(check, timeout: float = 3.0) -> bool:
    for _ in range(int(timeout / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return bool(check())


async def intake(tg, chat, summary: str = "핀테크 간편 정산 앱", upto: int = 99) -> dict:
    """Answer the intake; returns the last bot message (the summary card when complete)."""
    await tg.send_command(chat, chat.user, "idea")
    await tg.wait_for_message(chat, has("1/8"))
    answers = [summary, "정산이 느리다", "동네 가게", "당일 정산"]
    for i, answer in enumerate(answers[:upto]):
        await tg.send_text(chat, chat.user, answer)
        last = await tg.wait_for_message(chat, has(f"{i + 2}/8"))
    if upto < 4:
        return last
    await tg.press_button(chat, chat.user, last, "esc:i:stage:mvp")
    await tg.wait_for_message(chat, has("6/8"))
    await tg.send_text(chat, chat.user, "개발자 2명")
    await tg.wait_for_message(chat, has("7/8"))
    await tg.send_text(chat, chat.user, "수익 모델")
    skip = await tg.wait_for_message(chat, has("8/8"))
    await tg.press_button(chat, chat.user, skip, "esc:i:skip")
    return await tg.wait_for_message(chat, lambda m: "esc:i:ok" in buttons(m))


async def submit(tg, chat, **kwargs) -> int:
    card = await intake(tg, chat, **kwargs)
    await tg.press_button(chat, chat.user, card, "esc:i:ok")
    created = await tg.wait_for_message(chat, has("접수번호"))
    return int(created["text"].split("#")[1].split("로")[0])


async def test_intake_dm_routing_relay_close_and_rating(tg, make):
    services = make()
    founder, fin, bio = tg.private_chat(FOUNDER, "민지"), tg.private_chat(FINTECH, "김핀"), tg.private_chat(BIO, "이바")
    async with running_bot(services, tg) as app:
        await tg.send_command(founder, founder.user, "idea")
        await tg.wait_for_message(founder, has("1/8"))
        await tg.send_text(founder, founder.user, "핀테크 간편 정산 앱")
        problem = await tg.wait_for_message(founder, has("2/8"))
        await tg.send_text(founder, founder.user, "잘못 쓴 문제")
        customers = await tg.wait_for_message(founder, has("3/8"))
        await tg.press_button(founder, founder.user, customers, "esc:i:back")  # back to the problem
        await tg.wait_for_message(founder, has("2/8"))
        await tg.send_text(founder, founder.user, "정산이 느리다")
        await tg.wait_for_message(founder, has("3/8"))
        await tg.send_text(founder, founder.user, "동네 가게")
        await tg.wait_for_message(founder, has("4/8"))
        await tg.send_text(founder, founder.user, "당일 정산")
        stage = await tg.wait_for_message(founder, has("5/8"))
        await tg.send_text(founder, founder.user, "MVP요")  # typed instead of a button
        await tg.wait_for_message(founder, has(t("esc.err.bad_stage", "ko")))
        await tg.press_button(founder, founder.user, stage, "esc:i:stage:mvp")
        await tg.wait_for_message(founder, has("6/8"))
        await tg.send_text(founder, founder.user, "혼자")
        await tg.wait_for_message(founder, has("7/8"))
        await tg.send_text(founder, founder.user, "수익 모델")
        await tg.wait_for_message(founder, has("8/8"))
        await tg.send_document(founder, founder.user, b"%PDF-1.4 deck", "deck.pdf", "application/pdf")
        card = await tg.wait_for_message(founder, lambda m: "esc:i:ok" in buttons(m))
        assert "deck.pdf" in card["text"] and problem["text"] and "정산이 느리다" in card["text"]
        await tg.press_button(founder, founder.user, card, "esc:i:edit")
        pick = await tg.wait_for_message(founder, lambda m: "esc:i:field:team" in buttons(m))
        await tg.press_button(founder, founder.user, pick, "esc:i:field:team")
        await tg.wait_for_message(founder, has("6/8"))
        await tg.send_text(founder, founder.user, "개발자 2명")
        card = await tg.wait_for_message(founder, lambda m: "esc:i:ok" in buttons(m))
        assert "팀: 개발자 2명" in card["text"] and "잘못 쓴 문제" not in card["text"]
        await tg.press_button(founder, founder.user, card, "esc:i:ok")
        created = await tg.wait_for_message(founder, has("접수번호 #1"))
        assert "48시간" in created["text"]

        # Routed by DM to the fintech expert: the card with the fields and buttons, then the deck.
        expert_card = await tg.wait_for_message(fin, lambda m: "esc:claim:1" in buttons(m))
        assert "핀테크 간편 정산 앱" in expert_card["text"] and "민지" not in expert_card["text"]  # no contact
        stored = services.escalation.tickets.get(1)
        assert stored.founder_name == "" and stored.founder_username is None  # not even kept (minimum collection)
        deck = await tg.wait_for_message(fin, lambda m: "document" in m)
        assert deck["document"]["file_name"] == "deck.pdf"
        await assert_nothing_sent(app, tg, bio)

        # A stranger cannot answer.
        stranger = tg.private_chat(STRANGER, "낯선이")
        await tg.send_command(stranger, stranger.user, "reply", "1 제 생각엔")
        await tg.wait_for_message(stranger, has(t("esc.err.not_expert", "ko")))

        await tg.press_button(fin, fin.user, expert_card, "esc:claim:1")
        await tg.wait_for_message(founder, has("전문가 A이(가) 아이디어를 검토하기"))
        await tg.send_text(fin, fin.user, "고객 인터뷰 결과가 있나요?", reply_to=expert_card)
        feedback = await tg.wait_for_message(founder, has("고객 인터뷰 결과가 있나요?"))
        assert feedback["text"].startswith("💬 #1 전문가 A의 피드백")
        await tg.send_document(fin, fin.user, b"checklist", "checklist.pdf", "application/pdf", reply_to=expert_card)
        doc = await tg.wait_for_message(founder, lambda m: "document" in m)
        assert doc["caption"].startswith("💬 #1 전문가 A의 피드백")

        # The founder answers by replying, and with /ticket.
        await tg.send_text(founder, founder.user, "네, 10곳 인터뷰했습니다", reply_to=feedback)
        await tg.wait_for_message(fin, has("10곳 인터뷰"))
        await tg.send_command(founder, founder.user, "ticket", "1 자료 더 보낼게요")
        await tg.wait_for_message(fin, has("자료 더 보낼게요"))

        await tg.press_button(fin, fin.user, expert_card, "esc:close:1")
        prompt = await tg.wait_for_message(fin, has("종료 요약"))
        await tg.send_text(fin, fin.user, "수익 모델 검증부터 하세요", reply_to=prompt)
        closed = await tg.wait_for_message(founder, lambda m: "esc:rate:1:5" in buttons(m))
        assert "수익 모델 검증부터 하세요" in closed["text"]
        await tg.press_button(founder, founder.user, closed, "esc:rate:1:4")
        ask_comment = await tg.wait_for_message(founder, has(t("esc.ticket.rated", "ko")))
        await tg.send_text(founder, founder.user, "큰 도움", reply_to=ask_comment)
        await tg.wait_for_message(founder, has(t("esc.ticket.comment_saved", "ko")))
        await tg.send_command(founder, founder.user, "mytickets")
        await tg.wait_for_message(founder, has("#1 [완료]"))
    ticket = services.escalation.tickets.get(1)
    assert (ticket.status, ticket.rating, ticket.rating_comment) == ("closed", 4, "큰 도움")


async def test_forum_topic_per_ticket_and_strangers_refused(tg, make):
    group = tg.group_chat(-100900, "전문가방", is_forum=True)
    services = make(expert_chat_id=group.id, expert_show_founder_contact=True)
    founder = tg.private_chat(FOUNDER + 1, "서연")
    bio, stranger = tg.user(BIO, "이바"), tg.user(STRANGER, "낯선이")
    async with running_bot(services, tg):
        tid = await submit(tg, founder)
        card = await tg.wait_for_message(group, lambda m: f"esc:claim:{tid}" in buttons(m))
        [topic_id] = tg.topics(group)
        assert "창업자: 서연" in card["text"]  # EXPERT_SHOW_FOUNDER_CONTACT is on here
        assert card["message_thread_id"] == topic_id and f"#{tid}" in tg.topics(group)[topic_id]["name"]
        for action in ("claim", "ans", "info", "close", "pass"):
            await tg.press_button(group, stranger, card, f"esc:{action}:{tid}")
            refusal = await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert"))
            assert refusal["text"] == t("esc.err.not_expert", "ko")
        await tg.send_text(group, stranger, "제 의견은요", message_thread_id=topic_id)
        await tg.wait_for_message(group, has(t("esc.err.not_expert", "ko")))
        await tg.send_command(tg.private_chat(STRANGER, "낯선이"), stranger, "queue")
        await tg.wait_for_message(STRANGER, has(t("esc.err.not_expert", "ko")))
        assert services.escalation.tickets.get(tid).status == "open"

        await tg.send_text(group, bio, "시장 규모를 더 알려 주세요", message_thread_id=topic_id)
        answer = await tg.wait_for_message(founder, has("시장 규모"))
        assert "전문가 B" in answer["text"]
        await tg.send_text(founder, founder.user, "약 2조 원입니다", reply_to=answer)
        relayed = await tg.wait_for_message(group, has("2조"))
        assert relayed["message_thread_id"] == topic_id


async def test_plain_group_card_replies_thread_and_outbox_retries(tg, make):
    group = tg.group_chat(-100901, "전문가 일반방")
    services = make(expert_chat_id=group.id)
    founder = tg.private_chat(FOUNDER + 2, "하준")
    fin = tg.user(FINTECH, "김핀")
    async with running_bot(services, tg):
        tid = await submit(tg, founder)
        card = await tg.wait_for_message(group, lambda m: f"esc:claim:{tid}" in buttons(m))
        assert tg.topics(group) == {}
        links = services.escalation.links  # the card is linked to its ticket once Telegram accepted it
        assert await eventually(lambda: links.locate(Where(group.id, card["message_id"]))[0] == tid)
        tg.fail_next("sendMessage", 403)  # the founder's chat refuses once (blocked, then unblocked)
        await tg.send_text(group, fin, "경쟁사 분석이 필요합니다", reply_to=card)
        delivered = await tg.wait_for_message(founder, has("경쟁사 분석"), timeout=10)
        assert "전문가 A" in delivered["text"]
        await tg.send_voice(group, fin, b"OggS voice", reply_to=card)
        voice = await tg.wait_for_message(founder, lambda m: "voice" in m)
        assert voice["caption"].startswith(f"💬 #{tid} 전문가 A의 피드백")
        assert any(not c.ok for c in tg.calls_to("sendMessage"))
        # Marked sent right after Telegram accepted it.
        assert await eventually(lambda: services.escalation.outbox.pending_count() == 0)


async def test_restart_mid_intake_and_mid_ticket(tg, make):
    services = make()
    founder, fin = tg.private_chat(FOUNDER + 3, "도윤"), tg.private_chat(FINTECH, "김핀")
    async with running_bot(services, tg):
        await intake(tg, founder, upto=2)  # answered two questions; the third is waiting
    async with running_bot(services, tg):
        await tg.send_text(founder, founder.user, "동네 가게")
        await tg.wait_for_message(founder, has("4/8"))
        await tg.send_text(founder, founder.user, "당일 정산")
        stage = await tg.wait_for_message(founder, has("5/8"))
        await tg.press_button(founder, founder.user, stage, "esc:i:stage:idea")
        await tg.wait_for_message(founder, has("6/8"))
        await tg.send_text(founder, founder.user, "혼자")
        await tg.wait_for_message(founder, has("7/8"))
        await tg.send_text(founder, founder.user, "시장성")
        skip = await tg.wait_for_message(founder, has("8/8"))
        await tg.press_button(founder, founder.user, skip, "esc:i:skip")
        card = await tg.wait_for_message(founder, lambda m: "esc:i:ok" in buttons(m))
        assert "정산이 느리다" in card["text"]  # answered before the restart
        await tg.press_button(founder, founder.user, card, "esc:i:ok")
        await tg.wait_for_message(founder, has("접수번호 #1"))
        expert_card = await tg.wait_for_message(fin, lambda m: "esc:claim:1" in buttons(m))
    async with running_bot(services, tg):
        await tg.send_text(fin, fin.user, "재시작 후 답변", reply_to=expert_card)
        await tg.wait_for_message(founder, has("재시작 후 답변"))


async def test_an_intake_begun_before_the_upgrade_goes_on_with_its_answers(tg, make):
    """Releases before this one kept the draft beside PTB's user data; at start it moves into the user data."""
    services = make()
    founder = tg.private_chat(FOUNDER + 7, "예준")
    user = founder.user.id
    services.state.put(StateName.LEGACY_INTAKE, str(user),
                       {"fields": {"summary": "예전에 쓴 아이디어", "problem": "예전에 쓴 문제"}, "editing": False})
    services.state.put(StateName.CONVERSATION_PREFIX + "idea_intake", conversation_key((founder.id, user)), 2)
    async with running_bot(services, tg):
        await tg.send_text(founder, founder.user, "동네 가게")  # the third question was waiting
        stage = await tg.wait_for_message(founder, has("4/8"))
        await tg.send_text(founder, founder.user, "당일 정산")
        stage = await tg.wait_for_message(founder, has("5/8"))
        await tg.press_button(founder, founder.user, stage, "esc:i:stage:idea")
        await tg.wait_for_message(founder, has("6/8"))
        await tg.send_text(founder, founder.user, "혼자")
        await tg.wait_for_message(founder, has("7/8"))
        await tg.send_text(founder, founder.user, "시장성")
        skip = await tg.wait_for_message(founder, has("8/8"))
        await tg.press_button(founder, founder.user, skip, "esc:i:skip")
        card = await tg.wait_for_message(founder, lambda m: "esc:i:ok" in buttons(m))
    assert "예전에 쓴 아이디어" in card["text"] and "예전에 쓴 문제" in card["text"]
    assert services.state.all(StateName.LEGACY_INTAKE) == {}


async def test_deleting_my_data_mid_intake_erases_the_draft(tg, make):
    """The draft lives in the founder's user data only: /deletemydata takes it, and the intake does not go on."""
    services = make()
    founder = tg.private_chat(FOUNDER + 6, "서아")
    async with running_bot(services, tg):
        await intake(tg, founder, upto=2)  # the summary and the problem are in the draft
        await tg.send_command(founder, founder.user, "deletemydata")
        confirm = await tg.wait_for_message(founder, lambda m: f"del:yes:{FOUNDER + 6}" in buttons(m))
        await tg.press_button(founder, founder.user, confirm, f"del:yes:{FOUNDER + 6}")
        await tg.wait_for_message(founder, lambda m: m["text"].startswith("삭제했습니다"), edits=True)
    with services.db.session() as s:
        stored = [repr(r.value) for r in s.scalars(select(ConversationState))]
    assert not [v for v in stored if "정산이 느리다" in v]
    async with running_bot(services, tg) as app:  # a restart reads nothing of it back
        mark = tg.mark()
        await tg.send_text(founder, founder.user, "동네 가게")  # would have answered the third question
        reply = await tg.wait_for_message(founder, since=mark)
        await wait_idle(app, tg)
    assert "4/8" not in reply["text"]
    assert not [m for m in tg.sent_messages(founder) if "4/8" in m.get("text", "")]


async def test_sla_reminder_then_reassignment(tg, make):
    services = make(escalation_reminder_hours=0.6 / 3600, escalation_reassign_hours=1.6 / 3600)
    founder = tg.private_chat(FOUNDER + 4, "지우")
    fin, bio, staff = tg.private_chat(FINTECH, "김핀"), tg.private_chat(BIO, "이바"), tg.private_chat(STAFF, "운영")
    async with running_bot(services, tg):
        tid = await submit(tg, founder)
        await tg.wait_for_message(fin, lambda m: f"esc:claim:{tid}" in buttons(m))
        await tg.wait_for_message(fin, has(f"⏰ #{tid}"), timeout=5)
        await tg.wait_for_message(bio, lambda m: f"esc:claim:{tid}" in buttons(m), timeout=5)
        await tg.wait_for_message(staff, has(f"#{tid}"), timeout=5)
        await tg.wait_for_message(founder, has(t("esc.ticket.reassigned_founder", "ko", id=tid)), timeout=5)
        await tg.send_command(staff, staff.user, "tickets", "open")
        await tg.wait_for_message(staff, has(f"#{tid} [대기]"))
        await tg.send_command(staff, staff.user, "tickets", "csv")
        export = await tg.wait_for_message(staff, lambda m: "document" in m)
        assert export["document"]["file_name"] == "tickets.csv"
    assert services.escalation.tickets.get(tid).reassign_count >= 1


async def test_a_redelivered_update_is_relayed_once(tg, make):
    services = make()
    founder, fin = tg.private_chat(FOUNDER + 5, "하린"), tg.private_chat(FINTECH, "김핀")
    async with webhook_bot(services, tg, "hook-Secret_1") as app:
        tid = await submit(tg, founder)
        card = await tg.wait_for_message(fin, lambda m: f"esc:claim:{tid}" in buttons(m))
        tickets, links = services.escalation.tickets, services.escalation.links
        assert await eventually(lambda: links.locate(Where(FINTECH, card["message_id"]))[0] == tid)
        hook = tg.webhook
        assert hook is not None
        # Telegram resends an update it did not see confirmed (e.g. the bot restarted while handling it).
        update = {"update_id": 900001, "message": {
            "message_id": 90001, "date": int(time.time()), "text": "한 번만 전달돼야 할 답변",
            "chat": {"id": FINTECH, "type": "private", "first_name": "김핀"},
            "from": {"id": FINTECH, "is_bot": False, "first_name": "김핀"}, "reply_to_message": card}}
        headers = {"X-Telegram-Bot-Api-Secret-Token": hook["secret_token"]}
        mark = tg.mark()
        async with httpx.AsyncClient() as client:
            for _ in range(2):
                assert (await client.post(hook["url"], json=update, headers=headers)).status_code == 200
        await tg.wait_for_message(founder, has("한 번만 전달돼야 할 답변"), since=mark)
        await assert_nothing_sent(app, tg, founder, since=mark)
    assert [m.text for m in tickets.messages(tid)] == ["한 번만 전달돼야 할 답변"]


async def test_an_idea_request_starts_the_intake_with_the_message_as_its_summary(tg, make):
    services = make()
    founder = tg.private_chat(FOUNDER + 6, "예린")
    idea = "반려동물 수제간식 구독 서비스를 준비 중인데 사업성 있을까요?"
    async with running_bot(services, tg):
        await tg.send_text(founder, founder.user, idea)
        await tg.wait_for_message(founder, has(t("esc.intake.start_from_message", "ko")), timeout=15)
        second = await tg.wait_for_message(founder, has("2/8"))  # no second click, no asking again for 1/8
        await tg.send_text(founder, founder.user, "제 아이디어가 괜찮은지 사업성 평가받고 싶어요")  # answers 2/8
        third = await tg.wait_for_message(founder, has("3/8"))
        await tg.press_button(founder, founder.user, third, "esc:i:cancel")
        await tg.wait_for_message(founder, has(t("esc.intake.cancelled", "ko")))
        assert second and not any(t("esc.intake.start_from_message", "ko") in m["text"]
                                  for m in tg.sent_messages(founder)[2:])
        await tg.send_text(founder, founder.user, "창업도약패키지 신청 자격이 어떻게 되나요?")  # back to Q&A
        await tg.wait_for_message(founder, has("3년 초과 7년 이내"), timeout=15)


async def test_the_ask_an_expert_button_under_an_answer_starts_the_intake(tg, make):
    services = make()
    founder = tg.private_chat(FOUNDER + 8, "서진")
    async with running_bot(services, tg):
        await tg.send_text(founder, founder.user, "부산 창업카페 주차 요금은 얼마예요?")
        not_found = await tg.wait_for_message(founder, lambda m: any(b.startswith("fb:") for b in buttons(m)),
                                              timeout=15)
        # What the documents do not answer goes to the cafe staff, not into the experts' idea intake.
        assert t("answer.not_found", "ko") in not_found["text"]
        assert [b for b in buttons(not_found) if b.startswith(("ask:", "askstaff:"))][0].startswith("askstaff:")
        await tg.send_text(founder, founder.user, "창업도약패키지 신청 자격이 어떻게 되나요?")
        answer = await tg.wait_for_message(founder, lambda m: any(b.startswith("ask:") for b in buttons(m)), timeout=15)
        await tg.press_button(founder, founder.user, answer, next(b for b in buttons(answer) if b.startswith("ask:")))
        await tg.wait_for_message(founder, has(t("esc.intake.start", "ko")))
        first = await tg.wait_for_message(founder, has("1/8"))
        await tg.press_button(founder, founder.user, first, "esc:i:cancel")
        await tg.wait_for_message(founder, has(t("esc.intake.cancelled", "ko")))


async def test_with_an_llm_the_card_carries_a_neutral_digest_never_a_verdict(tg, make):
    digest = "요약: 소상공인 카드 매출 당일 정산 앱.\n빠진 정보:\n- 가격 정책"
    with OpenAIStandIn(responder=lambda messages, request: digest) as llm:
        services = make(openai_base_url=llm.base_url, openai_model="gpt-4o-mini", openai_api_key="sk-test")
        founder, fin = tg.private_chat(FOUNDER + 7, "시우"), tg.private_chat(FINTECH, "김핀")
        async with running_bot(services, tg):
            tid = await submit(tg, founder)
            card = await tg.wait_for_message(fin, lambda m: f"esc:claim:{tid}" in buttons(m))
        system = llm.chat_requests[-1].body["messages"][0]["content"]
    assert "가격 정책" in card["text"] and "평가 아님" in card["text"]
    assert "평가, 점수, 가능성 판단" in system  # the prompt file forbids a verdict
