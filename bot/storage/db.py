"""Database engine and sessions: SQLite by default, PostgreSQL (psycopg 3) in deployments; schema by Alembic."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _json_dumps(value: object) -> str:
    # Hangul as itself, not \uXXXX escapes: rows stay readable in psql and sqlite3, take half the bytes, and
    # match what the bot wrote with ensure_ascii=False before these columns were JSON.
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str) -> Engine:
    """Create an engine tuned for the backend: SQLite gets WAL and a busy timeout so processes can share it."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               json_serializer=_json_dumps)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, json_serializer=_json_dumps)


# Any fixed 64-bit key: every cafebot process upgrading the same PostgreSQL database queues on it.
UPGRADE_LOCK_KEY = 0x6361666562_6F74  # "cafebot"


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema stands against the migrations this code ships."""

    current: tuple[str, ...]  # revisions in the database's alembic_version (empty: never migrated)
    head: str
    unknown: tuple[str, ...]  # revisions this code does not know: a newer cafebot migrated the database

    @property
    def at_head(self) -> bool:
        return self.current == (self.head,)


class SchemaOutOfDate(RuntimeError):
    """The schema is not at this code's head and automatic upgrades are off (or the database is newer)."""

    def __init__(self, status: SchemaStatus) -> None:
        self.status = status
        current = ", ".join(status.current) or "none"
        if status.unknown:
            super().__init__(f"database schema at {current}, newer than this cafebot (head {status.head}): "
                             "run the cafebot that migrated it, or `cafebot db downgrade` with that version")
        else:
            super().__init__(f"database schema at {current}, this cafebot needs {status.head}: "
                             "run `cafebot db upgrade`")


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The single head of the shipped migrations."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def shipped_revisions() -> set[str]:
    """Every revision this code ships (all of them ancestors of the head)."""
    return {rev.revision for rev in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def schema_status(engine: Engine) -> SchemaStatus:
    """The database's current revision(s) compared with the shipped head."""
    with engine.connect() as conn:
        current = tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
    known = shipped_revisions()
    return SchemaStatus(current, head_revision(), tuple(r for r in current if r not in known))


def _run_alembic(engine: Engine, action: Callable[[Config], None]) -> None:
    cfg = _alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Replicas starting together: the first migrates, the rest wait here and then find nothing to do.
            # A transaction-level lock is released by the commit, or by the rollback if a migration fails.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK_KEY})
        cfg.attributes["connection"] = conn
        action(cfg)


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` with Alembic; safe to call on every start and from several processes."""
    status = schema_status(engine)
    if status.unknown:
        raise SchemaOutOfDate(status)
    _run_alembic(engine, lambda cfg: command.upgrade(cfg, revision))


def downgrade_schema(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` ("base" drops every table): data in dropped tables is lost."""
    _run_alembic(engine, lambda cfg: command.downgrade(cfg, revision))


def rows_affected(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (what the database reports; 0 when it reports nothing)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


class Database:
    """Owns the engine and hands out sessions; one per process."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        """`migrate`: upgrade the schema to head; if false, refuse (SchemaOutOfDate) a schema that is not at head."""
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            upgrade_schema(self.engine)
        else:
            status = schema_status(self.engine)
            if not status.at_head:
                self.engine.dispose()
                raise SchemaOutOfDate(status)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        with self._sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
