"""Plumbing shared by the stand-ins: an aiohttp app served from its own thread, and a cross-thread change signal.

The stand-ins run on a private event loop in a background thread rather than on the test's loop. The bot under
test may call a *synchronous* client (the `openai` client, LangChain's `invoke`) from inside its own event loop;
if the stand-in shared that loop, such a call would wait forever for a server that cannot run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")


class ChangeSignal:
    """Wakes waiters on any event loop, from any thread, whenever recorded state changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def notify(self) -> None:
        """Wake every current waiter (thread-safe)."""
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that waiter's loop is already closed
                pass

    async def wait_until(self, check: Callable[[], T | None], timeout: float) -> T | None:
        """Re-run `check` after every change until it returns something other than None, or time runs out."""
        loop = asyncio.get_running_loop()
        entry = (loop, asyncio.Event())
        with self._lock:
            self._waiters.add(entry)
        try:
            deadline = loop.time() + timeout
            while True:
                # Clear before checking: a change that lands between the check and the wait still wakes us.
                entry[1].clear()
                found = check()
                if found is not None:
                    return found
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return None
                try:
                    await asyncio.wait_for(entry[1].wait(), remaining)
                except TimeoutError:
                    pass
        finally:
            with self._lock:
                self._waiters.discard(entry)


class ThreadedAiohttpServer:
    """An aiohttp application on 127.0.0.1 (a free port unless one is given), served from a background thread.

    Use as `async with Server() as s:` in async tests, `with Server() as s:` in sync ones, or call
    `start()` / `stop()` yourself. Subclasses implement `_build_app` and may hook `_on_start` / `_on_stop`,
    which run on the server's loop.
    """

    _thread_name = "standin"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._requested_port = port
        self.port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.closing: asyncio.Event | None = None

    # -- to implement -------------------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        raise NotImplementedError

    async def _on_start(self) -> None:
        """Runs on the server loop once the socket is bound."""

    async def _on_stop(self) -> None:
        """Runs on the server loop before the sockets close (wake long waits here)."""

    # -- lifecycle ----------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>` of the running server."""
        if self.port is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The server's own event loop."""
        if self._loop is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return self._loop

    def start(self) -> None:
        """Bind and serve; returns once requests are accepted."""
        if self._thread is not None:
            raise RuntimeError("already started")
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name=self._thread_name, daemon=True)
        self._thread.start()
        ready.result(timeout=10)

    def stop(self) -> None:
        """Stop serving: pending long polls return, open connections close, the thread ends."""
        if self._thread is None or self._loop is None:
            return
        loop = self._loop
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join(timeout=10)
            self._thread = None
            self._loop = None
            self.port = None

    def _serve(self, ready: concurrent.futures.Future[None]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._startup())
        except BaseException as exc:  # noqa: BLE001 - report a bind failure to start() instead of dying silently
            ready.set_exception(exc)
            loop.close()
            return
        ready.set_result(None)
        try:
            loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _startup(self) -> None:
        self.closing = asyncio.Event()
        app = self._build_app()
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port, shutdown_timeout=1.0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        await self._on_start()

    async def _shutdown(self) -> None:
        assert self.closing is not None
        self.closing.set()
        await self._on_stop()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- calling into the server loop ----------------------------------------------------------------------
    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None:
        """Schedule a plain callback on the server loop (no-op when stopped)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(callback, *args)

    async def run_on_server(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await a coroutine that must run on the server loop (e.g. one that uses its aiohttp session)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    # -- context managers ----------------------------------------------------------------------------------
    async def __aenter__(self: Any) -> Any:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    def __enter__(self: Any) -> Any:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def maybe_await(value: T | Awaitable[T]) -> T:
    """Let hooks be plain functions or coroutines."""
    if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
        return await value  # type: ignore[no-any-return]
    return value  # type: ignore[return-value]
