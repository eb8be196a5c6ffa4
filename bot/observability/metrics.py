"""Prometheus metrics of this process, and the small hooks the domain services call to move them.

Counters and histograms live in prometheus_client's default registry (one per process; each replica is
its own scrape target). Gauges that describe shared state (escalations by state, outbox depth) are read
from the database at scrape time instead (bot.observability.collectors), so every replica reports the
database's truth rather than what it happened to do itself.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

if TYPE_CHECKING:
    from bot.answering.types import Answer

# The `_created` timestamp series double every counter's output and no dashboard here uses them.
disable_created_metrics()

P = ParamSpec("P")
R = TypeVar("R")

LANGS = ("ko", "en")
NO_CAFE = "-"  # the `cafe` label of work without a cafe (a deployment without a cafes file, or from before it)
# answered: from the documents; not_found: the documents do not say; routed: to the experts (idea review,
# asked for a human); rejected: not answered by design (small talk, out of scope, over the rate limit);
# error: the answering pipeline failed and the founder got an apology.
OUTCOMES = ("answered", "not_found", "routed", "rejected", "error")
_OUTCOME_OF_KIND = {
    "answer": "answered", "not_found": "not_found", "idea_review": "routed", "human": "routed",
    "smalltalk": "rejected", "out_of_scope": "rejected", "refused": "rejected",
}

QUESTIONS = Counter("cafebot_questions", "Founders' messages handled by the Q&A service, by language, outcome and "
                    "the founder's cafe (- for none)", ["lang", "outcome", "cafe"])
ANSWER_LATENCY = Histogram(
    "cafebot_answer_latency_seconds", "Bot-side time from a founder's message to the finished answer, by mode "
    "(llm, extractive, none for canned replies)", ["mode"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30),
)
LLM_TOKENS = Counter("cafebot_llm_tokens", "Tokens the LLM endpoint reported, by model and kind (prompt, completion)",
                     ["model", "kind"])
LLM_ERRORS = Counter("cafebot_llm_errors", "Failed LLM calls by kind (timeout, rate_limit, server, client, "
                     "connection, other)", ["kind"])
LLM_LATENCY = Histogram("cafebot_llm_latency_seconds", "Duration of one LLM call (a whole stream), by model",
                        ["model"], buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60))
SLA_BREACHES = Counter("cafebot_escalation_sla_breaches", "Unclaimed tickets past a service level, by action "
                       "(reminder: experts reminded; reassigned: given to another expert) and the ticket's cafe "
                       "(- for none)", ["action", "cafe"])
INGESTIONS = Counter("cafebot_ingestions", "Documents offered to the knowledge base, by result (added, updated, "
                     "unchanged, rejected, failed) and refusal reason", ["result", "reason"])
INGESTION_DURATION = Histogram(
    "cafebot_ingestion_duration_seconds", "Time to ingest one file (reading, chunking, embedding, indexing), "
    "by result", ["result"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
STAFF_QUESTIONS = Counter("cafebot_staff_questions", "Founders' questions passed to the cafe staff, by step (asked, "
                          "answered, covered, redirected, closed, saved) and the question's cafe (- for none)",
                          ["step", "cafe"])
RETRIEVAL_MISSES = Counter("cafebot_retrieval_misses", "Questions staff marked as covered by the documents: the "
                           "answer was there and the bot did not find it")
TELEGRAM_UPDATES = Counter("cafebot_telegram_updates", "Telegram updates handled, by type", ["type"])
UPDATES_IN_PROGRESS = Gauge("cafebot_telegram_updates_in_progress", "Telegram updates taken for handling and not "
                            "finished yet (waiting for their chat's turn or running)")
HANDLER_ERRORS = Counter("cafebot_telegram_handler_errors", "Updates whose handler raised, by exception type",
                         ["error"])

# Series that exist from the start at zero, so rates and ratios have both sides before the first event.
for _lang in LANGS:
    for _outcome in OUTCOMES:
        QUESTIONS.labels(_lang, _outcome, NO_CAFE)
for _action in ("reminder", "reassigned"):
    SLA_BREACHES.labels(_action, NO_CAFE)


# --- questions ------------------------------------------------------------------------------------------------


def outcome_of(kind: str) -> str:
    return _OUTCOME_OF_KIND.get(kind, "answered")


# The cafe of the question being answered, as the question log recorded it (note_question_cafe): observe_answers
# puts a fresh box here for each answer; the log is written in a worker thread, whose copy of the context holds the
# same box, so what it notes is seen here once the answer returns.
_QUESTION_CAFE: ContextVar[list[str] | None] = ContextVar("cafebot_question_cafe", default=None)


def record_answer(answer: Answer, cafe_id: str | None = None) -> None:
    QUESTIONS.labels(answer.lang, outcome_of(answer.kind), cafe_id or NO_CAFE).inc()
    ANSWER_LATENCY.labels(answer.mode).observe(answer.latency_ms / 1000)


def record_rejected(lang: str, cafe_id: str | None = None) -> None:
    """A question refused before it reached the Q&A service (the founder is over the rate limit)."""
    QUESTIONS.labels(lang, "rejected", cafe_id or NO_CAFE).inc()


def note_question_cafe(cafe_id: str | None) -> None:
    """The question being answered was logged for `cafe_id` (bot.answering.memory): the `cafe` of its count."""
    box = _QUESTION_CAFE.get()
    if box is not None:
        box[0] = cafe_id or NO_CAFE


def observe_answers(fn: Callable[P, Awaitable[Answer]]) -> Callable[P, Awaitable[Answer]]:
    """Count every answer by language, outcome and the founder's cafe (the one its question was logged for) and
    time it; a raised exception counts as `error`."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> Answer:
        box = [NO_CAFE]
        token = _QUESTION_CAFE.set(box)
        try:
            answer = await fn(*args, **kwargs)
        except Exception:
            QUESTIONS.labels(str(kwargs.get("lang") or "unknown"), "error", box[0]).inc()
            raise
        finally:
            _QUESTION_CAFE.reset(token)
        record_answer(answer, box[0])
        return answer

    return wrapper


# --- knowledge base -------------------------------------------------------------------------------------------


def _rejection_reason(exc: Exception) -> str | None:
    reason = getattr(exc, "reason", None)
    return str(getattr(reason, "value", reason)) if reason is not None and hasattr(exc, "file_name") else None


def observe_ingestion(fn: Callable[P, R]) -> Callable[P, R]:
    """Count and time an ingestion: its IngestResult status, or `rejected` with the DocumentRejected reason."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            reason = _rejection_reason(exc)
            status = "rejected" if reason else "failed"
            INGESTIONS.labels(status, reason or "").inc()
            INGESTION_DURATION.labels(status).observe(time.perf_counter() - started)
            raise
        status = str(getattr(result, "status", "added"))
        INGESTIONS.labels(status, "").inc()
        INGESTION_DURATION.labels(status).observe(time.perf_counter() - started)
        return result

    return wrapper


def count_rejections(fn: Callable[P, R]) -> Callable[P, R]:
    """Count the DocumentRejected a pre-check raises (a file refused before it is even downloaded)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            reason = _rejection_reason(exc)
            if reason:
                INGESTIONS.labels("rejected", reason).inc()
            raise

    return wrapper


# --- escalations and Telegram ---------------------------------------------------------------------------------


def record_staff_question(step: str, cafe_id: str | None) -> None:
    """A step of a staff question of `cafe_id` (the cafe whose staff answer it; None: no cafe)."""
    STAFF_QUESTIONS.labels(step, cafe_id or NO_CAFE).inc()


def record_retrieval_miss(cafe_id: str | None) -> None:
    RETRIEVAL_MISSES.inc()
    STAFF_QUESTIONS.labels("covered", cafe_id or NO_CAFE).inc()


def record_sla_breach(action: str, cafe_id: str | None = None) -> None:
    """Count a service-level breach (`reminder` or `reassigned`) of a ticket of `cafe_id` acted on by this process."""
    SLA_BREACHES.labels(action, cafe_id or NO_CAFE).inc()


def record_update(update_type: str) -> None:
    """Count an update as its handling starts; it stays in progress until the task handling it ends. PTB gives
    each update a task of its own when updates run concurrently (as this bot has them), so that task's end is
    the update's: its handlers, its chat's turn and the state saved after it."""
    TELEGRAM_UPDATES.labels(update_type).inc()
    task = asyncio.current_task()
    if task is not None:
        UPDATES_IN_PROGRESS.inc()
        task.add_done_callback(lambda _: UPDATES_IN_PROGRESS.dec())


def record_handler_error(error: BaseException | None) -> None:
    HANDLER_ERRORS.labels(type(error).__name__ if error is not None else "unknown").inc()

