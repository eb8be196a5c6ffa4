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
from collections.abc import Iterator
from pathlib import Path

import httpx

from bot.config import Settings

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
            time.sleep(0.3)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
