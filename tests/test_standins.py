"""The stand-ins speak the real protocols: PTB's Bot/Application and the openai/LangChain clients work against them."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import math
import struct
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import telegram
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from process_harness import free_port
from standins import BotApiStandIn, OpenAIStandIn, parse_html
from standins.llm_responders import grounded_echo
from standins.openai_api import pseudo_embedding
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

TOKEN = "123456:ABC-standin"
PNG_1x1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@contextlib.asynccontextmanager
async def standin_and_bot(**options: Any) -> AsyncIterator[tuple[BotApiStandIn, telegram.Bot]]:
    """A stand-in and a plain PTB Bot pointed at it (local_mode on both when asked)."""
    local = bool(options.get("local_mode"))
    async with (
        BotApiStandIn(token=TOKEN, bot_username="cafe_test_bot", **options) as standin,
        telegram.Bot(
            TOKEN, base_url=f"{standin.url}/bot", base_file_url=f"{standin.url}/file/bot", local_mode=local
        ) as ptb_bot,
    ):
        yield standin, ptb_bot


@pytest.fixture
async def tg_and_bot() -> AsyncIterator[tuple[BotApiStandIn, telegram.Bot]]:
    async with standin_and_bot() as pair:
        yield pair


@pytest.fixture
def tg(tg_and_bot: tuple[BotApiStandIn, telegram.Bot]) -> BotApiStandIn:
    return tg_and_bot[0]


@pytest.fixture
def bot(tg_and_bot: tuple[BotApiStandIn, telegram.Bot]) -> telegram.Bot:
    return tg_and_bot[1]


@pytest.fixture
async def llm() -> AsyncIterator[OpenAIStandIn]:
    async with OpenAIStandIn() as standin:
        yield standin


# -- Bot API: plain Bot calls -------------------------------------------------------------------------------


async def test_get_me_and_html_messages(tg: BotApiStandIn, bot: telegram.Bot) -> None:
    chat = tg.private_chat(1001, "민지")
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "cafe_test_bot", True)

    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("자세히", callback_data="more:1")]])
    sent = await bot.send_message(
        chat.id, "<b>창업도약패키지</b> 안내 &amp; 신청", parse_mode="HTML", reply_markup=keyboard
    )
    assert sent.text == "창업도약패키지 안내 & 신청"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == len("창업도약패키지")
    assert sent.reply_markup == keyboard and sent.from_user.id == me.id
    second = await bot.send_message(chat.id, "둘째")
    assert second.message_id == sent.message_id + 1

    with pytest.raises(telegram.error.BadRequest, match="end tag"):
        await bot.send_message(chat.id, "<b>굵게</i>", parse_mode="HTML")
    with pytest.raises(telegram.error.BadRequest, match="(?i)unsupported start tag"):
        await bot.send_message(chat.id, "<div>x</div>", parse_mode="HTML")
    with pytest.raises(telegram.error.BadRequest, match="text is empty"):
        await bot.send_message(chat.id, "   ")
    with pytest.raises(telegram.error.BadRequest, match="too long"):
        await bot.send_message(chat.id, "가" * 4097)
    with pytest.raises(telegram.error.BadRequest, match="(?i)chat not found"):
        await bot.send_message(999, "누구?")

    msg = await tg.wait_for_message(chat.id)
    assert msg["message_id"] == sent.message_id  # oldest first, then consumed
    assert (await tg.wait_for_message(chat.id))["text"] == "둘째"
    failed = [c for c in tg.calls_to("sendMessage") if not c.ok]
    assert len(failed) == 5 and failed[0].status == 400
    method, params, _ = failed[0]  # calls unpack as (method, params, timestamp)
    assert method == "sendMessage" and params["parse_mode"] == "HTML" and params["chat_id"] == chat.id


async def test_edits_and_not_modified(tg: BotApiStandIn, bot: telegram.Bot) -> None:
    chat = tg.private_chat(1002)
    sent = await bot.send_message(chat.id, "초안")
    edited = await bot.edit_message_text("완성본", chat.id, sent.message_id)
    assert edited.text == "완성본" and edited.edit_date is not None
    with pytest.raises(telegram.error.BadRequest, match="not modified"):
        await bot.edit_message_text("완성본", chat.id, sent.message_id)
    with pytest.raises(telegram.error.BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat.id, 9999)
    await bot.edit_message_reply_markup(
        chat.id, sent.message_id, reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]])
    )
    assert [m["text"] for m in tg.sent_messages(chat.id)] == ["완성본"]
    assert tg.sent_messages(chat.id)[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ok"
    assert await bot.delete_message(chat.id, sent.message_id)
    assert tg.sent_messages(chat.id) == []


async def test_files_drafts_topics_and_chat_info(tg: BotApiStandIn, bot: telegram.Bot) -> None:
    chat = tg.private_chat(1003)
    doc = tg.register_file("공고문 본문".encode(), "공고문.pdf", "application/pdf")
    file = await bot.get_file(doc["file_id"])
    assert bytes(await file.download_as_bytearray()) == "공고문 본문".encode()
    big = tg.register_file(b"x", "big.pdf", "application/pdf", file_size=30 * 2**20)
    with pytest.raises(telegram.error.BadRequest, match="too big"):
        await bot.get_file(big["file_id"])

    sent = await bot.send_document(chat.id, b"%PDF-1.4 report", filename="report.pdf", caption="보고서")
    assert sent.document.file_name == "report.pdf" and sent.caption == "보고서"
    assert tg.file_content(sent.document.file_id) == b"%PDF-1.4 report"
    again = await bot.send_document(chat.id, sent.document.file_id)  # re-send by file_id
    assert again.document.file_id == sent.document.file_id
    photo = await bot.send_photo(chat.id, PNG_1x1)
    assert (photo.photo[-1].width, photo.photo[-1].height) == (1, 1)

    assert await bot.send_message_draft(chat.id, draft_id=7, text="창업도약") is True
    assert await bot.send_message_draft(chat.id, draft_id=7, text="창업도약패키지는 <b>…</b>", parse_mode="HTML")
    assert [d["text"] for d in tg.drafts(chat.id)] == ["창업도약", "창업도약패키지는 …"]
    group = tg.group_chat(-1001234, "창업카페 상담", is_forum=True)
    with pytest.raises(telegram.error.BadRequest):
        await bot.send_message_draft(group.id, draft_id=1, text="no drafts in groups")
    assert await bot.send_chat_action(chat.id, "typing")
    assert tg.chat_actions(chat.id) == ["typing"]

    topic = await bot.create_forum_topic(group.id, "전문가 상담 #1")
    in_topic = await bot.send_message(group.id, "상담 요청", message_thread_id=topic.message_thread_id)
    assert in_topic.message_thread_id == topic.message_thread_id and in_topic.is_topic_message
    assert await bot.close_forum_topic(group.id, topic.message_thread_id)
    assert tg.topics(group.id)[topic.message_thread_id]["is_closed"]
    with pytest.raises(telegram.error.BadRequest, match="not a forum"):
        await bot.create_forum_topic(chat.id, "x")
    info = await bot.get_chat(group.id)
    assert info.is_forum and info.title == "창업카페 상담"
    member = await bot.get_chat_member(group.id, bot.id)
    assert member.status == "administrator"
    await bot.set_my_commands([("start", "시작"), ("help", "도움말")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(telegram.error.BadRequest):
        await bot.set_my_commands([("Bad-Command", "x")])


async def test_local_mode_lifts_limits_and_uses_paths(tmp_path: Path) -> None:
    async with standin_and_bot(local_mode=True) as (tg, bot):
        big = tg.register_file(b"large", "large.hwp", "application/x-hwp", file_size=40 * 2**20)
        file = await bot.get_file(big["file_id"])
        assert file.file_path.startswith("/") and bytes(await file.download_as_bytearray()) == b"large"
        # With local_mode PTB sends paths as file:// URIs, which only a local server can read.
        upload = tmp_path / "서식.docx"
        upload.write_bytes(b"docx bytes")
        chat = tg.private_chat(1)
        sent = await bot.send_document(chat.id, upload)
        assert sent.document.file_name == "서식.docx"
        assert tg.file_content(sent.document.file_id) == b"docx bytes"
        assert isinstance(tg.calls_to("sendDocument")[0].params["document"], str)


async def test_fault_injection_and_flood_limit(tg: BotApiStandIn, bot: telegram.Bot) -> None:
    chat = tg.private_chat(1004)
    tg.fail_next("sendMessage", error_code=429, retry_after=2)
    with pytest.raises(telegram.error.RetryAfter) as caught:
        await bot.send_message(chat.id, "x")
    assert caught.value.retry_after in (2, dt.timedelta(seconds=2))
    await bot.send_message(chat.id, "now it works")
    tg.fail_next("*", error_code=502)
    with pytest.raises(telegram.error.NetworkError):
        await bot.send_chat_action(chat.id, "typing")

    tg.set_flood_limit(3, retry_after=1)
    for i in range(3):
        await bot.send_message(chat.id, f"burst {i}")
    with pytest.raises(telegram.error.RetryAfter):
        await bot.send_message(chat.id, "one too many")
    tg.set_flood_limit(None)

    tg.block_bot(chat)
    with pytest.raises(telegram.error.Forbidden):
        await bot.send_message(chat.id, "blocked")
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{tg.url}/bot{TOKEN}/noSuchMethod")
        wrong_token = await http.post(f"{tg.url}/bot1:wrong/getMe")
    assert response.status_code == 404 and response.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found",
    }
    assert wrong_token.status_code == 401 and wrong_token.json()["description"] == "Unauthorized"


async def test_get_updates_semantics(tg: BotApiStandIn, bot: telegram.Bot) -> None:
    chat = tg.private_chat(1005)
    for text in ("one", "two", "three"):
        await tg.send_text(chat, chat.user, text)
    first = await bot.get_updates(limit=2, timeout=0)
    assert [u.message.text for u in first] == ["one", "two"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)  # confirms "one" and "two"
    assert [u.message.text for u in rest] == ["three"] and len(tg.pending_updates) == 1

    # A long poll waits for the next update instead of returning empty.
    poll = asyncio.create_task(bot.get_updates(offset=rest[-1].update_id + 1, timeout=5))
    assert await tg.signal.wait_until(lambda: tg.polls_waiting or None, timeout=5)  # held open, not answered empty
    assert not poll.done()
    await tg.send_text(chat, chat.user, "four")
    assert [u.message.text for u in await asyncio.wait_for(poll, 2)] == ["four"]
    started = asyncio.get_running_loop().time()
    assert await bot.get_updates(offset=(await poll)[-1].update_id + 1, timeout=0.3) == ()
    assert asyncio.get_running_loop().time() - started >= 0.25

    # allowed_updates filters (and Telegram never re-sends what was filtered out).
    group = tg.group_chat(-1005, "g")
    sent = await bot.send_message(
        group.id, "pick", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    )
    await tg.send_text(group, tg.user(7, "Ann"), "plain message")
    await tg.press_button(group, tg.user(7), sent.message_id, "a")
    only_callbacks = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in only_callbacks] == ["a"]
    with pytest.raises(ValueError, match="no button"):
        await tg.press_button(group, tg.user(7), sent.message_id, "b")
    assert await bot.answer_callback_query(only_callbacks[0].callback_query.id, "ok")
    with pytest.raises(telegram.error.BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(only_callbacks[0].callback_query.id)


async def test_webhook_retries_then_drops(tg: BotApiStandIn, bot: telegram.Bot) -> None:
    chat = tg.private_chat(1006)
    tg.webhook_retries = 2
    dead = f"http://127.0.0.1:{free_port()}/nobody-listens"
    assert await bot.set_webhook(dead, secret_token="abc")
    await tg.send_text(chat, chat.user, "lost")
    await tg.wait_delivered(timeout=5)  # dropped after two failed attempts
    assert [d.ok for d in tg.webhook_deliveries] == [False, False]
    info = await bot.get_webhook_info()
    assert info.url == dead and "Connection failed" in (info.last_error_message or "")
    with pytest.raises(telegram.error.BadRequest, match="(?i)secret token"):
        await bot.set_webhook(dead, secret_token="not allowed!")
    assert await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_user_media_copy_forward_and_privacy() -> None:
    async with standin_and_bot(privacy_mode=True) as (tg, bot):
        chat = tg.private_chat(1007)
        sent = await tg.send_document(
            chat, chat.user, b"HWP bytes", "사업계획서.hwp", "application/x-hwp", caption="검토 부탁드려요"
        )
        voice = await tg.send_voice(chat, chat.user, b"OggS...", duration=3)
        photo = await tg.send_photo(chat, chat.user, PNG_1x1)
        updates = await bot.get_updates(timeout=0)
        document = updates[0].message.document
        assert document.file_name == "사업계획서.hwp" and updates[0].message.caption == "검토 부탁드려요"
        assert updates[1].message.voice.duration == 3 and updates[2].message.photo[0].width == 1
        file = await bot.get_file(document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"HWP bytes"

        staff = tg.group_chat(-1007, "staff")
        copied = await bot.copy_message(staff.id, chat.id, sent["message_id"])
        forwarded = await bot.forward_message(staff.id, chat.id, voice["message_id"])
        assert forwarded.forward_origin.sender_user.id == chat.id
        copy_msg = await tg.wait_for_message(staff.id, lambda m: m["message_id"] == copied.message_id)
        assert copy_msg["document"]["file_id"] == document.file_id and copy_msg["caption"] == "검토 부탁드려요"
        assert photo["photo"][0]["file_size"] == len(PNG_1x1)

        # Privacy mode: in groups only commands, mentions and replies to the bot get through.
        member = tg.user(8, "Bo")
        await tg.send_text(staff, member, "just chatting")
        await tg.send_text(staff, member, f"{tg.bot_mention} 질문 있어요")
        await tg.send_command(staff, member, "help")
        await tg.send_text(staff, member, "답장", reply_to=forwarded.message_id)
        seen = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        assert [u.message.text for u in seen] == ["@cafe_test_bot 질문 있어요", "/help", "답장"]
        assert seen[0].message.entities[0].type == "mention"


def test_html_checker_rules() -> None:
    assert parse_html('<a href="https://k-startup.go.kr">공고</a>')[1] == [
        {"type": "text_link", "offset": 0, "length": 2, "url": "https://k-startup.go.kr"}
    ]
    assert parse_html('<span class="tg-spoiler">x</span> <tg-spoiler>y</tg-spoiler>')[1][1]["type"] == "spoiler"
    assert parse_html("a &lt;b&gt; &quot;c&quot;")[0] == 'a <b> "c"'
    for bad in ("<b>x", "x</b>", "<p>x</p>", "<span>x</span>", "<b><i>x</b></i>"):
        with pytest.raises(ValueError):
            parse_html(bad)


# -- Bot API: a real PTB Application, polling and webhook -------------------------------------------------------


def echo_app(tg: BotApiStandIn) -> Application:
    app = ApplicationBuilder().token(TOKEN).base_url(f"{tg.url}/bot").base_file_url(f"{tg.url}/file/bot").build()

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("좋아요", callback_data="like")]])
        await update.effective_message.reply_text(f"환영합니다 {' '.join(context.args)}".strip(), reply_markup=keyboard)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("감사합니다")
        await update.callback_query.edit_message_text("👍")

    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


async def test_polling_application(tg: BotApiStandIn) -> None:
    chat = tg.private_chat(2001, "Jisoo", language_code="en")
    group = tg.group_chat(-1009, "cafe group")
    member = tg.user(2002, "Dohyun")
    app = echo_app(tg)
    async with app:
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await app.start()
        try:
            await tg.send_text(chat, chat.user, "창업도약패키지 신청 자격이 어떻게 돼요?")
            reply = await tg.wait_for_message(chat.id, lambda m: "창업도약패키지" in m["text"])
            assert reply["text"] == "echo: 창업도약패키지 신청 자격이 어떻게 돼요?"

            await tg.send_command(group, member, "start", "friend", at_bot=True)
            welcome = await tg.wait_for_message(group.id)
            assert welcome["text"] == "환영합니다 friend"
            assert welcome["reply_to_message"]["text"] == "/start@cafe_test_bot friend"  # PTB quotes in groups
            await tg.press_button(group, member, welcome, "like")
            await tg.wait_for("answerCallbackQuery", lambda p: p["text"] == "감사합니다")
            await tg.wait_for_message(group.id, lambda m: m["text"] == "👍", edits=True)
            assert tg.answered_callbacks[0]["data"] == "like"
            await tg.wait_delivered()
        finally:
            await app.updater.stop()
            await app.stop()
    polls = tg.calls_to("getUpdates")
    # Updater.stop() abandons its long poll and confirms with a new getUpdates; Telegram answers the
    # abandoned one 409 (nobody is listening any more). Nothing else may fail.
    assert polls and sum(not c.ok for c in polls) <= 1


async def test_webhook_application_and_conflict(tg: BotApiStandIn, bot: telegram.Bot) -> None:
    chat = tg.private_chat(3001)
    app = echo_app(tg)
    port = free_port()
    async with app:
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="tg-hook",
            webhook_url=f"http://127.0.0.1:{port}/tg-hook",
            secret_token="s3cret-Token",
        )
        await app.start()
        try:
            assert tg.webhook == {"url": f"http://127.0.0.1:{port}/tg-hook", "secret_token": "s3cret-Token"}
            with pytest.raises(telegram.error.Conflict):
                await bot.get_updates(timeout=0)
            await tg.send_text(chat, chat.user, "웹훅으로 왔나요?")
            reply = await tg.wait_for_message(chat.id)
            assert reply["text"] == "echo: 웹훅으로 왔나요?"
            delivery = tg.webhook_deliveries[0]
            # PTB's webhook server answers 403 without the right secret header, so 200 proves it was sent.
            assert delivery.ok and delivery.secret_token == "s3cret-Token"
            info = await bot.get_webhook_info()
            assert info.url.endswith("/tg-hook") and info.pending_update_count == 0
        finally:
            await app.updater.stop()
            await app.stop()


# -- OpenAI-compatible API ------------------------------------------------------------------------------------

CONTEXT = (
    '<passage id="1" title="공고문" location="p.3">\n창업도약패키지는 업력 3년 이상 7년 이내 기업을 지원합니다. '
    "지원 금액은 최대 3억 원입니다.\n</passage>\n"
    '<passage id="2" title="FAQ" location="p.1">\n신청은 K-Startup 누리집에서 합니다.\n</passage>'
)


def grounded_messages(question: str) -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": f"Answer from the documents.\n<documents>\n{CONTEXT}\n</documents>"},
        {"role": "user", "content": question},
    ]


def test_default_responder_is_grounded() -> None:
    answer = grounded_echo(grounded_messages("신청은 어디에서 하나요?"), {})
    assert answer == "신청은 K-Startup 누리집에서 합니다. [2]"
    assert grounded_echo(grounded_messages("zzz"), {}) == "[[NOT_FOUND]]"
    rewrite = "Rewrite the text inside <message> as a question.\n<message>\n그럼 마감은요?\n</message>"
    assert grounded_echo([{"role": "user", "content": rewrite}], {}) == "그럼 마감은요?"


async def test_openai_sync_and_async_clients(llm: OpenAIStandIn) -> None:
    def sync_calls() -> tuple[str, str, Any]:
        with openai.OpenAI(base_url=llm.base_url, api_key="test-key", max_retries=0) as client:
            return collect(client)

    def collect(client: openai.OpenAI) -> tuple[str, str, Any]:
        plain = client.chat.completions.create(model="gpt-4o-mini", messages=grounded_messages("업력 기준은?"))
        pieces, usage = [], None
        for chunk in client.chat.completions.create(
            model="gpt-4o-mini",
            messages=grounded_messages("업력 기준은?"),
            stream=True,
            stream_options={"include_usage": True},
        ):
            if chunk.choices and chunk.choices[0].delta.content:
                pieces.append(chunk.choices[0].delta.content)
            usage = chunk.usage or usage
        return plain.choices[0].message.content or "", "".join(pieces), usage

    plain, streamed, usage = await asyncio.to_thread(sync_calls)
    assert plain == streamed == "창업도약패키지는 업력 3년 이상 7년 이내 기업을 지원합니다. [1]"
    assert usage is not None and usage.completion_tokens == math.ceil(len(plain) / 2)

    async with openai.AsyncOpenAI(base_url=llm.base_url, api_key="test-key", max_retries=0) as client:
        await async_calls(llm, client)


async def async_calls(llm: OpenAIStandIn, client: openai.AsyncOpenAI) -> None:
    llm.responder = lambda messages, request: "맞춤 응답"
    reply = await client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == "맞춤 응답" and reply.usage and reply.usage.total_tokens > 0
    stream = await client.chat.completions.create(
        model="gpt-4o-mini", stream=True, messages=[{"role": "user", "content": "hi"}]
    )
    assert "".join([c.choices[0].delta.content or "" async for c in stream if c.choices]) == "맞춤 응답"
    assert llm.chat_requests[0].system_prompt.startswith("Answer from the documents")
    assert (await llm.wait_for_request(lambda r: r.stream)).last_user_message == "업력 기준은?"

    models = await client.models.list()
    assert "gpt-4o-mini" in [m.id for m in models.data]
    emb = await client.embeddings.create(model="text-embedding-3-small", input=["창업 지원", "창업 지원", "날씨"])
    vectors = [e.embedding for e in emb.data]  # the client asked for base64 and decoded it
    assert len(vectors[0]) == 256 and math.isclose(sum(v * v for v in vectors[0]), 1.0, rel_tol=1e-5)
    assert vectors[0] == vectors[1] and vectors[0] != vectors[2]
    assert llm.embedding_requests[-1].body["encoding_format"] == "base64"
    raw = base64.b64encode(struct.pack("<256f", *pseudo_embedding("창업 지원"))).decode()
    assert struct.unpack("<256f", base64.b64decode(raw)) == tuple(vectors[0])


async def test_classification_hook(llm: OpenAIStandIn) -> None:
    async with openai.AsyncOpenAI(base_url=llm.base_url, api_key="k", max_retries=0) as client:
        await classify_calls(llm, client)


async def classify_calls(llm: OpenAIStandIn, client: openai.AsyncOpenAI) -> None:
    prompt = "Classify the message as one of these labels. Output the label only.\n<message>\n안녕하세요\n</message>"
    reply = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])
    assert reply.choices[0].message.content == "question"
    llm.classify_responder = lambda messages, request: "smalltalk"
    reply = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])
    assert reply.choices[0].message.content == "smalltalk"


async def test_langchain_against_openai_standin(llm: OpenAIStandIn) -> None:
    model = ChatOpenAI(
        model="gpt-4o-mini",
        base_url=llm.base_url,
        api_key="k",
        max_retries=0,  # type: ignore[arg-type]
        stream_usage=True,
    )
    messages = [("system", grounded_messages("")[0]["content"]), ("human", "지원 금액은 얼마인가요?")]
    answer = await model.ainvoke(messages)
    assert answer.content == "지원 금액은 최대 3억 원입니다. [1]"
    chunks = [chunk async for chunk in model.astream(messages)]
    assert "".join(str(c.content) for c in chunks) == answer.content and len(chunks) > 3
    assert any(c.usage_metadata for c in chunks)
    sync_reply = await asyncio.to_thread(model.invoke, "hello")
    assert sync_reply.content == "hello"
    embeddings = OpenAIEmbeddings(
        model="text-embedding-3-small",
        base_url=llm.base_url,
        api_key="k",  # type: ignore[arg-type]
        check_embedding_ctx_length=False,
    )
    assert len(await embeddings.aembed_query("창업")) == 256


async def test_openai_fault_injection(llm: OpenAIStandIn) -> None:
    async with (
        openai.AsyncOpenAI(base_url=llm.base_url, api_key="k", max_retries=0, timeout=0.3) as client,
        openai.AsyncOpenAI(base_url=llm.base_url, api_key="k", max_retries=2) as retrying,
    ):
        await fault_calls(llm, client, retrying)


async def fault_calls(llm: OpenAIStandIn, client: openai.AsyncOpenAI, retrying: openai.AsyncOpenAI) -> None:
    hello = [{"role": "user", "content": "hello"}]
    llm.fail_next(500)
    with pytest.raises(openai.InternalServerError):
        await client.chat.completions.create(model="m", messages=hello)
    llm.fail_next(429)
    with pytest.raises(openai.RateLimitError):
        await client.chat.completions.create(model="m", messages=hello)
    llm.fail_next(503)
    assert (await retrying.chat.completions.create(model="m", messages=hello)).choices[0].message.content == "hello"
    assert len(llm.chat_requests) == 4  # the 503 was retried once, quickly (retry-after-ms)

    llm.delay_next(2.0)
    with pytest.raises(openai.APITimeoutError):
        await client.chat.completions.create(model="m", messages=hello)

    llm.responder = lambda messages, request: "a fairly long answer that streams in many small chunks"
    llm.break_stream_next(after_chunks=3)
    received = []
    with pytest.raises((openai.APIError, httpx.HTTPError)):
        stream = await client.chat.completions.create(model="m", messages=hello, stream=True)
        async for chunk in stream:
            received.append(chunk)
    assert 0 < len(received) <= 3
    ok = await client.chat.completions.create(model="m", messages=hello)  # the fault was one-shot
    assert ok.choices[0].message.content.startswith("a fairly long answer")
    async with httpx.AsyncClient() as http:
        unauthenticated = await http.get(f"{llm.base_url}/models")
    assert unauthenticated.status_code == 401 and unauthenticated.json()["error"]["type"] == "invalid_request_error"
