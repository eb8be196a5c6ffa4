"""How updates reach the bot: the getUpdates long poll, or POSTs to its webhook — with Telegram's rules for both."""

from __future__ import annotations

import asyncio
import copy
import random
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from .tg_methods import BotApiMethods
from .tg_state import BotApiError, bad_request

# Telegram leaves these out unless allowed_updates names them explicitly.
OPT_IN_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
CONFLICT_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the bot's webhook, and how it went."""

    update_id: int
    url: str
    secret_token: str | None  # the X-Telegram-Bot-Api-Secret-Token header that was sent
    status: int | None  # HTTP status, None when the connection failed
    error: str | None
    timestamp: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    has_custom_certificate: bool
    last_error_date: int | None = None
    last_error_message: str | None = None


def update_kind(update: dict[str, Any]) -> str:
    """The update's type: the one key besides update_id."""
    return next((key for key in update if key != "update_id"), "")


class BotApiUpdates(BotApiMethods):
    """getUpdates, setWebhook, deleteWebhook, getWebhookInfo, and the queue of pending updates."""

    closing: asyncio.Event | None
    call_soon: Callable[..., None]
    webhook_retries: int
    strict_webhooks: bool

    def _init_updates(self) -> None:
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._updates: list[dict[str, Any]] = []
        # Like Telegram after a quiet week: a random start, so two stand-ins in one run (a restart test) never
        # hand out the same update_id to a bot that remembers which updates it already handled.
        self._next_update_id = random.randint(1, 2**30)
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._polls_waiting = 0
        self._webhook: WebhookConfig | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._update_added: asyncio.Event | None = None  # created on the server loop

    # -- the queue ----------------------------------------------------------------------------------------
    def _push_update(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (call with the lock held); getUpdates or the webhook pump picks it up."""
        update = {"update_id": self._next_update_id, **copy.deepcopy(body)}
        self._next_update_id += 1
        self._updates.append(update)
        self.call_soon(self._wake_updates)
        self.signal.notify()
        return update

    def _wake_updates(self) -> None:
        # Runs on the server loop: release everyone waiting for "something changed", then re-arm.
        if self._update_added is not None:
            self._update_added.set()
        self._update_added = asyncio.Event()

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        allowed = set(self._allowed_updates)
        keep = (lambda kind: kind in allowed) if allowed else (lambda kind: kind not in OPT_IN_UPDATES)
        # Telegram never creates updates of types the bot did not ask for, so they are simply gone.
        self._updates = [u for u in self._updates if keep(update_kind(u))]
        return self._updates[:limit]

    def _confirm_below(self, offset: int) -> None:
        before = len(self._updates)
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if len(self._updates) != before:
            self.signal.notify()

    # -- getUpdates ---------------------------------------------------------------------------------------
    async def api_getUpdates(self, p: dict[str, Any]) -> Any:
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = min(max(float(p.get("timeout") or 0), 0.0), 50.0)
        with self._lock:
            if self._webhook is not None:
                raise BotApiError(409, CONFLICT_WEBHOOK)
            if p.get("allowed_updates") is not None:
                self._allowed_updates = list(p["allowed_updates"])
            if p.get("offset"):
                self._confirm_below(int(p["offset"]))
            self._poll_generation += 1
            generation = self._poll_generation
        # A newer getUpdates makes Telegram answer the older one with 409; wake it so it can.
        self._wake_updates()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._update_added
            with self._lock:
                if generation != self._poll_generation:
                    raise BotApiError(409, CONFLICT_POLL)
                batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or (self.closing is not None and self.closing.is_set()) or event is None:
                return copy.deepcopy(batch)
            self._count_waiting_poll(+1)
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
            finally:
                self._count_waiting_poll(-1)

    def _count_waiting_poll(self, change: int) -> None:
        with self._lock:
            self._polls_waiting += change
        self.signal.notify()

    @property
    def polls_waiting(self) -> int:
        """getUpdates calls held open right now, waiting for an update to arrive."""
        with self._lock:
            return self._polls_waiting

    # -- webhooks -----------------------------------------------------------------------------------------
    async def api_setWebhook(self, p: dict[str, Any]) -> Any:
        url = str(p.get("url") or "")
        if not url:
            return await self.api_deleteWebhook(p)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: HTTPS url must be provided for webhook")
        if self.strict_webhooks and (parts.scheme != "https" or (parts.port or 443) not in (443, 80, 88, 8443)):
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = p.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        with self._lock:
            if p.get("drop_pending_updates"):
                self._updates.clear()
            if p.get("allowed_updates") is not None:
                self._allowed_updates = list(p["allowed_updates"])
            self._webhook = WebhookConfig(
                url, secret, int(p.get("max_connections") or 40), p.get("ip_address"), p.get("certificate") is not None
            )
            self._poll_generation += 1  # a pending long poll now ends with 409
        self._wake_updates()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._pump_webhook())
        return True

    async def api_deleteWebhook(self, p: dict[str, Any]) -> Any:
        with self._lock:
            self._webhook = None
            if p.get("drop_pending_updates"):
                self._updates.clear()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        self.signal.notify()
        return True

    async def api_getWebhookInfo(self, p: dict[str, Any]) -> Any:
        with self._lock:
            hook = self._webhook
            info: dict[str, Any] = {
                "url": hook.url if hook else "",
                "has_custom_certificate": bool(hook and hook.has_custom_certificate),
                "pending_update_count": len(self._updates),
            }
            if hook is not None:
                info["max_connections"] = hook.max_connections
                info["ip_address"] = hook.ip_address or "127.0.0.1"
                if self._allowed_updates:
                    info["allowed_updates"] = list(self._allowed_updates)
                if hook.last_error_date is not None:
                    info["last_error_date"] = hook.last_error_date
                    info["last_error_message"] = hook.last_error_message
            return info

    async def _pump_webhook(self) -> None:
        """POST pending updates one at a time, in order; retry a failing one a few times, then drop it."""
        failures = 0
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while self.closing is None or not self.closing.is_set():
                event = self._update_added
                with self._lock:
                    hook = self._webhook
                    batch = self._deliverable(1)
                if hook is None:
                    return
                if not batch:
                    if event is not None:
                        await event.wait()
                    continue
                update = batch[0]
                status, error = await self._post_update(session, hook, update)
                delivered = status is not None and 200 <= status < 300
                with self._lock:
                    self.webhook_deliveries.append(
                        WebhookDelivery(update["update_id"], hook.url, hook.secret_token, status, error, time.time())
                    )
                    if not delivered:
                        hook.last_error_date = int(time.time())
                        hook.last_error_message = error
                        failures += 1
                    if delivered or failures >= self.webhook_retries:
                        self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
                        failures = 0
                self.signal.notify()
                if not delivered and failures:
                    await asyncio.sleep(min(0.05 * 2**failures, 1.0))

    @staticmethod
    async def _post_update(
        session: aiohttp.ClientSession, hook: WebhookConfig, update: dict[str, Any]
    ) -> tuple[int | None, str | None]:
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with session.post(hook.url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return response.status, None
                return response.status, f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return None, f"Connection failed: {type(exc).__name__}: {exc}"
