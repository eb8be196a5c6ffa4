"""Founders' Q&A speed: bot-side time per answer without an LLM (p50/p95), and sustained throughput with 200
simulated founders through the Bot API stand-in, in extractive mode.

Run alone with `python -m bench.answer_speed` or as part of `python -m bench.run_all`.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

from bench.common import ANSWER_QUALITY, ROOT, temp_services

sys.path.insert(0, str(ROOT / "tests"))  # the stand-ins live with the tests

from standins import BotApiStandIn  # noqa: E402
from telegram_harness import is_answer, running_bot  # noqa: E402

from bot.services import sync_knowledge_dir  # noqa: E402

FOUNDERS = 200
QUESTIONS_EACH = 3


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _latency(services, questions: list[str]) -> dict[str, float]:
    """AnswerService time per answer (routing, retrieval, quoting, logging), warm, repeated three times."""
    for q in questions[:5]:
        await services.answers.answer("warm", q, user_id=1)
    times: list[float] = []
    for rnd in range(3):
        for i, q in enumerate(questions):
            started = time.perf_counter()
            await services.answers.answer(f"lat-{rnd}-{i}", q, user_id=10 + i)
            times.append((time.perf_counter() - started) * 1000)
    return {"answers": len(times), "p50_ms": round(_percentile(times, 0.5), 1),
            "p95_ms": round(_percentile(times, 0.95), 1), "mean_ms": round(statistics.mean(times), 1)}


async def _throughput(services, questions: list[str]) -> dict[str, float]:
    """200 founders in private chats each send questions; count final answers per second end to end."""
    async with BotApiStandIn() as tg:
        async with running_bot(services, tg, user_rate_per_minute=1000, telegram_concurrent_chats=64):
            chats = [tg.private_chat(500_000 + i, f"founder{i}") for i in range(FOUNDERS)]
            total = FOUNDERS * QUESTIONS_EACH
            started = time.perf_counter()
            for round_ in range(QUESTIONS_EACH):
                for i, chat in enumerate(chats):
                    await tg.send_text(chat, chat.user, questions[(i + round_) % len(questions)])
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                done = sum(1 for c in chats for m in tg.sent_messages(c.id) if is_answer(m))
                if done >= total:
                    break
                await asyncio.sleep(0.2)
            seconds = time.perf_counter() - started
    return {"founders": FOUNDERS, "answers": done, "seconds": round(seconds, 1),
            "answers_per_s": round(done / seconds, 1)}


def run() -> dict[str, object]:
    cases = [json.loads(line) for line in ANSWER_QUALITY.open(encoding="utf-8")]
    questions = [c["question"] for c in cases if c["answerable"]]
    with temp_services("answer-speed") as services:
        sync_knowledge_dir(services)
        services.answers.warm_up()
        time.sleep(5)  # let the background pre-embedding of quotable sentences finish
        latency = asyncio.run(_latency(services, questions))
        throughput = asyncio.run(_throughput(services, questions))
    return {"latency": latency, "throughput": throughput}


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=2))
