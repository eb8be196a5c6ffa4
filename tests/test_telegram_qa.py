"""Founders' Q&A on Telegram, end to end: the real PTB application long-polls the Bot API stand-in over HTTP
and answers from a small knowledge base (extractive mode, no LLM)."""

from __future__ import annotations

import asyncio
import time

import pytest
from standins import BotApiStandIn
from telegram_harness import (
    BOT_USERNAME,
    KO_QUESTION,
    UNANSWERABLE,
    assert_nothing_sent,
    bot_fixture,
    bot_services,
    buttons,
    is_answer,
    tg_fixture,
    wait_idle,
)

from bot.services import Services
from bot.strings import t
from bot.telegram.ratelimit import SlidingWindowLimiter

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def services(tmp_path_factory, embedding_cache_dir, module_database_url) -> Services:
    with bot_services(tmp_path_factory.mktemp("qa"), embedding_cache_dir, database_url=module_database_url) as built:
        yield built


tg = tg_fixture(loop_scope="module")
bot = bot_fixture(loop_scope="module")


async def ask(tg: BotApiStandIn, chat, text: str, timeout: float = 15.0, **kwargs) -> dict:
    await tg.send_text(chat, chat.user if chat.user else kwargs.pop("user"), text, **kwargs)
    return await tg.wait_for_message(chat, is_answer, timeout=timeout)


async def test_start_offers_languages_and_the_privacy_notice_then_english_sticks(tg, bot, services):
    chat = tg.private_chat(1001, "민지", language_code="ko")
    await tg.send_command(chat, chat.user, "start")
    greeting = await tg.wait_for_message(chat, lambda m: "lang:en:start" in buttons(m))
    assert "민지" in greeting["text"]
    assert "1년" in greeting["text"] and "/deletemydata" in greeting["text"]
    assert set(buttons(greeting)) == {"lang:ko:start", "lang:en:start"}
    # the command menu exists in both languages
    assert "deletemydata" in [c["command"] for c in tg.commands(language_code="en")]
    assert [c["command"] for c in tg.commands()][:2] == ["start", "help"]

    await tg.press_button(chat, chat.user, greeting, "lang:en:start")
    redrawn = await tg.wait_for_message(chat, lambda m: "one year" in m["text"], edits=True)
    assert redrawn["message_id"] == greeting["message_id"]
    toast = await tg.wait_for("answerCallbackQuery")
    assert toast["text"] == t("tg.lang.set", "en")
    assert services.store.touch_user(1001) == "en"

    await tg.send_command(chat, chat.user, "help")
    help_message = await tg.wait_for_message(chat, lambda m: "/deletemydata" in m["text"])
    assert help_message["text"] == t("tg.help", "en")


async def test_korean_question_gets_a_cited_extractive_answer_with_rating_buttons(tg, bot, services):
    chat = tg.private_chat(1002, "지훈")
    answer = await ask(tg, chat, KO_QUESTION)
    text = answer["text"]
    assert text.startswith(t("tg.answer.header", "ko"))
    assert {"type": "bold", "offset": 0, "length": 2} in answer["entities"]
    assert t("answer.extractive_intro", "ko") in text
    assert "업력 3년 초과 7년 이내" in text
    assert "출처\n[1] 창업도약패키지 안내, 신청 자격" in text
    data = buttons(answer)
    qid = int(data[0].split(":")[2])
    assert data == [f"fb:up:{qid}", f"fb:down:{qid}", f"ask:{qid}"]
    assert tg.drafts(chat) == []  # nothing streams without an LLM

    await tg.press_button(chat, chat.user, answer, f"fb:up:{qid}")
    thanks = await tg.wait_for("answerCallbackQuery", lambda p: p.get("text") == t("tg.feedback.thanks", "ko"))
    assert thanks
    assert services.store.get_question(qid).vote == 1


async def test_someone_else_cannot_rate_my_answer(tg, bot, services):
    group = tg.group_chat(-100777, "창업 스터디")
    asker, other = tg.user(1101, "가람"), tg.user(1102, "나래")
    await tg.send_text(group, asker, f"@{BOT_USERNAME} {KO_QUESTION}")
    answer = await tg.wait_for_message(group, is_answer, timeout=15)
    qid = int(buttons(answer)[0].split(":")[2])
    await tg.press_button(group, other, answer, f"fb:down:{qid}")
    refusal = await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert"))
    assert refusal["text"] == t("tg.feedback.not_yours", "ko")
    assert services.store.get_question(qid).vote is None


async def test_follow_up_question_keeps_the_previous_topic(tg, bot, services):
    chat = tg.private_chat(1003, "서연")
    await ask(tg, chat, KO_QUESTION)
    follow_up = await ask(tg, chat, "그럼 신청 기간은?")
    assert "창업도약패키지 안내, 신청 기간" in follow_up["text"]
    assert "3월 1일" in follow_up["text"]
    assert "청년취업사관학교" not in follow_up["text"]


async def test_unanswerable_question_says_so_and_offers_the_cafe_staff(tg, bot):
    chat = tg.private_chat(1004, "Alex", language_code="en")
    answer = await ask(tg, chat, UNANSWERABLE)
    assert answer["text"].startswith(t("tg.answer.header_not_found", "en"))
    assert t("answer.not_found", "en") in answer["text"]
    assert "Sources" not in answer["text"]
    ask_button = next(b for b in buttons(answer) if b.startswith("askstaff:"))
    await tg.press_button(chat, chat.user, answer, ask_button)
    # No staff chat and no staff member here: the founder is told where a person can help instead.
    refusal = await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert"))
    assert refusal["text"] == t("sq.err.no_staff", "en")


async def test_idea_evaluation_request_gets_the_route_not_a_verdict(tg, bot):
    chat = tg.private_chat(1005, "도윤")
    answer = await ask(tg, chat, "제 아이디어 사업성 봐주세요")
    assert t("answer.idea_review", "ko") in answer["text"]
    assert "출처" not in answer["text"]
    assert [b.split(":")[0] for b in buttons(answer)] == ["ask"]  # no rating of a canned reply


async def test_group_answers_only_when_mentioned_or_replied_to(tg, bot, services):
    group = tg.group_chat(-100500, "창업 모임")
    member = tg.user(2001, "하준")
    mark = tg.mark()
    await tg.send_text(group, member, KO_QUESTION)
    await assert_nothing_sent(bot, tg, group, since=mark)

    question = await tg.send_text(group, member, f"@{BOT_USERNAME} {KO_QUESTION}")
    answer = await tg.wait_for_message(group, is_answer, timeout=15)
    assert answer["reply_to_message"]["message_id"] == question["message_id"]
    assert "업력 3년 초과 7년 이내" in answer["text"]
    qid = int(buttons(answer)[0].split(":")[2])
    assert services.store.get_question(qid).question == KO_QUESTION  # the mention is stripped

    await tg.send_text(group, member, "그럼 신청 기간은?", reply_to=answer)
    follow_up = await tg.wait_for_message(group, is_answer, timeout=15)
    assert "3월 1일" in follow_up["text"]
    assert tg.drafts(group) == []


async def test_answer_text_is_html_escaped(tg, bot):
    chat = tg.private_chat(1006, "유나")
    mark = tg.mark()
    answer = await ask(tg, chat, "연구개발(R&D) 비용은 총사업비의 몇 % 이내로 쓸 수 있나요?")
    assert "R&D" in answer["text"] and "<30%>" in answer["text"]
    sent = [c for c in tg.calls[mark:] if c.method == "sendMessage" and c.params.get("chat_id") == chat.id]
    assert all(c.ok for c in sent)
    assert sent[-1].params["parse_mode"] == "HTML"
    assert "R&amp;D" in sent[-1].params["text"] and "&lt;30%&gt;" in sent[-1].params["text"]


async def test_rejected_markup_falls_back_to_plain_text(tg, bot):
    chat = tg.private_chat(1007, "지안")
    tg.fail_next("sendMessage", 400, description='Bad Request: can\'t parse entities: Unsupported start tag "x"')
    answer = await ask(tg, chat, KO_QUESTION)
    assert "출처\n[1] 창업도약패키지 안내, 신청 자격" in answer["text"]
    assert "entities" not in answer  # sent without parse_mode
    assert is_answer(answer)


async def test_flood_429_is_retried_and_the_reply_still_arrives(tg, bot):
    chat = tg.private_chat(1008, "태오")
    tg.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    answer = await ask(tg, chat, KO_QUESTION)
    assert time.monotonic() - started >= 1.0
    assert "업력 3년 초과 7년 이내" in answer["text"]
    statuses = [c.status for c in tg.calls_to("sendMessage") if c.params.get("chat_id") == chat.id]
    assert statuses == [429, 200]


async def test_twenty_founders_at_once_and_one_chat_in_order(tg, bot):
    chats = [tg.private_chat(3000 + i, f"창업자{i}") for i in range(20)]
    busy = tg.private_chat(3100, "연속")
    await tg.send_text(busy, busy.user, KO_QUESTION)
    await tg.send_text(busy, busy.user, "서울창업카페 운영 시간은 언제인가요?")
    for chat in chats:
        await tg.send_text(chat, chat.user, KO_QUESTION)
    answers = await asyncio.gather(*(tg.wait_for_message(c, is_answer, timeout=30) for c in chats))
    assert all("업력 3년 초과 7년 이내" in a["text"] for a in answers)

    first = await tg.wait_for_message(busy, is_answer, timeout=30)
    second = await tg.wait_for_message(busy, is_answer, timeout=30)
    assert first["message_id"] < second["message_id"]
    assert "창업도약패키지 안내" in first["text"]
    assert "서울창업카페 이용 안내, 운영 시간" in second["text"]


async def test_rate_limit_warns_once_per_window(tg, bot):
    bot.bot_data.limiter = SlidingWindowLimiter(2, 60.0)
    chat = tg.private_chat(1009, "민서")
    for _ in range(4):
        await tg.send_text(chat, chat.user, KO_QUESTION)
    await tg.wait_for_message(chat, is_answer, timeout=15)
    await tg.wait_for_message(chat, is_answer, timeout=15)
    await wait_idle(bot, tg)
    texts = [m["text"] for m in tg.sent_messages(chat)]
    assert len([x for x in texts if "1분에 2개" in x]) == 1  # two refused, one warning
    assert sum(1 for x in texts if x.startswith(t("tg.answer.header", "ko"))) == 2


async def test_reset_forgets_the_conversation(tg, bot, services):
    chat = tg.private_chat(1010, "하윤")
    await ask(tg, chat, KO_QUESTION)
    assert services.store.history(f"tg:{chat.id}", 6)
    await tg.send_command(chat, chat.user, "reset")
    await tg.wait_for_message(chat, lambda m: m["text"] == t("tg.reset.done", "ko"))
    assert services.store.history(f"tg:{chat.id}", 6) == []


async def test_a_failure_gets_an_apology_never_a_trace(tg, bot, services, monkeypatch):
    async def broken(*_args, **_kwargs):
        raise RuntimeError("database password=hunter2 at line 42")

    monkeypatch.setattr(services.answers, "answer", broken)
    chat = tg.private_chat(1011, "시우")
    await tg.send_text(chat, chat.user, KO_QUESTION)
    apology = await tg.wait_for_message(chat, timeout=10)
    assert apology["text"] == t("tg.error", "ko")
    assert all("hunter2" not in m["text"] and "Traceback" not in m["text"] for m in tg.sent_messages(chat))


async def test_photos_get_a_hint_to_type_the_question(tg, bot):
    chat = tg.private_chat(1012, "예준")
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
    await tg.send_photo(chat, chat.user, png)
    hint = await tg.wait_for_message(chat, timeout=10)
    assert hint["text"] == t("tg.text_only", "ko")


async def test_telegram_language_is_used_until_the_founder_chooses(tg, bot):
    chat = tg.private_chat(1013, "Sam", language_code="en")
    await tg.send_command(chat, chat.user, "help")
    assert (await tg.wait_for_message(chat, timeout=10))["text"] == t("tg.help", "en")
    await tg.send_command(chat, chat.user, "lang")
    picker = await tg.wait_for_message(chat, lambda m: "lang:ko:pick" in buttons(m), timeout=10)
    await tg.press_button(chat, chat.user, picker, "lang:ko:pick")
    await tg.wait_for_message(chat, lambda m: m["text"] == t("tg.lang.set", "ko"), edits=True)
    await tg.send_command(chat, chat.user, "privacy")
    assert (await tg.wait_for_message(chat, timeout=10))["text"] == t("tg.privacy.full", "ko", period="1년")


async def test_a_failing_button_gets_an_apology_from_the_error_handler(tg, bot, services, monkeypatch):
    chat = tg.private_chat(1014, "서하")
    answer = await ask(tg, chat, KO_QUESTION)

    def broken(*_args, **_kwargs):
        raise RuntimeError("deadlock detected in relation question_log")

    monkeypatch.setattr(services.store, "record_vote", broken)
    await tg.press_button(chat, chat.user, answer, buttons(answer)[0])
    apology = await tg.wait_for_message(chat, lambda m: m["text"] == t("tg.error", "ko"), timeout=10)
    assert apology
    await tg.wait_for("answerCallbackQuery")  # the button stops spinning
    assert all("deadlock" not in m["text"] for m in tg.sent_messages(chat))
