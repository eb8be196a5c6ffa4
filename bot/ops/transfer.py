"""Export and import: moving a deployment's data between databases (SQLite ⇄ PostgreSQL) or machines.

The archive is one zip file: a single thing to copy, scp or attach to a ticket, written to a temporary name and
renamed so a crash never leaves a half-archive under the real name, compressed (chunk text shrinks a lot), and
CRC-checked per member so a damaged copy is detected on import. Inside: `manifest.json`, `settings.json` (the
non-secret settings) and one JSON Lines file per table under `tables/`, so it stays readable with standard tools.

Exported: the knowledge base registry (documents, versions, chunks with text, tokens and page metadata, enough
to rebuild both indexes without the original files; the files removed by hand, so the shipped folder does not
bring them back there), the cafes with their staff, expert tickets (each with its cafe) with their relayed
messages, ratings and message links, experts (each with its cafe), staff, subscriptions, and announcements (so a
moved deployment never announces a version twice). Not exported: founders' conversations and question log
(personal data that expires with retention, not worth copying), the outbox, seen updates and half-finished intakes
(in-flight state: stop the bot first).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Connection, Date, Table, delete, func, select, text

from bot.config import Settings
from bot.knowledge import registry
from bot.storage.db import Database, head_revision, schema_status, shipped_revisions
from bot.storage.models import Base
from bot.storage.types import UtcDateTime

if TYPE_CHECKING:
    from bot.knowledge.embeddings import CachedEmbeddings
    from bot.knowledge.reindex import ReindexProgressCallback, ReindexResult

FORMAT = "cafebot-export"
# 2: JSON columns (expert specialties, ticket fields, subscriptions' interests...) hold JSON values; version 1 held
# the JSON text as a string, which import still reads.
FORMAT_VERSION = 2
# Parents before children, so foreign keys hold while loading.
TABLES = (
    "cafes", "cafe_staff", "kb_documents", "kb_versions", "kb_chunks", "kb_removed_files",
    "esc_experts", "esc_tickets", "esc_messages", "esc_message_links", "staff_questions", "staff_question_links",
    "staff_members", "subscriptions", "announcements", "expiry_notices", "consult_slots", "consult_bookings",
)
BATCH = 500


class BadArchive(ValueError):
    """Not a cafebot export, damaged, or from a newer cafebot."""


class TargetNotEmpty(RuntimeError):
    """The database to import into already holds data (and --replace was not given)."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        super().__init__("the database is not empty: " + ", ".join(f"{t} {n}" for t, n in counts.items()))


@dataclass(frozen=True)
class SettingDiff:
    name: str
    archived: Any
    current: Any


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    manifest: dict[str, Any]


@dataclass(frozen=True)
class ImportSummary:
    manifest: dict[str, Any]
    counts: dict[str, int]
    settings: list[SettingDiff]
    replaced: dict[str, int]


def secret_fields() -> set[str]:
    """Settings marked repr=False in bot.config: secrets (and the database URL, which may hold a password)."""
    return {name for name, field in Settings.model_fields.items() if field.repr is False}


def public_settings(settings: Settings) -> dict[str, Any]:
    """The settings that may be written down: everything but the secrets, as JSON values."""
    return settings.model_dump(mode="json", exclude=secret_fields())


def app_version() -> str:
    try:
        return metadata.version("cafebot")
    except metadata.PackageNotFoundError:
        return "unknown"


def _encode(value: Any) -> Any:
    if isinstance(value, date):  # datetimes too: UtcDateTime hands them back aware, so the offset is written
        return value.isoformat()
    return value


def _kind(column_type: object) -> str | None:
    if isinstance(column_type, UtcDateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    return "json" if isinstance(column_type, JSON) else None


def _decoder(table: Table, format_version: int) -> Any:
    kinds = {c.name: _kind(c.type) for c in table.columns}

    def decode(row: dict[str, Any]) -> dict[str, Any]:
        unknown = set(row) - set(kinds)
        if unknown:
            raise BadArchive(f"{table.name} has columns this cafebot does not know: {', '.join(sorted(unknown))}")
        out = dict(row)
        for name, value in row.items():
            if value is not None and kinds[name] == "datetime":
                out[name] = datetime.fromisoformat(value)
            elif value is not None and kinds[name] == "date":
                out[name] = date.fromisoformat(value)
            elif kinds[name] == "json" and format_version < 2:
                out[name] = json.loads(value)
        return out

    return decode


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def table_counts(conn: Connection) -> dict[str, int]:
    return {name: conn.scalar(select(func.count()).select_from(_table(name))) or 0 for name in TABLES}


def export_archive(db: Database, settings: Settings, path: Path) -> ExportSummary:
    """Write the deployment's data to a new zip archive at `path` (refuses to overwrite an existing file)."""
    if path.exists():
        raise FileExistsError(str(path))
    status = schema_status(db.engine)
    manifest: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "schema_revision": ",".join(status.current), "created_at": datetime.now(UTC).isoformat(),
        "app_version": app_version(), "embeddings_provider": settings.embeddings_provider, "tables": {},
    }
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf, db.engine.connect() as conn:
            # One snapshot for all tables where the backend offers it, so rows reference each other consistently.
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            for name in TABLES:
                table = _table(name)
                count = 0
                with zf.open(f"tables/{name}.jsonl", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
                    result = conn.execution_options(yield_per=1000).execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                    for row in result.mappings():
                        out.write(json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
                        count += 1
                manifest["tables"][name] = count
            zf.writestr("settings.json", json.dumps(public_settings(settings), ensure_ascii=False, indent=1))
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return ExportSummary(path, manifest)


def read_manifest(path: Path) -> dict[str, Any]:
    """The archive's manifest, after checking it is a cafebot export this version can load."""
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise BadArchive(str(exc)) from exc
    if manifest.get("format") != FORMAT:
        raise BadArchive("no cafebot manifest")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise BadArchive(f"format version {manifest['format_version']} is newer than this cafebot reads")
    return manifest


def _rows(zf: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    try:
        raw = zf.open(f"tables/{name}.jsonl")
    except KeyError:
        return
    with raw, io.TextIOWrapper(raw, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def settings_diff(archived: dict[str, Any], settings: Settings) -> list[SettingDiff]:
    """Non-secret settings whose archived value differs from this environment's (reported, never applied)."""
    current = public_settings(settings)
    return [SettingDiff(k, archived[k], current[k]) for k in sorted(archived)
            if k in current and archived[k] != current[k]]


def import_archive(db: Database, path: Path, settings: Settings, *, replace: bool = False) -> ImportSummary:
    """Load an archive into this database in one transaction. Refuses a database that already holds any of the
    exported kinds of data unless `replace`, which deletes those first. The search indexes are not touched:
    run `reindex` afterwards (import_and_reindex does both)."""
    manifest = read_manifest(path)
    archived = {r.strip() for r in str(manifest.get("schema_revision", "")).split(",") if r.strip()}
    if archived - shipped_revisions():
        raise BadArchive(f"schema {manifest.get('schema_revision')} is newer than this cafebot ({head_revision()})")
    counts: dict[str, int] = {}
    replaced: dict[str, int] = {}
    try:
        with zipfile.ZipFile(path) as zf, db.engine.begin() as conn:
            existing = {t: n for t, n in table_counts(conn).items() if n}
            if existing and not replace:
                raise TargetNotEmpty(existing)
            for name in reversed(TABLES):
                if existing.get(name):
                    conn.execute(delete(_table(name)))
                    replaced[name] = existing[name]
            if replaced:
                conn.execute(delete(_table("kb_vector_gc")))  # their versions are gone; reindex drops the vectors
            for name in TABLES:
                table, decode = _table(name), _decoder(_table(name), int(manifest.get("format_version", 1)))
                counts[name] = 0
                batch: list[dict[str, Any]] = []
                for row in _rows(zf, name):
                    batch.append(decode(row))
                    if len(batch) >= BATCH:
                        conn.execute(table.insert(), batch)
                        counts[name] += len(batch)
                        batch = []
                if batch:
                    conn.execute(table.insert(), batch)
                    counts[name] += len(batch)
                expected = manifest.get("tables", {}).get(name)
                if expected is not None and expected != counts[name]:
                    raise BadArchive(f"{name}: the manifest lists {expected} rows, the archive holds {counts[name]}")
            if conn.dialect.name == "postgresql":
                _advance_sequences(conn)
    except (zipfile.BadZipFile, json.JSONDecodeError, zipfile.LargeZipFile) as exc:
        raise BadArchive(str(exc)) from exc
    with db.session() as s:
        registry.bump_revision(s)
    try:
        with zipfile.ZipFile(path) as zf:
            archived_settings = json.loads(zf.read("settings.json"))
    except KeyError:
        archived_settings = {}
    return ImportSummary(manifest, counts, settings_diff(archived_settings, settings), replaced)


def _advance_sequences(conn: Connection) -> None:
    """Rows came with their ids; PostgreSQL's serial counters must move past them or the next insert collides."""
    for name in TABLES:
        column = _table(name).autoincrement_column
        if column is None:
            continue
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', '{column.name}'), "
            f"COALESCE((SELECT MAX({column.name}) FROM {name}), 0) + 1, false) "
            f"WHERE pg_get_serial_sequence('{name}', '{column.name}') IS NOT NULL"
        ))


def import_and_reindex(
    settings: Settings, path: Path, *, replace: bool = False, progress: ReindexProgressCallback | None = None,
    embeddings: CachedEmbeddings | None = None,
) -> tuple[ImportSummary, ReindexResult]:
    """`cafebot import`: load the archive into the configured database, then rebuild Chroma and BM25 from it.

    The services are built only after loading, because building them writes rows of their own (experts from
    EXPERT_USER_IDS) that would make the database look non-empty.
    """
    from bot.knowledge.reindex import reindex
    from bot.services import build_services

    settings.ensure_dirs()
    db = Database(settings.sqlalchemy_url, migrate=settings.db_auto_upgrade)
    try:
        summary = import_archive(db, path, settings, replace=replace)
    finally:
        db.dispose()
    services = build_services(settings, embeddings=embeddings)
    try:
        result = reindex(services.knowledge, progress)
    finally:
        services.close()
    return summary, result
