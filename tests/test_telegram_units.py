"""The pieces behind the Telegram front end: the per-chat update processor, the question limiter, message
splitting and rendering, webhook settings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update
from telegram_harness import settings_for

from bot.answering.types import Answer, Source
from bot.telegram.app import webhook_options
from bot.telegram.processor import PerChatUpdateProcessor
from bot.telegram.ratelimit import SlidingWindowLimiter
from bot.telegram.render import render_answer, split_text, utf16_len


def test_webhook_options_follow_settings(tmp_path, embedding_cache_dir):
    settings = settings_for(tmp_path, embedding_cache_dir, webhook_url="https://bot.example.org/tg/hook",
                            webhook_port=8443, webhook_listen="0.0.0.0")
    first, second = webhook_options(settings), webhook_options(settings)
    assert first["url_path"] == "tg/hook" and first["webhook_url"] == "https://bot.example.org/tg/hook"
    assert first["secret_token"] != second["secret_token"]  # random per start when none is configured
    assert len(first["secret_token"]) >= 32
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        webhook_options(settings.model_copy(update={"webhook_secret": "has spaces!"}))


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.GROUP)
    return Update(update_id, message=Message(update_id, datetime.now(UTC), chat, text="q"))


async def test_processor_runs_chats_concurrently_but_each_chat_in_order():
    processor = PerChatUpdateProcessor(max_concurrent_chats=2)
    events: list[str] = []
    running = 0
    peak = 0

    async def work(name: str, seconds: float) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        events.append(f"start {name}")
        await asyncio.sleep(seconds)
        events.append(f"end {name}")
        running -= 1

    jobs = [(_update(1, 10), "a1", 0.05), (_update(2, 10), "a2", 0.0), (_update(3, 20), "b1", 0.01),
            (_update(4, 30), "c1", 0.01), (_update(5, 40), "d1", 0.01)]
    async with processor:
        await asyncio.gather(*(processor.process_update(u, work(n, s)) for u, n, s in jobs))
    assert events.index("end a1") < events.index("start a2")
    assert events.index("end b1") < events.index("end a1")  # another chat did not wait for chat 10
    assert peak == 2
    assert processor.active_chats == 0


def test_limiter_allows_the_limit_and_warns_once_per_window():
    now = [100.0]
    limiter = SlidingWindowLimiter(2, 60.0, clock=lambda: now[0])
    assert limiter.check(1).allowed and limiter.check(1).allowed
    refused = limiter.check(1)
    assert not refused.allowed and refused.warn and refused.retry_after == 60
    now[0] += 10
    again = limiter.check(1)
    assert not again.allowed and not again.warn and again.retry_after == 50
    assert limiter.check(2).allowed  # per founder
    now[0] += 51
    assert limiter.check(1).allowed
    now[0] += 120
    limiter.prune()
    assert limiter.check(1).allowed


def test_split_text_prefers_paragraphs_then_lines_then_spaces():
    paragraphs = ["가" * 30, "나" * 30, "다" * 30]
    assert split_text("\n\n".join(paragraphs), 70) == ["가" * 30 + "\n\n" + "나" * 30, "다" * 30]
    assert split_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]
    words = split_text("word " * 40, 50)
    assert all(len(w) <= 50 and not w.startswith(" ") for w in words)
    assert split_text("<" * 10, 20) == ["<" * 5, "<" * 5]  # measured escaped: "&lt;" is four


def test_render_escapes_and_lists_sources_last():
    answer = Answer("answer", "A < B & C [1]\n\nD [2]", "en", "llm", "q", "q",
                    [Source(1, "Guide <2025>", "p.3", "d1", "g.pdf"), Source(2, "FAQ", "Q&A", "d2", "f.md")])
    [chunk] = render_answer(answer)
    assert chunk.html == ("<b>Answer</b>\n\nA &lt; B &amp; C [1]\n\nD [2]\n\n"
                          "<b>Sources</b>\n[1] Guide &lt;2025&gt;, p.3\n[2] FAQ, Q&amp;A")
    assert chunk.plain.endswith("[1] Guide <2025>, p.3\n[2] FAQ, Q&A")
    long = Answer("answer", "\n\n".join("문단 " + "가" * 1500 for _ in range(5)), "ko", "llm", "q", "q",
                  [Source(1, "안내", "p.1", "d", "f")])
    chunks = render_answer(long)
    assert len(chunks) == 3 and all(utf16_len(c.html) <= 4096 for c in chunks)
    assert chunks[-1].plain.endswith("출처\n[1] 안내, p.1")
