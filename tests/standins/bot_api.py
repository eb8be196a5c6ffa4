"""A Telegram Bot API server stand-in on 127.0.0.1, and the test-side "user" who talks to the bot through it.

Point python-telegram-bot at it with
`ApplicationBuilder().token(tg.token).base_url(f"{tg.url}/bot").base_file_url(f"{tg.url}/file/bot")`
(PTB appends the token to both). Everything the bot does over HTTP is recorded; the test plays the users:

    async with BotApiStandIn() as tg:
        chat = tg.private_chat(1001, "민지")
        await tg.send_text(chat, chat.user, "창업도약패키지 신청 자격이 어떻게 돼요?")
        reply = await tg.wait_for_message(chat.id, lambda m: "창업도약패키지" in m["text"])
"""

from __future__ import annotations

import copy
import json
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from ._server import ThreadedAiohttpServer
from .tg_state import (
    ApiCall,
    BotApiError,
    FailRule,
    TgChat,
    UploadedFile,
    normalize_params,
)
from .tg_users import BotApiUsers

MESSAGE_METHODS = {
    "sendMessage",
    "sendDocument",
    "sendPhoto",
    "sendVoice",
    "sendAudio",
    "sendVideo",
    "forwardMessage",
    "copyMessage",
}
EDIT_METHODS = {"editMessageText", "editMessageCaption", "editMessageReplyMarkup"}
_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_DEFAULT_ERRORS = {
    400: "Bad Request: injected failure",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
log = logging.getLogger(__name__)
_PREDICATE_MISSES = (KeyError, TypeError, IndexError, AttributeError)


class _Garbled(Exception):
    """Raised by an injected garbled answer (see BotApiStandIn.garble_next)."""


class BotApiStandIn(BotApiUsers, ThreadedAiohttpServer):
    """Telegram's Bot API over real HTTP: `POST {url}/bot<token>/<method>`, files at `GET {url}/file/bot<token>/<path>`.

    Args:
        token: the bot token the bot under test must use; its number is the bot's user id.
        bot_username / bot_name: what getMe reports.
        local_mode: behave like a self-hosted `telegram-bot-api --local`: no 20 MB getFile limit, no 50 MB
            upload limit, absolute file paths from getFile, `file://` uploads (use PTB's `local_mode(True)`).
        privacy_mode: in groups the bot only gets commands, mentions and replies to its own messages.
        strict_webhooks: refuse http:// and unusual ports in setWebhook like Telegram (off: tests use http).
        webhook_retries: failed POSTs of one update before it is dropped.
    """

    _thread_name = "bot-api-standin"

    def __init__(
        self,
        token: str = "123456:TEST-standin-token",
        *,
        bot_username: str = "standin_bot",
        bot_name: str = "Stand-in Bot",
        local_mode: bool = False,
        privacy_mode: bool = False,
        strict_webhooks: bool = False,
        webhook_retries: int = 5,
        port: int = 0,
    ) -> None:
        if not _TOKEN_RE.fullmatch(token):
            raise ValueError(f"not a Bot API token: {token!r}")
        ThreadedAiohttpServer.__init__(self, port=port)
        BotApiUsers.__init__(self, token, bot_username, bot_name, local_mode, privacy_mode)
        self._init_updates()
        self.strict_webhooks = strict_webhooks
        self.webhook_retries = webhook_retries
        self._commands = {}
        self._menu_buttons = {}
        self._consumed: set[int] = set()
        self._handlers = {
            name[4:].lower(): (name[4:], getattr(self, name)) for name in dir(self) if name.startswith("api_")
        }

    # -- server ---------------------------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=2**31)  # local mode takes uploads far above 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        return app

    async def _on_start(self) -> None:
        self._wake_updates()
        if self.local_mode:
            self._local_dir = Path(tempfile.mkdtemp(prefix="bot-api-local-"))

    async def _on_stop(self) -> None:
        self._wake_updates()  # long polls return at once
        if self._webhook_task is not None:
            self._webhook_task.cancel()

    def stop(self) -> None:
        """Stop serving and remove local-mode files."""
        super().stop()
        if self._local_dir is not None:
            shutil.rmtree(self._local_dir, ignore_errors=True)
            self._local_dir = None

    @staticmethod
    def _reply(payload: dict[str, Any], status: int = 200) -> web.Response:
        return web.Response(
            status=status, text=json.dumps(payload, ensure_ascii=False), content_type="application/json"
        )

    async def _handle_method(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not _TOKEN_RE.fullmatch(token):
            return self._reply({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        if token != self.token:
            return self._reply({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        handler = self._handlers.get(request.match_info["method"].lower())
        if handler is None:  # Telegram answers unknown methods like unknown paths
            self._record(ApiCall(request.match_info["method"], {}, time.time(), 404, None, "Not Found"))
            return self._reply({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        method, function = handler
        params: dict[str, Any] = {}
        try:
            params = normalize_params(await self._read_params(request))
            self._injected_failure(method, params)
            result = await function(params)
        except _Garbled:  # a broken proxy's answer: success, but not the object the method returns
            self._record(ApiCall(method, params, time.time(), 200, "garbled"))
            return self._reply({"ok": True, "result": "garbled"})
        except BotApiError as exc:
            self._record(ApiCall(method, params, time.time(), exc.code, None, exc.description))
            return self._reply(exc.payload(), exc.code)
        except Exception as exc:  # a stand-in bug must show up in the test, not as a bare 500
            log.exception("stand-in failed on %s", method)
            description = f"Internal Server Error: stand-in bug: {type(exc).__name__}: {exc}"
            self._record(ApiCall(method, params, time.time(), 500, None, description))
            return self._reply({"ok": False, "error_code": 500, "description": description}, 500)
        self._record(ApiCall(method, params, time.time(), 200, copy.deepcopy(result)))
        return self._reply({"ok": True, "result": result})

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        """Query string plus body, whether JSON, urlencoded or multipart (PTB sends the last two)."""
        params: dict[str, Any] = dict(request.query)
        if not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise BotApiError(400, "Bad Request: can't parse JSON object") from None
            if not isinstance(body, dict):
                raise BotApiError(400, "Bad Request: can't parse JSON object")
            params.update(body)
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = UploadedFile(value.filename, value.content_type, value.file.read())
            else:
                params[key] = value
        return params

    def _injected_failure(self, method: str, params: dict[str, Any]) -> None:
        with self._lock:
            for rule in self._fail_rules:
                if rule.chat_id is not None and str(params.get("chat_id")) != str(rule.chat_id):
                    continue
                if rule.method == method or (rule.method == "*" and method != "getUpdates"):
                    rule.times -= 1
                    if rule.times <= 0:
                        self._fail_rules.remove(rule)
                    if rule.code == 200:
                        raise _Garbled
                    raise BotApiError(rule.code, rule.description, retry_after=rule.retry_after)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._reply({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        wanted = request.match_info["file_path"]
        with self._lock:
            stored = next((f for f in self._files.values() if f.file_path == wanted), None)
        if stored is None:
            return self._reply({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(body=stored.content, content_type="application/octet-stream")

    # -- fault injection ----------------------------------------------------------------------------------
    def fail_next(
        self, method: str, error_code: int = 429, retry_after: int = 1, times: int = 1, description: str | None = None
    ) -> None:
        """Make the next `times` calls of `method` ("*": any method but getUpdates) fail like Telegram would.

        429 carries `parameters.retry_after` (PTB raises RetryAfter); 400 → BadRequest, 403 → Forbidden,
        409 → Conflict, 5xx → NetworkError.
        """
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else _DEFAULT_ERRORS.get(error_code, f"Error {error_code}")
            )
        with self._lock:
            self._fail_rules.append(
                FailRule(method, error_code, description, retry_after if error_code == 429 else None, times)
            )

    def garble_next(self, method: str, chat_id: int, times: int = 1) -> None:
        """Answer the next `times` calls of `method` to `chat_id` with a success whose result is not the object the
        method returns, and do nothing: what a broken proxy might send. The client library fails on it with an
        error that is not a Telegram error."""
        with self._lock:
            self._fail_rules.append(FailRule(method, 200, "garbled", None, times, chat_id))

    def set_flood_limit(self, per_second: int | None, retry_after: int = 1) -> None:
        """Answer 429 when a chat gets more than `per_second` sends/edits within one second (None: off)."""
        with self._lock:
            self._flood_limit = (per_second, retry_after) if per_second else None

    # -- what the bot did ---------------------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[ApiCall]:
        """Every recorded call of one method, oldest first."""
        return [call for call in list(self.calls) if call.method == method]

    def mark(self) -> int:
        """A position in `calls`; pass as `since=` to only look at what happens afterwards."""
        return len(self.calls)

    def sent_messages(self, chat_id: int | TgChat) -> list[dict[str, Any]]:
        """The bot's messages in a chat as they are now (after edits, without deleted ones)."""
        chat_id = chat_id.id if isinstance(chat_id, TgChat) else chat_id
        with self._lock:
            state = self._state.get(chat_id)
            messages = state.messages.values() if state else []
            return copy.deepcopy(
                [m for m in messages if m["from"]["id"] == self.bot_user.id and "forum_topic_created" not in m]
            )

    def messages(self, chat_id: int | TgChat) -> list[dict[str, Any]]:
        """Every message in a chat, from users and the bot, as they are now."""
        chat_id = chat_id.id if isinstance(chat_id, TgChat) else chat_id
        with self._lock:
            state = self._state.get(chat_id)
            return copy.deepcopy(list(state.messages.values()) if state else [])

    def drafts(self, chat_id: int | TgChat) -> list[dict[str, Any]]:
        """Every sendMessageDraft to a chat: draft_id, text (parsed), entities, raw_text, parse_mode, timestamp."""
        chat_id = chat_id.id if isinstance(chat_id, TgChat) else chat_id
        with self._lock:
            state = self._state.get(chat_id)
            return copy.deepcopy(state.drafts if state else [])

    def chat_actions(self, chat_id: int | TgChat) -> list[str]:
        """Every sendChatAction action sent to a chat, e.g. ["typing", "typing"]."""
        chat_id = chat_id.id if isinstance(chat_id, TgChat) else chat_id
        with self._lock:
            state = self._state.get(chat_id)
            return list(state.actions if state else [])

    def topics(self, chat_id: int | TgChat) -> dict[int, dict[str, Any]]:
        """Forum topics by message_thread_id: name, icon_color, is_closed."""
        chat_id = chat_id.id if isinstance(chat_id, TgChat) else chat_id
        with self._lock:
            return copy.deepcopy(self._state[chat_id].topics)

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """What setMyCommands stored for a scope (default scope unless given) and language."""
        with self._lock:
            key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
            return copy.deepcopy(self._commands.get(key, []))

    def file_content(self, file_id: str) -> bytes:
        """The bytes behind a file_id (e.g. a document the bot sent)."""
        with self._lock:
            return self._files[file_id].content

    @property
    def webhook(self) -> dict[str, Any] | None:
        """The webhook the bot set (url, secret_token), or None while it polls."""
        with self._lock:
            hook = self._webhook
            return None if hook is None else {"url": hook.url, "secret_token": hook.secret_token}

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet (by a later getUpdates offset, or a 2xx webhook reply)."""
        with self._lock:
            return copy.deepcopy(self._updates)

    # -- waiting ------------------------------------------------------------------------------------------------
    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 10.0,
        *,
        since: int | None = None,
        ok: bool | None = None,
    ) -> ApiCall:
        """The oldest call of `method` not yet returned by a wait, matching `predicate(params)`; consumes it."""

        def check() -> ApiCall | None:
            return self._take(
                since, lambda c: c.method == method and (ok is None or c.ok == ok) and _matches(predicate, c.params)
            )

        found = await self.signal.wait_until(check, timeout)
        if found is None:
            raise TimeoutError(f"no {method} call matched within {timeout}s; recent calls:\n{self._recent()}")
        return found

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 10.0,
        *,
        since: int | None = None,
        ok: bool | None = None,
    ) -> dict[str, Any]:
        """Like wait_for_call, returning the call's params."""
        return (await self.wait_for_call(method, predicate, timeout, since=since, ok=ok)).params

    async def wait_for_message(
        self,
        chat_id: int | TgChat,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 10.0,
        *,
        since: int | None = None,
        edits: bool = False,
    ) -> dict[str, Any]:
        """The oldest not-yet-waited-for message the bot sent to a chat that satisfies `predicate(message)`.

        Messages are the Message objects Telegram returned (sendMessage, sendDocument, ..., copyMessage);
        `edits=True` also matches the results of editMessageText/Caption/ReplyMarkup. A predicate that raises
        KeyError/TypeError/IndexError (e.g. `m["text"]` on a document) counts as "no match".
        """
        chat_id = chat_id.id if isinstance(chat_id, TgChat) else chat_id
        wanted = MESSAGE_METHODS | (EDIT_METHODS if edits else set())

        def check() -> dict[str, Any] | None:
            call = self._take(
                since,
                lambda c: (
                    c.ok
                    and c.method in wanted
                    and _chat_of(self, c) == chat_id
                    and _matches(predicate, self._message_of(c))
                ),
            )
            return None if call is None else self._message_of(call)

        found = await self.signal.wait_until(check, timeout)
        if found is None:
            raise TimeoutError(
                f"no matching message to chat {chat_id} within {timeout}s; recent calls:\n{self._recent()}"
            )
        return found

    def assert_no_message(self, chat_id: int | TgChat, *, since: int | None = None) -> None:
        """Assert the bot has sent nothing (new: not yet waited for, and after `since`) to the chat so far.

        It does not wait: "the bot stays silent" only means something once the bot is done with everything it
        was given, so wait for that first (telegram_harness.wait_idle, process_harness.wait_processes_idle).
        """
        chat_id = chat_id.id if isinstance(chat_id, TgChat) else chat_id
        with self._lock:
            sent = [
                self._message_of(c)
                for index, c in enumerate(self.calls)
                if index >= (since or 0) and index not in self._consumed
                and c.ok and c.method in MESSAGE_METHODS and _chat_of(self, c) == chat_id
            ]
        if sent:
            raise AssertionError(f"the bot sent {sent!r}")

    async def wait_delivered(self, timeout: float = 10.0) -> None:
        """Wait until the bot has confirmed every update (it has fetched them; handling may still be running)."""
        if await self.signal.wait_until(lambda: True if not self.pending_updates else None, timeout) is None:
            raise TimeoutError(f"updates still pending after {timeout}s: {self.pending_updates}")

    def _take(self, since: int | None, match: Callable[[ApiCall], bool]) -> ApiCall | None:
        with self._lock:
            for index in range(since or 0, len(self.calls)):
                if index not in self._consumed and match(self.calls[index]):
                    self._consumed.add(index)
                    return self.calls[index]
        return None

    def _message_of(self, call: ApiCall) -> dict[str, Any]:
        if call.method == "copyMessage":  # the result is only a MessageId
            with self._lock:
                state = self._state[self._chat(call.params["chat_id"]).id]
                return copy.deepcopy(state.messages.get(call.result["message_id"], call.result))
        return copy.deepcopy(call.result)

    def _recent(self, count: int = 12) -> str:
        lines = []
        # Long polls would crowd out everything else.
        for call in [c for c in list(self.calls) if c.method != "getUpdates"][-count:]:
            shown = {k: v for k, v in call.params.items() if k not in ("reply_markup", "entities")}
            lines.append(f"  {call.method} {call.status} {call.description or ''} {str(shown)[:160]}")
        return "\n".join(lines) or "  (none)"


def _matches(predicate: Callable[[dict[str, Any]], bool] | None, value: dict[str, Any]) -> bool:
    if predicate is None:
        return True
    try:
        return bool(predicate(value))
    except _PREDICATE_MISSES:
        return False


def _chat_of(standin: BotApiStandIn, call: ApiCall) -> int | None:
    if call.method == "copyMessage":
        try:
            return standin._chat(call.params["chat_id"]).id
        except (BotApiError, KeyError):
            return None
    result = call.result if isinstance(call.result, dict) else {}
    return (result.get("chat") or {}).get("id")
