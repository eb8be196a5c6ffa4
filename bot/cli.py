"""`cafebot` command line: ingest, search, docs, remove, chat, run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings, load_settings
from bot.knowledge.errors import DocumentRejected
from bot.observability.logs import configure_logging
from bot.strings import reject_message, t

if TYPE_CHECKING:  # the knowledge stack takes seconds to import; `cafebot db` needs none of it
    from bot.knowledge.service import IngestResult


def _print_result(result: IngestResult | DocumentRejected, lang: str, settings: Settings) -> None:
    if isinstance(result, DocumentRejected):
        print(reject_message(result.reason.value, lang, result.file_name, limit_mb=settings.max_upload_mb),
              file=sys.stderr)
        return
    d = result.document
    print(t(f"cli.ingest.{result.status}", lang, title=d.title, version=d.version, pages=d.page_count,
            chunks=d.chunk_count, seconds=result.seconds))


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.registry import CLI, DocumentOrigin
    from bot.services import build_services

    services = build_services(settings)
    results = services.knowledge.ingest_paths(
        [Path(p) for p in args.paths], on_result=lambda _p, r: _print_result(r, args.lang, settings),
        origin=DocumentOrigin(CLI),  # an operator's document: the knowledge folder sync never removes it
    )
    return 1 if any(isinstance(r, DocumentRejected) for r in results) or not results else 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import build_services, sync_knowledge_dir

    services = build_services(settings)
    if not services.knowledge.list_documents():
        sync_knowledge_dir(services)
    passages = services.knowledge.search(args.query, args.k, programme=args.programme, mode=args.mode,
                                         only_valid=not args.include_expired)
    if not passages:
        print(t("cli.search.none", args.lang))
        return 0
    for i, p in enumerate(passages, 1):
        sim = f" sim={p.similarity:.3f}" if p.similarity is not None else ""
        bm = f" bm25={p.bm25:.2f}" if p.bm25 is not None else ""
        print(f"[{i}] score={p.score:.4f}{sim}{bm}  {p.title} · {p.location or '-'}  ({p.source})")
        body = " ".join(p.text.split())
        print("    " + (body[:300] + ("…" if len(body) > 300 else "")))
    return 0


def cmd_docs(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import build_services

    docs = build_services(settings).knowledge.list_documents()
    if not docs:
        print(t("cli.docs.none", args.lang))
    for d in docs:
        valid = d.valid_until.isoformat() if d.valid_until else "-"
        print(f"{d.id}  v{d.version}  {d.chunk_count:4d} chunks  valid-until {valid}  "
              f"[{d.programme or '-'}]  {d.title}  ({d.file_name})")
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import build_services

    try:
        # "cli": an operator's decision, so a shipped document stays removed after restarts (see the sync).
        info = build_services(settings).knowledge.remove_document(args.document_id, removed_by="cli")
    except KeyError:
        print(t("cli.unknown_document", args.lang, id=args.document_id), file=sys.stderr)
        return 1
    print(t("cli.removed", args.lang, title=info.title))
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import run_console

    return run_console(settings, lang=args.lang)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set: opening the console chat instead. / 토큰이 없어 콘솔 대화를 엽니다.",
              file=sys.stderr)
        return cmd_chat(args, settings)
    from bot.telegram.app import run_bot

    return run_bot(settings)


def cmd_cafes(args: argparse.Namespace, settings: Settings) -> int:
    """`cafebot cafes sync`: apply the cafes file now (a running bot also applies it at its next start)."""
    from bot.cafes.registry import CafeRegistry
    from bot.cafes.spec import load_cafes
    from bot.storage.db import Database

    if settings.cafes_file is None:
        print(t("cli.cafes.no_file", args.lang), file=sys.stderr)
        return 2
    specs = load_cafes(settings.cafes_file)
    db = Database(settings.sqlalchemy_url, migrate=settings.db_auto_upgrade)
    try:
        report = CafeRegistry(db, settings.admin_user_ids).sync(specs)
    finally:
        db.dispose()
    print(t("cli.cafes.synced", args.lang, added=", ".join(report.added) or "-",
            updated=", ".join(report.updated) or "-", deactivated=", ".join(report.deactivated) or "-"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cafebot", description="Seoul Startup Cafe assistant")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--lang", choices=["ko", "en"], default=None,
                        help="message language (default: DEFAULT_LANGUAGE)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add or update documents (files or folders)")
    p.add_argument("paths", nargs="+")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="print the top passages for a question")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid")
    p.add_argument("--programme", default=None)
    p.add_argument("--include-expired", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("docs", help="list documents")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("remove", help="remove a document and all its chunks")
    p.add_argument("document_id")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("chat", help="talk to the assistant in this terminal")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("cafes", help="the cafes file (CAFES_FILE)")
    p.add_argument("action", choices=["sync"], help="sync: apply the file to the database now")
    p.set_defaults(func=cmd_cafes)

    p = sub.add_parser("run", help="run the Telegram bot (console chat when no token is set)")
    p.set_defaults(func=cmd_run)

    from bot.ops.commands import add_data_commands

    add_data_commands(sub)  # db, export, import, reindex
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    configure_logging(settings, args.verbose)  # after the settings: LOG_FORMAT and the secrets to redact
    args.lang = args.lang or settings.default_language
    from bot.cafes.spec import CafeFileError
    from bot.ops.commands import schema_error_message
    from bot.storage.db import SchemaOutOfDate

    try:
        return int(args.func(args, settings) or 0)
    except SchemaOutOfDate as exc:
        print(schema_error_message(exc, args.lang), file=sys.stderr)
        return 2
    except CafeFileError as exc:  # a typo in the cafes file: say where, start nothing
        print(t("cli.cafes.bad_file", args.lang, problem=exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
