"""Data operations as an operator runs them: schema upgrades (`cafebot db`), moving a deployment between SQLite
and PostgreSQL (`cafebot export` / `cafebot import`), and rebuilding the search indexes (`cafebot reindex`)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from escalation_helpers import message, submit
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session
from standins import OpenAIStandIn
from telegram_harness import (
    DOCS,
    KO_QUESTION,
    make_services,
    settings_for,
    shared_embeddings,
)

from bot.cafes.spec import CafeSpec
from bot.escalation.enums import PromptKind
from bot.escalation.links import Prompt, Where
from bot.escalation.workflow import Founder
from bot.knowledge import registry
from bot.knowledge.reindex import reindex
from bot.ops.transfer import TargetNotEmpty, export_archive, import_and_reindex, import_archive
from bot.services import Services, build_services
from bot.storage.db import (
    Database,
    SchemaOutOfDate,
    downgrade_schema,
    head_revision,
    make_engine,
    schema_status,
    upgrade_schema,
)
from bot.storage.models import ConversationState, Expert, OutboxItem, QuestionLog, Subscription, Ticket

FOUNDER, FINTECH, STAFF, SUBSCRIBER, CAFE_EXPERT, CAFE_STAFF = 501, 601, 9001, 3401, 8001, 9002
FIELDS = {"summary": "소상공인 간편 정산 앱", "problem": "정산이 늦다", "customers": "동네 가게",
          "solution": "카드 매출 당일 정산", "stage": "mvp", "team": "2명", "feedback": "수익 모델"}
QUESTIONS = (KO_QUESTION, "청년취업사관학교 모집 기간은 언제인가요?", "When is the cafe open?")


def cafebot_env(data_dir: Path, cache_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "OPENAI_", "DATABASE_", "CHROMA_", "EMBEDDINGS_", "DB_"))}
    env.update(CAFEBOT_DATA_DIR=str(data_dir), EMBEDDING_CACHE_DIR=str(cache_dir), DATABASE_URL=database_url,
               KNOWLEDGE_DIR=str(data_dir / "no-knowledge"), **extra)
    return env


def cafebot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], check=False, env=env,
                          cwd=Path(env["CAFEBOT_DATA_DIR"]).parent,
                          capture_output=True, text=True, timeout=300)


def schema_diff(url: str) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.storage.models import Base

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    finally:
        engine.dispose()


# --- schema -------------------------------------------------------------------------------------------


def test_db_upgrade_current_and_a_downgrade_round_trip(database_url, tmp_path, embedding_cache_dir):
    env = cafebot_env(tmp_path / "data", embedding_cache_dir, database_url)
    fresh = cafebot(env, "--lang", "en", "db", "current")
    assert fresh.returncode == 3 and "none" in fresh.stdout and "cafebot db upgrade" in fresh.stdout

    up = cafebot(env, "db", "upgrade")
    assert up.returncode == 0, up.stderr
    current = cafebot(env, "--lang", "en", "db", "current")
    assert current.returncode == 0 and f"{head_revision()} (head: {head_revision()}) — at head" in current.stdout
    assert schema_diff(database_url) == []

    down = cafebot(env, "db", "downgrade", "base")
    assert down.returncode == 0, down.stderr
    engine = create_engine(database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    again = cafebot(env, "db", "upgrade")
    assert again.returncode == 0 and schema_diff(database_url) == []


def test_the_models_match_the_migrated_schema(database_url):
    Database(database_url).dispose()
    assert schema_diff(database_url) == []


# Rows as the bot wrote them before migration 0008 turned these TEXT columns into JSON: Hangul as written with
# ensure_ascii=False, and escaped (the outbox and PTB's state used json.dumps' default).
JSON_TEXT_ROWS = {
    "esc_experts": ("user_id, display_name, alias, specialties, capacity, active, created_at",
                    "601, '김핀테크', '전문가 A', '[\"핀테크\", \"\\ubc14\\uc774\\uc624\"]', 2, true, :at"),
    "esc_tickets": ("id, founder_id, founder_chat_id, founder_name, lang, fields, status, reassign_count, passed_by, "
                    "routed_at, created_at, updated_at",
                    "7, 501, 501, '민지', 'ko', '{\"summary\": \"소상공인 간편 정산 앱\", \"stage\": \"mvp\"}', "
                    "'open', 1, '[602]', :at, :at, :at"),
    "esc_outbox": ("ticket_id, chat_id, kind, text, buttons, status, attempts, next_attempt_at, created_at",
                   "7, 601, 'text', '', '[[[\"\\uc218\\ub77d\", \"esc:claim:7\"]]]', 'pending', 0, :at, :at"),
    "esc_conversation_state": ("name, key, value",
                               "'ptb:idea_intake', '[501, 501]', '2'), ('prompt', '601:42', "
                               "'{\"kind\": \"info\", \"ticket\": 7}'"),
    "question_log": ("user_id, conversation_id, question, standalone_question, lang, kind, mode, answer, sources, "
                     "latency_ms, created_at",
                     "501, 'tg:501', '운영 시간은?', '운영 시간은?', 'ko', 'answer', 'llm', '', "
                     "'[{\"document_id\": \"d1\", \"title\": \"서울창업카페 이용 안내\"}]', 5, :at"),
    "subscriptions": ("user_id, interests, lang, created_at", "3401, '[\"funding\", \"events\"]', 'ko', :at"),
}


def test_json_text_from_before_0008_reads_back_as_python_values(database_url):
    engine = make_engine(database_url)
    try:
        upgrade_schema(engine, "0007")
        # The bot's own format on each backend: SQLite keeps the UTC digits without a zone, PostgreSQL an instant.
        at = "2026-11-30 09:15:00.000000" if database_url.startswith("sqlite") else "2026-11-30 18:15:00+09"
        with engine.begin() as conn:
            for table, (columns, values) in JSON_TEXT_ROWS.items():
                conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), {"at": at})
        upgrade_schema(engine)
        assert schema_diff(database_url) == []
        expected_at = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
        with Session(engine) as s:
            expert, ticket = s.get_one(Expert, 601), s.get_one(Ticket, 7)
            assert expert.specialties == ["핀테크", "바이오"] and expert.created_at == expected_at
            assert ticket.fields == {"summary": "소상공인 간편 정산 앱", "stage": "mvp"} and ticket.passed_by == [602]
            assert s.scalars(select(OutboxItem.buttons)).one() == [[["수락", "esc:claim:7"]]]
            assert dict(s.execute(select(ConversationState.name, ConversationState.value)).tuples().all()) == {
                "ptb:idea_intake": 2, "prompt": {"kind": "info", "ticket": 7}}
            [sources] = s.scalars(select(QuestionLog.sources))
            assert sources == [{"document_id": "d1", "title": "서울창업카페 이용 안내"}]
            assert s.get_one(Subscription, 3401).interests == ["funding", "events"]
            stamps = [expert.created_at, ticket.routed_at, ticket.updated_at,
                      s.scalars(select(OutboxItem.created_at)).one(), s.scalars(select(QuestionLog.created_at)).one(),
                      s.get_one(Subscription, 3401).created_at]
            assert stamps == [expected_at] * 6 and {stamp.utcoffset() for stamp in stamps} == {timedelta(0)}

            ticket.fields = {**ticket.fields, "team": "2명"}
            s.add(Expert(user_id=603, specialties=["바이오"]))
            s.commit()
        with engine.connect() as conn:  # stored readably, not as \uXXXX escapes
            assert "바이오" in conn.scalar(text("SELECT specialties FROM esc_experts WHERE user_id = 603"))

        downgrade_schema(engine, "0007")  # back to TEXT with the JSON as it was stored
        with engine.connect() as conn:
            assert json.loads(conn.scalar(text("SELECT fields FROM esc_tickets")))["team"] == "2명"
            assert conn.scalar(text("SELECT value FROM esc_conversation_state WHERE name = 'ptb:idea_intake'")) == "2"
        upgrade_schema(engine)
        with Session(engine) as s:
            assert s.get_one(Ticket, 7).fields["team"] == "2명"
    finally:
        engine.dispose()


def test_datetimes_are_stored_as_instants_and_read_back_aware_in_utc(database_url):
    db = Database(database_url)
    try:
        seoul = timezone(timedelta(hours=9))
        with db.session() as s:
            s.add(QuestionLog(user_id=1, conversation_id="tg:1", question="q", standalone_question="q", lang="ko",
                              kind="answer", mode="llm", created_at=datetime(2026, 12, 1, 8, 0, tzinfo=seoul)))
            s.add(QuestionLog(user_id=2, conversation_id="tg:2", question="q", standalone_question="q", lang="ko",
                              kind="answer", mode="llm", created_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC)))
        with db.session() as s:
            rows = s.execute(select(QuestionLog.user_id, QuestionLog.created_at).order_by(QuestionLog.created_at))
            # 08:00 in Seoul is 23:00 UTC the day before: the order is by instant, not by the digits written.
            assert rows.tuples().all() == [(1, datetime(2026, 11, 30, 23, 0, tzinfo=UTC)),
                                           (2, datetime(2026, 11, 30, 23, 30, tzinfo=UTC))]
            later = s.scalars(select(QuestionLog.user_id).where(
                QuestionLog.created_at > datetime(2026, 12, 1, 8, 15, tzinfo=seoul))).all()
            assert later == [2]
            assert all(at.tzinfo == UTC for at in s.scalars(select(QuestionLog.created_at)))
        with pytest.raises(StatementError, match="naive datetime"), db.session() as s:
            s.scalars(select(QuestionLog).where(QuestionLog.created_at < datetime(2026, 12, 1))).all()
    finally:
        db.dispose()


def test_an_archive_from_before_json_columns_imports(database_url, tmp_path, embedding_cache_dir):
    # Format 1 wrote the JSON columns' text as strings; format 2 writes the values.
    at = "2026-11-30T09:15:00+00:00"
    rows = {
        "esc_experts": [{"user_id": FINTECH, "display_name": "김핀테크", "alias": "전문가 A",
                         "specialties": '["핀테크"]', "capacity": 2, "active": True, "created_at": at}],
        "esc_tickets": [{"id": 1, "founder_id": FOUNDER, "founder_chat_id": FOUNDER, "founder_name": "민지",
                         "founder_username": None, "lang": "ko", "fields": json.dumps(FIELDS, ensure_ascii=False),
                         "specialty": "핀테크", "attachment_file_id": None, "attachment_kind": None, "status": "closed",
                         "expert_id": FINTECH, "route_chat_id": None, "route_thread_id": None, "reassign_count": 0,
                         "passed_by": "[]", "routed_at": at, "reminded_at": None, "claimed_at": at, "closed_at": at,
                         "close_summary": "수익 모델 검증부터", "rating": 4, "rating_comment": None,
                         "created_at": at, "updated_at": at}],
        "subscriptions": [{"user_id": SUBSCRIBER, "interests": '["funding"]', "lang": "ko", "created_at": at}],
    }
    archive = tmp_path / "v1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "cafebot-export", "format_version": 1,
                                                 "schema_revision": "0007", "tables": {}}))
        for table, table_rows in rows.items():
            zf.writestr(f"tables/{table}.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in table_rows))
    db = Database(database_url)
    try:
        import_archive(db, archive, settings_for(tmp_path / "dst", embedding_cache_dir, database_url=database_url))
        with db.session() as s:
            assert s.get_one(Expert, FINTECH).specialties == ["핀테크"]
            ticket = s.get_one(Ticket, 1)
            assert ticket.fields == FIELDS and ticket.passed_by == [] and ticket.closed_at == datetime.fromisoformat(at)
            assert s.get_one(Subscription, SUBSCRIBER).interests == ["funding"]
    finally:
        db.dispose()


def test_with_auto_upgrade_off_a_behind_schema_stops_the_start_naming_the_command(database_url, tmp_path,
                                                                                 embedding_cache_dir):
    env = cafebot_env(tmp_path / "data", embedding_cache_dir, database_url, DB_AUTO_UPGRADE="false")
    refused = cafebot(env, "--lang", "en", "docs")
    assert refused.returncode == 2 and "run `cafebot db upgrade` first" in refused.stderr
    with pytest.raises(SchemaOutOfDate):
        Database(database_url, migrate=False)

    assert cafebot(env, "db", "upgrade").returncode == 0
    settings = settings_for(tmp_path / "data", embedding_cache_dir, database_url=database_url, db_auto_upgrade=False)
    build_services(settings, embeddings=shared_embeddings(embedding_cache_dir)).close()  # at head: it starts


def test_replicas_upgrading_one_postgresql_at_once_all_succeed(postgres_url, tmp_path, embedding_cache_dir):
    # PostgreSQL only: this is about several hosts sharing one server; SQLite is a single host's file.
    env = cafebot_env(tmp_path / "data", embedding_cache_dir, postgres_url)
    replicas = [subprocess.Popen([sys.executable, "-m", "bot", "db", "upgrade"], env=env, cwd=tmp_path,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [(p.wait(timeout=120), p.stderr.read()) for p in replicas]
    for p in replicas:
        p.stdout.close()
        p.stderr.close()
    assert [rc for rc, _ in outcomes] == [0, 0, 0], [err[-2000:] for _, err in outcomes]
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
    assert schema_status(engine).at_head
    engine.dispose()


# --- export and import --------------------------------------------------------------------------------


def seed(services: Services) -> None:
    """What a running deployment accumulates besides documents: a cafe with its staff and expert, an expert of no
    cafe, a rated ticket of the cafe, staff, a subscriber."""
    esc = services.escalation
    services.cafes.sync([CafeSpec.model_validate({
        "id": "seongsu", "name": {"ko": "성수 창업카페", "en": "Seongsu Startup Cafe"}, "district": "성동구",
        "experts": [{"user_id": CAFE_EXPERT, "specialties": ["바이오"], "capacity": 0}], "staff": [CAFE_STAFF]})])
    esc.experts.register(FINTECH, display_name="김핀테크", alias="전문가 A", specialties=["핀테크"], capacity=2)
    tid = esc.workflow.submit(Founder(FOUNDER, FOUNDER, "민지"), FIELDS, lang="ko", group_chat_id=None,
                              specialty="핀테크", cafe_id="seongsu").id  # its expert is full: to FINTECH

    def say(user: int, text: str, prompt: Prompt | None = None) -> None:
        esc.workflow.relay(message(tid, user, text, private=user == FOUNDER, prompt=prompt))

    say(FINTECH, "고객 인터뷰 결과가 있나요?")
    say(FOUNDER, "열 곳을 인터뷰했습니다")
    esc.workflow.expect_reply(FOUNDER, 4242, tid)
    say(FINTECH, "수익 모델 검증부터", Prompt(PromptKind.CLOSE, tid, 9))
    esc.workflow.rate(tid, FOUNDER, 4)
    say(FOUNDER, "도움이 됐어요", Prompt(PromptKind.COMMENT, tid, 10))
    services.staff.add(STAFF, added_by=1)
    services.announcements.toggle(SUBSCRIBER, "funding", "ko")


def snapshot(services: Services) -> dict:
    """What staff, experts and founders would notice of the deployment's data."""
    tickets, esc = services.escalation.tickets, services.escalation
    [ticket] = tickets.founder_tickets(FOUNDER)
    return {
        "ticket": (ticket.id, ticket.cafe_id, ticket.status, ticket.expert_id, ticket.close_summary, ticket.rating,
                   ticket.rating_comment, ticket.fields, ticket.created_at),
        "cafes": [(c, services.cafes.cafe_staff(c.id)) for c in services.cafes.cafes()],
        "messages": [(m.direction, m.author_id, m.text) for m in tickets.messages(ticket.id)],
        "reply_link": esc.links.locate(Where(FOUNDER, 4242)),
        "experts": [(e.user_id, e.alias, e.display_name, e.specialties, e.capacity, e.cafe_id)
                    for e in esc.experts.all()],
        "staff": services.staff.all_ids(),
        "subscription": services.announcements.interests(SUBSCRIBER),
        "documents": [(d.id, d.title, d.version, d.chunk_count, d.programme, d.valid_until)
                      for d in services.knowledge.list_documents()],
        "search": {q: [(p.chunk_id, p.title, p.location) for p in services.knowledge.search(q, 3)] for q in QUESTIONS},
    }


@pytest.mark.parametrize("source_kind", ["sqlite", "postgres"], ids=["sqlite-to-postgres", "postgres-to-sqlite"])
def test_a_deployment_moves_to_the_other_kind_of_database(source_kind, tmp_path, embedding_cache_dir, postgres_url):
    sqlite_url = f"sqlite:///{tmp_path / 'cafebot.sqlite3'}"
    source_url, target_url = (sqlite_url, postgres_url) if source_kind == "sqlite" else (postgres_url, sqlite_url)
    embeddings = shared_embeddings(embedding_cache_dir)
    source = make_services(settings_for(tmp_path / "src", embedding_cache_dir, database_url=source_url,
                                        retrieval_k=7), embeddings)
    try:
        seed(source)
        before = snapshot(source)
        archive = export_archive(source.db, source.settings, tmp_path / "move.zip")
    finally:
        source.close()
    assert archive.manifest["schema_revision"] == head_revision()
    assert archive.manifest["tables"]["esc_tickets"] == 1 and archive.manifest["tables"]["kb_documents"] == 3
    assert archive.manifest["tables"]["cafes"] == 1 and archive.manifest["tables"]["cafe_staff"] == 1
    assert before["ticket"][1] == "seongsu" and before["ticket"][3] == FINTECH

    target_settings = settings_for(tmp_path / "dst", embedding_cache_dir, database_url=target_url)
    summary, reindexed = import_and_reindex(target_settings, archive.path, embeddings=embeddings)
    assert reindexed.documents == 3 and reindexed.chunks == summary.counts["kb_chunks"] > 0
    assert "retrieval_k" in {d.name for d in summary.settings}  # reported, not applied

    target = build_services(target_settings, embeddings=embeddings)
    try:
        assert snapshot(target) == before
        # New rows continue after the imported ids (PostgreSQL's counters were moved past them).
        new = submit(target.escalation, FOUNDER + 1, fields=FIELDS)
        assert new.id == before["ticket"][0] + 1
    finally:
        target.close()


def small_archive(tmp_path: Path, cache_dir: Path, name: str = "academy.md") -> Path:
    source = make_services(settings_for(tmp_path / "src", cache_dir), shared_embeddings(cache_dir),
                           docs={name: DOCS[name]})
    try:
        seed(source)
        return export_archive(source.db, source.settings, tmp_path / "small.zip").path
    finally:
        source.close()


def test_import_refuses_a_database_that_holds_data_unless_told_to_replace(database_url, tmp_path,
                                                                          embedding_cache_dir):
    archive = small_archive(tmp_path, embedding_cache_dir)
    settings = settings_for(tmp_path / "dst", embedding_cache_dir, database_url=database_url)
    embeddings = shared_embeddings(embedding_cache_dir)
    make_services(settings, embeddings, docs={"cafe.md": DOCS["cafe.md"]}).close()

    refused = cafebot(cafebot_env(tmp_path / "dst", embedding_cache_dir, database_url), "--lang", "en", "import",
                      str(archive))
    assert refused.returncode == 1
    assert "already holds data (kb_documents 1" in refused.stderr and "--replace" in refused.stderr
    with pytest.raises(TargetNotEmpty):
        import_and_reindex(settings, archive, embeddings=embeddings)
    services = build_services(settings, embeddings=embeddings)
    try:
        assert [d.title for d in services.knowledge.list_documents()] == ["서울창업카페 이용 안내"]
        assert services.escalation.tickets.founder_tickets(FOUNDER) == []
    finally:
        services.close()

    summary, _ = import_and_reindex(settings, archive, replace=True, embeddings=embeddings)
    assert summary.replaced == {"kb_documents": 1, "kb_versions": 1, "kb_chunks": summary.replaced["kb_chunks"]}
    services = build_services(settings, embeddings=embeddings)
    try:
        assert [d.title for d in services.knowledge.list_documents()] == ["청년취업사관학교 안내"]
        found = services.knowledge.search("서울창업카페 운영 시간", 5, mode="dense")
        assert {p.title for p in found} == {"청년취업사관학교 안내"}
        assert services.knowledge.vectors.count() == sum(d.chunk_count for d in services.knowledge.list_documents())
        assert [t.rating for t in services.escalation.tickets.founder_tickets(FOUNDER)] == [4]
    finally:
        services.close()


def test_secrets_never_appear_in_the_export(database_url, tmp_path, embedding_cache_dir):
    secrets = {"openai_api_key": "sk-SECRET-openai-0001", "telegram_bot_token": "123456:SECRET-telegram-token",
               "webhook_secret": "SECRET-webhook-0002"}
    url = database_url
    if url.startswith("postgresql"):
        # The local server trusts every connection, so a password in the URL is accepted and ignored.
        url = url.replace("postgres@", "postgres:SECRET-db-password@")
        secrets["database_url"] = "SECRET-db-password"
    settings = settings_for(tmp_path / "data", embedding_cache_dir, database_url=url,
                            openai_base_url="http://127.0.0.1:9/v1", **{k: v for k, v in secrets.items()
                                                                         if k != "database_url"})
    services = make_services(settings, shared_embeddings(embedding_cache_dir), docs={"cafe.md": DOCS["cafe.md"]})
    try:
        seed(services)
        path = export_archive(services.db, settings, tmp_path / "export.zip").path
    finally:
        services.close()
    with zipfile.ZipFile(path) as zf:
        contents = {name: zf.read(name).decode("utf-8") for name in zf.namelist()}
        exported_settings = json.loads(contents["settings.json"])
        manifest = json.loads(contents["manifest.json"])
    for name, body in contents.items():
        for secret in secrets.values():
            assert secret not in body, f"{secret} leaked into {name}"
    assert not set(exported_settings) & {"openai_api_key", "telegram_bot_token", "webhook_secret", "database_url"}
    assert exported_settings["chunk_tokens"] == settings.chunk_tokens
    assert exported_settings["openai_base_url"] == "http://127.0.0.1:9/v1"
    assert {"format_version", "schema_revision", "created_at", "app_version"} <= set(manifest)


def test_an_operator_moves_from_sqlite_to_postgresql_with_the_cli(postgres_url, tmp_path, embedding_cache_dir):
    # The usual move, once, through the real commands (each subprocess loads the model: ~10 s); both directions
    # and both targets are covered in-process above.
    database_url = postgres_url
    archive = tmp_path / "cafe.zip"
    source = make_services(settings_for(tmp_path / "src", embedding_cache_dir), shared_embeddings(embedding_cache_dir))
    source.close()
    exported = cafebot(cafebot_env(tmp_path / "src", embedding_cache_dir, source.settings.sqlalchemy_url),
                       "--lang", "en", "export", str(archive))
    assert exported.returncode == 0, exported.stderr
    assert f"exported {archive}" in exported.stdout and "kb_documents: 3" in exported.stdout
    again = cafebot(cafebot_env(tmp_path / "src", embedding_cache_dir, source.settings.sqlalchemy_url),
                    "--lang", "en", "export", str(archive))
    assert again.returncode == 1 and "already exists" in again.stderr

    env = cafebot_env(tmp_path / "dst", embedding_cache_dir, database_url)
    imported = cafebot(env, "--lang", "en", "import", str(archive))
    assert imported.returncode == 0, imported.stderr
    assert "imported" in imported.stdout and "reindexed" in imported.stdout and "embedding" in imported.stdout
    assert "CAFEBOT_DATA_DIR: archive" in imported.stdout  # settings are reported, never applied
    target = build_services(settings_for(tmp_path / "dst", embedding_cache_dir, database_url=database_url),
                            embeddings=shared_embeddings(embedding_cache_dir))
    try:
        top = target.knowledge.search("청년취업사관학교 모집 기간", 1, mode="dense")[0]
        assert top.title == "청년취업사관학교 안내"
    finally:
        target.close()


# --- reindex ------------------------------------------------------------------------------------------


def test_reindex_after_switching_to_openai_embeddings_makes_search_work_again(database_url, tmp_path,
                                                                             embedding_cache_dir, caplog):
    local = make_services(settings_for(tmp_path / "data", embedding_cache_dir, database_url=database_url),
                          shared_embeddings(embedding_cache_dir))
    local.close()
    with OpenAIStandIn() as llm:
        settings = settings_for(tmp_path / "data", embedding_cache_dir, database_url=database_url,
                                embeddings_provider="openai", openai_base_url=llm.base_url, openai_api_key="k")
        with caplog.at_level(logging.WARNING, logger="bot.knowledge.reindex"):
            services = build_services(settings)
        try:
            assert "cafebot reindex" in caplog.text  # the new model's collection is empty
            question = "청년취업사관학교 모집 기간"
            assert services.knowledge.search(question, 3, mode="dense") == []
            with services.db.session() as s:
                revision = registry.current_revision(s)

            progress: list[tuple[int, int]] = []
            result = reindex(services.knowledge, lambda done, total: progress.append((done, total)))
            assert result.collection.endswith("openai-text-embedding-3-small") and result.documents == 3
            assert progress[-1] == (result.chunks, result.chunks) and llm.embedding_requests
            dense = services.knowledge.search(question, 3, mode="dense")
            assert dense and dense[0].title == "청년취업사관학교 안내"
            assert services.knowledge.search(question, 3)[0].title == "청년취업사관학교 안내"
            with services.db.session() as s:
                assert registry.current_revision(s) > revision  # other processes rebuild their BM25
        finally:
            services.close()
