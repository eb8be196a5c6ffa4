"""The operations HTTP server: /healthz (alive), /readyz (database and vector store answer), /metrics.

Runs on the bot's own event loop (tornado, already there for PTB's webhook), on OPS_LISTEN:OPS_PORT, apart
from the webhook port so that monitoring never needs the public side. Every check that touches the
database or Chroma runs in a small thread pool with a timeout, so a hung dependency neither blocks the
bot's event loop nor hangs the probe.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from sqlalchemy import text
from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

from bot.observability.collectors import DatabaseCollector
from bot.observability.logs import redact

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

Check = Callable[[], object]
CHECK_TIMEOUT_SECONDS = 3.0


class _Scrape(Collector):
    """The process registry plus this server's scrape-time collectors, as one registry for the encoder."""

    def __init__(self, extra: Iterable[Collector]) -> None:
        self.extra = list(extra)

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()
        for collector in self.extra:
            yield from collector.collect()


class OpsServer:
    """Serves the three endpoints until stopped. `ready` stays False until the bot has warmed up."""

    def __init__(self, listen: str, port: int, checks: dict[str, Check], collectors: Iterable[Collector] = (),
                 timeout: float = CHECK_TIMEOUT_SECONDS) -> None:
        self.listen, self.port = listen, port
        self.checks = checks
        self.timeout = timeout
        self.ready = False
        self._scrape = _Scrape(collectors)
        # Its own threads: a hung database must not eat the default pool the bot's handlers use.
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ops")
        self._server: HTTPServer | None = None

    def start(self) -> None:
        """Bind and serve on the running event loop. Raises OSError if the port is taken."""
        app = Application(
            [(r"/healthz", _Health), (r"/readyz", _Ready, {"ops": self}), (r"/metrics", _Metrics, {"ops": self})],
            log_function=_quiet_access_log,
        )
        server = HTTPServer(app)
        server.listen(self.port, self.listen)
        self._server = server
        log.info("ops server on %s:%d (/healthz, /readyz, /metrics)", self.listen, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def run_in_pool(self, fn: Callable[[], Any]) -> Any:
        return await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(self._pool, fn), self.timeout)

    async def readiness(self) -> tuple[bool, dict[str, str]]:
        """Whether every check passed, and each one's result ("ok" or why not)."""
        names = list(self.checks)
        results = await asyncio.gather(*(self.run_in_pool(self.checks[n]) for n in names), return_exceptions=True)
        detail = {"bot": "ok" if self.ready else "starting"}
        for name, result in zip(names, results, strict=True):
            detail[name] = "ok" if not isinstance(result, BaseException) else _describe(result)
        return all(v == "ok" for v in detail.values()), detail

    def render_metrics(self, accept: str) -> tuple[bytes, str]:
        encoder, content_type = choose_encoder(accept)
        return encoder(self._scrape), content_type


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timeout"
    first = (str(error).strip().splitlines() or [""])[0][:200]
    return redact(f"{type(error).__name__}: {first}" if first else type(error).__name__)


def _quiet_access_log(handler: RequestHandler) -> None:
    # Probes and scrapes arrive every few seconds; their access lines would bury everything else.
    log.debug("%d %s %.1fms", handler.get_status(), handler.request.path, 1000 * handler.request.request_time())


class _Health(RequestHandler):
    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.write({"status": "ok"})


class _Ready(RequestHandler):
    def initialize(self, ops: OpsServer) -> None:
        self.ops = ops

    async def get(self) -> None:
        ok, detail = await self.ops.readiness()
        self.set_status(200 if ok else 503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.write(json.dumps({"status": "ready" if ok else "unavailable", "checks": detail}))


class _Metrics(RequestHandler):
    def initialize(self, ops: OpsServer) -> None:
        self.ops = ops

    async def get(self) -> None:
        accept = self.request.headers.get("Accept", "")
        try:
            body, content_type = await self.ops.run_in_pool(lambda: self.ops.render_metrics(accept))
        except TimeoutError:
            self.set_status(503)
            self.write({"status": "timeout"})
            return
        self.set_header("Content-Type", content_type)
        self.write(body)


def ops_server_for(services: Services) -> OpsServer | None:
    """The ops server for a running bot's services (None when OPS_PORT is 0)."""
    settings = services.settings
    if not settings.ops_port:
        return None
    db, vectors = services.db, services.knowledge.vectors

    def database() -> None:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def vector_store() -> None:
        vectors.client.heartbeat()
        vectors.count()  # the collection itself, not only the server, must answer

    return OpsServer(settings.ops_listen, settings.ops_port, {"database": database, "vector_store": vector_store},
                     [DatabaseCollector(db)])
