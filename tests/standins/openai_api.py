"""An OpenAI-compatible API stand-in on 127.0.0.1: chat completions (plain and SSE streaming), embeddings, models.

The official `openai` client (sync and async) and `langchain_openai.ChatOpenAI` / `OpenAIEmbeddings` work
against it with `base_url=llm.base_url` (`{url}/v1`) and any api_key:

    async with OpenAIStandIn() as llm:
        llm.responder = lambda messages, request: "창업도약패키지는 업력 3년 이상 7년 이내 기업이 대상입니다. [1]"
        ...
        assert "<documents>" in llm.chat_requests[-1].system_prompt

Replies come from `llm.responder(messages, request_body) -> str` (default: `default_responder`, which routes
label/JSON requests to `llm.classify_responder` and everything else to `grounded_echo`; see llm_responders).
Token usage is approximated as characters / 2.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import math
import secrets
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from aiohttp import web

from ._server import ChangeSignal, ThreadedAiohttpServer, maybe_await
from .llm_responders import Responder, default_classification, grounded_echo, message_text, wants_classification

_ERRORS = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later."),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


@dataclass(frozen=True)
class LlmRequest:
    """One request a client made, with conveniences for asserting on the prompt."""

    method: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(repr=False)
    timestamp: float

    @property
    def endpoint(self) -> str:
        """ "chat/completions", "embeddings", "models", ..."""
        return self.path.removeprefix("/v1/")

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def model(self) -> str | None:
        return self.body.get("model")

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def system_prompt(self) -> str:
        """All system/developer messages' text."""
        return "\n".join(message_text(m) for m in self.messages if m.get("role") in ("system", "developer"))

    @property
    def last_user_message(self) -> str:
        return next((message_text(m) for m in reversed(self.messages) if m.get("role") == "user"), "")

    @property
    def prompt_text(self) -> str:
        """Every message's text, one per line: `assert "창업도약패키지" in req.prompt_text`."""
        return "\n".join(message_text(m) for m in self.messages)

    @property
    def inputs(self) -> list[str]:
        """Embedding inputs as strings (token-id inputs are shown as their numbers)."""
        return _embedding_inputs(self.body.get("input"))


@dataclass
class _Fault:
    kind: str  # "fail", "delay" or "break"
    endpoint: str  # "chat/completions", "embeddings" or "*"
    times: int
    status: int = 500
    message: str | None = None
    retry_after_ms: int | None = None
    seconds: float = 0.0
    after_chunks: int = 2


@lru_cache(maxsize=8192)
def pseudo_embedding(text: str, dimensions: int = 256) -> tuple[float, ...]:
    """Deterministic unit vector from hashed character 2/3-grams and words: similar texts → high cosine."""
    vector = [0.0] * dimensions
    normalized = " ".join(text.lower().split())
    padded = f" {normalized} "
    features = [padded[i : i + n] for n in (2, 3) for i in range(len(padded) - n + 1)] + normalized.split()
    for feature in features:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        vector[int.from_bytes(digest[:4], "little") % dimensions] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0:
        vector[0], norm = 1.0, 1.0
    return tuple(v / norm for v in vector)


def _embedding_inputs(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and raw and all(isinstance(x, int) for x in raw):
        return [" ".join(map(str, raw))]
    if isinstance(raw, list):
        return [x if isinstance(x, str) else " ".join(map(str, x)) for x in raw]
    return []


def approx_tokens(text: str) -> int:
    """The stand-in's token count: characters / 2, at least 1."""
    return max(1, (len(text) + 1) // 2)


class OpenAIStandIn(ThreadedAiohttpServer):
    """OpenAI's REST API as far as the bot uses it. See the module docstring.

    Args:
        responder: replaces `default_responder` for every chat completion.
        classify_responder: what label/JSON requests get under the default responder (default "question").
        embedding_dim: default embedding size (a request's `dimensions` overrides it).
        api_key: if set, other keys get 401 like OpenAI; otherwise any non-empty key is accepted.
        stream_chunk_chars / stream_delay: streaming granularity and pause between SSE chunks.
        not_found: what grounded_echo answers when no context sentence overlaps the question.
    """

    _thread_name = "openai-standin"

    def __init__(
        self,
        *,
        responder: Responder | None = None,
        classify_responder: Responder | None = None,
        embedding_dim: int = 256,
        api_key: str | None = None,
        models: tuple[str, ...] = ("gpt-4o-mini", "text-embedding-3-small"),
        stream_chunk_chars: int = 6,
        stream_delay: float = 0.0,
        not_found: str = "[[NOT_FOUND]]",
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.responder: Responder = responder or self.default_responder
        self.classify_responder: Responder = classify_responder or default_classification
        self.embedding_dim = embedding_dim
        self.api_key = api_key
        self.models = list(models)
        self.stream_chunk_chars = stream_chunk_chars
        self.stream_delay = stream_delay
        self.not_found = not_found
        self.requests: list[LlmRequest] = []
        self._faults: list[_Fault] = []
        self._consumed: set[int] = set()
        self._lock = threading.Lock()  # faults and waits are touched from the test thread and the server thread
        self.signal = ChangeSignal()

    @property
    def base_url(self) -> str:
        """What to give clients as base_url: `{url}/v1`."""
        return f"{self.url}/v1"

    @property
    def chat_requests(self) -> list[LlmRequest]:
        return [r for r in list(self.requests) if r.endpoint == "chat/completions"]

    @property
    def embedding_requests(self) -> list[LlmRequest]:
        return [r for r in list(self.requests) if r.endpoint == "embeddings"]

    def default_responder(self, messages: list[dict[str, Any]], request: dict[str, Any]) -> Any:
        """Label/JSON requests → `classify_responder`; everything else → `grounded_echo`."""
        if wants_classification(messages, request):
            return self.classify_responder(messages, request)
        return grounded_echo(messages, request, self.not_found)

    # -- fault injection ---------------------------------------------------------------------------------
    def fail_next(
        self,
        status: int = 500,
        times: int = 1,
        *,
        endpoint: str = "chat/completions",
        message: str | None = None,
        retry_after_ms: int | None = 10,
    ) -> None:
        """The next `times` requests to `endpoint` ("*" = any) get an OpenAI-style error with this status.

        `retry_after_ms` is sent as the `retry-after-ms` header, which the openai client honours when it
        retries (default max_retries=2): keep it small so retries stay fast, or None to omit it.
        """
        with self._lock:
            self._faults.append(_Fault("fail", endpoint, times, status, message, retry_after_ms))

    def delay_next(self, seconds: float, times: int = 1, *, endpoint: str = "chat/completions") -> None:
        """Hold the next response(s) for `seconds` before answering (to trigger client timeouts)."""
        with self._lock:
            self._faults.append(_Fault("delay", endpoint, times, seconds=seconds))

    def break_stream_next(self, after_chunks: int = 2, times: int = 1) -> None:
        """Cut the connection of the next streaming completion after `after_chunks` SSE chunks."""
        with self._lock:
            self._faults.append(_Fault("break", "chat/completions", times, after_chunks=after_chunks))

    def _take_fault(self, kind: str, endpoint: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.kind == kind and fault.endpoint in (endpoint, "*"):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # -- waiting -----------------------------------------------------------------------------------------
    async def wait_for_request(
        self,
        predicate: Callable[[LlmRequest], bool] | None = None,
        timeout: float = 10.0,
        *,
        endpoint: str = "chat/completions",
    ) -> LlmRequest:
        """The oldest request to `endpoint` not returned by an earlier wait that satisfies `predicate`."""

        def check() -> LlmRequest | None:
            with self._lock:
                for index, request in enumerate(self.requests):
                    if (
                        index not in self._consumed
                        and request.endpoint == endpoint
                        and (predicate is None or predicate(request))
                    ):
                        self._consumed.add(index)
                        return request
            return None

        found = await self.signal.wait_until(check, timeout)
        if found is None:
            raise TimeoutError(f"no matching {endpoint} request within {timeout}s ({len(self.requests)} requests)")
        return found

    # -- server ------------------------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/v1/models/{model}", self._model)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        return app

    @staticmethod
    def _error(
        status: int, message: str | None = None, *, headers: dict[str, str] | None = None, param: str | None = None
    ) -> web.Response:
        kind, code, default = _ERRORS.get(status, ("server_error", None, f"Error {status}"))
        body = {"error": {"message": message or default, "type": kind, "param": param, "code": code}}
        return web.json_response(body, status=status, headers=headers)

    def _refuse_key(self, request: web.Request) -> web.Response | None:
        key = request.headers.get("Authorization", "").removeprefix("Bearer").strip()
        if not key:
            return self._error(
                401,
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            )
        if self.api_key is not None and key != self.api_key:
            return self._error(401)
        return None

    async def _admit(self, request: web.Request, endpoint: str) -> tuple[dict[str, Any], web.Response | None]:
        """Auth, JSON body, recording and injected faults, common to the POST endpoints."""
        refused = self._refuse_key(request)
        if refused is not None:
            return {}, refused
        try:
            body = await request.json()
        except ValueError:
            return {}, self._error(400, "We could not parse the JSON body of your request.")
        if not isinstance(body, dict):
            return {}, self._error(400, "We could not parse the JSON body of your request.")
        with self._lock:
            self.requests.append(LlmRequest(request.method, request.path, body, dict(request.headers), time.time()))
        self.signal.notify()
        delay = self._take_fault("delay", endpoint)
        if delay is not None and self.closing is not None:
            try:  # interruptible, so stopping the server never waits for a long delay
                await asyncio.wait_for(self.closing.wait(), delay.seconds)
            except TimeoutError:
                pass
        fail = self._take_fault("fail", endpoint)
        if fail is not None:
            headers = {"retry-after-ms": str(fail.retry_after_ms)} if fail.retry_after_ms is not None else None
            return body, self._error(fail.status, fail.message, headers=headers)
        return body, None

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body, refused = await self._admit(request, "chat/completions")
        if refused is not None:
            return refused
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return self._error(400, "[] is too short - 'messages'", param="messages")
        if not body.get("model"):
            return self._error(400, "you must provide a model parameter", param="model")
        try:
            text = str(await maybe_await(self.responder(messages, body)))
        except Exception as exc:  # noqa: BLE001 - a broken responder should fail the test visibly, not hang it
            return self._error(500, f"stand-in responder raised {type(exc).__name__}: {exc}")
        finish = "stop"
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if isinstance(limit, int) and approx_tokens(text) > limit:
            text, finish = text[: limit * 2], "length"
        prompt_tokens = approx_tokens("\n".join(message_text(m) for m in messages))
        usage = _usage(prompt_tokens, approx_tokens(text) if text else 0)
        completion_id = "chatcmpl-" + secrets.token_hex(12)
        common = {
            "id": completion_id,
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_standin",
        }
        if not body.get("stream"):
            choices = [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": text, "refusal": None, "annotations": []},
                    "logprobs": None,
                    "finish_reason": finish,
                }
                for i in range(int(body.get("n") or 1))
            ]
            return web.json_response(
                {**common, "object": "chat.completion", "choices": choices, "usage": usage, "service_tier": "default"}
            )
        return await self._stream(request, body, common, text, finish, usage)

    async def _stream(
        self,
        request: web.Request,
        body: dict[str, Any],
        common: dict[str, Any],
        text: str,
        finish: str,
        usage: dict[str, Any],
    ) -> web.StreamResponse:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        extra = {"usage": None} if include_usage else {}
        size = max(1, self.stream_chunk_chars)

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            return {**common, "object": "chat.completion.chunk", "choices": [choice], **extra}

        events = [chunk({"role": "assistant", "content": "", "refusal": None})]
        events += [chunk({"content": text[i : i + size]}) for i in range(0, len(text), size)]
        events.append(chunk({}, finish))
        if include_usage:
            events.append({**common, "object": "chat.completion.chunk", "choices": [], "usage": usage})
        cut = self._take_fault("break", "chat/completions")
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        for index, event in enumerate(events):
            if cut is not None and index >= cut.after_chunks:
                # Drop the TCP connection mid-body: the client sees an incomplete chunked response.
                if request.transport is not None:
                    request.transport.abort()
                return response
            await response.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
            if self.stream_delay:
                await asyncio.sleep(self.stream_delay)
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _embeddings(self, request: web.Request) -> web.Response:
        body, refused = await self._admit(request, "embeddings")
        if refused is not None:
            return refused
        inputs = _embedding_inputs(body.get("input"))
        if not inputs or any(not text for text in inputs):
            return self._error(
                400,
                "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
                param="input",
            )
        dimensions = int(body.get("dimensions") or self.embedding_dim)
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for index, text in enumerate(inputs):
            vector = pseudo_embedding(text, dimensions)
            encoded: Any = (
                base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode() if as_base64 else list(vector)
            )
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(approx_tokens(text) for text in inputs)
        return web.json_response(
            {
                "object": "list",
                "data": data,
                "model": body.get("model", ""),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    def _model_object(self, model: str) -> dict[str, Any]:
        return {"id": model, "object": "model", "created": 1700000000, "owned_by": "standin"}

    async def _models(self, request: web.Request) -> web.Response:
        refused = self._refuse_key(request)
        if refused is not None:
            return refused
        return web.json_response({"object": "list", "data": [self._model_object(m) for m in self.models]})

    async def _model(self, request: web.Request) -> web.Response:
        refused = self._refuse_key(request)
        if refused is not None:
            return refused
        model = request.match_info["model"]
        if model not in self.models:
            return web.json_response(
                {
                    "error": {
                        "message": f"The model '{model}' does not exist",
                        "type": "invalid_request_error",
                        "param": "model",
                        "code": "model_not_found",
                    }
                },
                status=404,
            )
        return web.json_response(self._model_object(model))

    async def _unknown(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "error": {
                    "message": f"Invalid URL ({request.method} {request.path})",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            },
            status=404,
        )


def _usage(prompt: int, completion: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
