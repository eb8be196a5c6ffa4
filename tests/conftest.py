"""Shared fixtures: settings on a temporary data dir, both databases for real, the shipped knowledge base."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from process_harness import chroma_exe, chroma_run
from sqlalchemy import create_engine, text

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures" / "startup-leap-2025"
KNOWLEDGE = ROOT / "knowledge"
PG_ADMIN_URL = os.environ.get("CAFEBOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

ANNOUNCEMENT_PDF = FIXTURES / "[공고문] 2025년도 창업도약패키지(일반형) 창업기업 모집 수정공고.pdf"
FAQ_PDF = FIXTURES / "[참고 3] 2025년도 창업도약패키지(일반형) 창업기업 모집 공고 주요 질의응답.pdf"
FORM_HWP = FIXTURES / "[별첨 1] 2025년도 창업도약패키지(일반형) 창업기업 사업계획서 양식.hwp"
FORM_DOCX = FIXTURES / "[별첨 1] 2025년도 창업도약패키지(일반형) 창업기업 사업계획서 양식.docx"


@pytest.fixture(scope="session")
def embedding_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One passage-vector cache for the whole run: the same texts are never embedded twice."""
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    return PG_ADMIN_URL


def _fresh_postgres_database(admin_url: str) -> Iterator[str]:
    name = f"cafebot_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = admin_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that takes this runs twice: on SQLite and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cafebot.sqlite3'}"
    else:
        yield from _fresh_postgres_database(PG_ADMIN_URL)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`database_url` for module-scoped fixtures (a bot running through a whole module): the module runs twice."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'cafebot.sqlite3'}"
    else:
        yield from _fresh_postgres_database(PG_ADMIN_URL)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, for what only deployments do (several processes sharing one database)."""
    yield from _fresh_postgres_database(PG_ADMIN_URL)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real `chroma run` on 127.0.0.1 for the module; yields its port."""
    with chroma_run(chroma_exe(), tmp_path_factory.mktemp("chroma-server")) as (port, _):
        yield port


def offline_settings(data_dir: Path, cache_dir: Path, **overrides: object) -> Settings:
    """Settings on `data_dir` with no .env file and nothing external (Telegram, LLM, database server, Chroma
    server) configured; keyword arguments override fields."""
    values: dict[str, object] = {
        "cafebot_data_dir": data_dir,
        "embedding_cache_dir": cache_dir,
        "knowledge_dir": KNOWLEDGE,
        "telegram_bot_token": None,
        "openai_api_key": None,
        "openai_base_url": None,
        "openai_model": None,
        "database_url": None,
        "chroma_host": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def make_settings(tmp_path: Path, embedding_cache_dir: Path):
    """Settings on this test's data dir; keyword arguments override fields."""

    def _make(**overrides: object) -> Settings:
        return offline_settings(tmp_path / "data", embedding_cache_dir, **overrides)

    return _make
