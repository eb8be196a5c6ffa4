"""LLM metrics from LangChain's callbacks: tokens from the usage the endpoint reports, errors by kind, latency.

Attached to the chat model once (bot.answering.llm.make_chat_model), so every call — the answer stream, the
follow-up rewrite, intent routing, case summaries — is counted without the callers knowing.
"""

from __future__ import annotations

import threading
import time
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from bot.observability.metrics import LLM_ERRORS, LLM_LATENCY, LLM_TOKENS


def error_kind(error: BaseException) -> str:
    """timeout, rate_limit, server (5xx), client (other 4xx), connection, or other (e.g. a broken stream)."""
    name = type(error).__name__
    status = getattr(error, "status_code", None)
    if "Timeout" in name or isinstance(error, TimeoutError):
        return "timeout"
    if name == "RateLimitError" or status == 429:
        return "rate_limit"
    if isinstance(status, int):
        return "server" if status >= 500 else "client"
    if "Connection" in name or isinstance(error, ConnectionError):
        return "connection"
    return "other"


def _usage(response: LLMResult) -> tuple[int, int] | None:
    """(prompt, completion) tokens: LangChain's usage_metadata (also set on streams with stream_usage), else
    the raw OpenAI `token_usage`; None when the endpoint reported nothing."""
    prompt = completion = 0
    found = False
    for generations in response.generations:
        for generation in generations:
            usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
            if usage:
                prompt += int(usage.get("input_tokens") or 0)
                completion += int(usage.get("output_tokens") or 0)
                found = True
    if found:
        return prompt, completion
    raw = (response.llm_output or {}).get("token_usage") or {}
    if raw:
        return int(raw.get("prompt_tokens") or 0), int(raw.get("completion_tokens") or 0)
    return None


class LLMMetrics(BaseCallbackHandler):
    """Moves cafebot_llm_* for every chat model call it is attached to. Cheap, so it runs inline."""

    run_inline = True

    def __init__(self) -> None:
        self._started: dict[UUID, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[Any]], *, run_id: UUID,
                            **kwargs: Any) -> None:
        params = kwargs.get("invocation_params") or {}
        model = str(params.get("model") or params.get("model_name") or "unknown")
        with self._lock:
            self._started[run_id] = (time.perf_counter(), model)

    def _finish(self, run_id: UUID) -> str:
        with self._lock:
            started, model = self._started.pop(run_id, (None, "unknown"))
        if started is not None:
            LLM_LATENCY.labels(model).observe(time.perf_counter() - started)
        return model

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        model = self._finish(run_id)
        usage = _usage(response)
        if usage is not None:
            LLM_TOKENS.labels(model, "prompt").inc(usage[0])
            LLM_TOKENS.labels(model, "completion").inc(usage[1])

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._finish(run_id)
        LLM_ERRORS.labels(error_kind(error)).inc()


LLM_METRICS = LLMMetrics()
