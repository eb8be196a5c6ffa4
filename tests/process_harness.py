"""Shared pieces of the tests that start real processes: free ports, an environment without this machine's bot
settings, `cafebot` and `chroma run` in their own processes, and stopping them the way a container is stopped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings

if TYPE_CHECKING:
    from standins import BotApiStandIn

# Settings are read from environment variables of the same name in any case (CAFEBOT_DATA_DIR, ...).
SETTING_NAMES = frozenset(Settings.model_fields)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(*drop: str, **values: str) -> dict[str, str]:
    """This machine's environment without any bot setting (nor the variables named in `drop`), plus `values`:
    a developer's own TELEGRAM_BOT_TOKEN or DATABASE_URL must never reach a process a test starts."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in SETTING_NAMES and k not in drop}
    env.update(values)
    return env


def start_cafebot(*args: str, env: dict[str, str], cwd: Path, log: Path,
                  with_stdout: bool = False) -> subprocess.Popen[bytes]:
    """`python -m bot <args>` from this checkout in its own process, its stderr (and stdout when asked) written to
    `log`: a file, not a pipe, so a chatty process never blocks on its logs."""
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "bot", *args], env=env, cwd=cwd,
                                stdout=out if with_stdout else subprocess.DEVNULL, stderr=out)


async def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM, as `docker stop` sends; killed when it has not exited within `timeout`. Returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return await asyncio.to_thread(process.wait, timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


async def _metrics(client: httpx.AsyncClient, ops_port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """A process's /metrics as {(sample name, sorted labels): value}."""
    response = await client.get(f"http://127.0.0.1:{ops_port}/metrics", timeout=10)
    response.raise_for_status()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


async def _processes_busy_with(client: httpx.AsyncClient, tg: BotApiStandIn,
                               accepted: Callable[[], Mapping[int, int]]) -> str | None:
    if tg.pending_updates:  # first: from here on every update there is has reached a process (see wait_processes_idle)
        return "updates the stand-in has not handed out"
    outbox_pending = None
    for port, taken in accepted().items():
        metrics = await _metrics(client, port)
        started = sum(v for (name, _), v in metrics.items() if name == "cafebot_telegram_updates_total")
        if started < taken:
            return f"the process with ops port {port} has started {started:.0f} of its {taken} updates"
        in_progress = metrics.get(("cafebot_telegram_updates_in_progress", ()))
        if in_progress is None or in_progress > 0:
            return f"the process with ops port {port} is handling updates ({in_progress})"
        outbox_pending = metrics.get(("cafebot_outbox_messages", (("state", "pending"),)))
    # Read after the updates are done, so what their handlers queued is counted; the gauge is database-wide.
    if outbox_pending is None:
        return "no outbox gauge on /metrics (database not answering?)"
    if outbox_pending:
        return f"{outbox_pending:.0f} outbox messages not delivered"
    return None


async def wait_processes_idle(tg: BotApiStandIn, accepted: Callable[[], Mapping[int, int]],
                              timeout: float = 60.0) -> None:
    """Wait until bots in their own processes have done everything they were given, seen from outside: the
    stand-in has handed out every update; each process (by its ops port, `accepted()` -> {port: updates it
    accepted}) has started as many updates as it accepted (`cafebot_telegram_updates_total`) and is handling
    none (`cafebot_telegram_updates_in_progress`); and no escalation notice waits in the shared outbox.

    An update a process accepted (a 2xx on its webhook, or confirmed by its next getUpdates) is in its queue
    already, so once the counts match nothing of it is left unseen. Needs OPS_PORT set for each process."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while (busy := await _processes_busy_with(client, tg, accepted)) is not None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot processes were not idle within {timeout}s: {busy}")
            await asyncio.sleep(0.05)  # polling: a process's progress is only seen by asking


def chroma_exe() -> str:
    """The `chroma` CLI of the Python running the tests (it ships with chromadb)."""
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert exe, "the chroma CLI ships with chromadb"
    return exe


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def chroma_run(exe: str, path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A real `chroma run` on a free port of 127.0.0.1, storing under `path`; yields (port, process) once its
    heartbeat answers, and stops it on the way out unless the test already did."""
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"http://127.0.0.1:{port}/api/v2/heartbeat"):
            assert time.monotonic() < deadline and proc.poll() is None, "chroma run did not come up"
            time.sleep(0.1)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)


# Below normal CPU and I/O priority: work started ahead only uses what the tests running meanwhile leave idle.
LOW_PRIORITY = ["nice", "-n", "19"] + (["ionice", "-c", "2", "-n", "7"] if shutil.which("ionice") else [])


class Background:
    """A command started now and collected later: at low priority, in its own session (so `stop()` reaches its
    children too), stdout and stderr in files named after it under `base`."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], base: Path) -> None:
        self.args = args
        self.out, self.err = base / f"{name}.stdout", base / f"{name}.stderr"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(LOW_PRIORITY + args, env=env, cwd=base, stdout=out, stderr=err,
                                            stdin=subprocess.DEVNULL, start_new_session=True)

    def wait(self, timeout: float) -> subprocess.CompletedProcess[str]:
        """The outcome, stdout and stderr as text; killed if not done within `timeout` seconds from now (the
        time it ran at low priority before is not counted against it)."""
        if self.process.poll() is None:  # a test waits for it now: normal priority, if this user may raise it
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PGRP, self.process.pid, 0)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        return subprocess.CompletedProcess(self.args, self.process.returncode,
                                           self.out.read_text(errors="replace"), self.err.read_text(errors="replace"))

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class HeadStart:
    """A slow command whose result one fixture needs (an install, say), started in the Background as the session
    starts (conftest's `head_starts`) instead of when the first test using that fixture does: on this 2-core
    machine the tests leave more than a core idle on average, so the command is usually done by the time its
    fixture asks. Modules using the fixture run last (conftest), which gives it the longest head start. The
    fixture calls `result()` and checks it exactly as it would check the command run on the spot.

    Declared once at a test module's top level: `INSTALL = HeadStart("installed", command)`, where
    `command(base)` returns the (args, env) to run in the empty directory `base`.
    """

    registry: ClassVar[dict[str, HeadStart]] = {}

    def __init__(self, fixture: str, command: Callable[[Path], tuple[list[str], dict[str, str]]]) -> None:
        self.fixture = fixture
        self.command = command
        self.base: Path | None = None
        self.running: Background | None = None
        HeadStart.registry[fixture] = self

    def start(self, base: Path) -> None:
        if self.running is None:
            self.base = base
            self.running = Background(self.fixture, *self.command(base), base=base)

    def result(self, make_base: Callable[[], Path], timeout: float) -> tuple[Path, subprocess.CompletedProcess[str]]:
        """Wait for the command (started now, in `make_base()`, if the session did not start it); returns its
        directory and outcome."""
        if self.running is None:
            self.start(make_base())
        assert self.running is not None and self.base is not None
        return self.base, self.running.wait(timeout)

    def cancel(self) -> None:
        """Stop the command if still running (the session ends without its fixture having used it)."""
        if self.running is not None:
            self.running.stop()


def remove_in_background(path: Path) -> None:
    """Delete a large directory tree without waiting: `rm -rf` in its own session, at low priority, which finishes
    even if the test run ends first."""
    if path.exists():
        trash = path.with_name(f"{path.name}.removing")  # gone from `path` at once
        path.rename(trash)
        _REMOVERS.append(subprocess.Popen(LOW_PRIORITY + ["rm", "-rf", str(trash)], stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True))


_REMOVERS: list[subprocess.Popen[bytes]] = []  # kept: a collected Popen of a running process warns
