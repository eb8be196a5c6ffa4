"""The image, without Docker: deploy/install.sh (the Dockerfile's install step) builds the wheel and installs it
into a fresh virtualenv; deploy/entrypoint.sh (the image's start step) runs it from an unrelated directory
against PostgreSQL, a Chroma server and the Bot API stand-in, like `docker compose up`. Then what the Dockerfile
and the compose file promise an operator, checked statically."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import yaml
from process_harness import HeadStart, chroma_run, clean_env, free_port, remove_in_background
from standins import BotApiStandIn
from telegram_harness import is_answer, standin_env

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / "deploy" / "install.sh"
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
HEALTHCHECK = ROOT / "deploy" / "healthcheck.py"
TOKEN = "778000:TEST-deploy-token"
SECRET = "deploy-Secret_1"
QUESTION = "창업도약패키지 신청 자격이 어떻게 되나요?"
FIELDS = set(Settings.model_fields)
PYTHON_PATHS = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")


@dataclass
class Installed:
    venv: Path
    wheel: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"


def _clean_env(**values: str) -> dict[str, str]:
    """This machine's environment without any bot setting or Python path, plus `values`."""
    return clean_env(*PYTHON_PATHS, **values)


def _install_command(base: Path) -> tuple[list[str], dict[str, str]]:
    return ["sh", str(INSTALL), str(base / "venv"), str(base / "dist")], _clean_env(PYTHON=sys.executable)


# About a minute of pip: started as the session starts, at low priority, while the other modules run.
INSTALL_AHEAD = HeadStart("installed", _install_command)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """What the builder stage does: `PYTHON=python3 deploy/install.sh /opt/venv`, into a temporary venv."""
    base, result = INSTALL_AHEAD.result(lambda: tmp_path_factory.mktemp("deploy"), timeout=1200)
    assert result.returncode == 0, result.stderr[-4000:]
    wheels = list((base / "dist").glob("cafebot-*.whl"))
    assert len(wheels) == 1, wheels
    yield Installed(base / "venv", wheels[0])
    remove_in_background(base / "venv")  # about 1 GB; pytest keeps its last three temp dirs


@pytest.fixture(scope="module")
def chroma_server(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A `chroma run` of the locked chromadb version, as compose's chroma service is."""
    with chroma_run(str(installed.bin / "chroma"), tmp_path_factory.mktemp("chroma")) as (port, _):
        yield port


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token=TOKEN, bot_username="cafe_deploy_bot") as standin:
        yield standin


# --- the installed bot, started the way the image starts it ------------------------------------------------


@pytest.mark.slow
def test_the_wheel_ships_prompts_and_knowledge_and_the_install_finds_them(installed, tmp_path):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for folder in ("prompts", "knowledge"):
        for path in (ROOT / folder).iterdir():
            assert f"bot/_shipped/{folder}/{path.name}" in names
    assert any(n.startswith("bot/storage/migrations/versions/") for n in names)
    # From a directory with no prompts/ or knowledge/ in sight, the installed package uses its own copies.
    probe = ("import bot, bot.answering.prompts as p; from bot.config import Settings; "
             "s = Settings(); print(bot.__file__); print(p.PROMPTS_DIR); print(s.knowledge_dir); "
             "print(len(p.prompt_text('answer', 'ko')), len(list(s.knowledge_dir.glob('*.md'))))")
    out = subprocess.run([str(installed.bin / "python"), "-c", probe], cwd=tmp_path, env=_clean_env(),
                         capture_output=True, text=True, check=True).stdout.split("\n")
    site = str(installed.venv)
    assert all(line.startswith(site) for line in out[:3]), out
    prompt_chars, knowledge_files = map(int, out[3].split())
    assert prompt_chars > 0 and knowledge_files == len(list((ROOT / "knowledge").glob("*.md")))


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.chroma_server
async def test_the_installed_bot_starts_like_the_image_and_answers_from_its_shipped_knowledge(
        installed, chroma_server, postgres_url, tg, tmp_path, embedding_cache_dir):
    ops_port, hook_port = free_port(), free_port()
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = _clean_env(
        PATH=f"{installed.bin}{os.pathsep}{os.environ['PATH']}",  # the image's PATH=/opt/venv/bin:$PATH
        CAFEBOT_DATA_DIR=str(tmp_path / "data"), EMBEDDING_CACHE_DIR=str(embedding_cache_dir),
        LOG_FORMAT="json", OPS_LISTEN="127.0.0.1", OPS_PORT=str(ops_port),
        DATABASE_URL=postgres_url, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(chroma_server),
        **standin_env(tg, hook_port, SECRET),
    )
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    # Logs go to files: a chatty bot must not block on a full pipe.
    with stdout.open("w") as out, stderr.open("w") as err:
        process = await asyncio.create_subprocess_exec(str(ENTRYPOINT), cwd=workdir, env=env, stdout=out, stderr=err)
    try:
        await _wait_for(process, f"http://127.0.0.1:{ops_port}/healthz", stderr)
        # The image's HEALTHCHECK command, as Docker runs it.
        check = await asyncio.to_thread(subprocess.run, [str(installed.bin / "python"), str(HEALTHCHECK)],
                                        check=False, env=env, capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        # Ready once warmed up, with PostgreSQL and the Chroma server answering.
        await _wait_for(process, f"http://127.0.0.1:{ops_port}/readyz", stderr)

        await tg.signal.wait_until(lambda: tg.webhook, timeout=60)
        assert tg.webhook == {"url": f"http://127.0.0.1:{hook_port}/hook", "secret_token": SECRET}
        chat = tg.private_chat(8101, "도윤")
        await tg.send_text(chat, chat.user, QUESTION)
        answer = (await tg.wait_for_message(chat, is_answer, timeout=60))["text"]
        body, _, sources = answer.partition("출처")
        assert "[1]" in body and "[1] 2025년 창업도약패키지(일반형) 모집 요약" in sources, answer

        # Arguments pass through to cafebot: the entrypoint left the schema at head.
        current = await asyncio.to_thread(subprocess.run, [str(ENTRYPOINT), "db", "current"], check=False,
                                          cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
        assert current.returncode == 0, current.stdout + current.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=60)
        except TimeoutError:
            process.kill()
            await process.wait()
    log = stderr.read_text(encoding="utf-8", errors="replace")
    assert process.returncode == 0, log[-4000:]
    assert "Traceback" not in log
    assert QUESTION not in log  # founders' messages never reach the logs


async def _wait_for(process: asyncio.subprocess.Process, url: str, stderr: Path) -> None:
    """Poll an ops endpoint until it answers 200 (the first start ingests the shipped knowledge before serving)."""
    deadline = time.monotonic() + 600
    async with httpx.AsyncClient() as client:
        while True:
            assert process.returncode is None, f"the bot exited ({process.returncode}): {stderr.read_text()[-4000:]}"
            try:
                if (await client.get(url, timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{url} never answered 200: {stderr.read_text()[-4000:]}"
            await asyncio.sleep(0.1)


@pytest.mark.slow
def test_a_replica_with_auto_upgrade_off_leaves_the_schema_alone(installed, tmp_path):
    env = _clean_env(PATH=f"{installed.bin}{os.pathsep}{os.environ['PATH']}", CAFEBOT_DATA_DIR=str(tmp_path / "data"),
                     DB_AUTO_UPGRADE="False", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL="http://127.0.0.1:9/bot",
                     OPS_PORT="0")
    result = subprocess.run([str(ENTRYPOINT)], check=False, cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cafebot db upgrade" in result.stdout + result.stderr  # the operator is told what to run
    current = subprocess.run([str(ENTRYPOINT), "db", "current"], check=False, cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
    assert current.returncode == 3, current.stdout + current.stderr  # still empty: nothing migrated it


@pytest.mark.slow
def test_without_a_token_the_image_says_what_is_missing_instead_of_opening_a_console(installed, tmp_path):
    env = _clean_env(PATH=f"{installed.bin}{os.pathsep}{os.environ['PATH']}", CAFEBOT_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run([str(ENTRYPOINT)], check=False, cwd=tmp_path, env=env, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=120)
    assert result.returncode == 2 and "TELEGRAM_BOT_TOKEN" in result.stderr, result.stdout + result.stderr
    assert not (tmp_path / "data").exists()  # refused before touching anything


# --- what the Dockerfile and docker-compose.yml promise ------------------------------------------------------


def _instructions(stage: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile stage, continuation lines joined, comments dropped."""
    lines = [ln for ln in (ROOT / "Dockerfile").read_text().splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    stages: list[list[tuple[str, str]]] = []
    for line in joined.splitlines():
        word, _, rest = line.strip().partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        if word and stages:
            stages[-1].append((word.upper(), rest.strip()))
    return stages[0] if stage == "builder" else stages[-1]


def _env(instructions: list[tuple[str, str]]) -> dict[str, str]:
    pairs = [arg for name, arg in instructions if name == "ENV"]
    return dict(re.findall(r"(\w+)=(\S+)", " ".join(pairs)))


def test_the_dockerfile_installs_with_the_tested_script_and_runs_unprivileged_with_a_healthcheck():
    builder, runtime = _instructions("builder"), _instructions("runtime")
    assert any(name == "RUN" and "deploy/install.sh /opt/venv" in arg for name, arg in builder)
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in runtime
    user = next(arg for name, arg in reversed(runtime) if name == "USER")
    assert user.split(":")[0] not in ("root", "0")
    health = next(arg for name, arg in runtime if name == "HEALTHCHECK")
    assert "/opt/cafebot/healthcheck.py" in health and "/healthz" in HEALTHCHECK.read_text()
    entry = next(arg for name, arg in runtime if name == "ENTRYPOINT")
    assert "/opt/cafebot/entrypoint.sh" in entry
    env = _env(runtime)
    plumbing = {"PATH", "PYTHONUNBUFFERED", "MPLCONFIGDIR"}
    assert {k.lower() for k in env} - {p.lower() for p in plumbing} <= FIELDS
    assert env["LOG_FORMAT"] == "json" and env["OPS_LISTEN"] == "0.0.0.0"
    volumes = next(arg for name, arg in runtime if name == "VOLUME")
    assert f'"{env["CAFEBOT_DATA_DIR"]}"' in volumes
    assert f'"{Path(env["EMBEDDING_CACHE_DIR"]).parent}"' in volumes
    exposed = next(arg for name, arg in runtime if name == "EXPOSE").split()
    assert env["OPS_PORT"] in exposed and env["WEBHOOK_PORT"] in exposed


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _locked(package: str) -> str:
    match = re.search(rf"^{package}==(\S+)$", (ROOT / "requirements.lock").read_text(), re.MULTILINE)
    assert match, package
    return match.group(1)


def test_compose_runs_the_bot_with_postgres_and_a_chroma_server_it_waits_for():
    services = _compose()["services"]
    assert set(services) == {"bot", "chroma", "postgres"}
    bot = services["bot"]
    assert bot["build"] == "." and bot["env_file"] == ".env"
    assert {k.lower() for k in bot["environment"]} <= FIELDS  # nothing the bot would silently ignore
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert bot["environment"]["CHROMA_HOST"] == "chroma"
    assert bot["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                 "chroma": {"condition": "service_healthy"}}
    assert services["chroma"]["image"] == f"chromadb/chroma:{_locked('chromadb')}"
    assert services["postgres"]["image"].startswith("postgres:16")
    for name in ("chroma", "postgres"):
        assert services[name]["healthcheck"]["test"][0] == "CMD"
    # The bot's paths and ports lead to the image's volumes and published ports.
    targets = {v.split(":")[1] for v in bot["volumes"]}
    env = bot["environment"]
    assert env["CAFEBOT_DATA_DIR"] in targets and str(Path(env["EMBEDDING_CACHE_DIR"]).parent) in targets
    published = {p.rsplit(":", 1)[1] for p in bot["ports"]}
    assert {env["OPS_PORT"], env["WEBHOOK_PORT"]} <= published


def test_docker_compose_accepts_the_file(tmp_path):
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker CLI on this machine")
    if subprocess.run([docker, "compose", "version"], check=False, capture_output=True).returncode != 0:
        pytest.skip("the docker CLI has no compose plugin")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = subprocess.run([docker, "compose", "config", "--quiet"], check=False, cwd=tmp_path,
                            capture_output=True, text=True, env={**os.environ, "POSTGRES_PASSWORD": "secret123"})
    assert result.returncode == 0, result.stderr


def test_a_copied_env_example_with_a_token_is_a_working_configuration(tmp_path):
    """README's first step: `cp .env.example .env` and fill in the token; empty lines mean the defaults."""
    env_file = tmp_path / ".env"
    env_file.write_text((ROOT / ".env.example").read_text().replace("TELEGRAM_BOT_TOKEN=\n",
                                                                      f"TELEGRAM_BOT_TOKEN={TOKEN}\n"))
    defaults = Settings(_env_file=None)
    settings = Settings(_env_file=env_file)
    assert settings.telegram_bot_token == TOKEN
    assert settings.knowledge_dir == defaults.knowledge_dir and settings.knowledge_dir.is_dir()
    assert settings.embedding_cache_dir is None and settings.database_url is None


def test_the_healthcheck_fails_when_nothing_answers():
    env = _clean_env(OPS_LISTEN="0.0.0.0", OPS_PORT=str(free_port()))
    result = subprocess.run([sys.executable, str(HEALTHCHECK)], check=False, env=env, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 1 and "/healthz" in result.stderr
