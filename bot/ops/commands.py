"""The operators' data commands of `cafebot`: `db upgrade|current|downgrade`, `export`, `import`, `reindex`.

Kept out of bot/cli.py, which only registers them; the work is done by bot.storage.db, bot.ops.transfer and
bot.knowledge.reindex.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.storage.db import (
    SchemaOutOfDate,
    SchemaStatus,
    downgrade_schema,
    make_engine,
    schema_status,
    upgrade_schema,
)
from bot.strings import t


def schema_error_message(exc: SchemaOutOfDate, lang: str) -> str:
    """What an operator reads when the schema does not fit this cafebot."""
    current = ", ".join(exc.status.current) or t("cli.db.none", lang)
    key = "cli.db.too_new" if exc.status.unknown else "cli.db.out_of_date"
    return t(key, lang, current=current, head=exc.status.head)


def _state(status: SchemaStatus, lang: str) -> str:
    if status.unknown:
        return t("cli.db.newer", lang)
    return t("cli.db.at_head" if status.at_head else "cli.db.behind", lang)


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    settings.ensure_dirs()
    url = settings.sqlalchemy_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        if args.db_command == "upgrade":
            upgrade_schema(engine, args.revision)
            print(t("cli.db.upgraded", args.lang, revision=", ".join(schema_status(engine).current)))
            return 0
        if args.db_command == "downgrade":
            downgrade_schema(engine, args.revision)
            print(t("cli.db.downgraded", args.lang, revision=", ".join(schema_status(engine).current) or "base"))
            return 0
        status = schema_status(engine)
        current = ", ".join(status.current) or t("cli.db.none", args.lang)
        print(t("cli.db.current", args.lang, current=current, head=status.head, state=_state(status, args.lang)))
        return 0 if status.at_head else 3
    finally:
        engine.dispose()


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.transfer import export_archive
    from bot.storage.db import Database

    settings.ensure_dirs()
    db = Database(settings.sqlalchemy_url, migrate=settings.db_auto_upgrade)
    try:
        summary = export_archive(db, settings, Path(args.path))
    except FileExistsError:
        print(t("cli.export.exists", args.lang, path=args.path), file=sys.stderr)
        return 1
    finally:
        db.dispose()
    tables: dict[str, int] = summary.manifest["tables"]
    print(t("cli.export.done", args.lang, path=summary.path, revision=summary.manifest["schema_revision"],
            rows=sum(tables.values())))
    for table, count in tables.items():
        print(t("cli.export.table", args.lang, table=table, count=count))
    return 0


def _progress(lang: str) -> Any:
    def report(done: int, total: int) -> None:
        print(t("cli.reindex.progress", lang, done=done, total=total), flush=True)

    return report


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.transfer import BadArchive, TargetNotEmpty, import_and_reindex

    try:
        summary, result = import_and_reindex(settings, Path(args.path), replace=args.replace,
                                             progress=_progress(args.lang))
    except BadArchive as exc:
        print(t("cli.import.bad_archive", args.lang, path=args.path, detail=exc), file=sys.stderr)
        return 1
    except TargetNotEmpty as exc:
        counts = ", ".join(f"{table} {n}" for table, n in exc.counts.items())
        print(t("cli.import.not_empty", args.lang, counts=counts), file=sys.stderr)
        return 1
    if summary.replaced:
        counts = ", ".join(f"{table} {n}" for table, n in summary.replaced.items())
        print(t("cli.import.replaced", args.lang, counts=counts))
    m = summary.manifest
    print(t("cli.import.done", args.lang, rows=sum(summary.counts.values()), created_at=m.get("created_at"),
            version=m.get("app_version"), revision=m.get("schema_revision")))
    _print_reindexed(result, args.lang)
    if not summary.settings:
        print(t("cli.import.settings_same", args.lang))
        return 0
    print(t("cli.import.settings_diff", args.lang))
    for diff in summary.settings:
        print(t("cli.import.setting", args.lang, name=diff.name.upper(), archived=diff.archived, current=diff.current))
    return 0


def _print_reindexed(result: Any, lang: str) -> None:
    print(t("cli.reindex.done", lang, chunks=result.chunks, documents=result.documents,
            collection=result.collection, seconds=result.seconds))


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.reindex import reindex
    from bot.services import build_services

    services = build_services(settings)
    try:
        _print_reindexed(reindex(services.knowledge, _progress(args.lang)), args.lang)
    finally:
        services.close()
    return 0


def add_data_commands(sub: Any) -> None:
    """Register the commands on `cafebot`'s subparsers."""
    p = sub.add_parser("db", help="database schema: upgrade, current, downgrade")
    db_sub = p.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="migrate the schema (default: to the newest revision)")
    up.add_argument("revision", nargs="?", default="head")
    db_sub.add_parser("current", help="print the schema revision and whether it is the newest (exit 3 if not)")
    down = db_sub.add_parser("downgrade", help="migrate the schema back to REVISION (base drops every table)")
    down.add_argument("revision")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("export", help="write tickets, experts, staff, documents and settings to a zip archive")
    p.add_argument("path")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="load an export into an empty database, then rebuild the search indexes")
    p.add_argument("path")
    p.add_argument("--replace", action="store_true", help="delete the data the archive holds kinds of first")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("reindex", help="rebuild Chroma and BM25 from the documents stored in the database")
    p.set_defaults(func=cmd_reindex)
