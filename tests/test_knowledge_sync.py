"""The shipped knowledge folder as an operator ships it: a release that drops a file takes its document out of the
answers at the next start, while staff uploads, a missing or empty folder and pre-existing databases are safe; a
shipped document staff removed stays removed until a release changes it or staff upload it again."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import inspect, text
from standins import BotApiStandIn
from telegram_harness import (
    BOT_USERNAME,
    DOCS,
    TOKEN,
    has_button,
    running_bot,
    settings_for,
    shared_embeddings,
    write_docs,
)

from bot.config import Settings
from bot.services import Services, build_services, sync_knowledge_dir
from bot.storage.db import downgrade_schema, make_engine, upgrade_schema

LEAP, ACADEMY, CAFE = "창업도약패키지 안내", "청년취업사관학교 안내", "서울창업카페 이용 안내"
LEAP_QUESTION = "창업도약패키지 신청 자격이 어떻게 되나요?"
ACADEMY_QUESTION = "청년취업사관학교 모집 기간은 언제인가요?"
CAFE_QUESTION = "서울창업카페 운영 시간은?"
STAFF = 9001


@contextmanager
def started(settings: Settings, knowledge: Path | None = None) -> Iterator[Services]:
    """One start of the bot on the same data dir and database: build the services, sync the folder, stop."""
    if knowledge is not None:
        settings = settings.model_copy(update={"knowledge_dir": knowledge})
    services = build_services(settings, embeddings=shared_embeddings(settings.embedding_cache_dir))
    try:
        sync_knowledge_dir(services)
        yield services
    finally:
        services.close()


def titles(services: Services) -> set[str]:
    return {d.title for d in services.knowledge.list_documents()}


def cited(services: Services, question: str) -> set[str]:
    """Titles of every passage any retrieval mode would hand the answerer for the question."""
    kb = services.knowledge
    return {p.title for mode in ("hybrid", "dense", "bm25") for p in kb.search(question, 10, mode=mode)}


def setup(tmp_path: Path, cache: Path, database_url: str) -> tuple[Settings, Path]:
    knowledge = write_docs(tmp_path / "knowledge", {n: DOCS[n] for n in ("leap.md", "academy.md", "cafe.md")})
    return settings_for(tmp_path / "data", cache, database_url=database_url, knowledge_dir=knowledge), knowledge


def upload(services: Services, tmp_path: Path, name: str, body: str) -> str:
    """What a staff member's upload through the bot does once the file is downloaded; the document's id."""
    staged = tmp_path / f"staged-{name}"
    staged.write_text(body, encoding="utf-8")
    return services.uploads.ingest(staged, name, STAFF).document.id


def doc_id(services: Services, title: str) -> str:
    return next(d.id for d in services.knowledge.list_documents() if d.title == title)


def test_a_file_dropped_from_the_folder_is_no_longer_answered_from_after_a_restart(tmp_path, embedding_cache_dir,
                                                                                     database_url):
    settings, knowledge = setup(tmp_path, embedding_cache_dir, database_url)
    with started(settings) as services:
        assert titles(services) == {LEAP, ACADEMY, CAFE}
        assert LEAP in cited(services, LEAP_QUESTION)

    (knowledge / "leap.md").unlink()
    with started(settings) as services:
        assert titles(services) == {ACADEMY, CAFE}
        assert LEAP not in cited(services, LEAP_QUESTION)  # gone from SQL, Chroma and BM25 alike
        assert ACADEMY in cited(services, ACADEMY_QUESTION) and CAFE in cited(services, CAFE_QUESTION)
        kb = services.knowledge
        assert kb.vectors.count() == sum(d.chunk_count for d in kb.list_documents())

    # A release that only renames a file keeps its document.
    (knowledge / "cafe.md").rename(knowledge / "seoul-startup-cafe.md")
    with started(settings) as services:
        assert titles(services) == {ACADEMY, CAFE}
    with started(settings) as services:
        assert titles(services) == {ACADEMY, CAFE}


def test_a_shipped_document_staff_replaced_by_an_upload_stays_theirs(tmp_path, embedding_cache_dir, database_url):
    settings, knowledge = setup(tmp_path, embedding_cache_dir, database_url)
    staff_leap = DOCS["leap.md"].replace("최대 3억 원", "최대 5억 원")
    with started(settings) as services:
        upload(services, tmp_path, "도약패키지-수정.md", staff_leap)  # same title: a new version of the shipped one

    with started(settings) as services:  # the unchanged shipped file does not bring the old text back
        texts = " ".join(p.text for p in services.knowledge.search("사업화 자금은 얼마나 지원하나요?", 10))
        assert "최대 5억 원" in texts and "최대 3억 원" not in texts

    (knowledge / "leap.md").unlink()
    with started(settings) as services:
        assert titles(services) == {LEAP, ACADEMY, CAFE}
        assert LEAP in cited(services, LEAP_QUESTION)


def test_a_staff_upload_titled_like_a_dropped_shipped_document_is_kept(tmp_path, embedding_cache_dir, database_url):
    settings, knowledge = setup(tmp_path, embedding_cache_dir, database_url)
    with started(settings):
        pass
    (knowledge / "academy.md").unlink()
    with started(settings) as services:
        assert titles(services) == {LEAP, CAFE}
        upload(services, tmp_path, "academy-2026.md", DOCS["academy.md"].replace("2025년", "2026년"))

    with started(settings) as services:
        assert titles(services) == {LEAP, ACADEMY, CAFE}
        assert ACADEMY in cited(services, ACADEMY_QUESTION)


def test_a_missing_empty_or_unrelated_folder_removes_nothing(tmp_path, embedding_cache_dir, database_url, caplog):
    settings, _ = setup(tmp_path, embedding_cache_dir, database_url)
    with started(settings):
        pass

    empty = tmp_path / "empty"
    (empty / "notes").mkdir(parents=True)
    (empty / "notes" / "README.rst").write_text("not a document type the bot reads", encoding="utf-8")
    unrelated = write_docs(tmp_path / "elsewhere", {"hubs.md": DOCS["cafe.md"].replace(CAFE, "서울 창업허브 안내")})
    for folder in (tmp_path / "missing", empty, unrelated):
        caplog.clear()
        with started(settings, folder) as services:
            assert {LEAP, ACADEMY, CAFE} <= titles(services)
            assert LEAP in cited(services, LEAP_QUESTION)
        assert "removing nothing" in caplog.text


def test_documents_from_before_origins_were_recorded_are_claimed_by_file_name(tmp_path, embedding_cache_dir,
                                                                                database_url):
    settings, knowledge = setup(tmp_path, embedding_cache_dir, database_url)
    with started(settings) as services:
        # An operator's document from elsewhere, ingested before the upgrade too.
        extra = write_docs(tmp_path / "ops", {"hubs.md": DOCS["cafe.md"].replace(CAFE, "서울 창업허브 안내")})
        services.knowledge.ingest_file(extra / "hubs.md")
        with services.db.session() as s:  # what migration 0006 leaves on rows it cannot attribute
            s.execute(text("UPDATE kb_documents SET origin = NULL, origin_path = NULL"))

    with started(settings):  # the first start after the upgrade records where they came from
        pass
    (knowledge / "cafe.md").unlink()
    with started(settings) as services:
        assert titles(services) == {LEAP, ACADEMY, "서울 창업허브 안내"}


def test_migration_0006_marks_staff_uploads_and_downgrades_without_losing_documents(database_url):
    engine = make_engine(database_url)
    try:
        upgrade_schema(engine, "0005")
        with engine.begin() as conn:
            for doc, uploaded_by in (("shipped", None), ("uploaded", STAFF)):
                conn.execute(text(
                    "INSERT INTO kb_documents (id, title, title_key, active_version_id, created_at, updated_at) "
                    "VALUES (:d, :d, :d, :v, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"d": doc, "v": f"{doc}-v1"})
                conn.execute(text(
                    "INSERT INTO kb_versions (id, document_id, version, file_name, kind, content_hash, page_count, "
                    "chunk_count, uploaded_by, ingested_at) "
                    "VALUES (:v, :d, 1, 'f.md', 'md', 'h', 1, 0, :u, CURRENT_TIMESTAMP)"),
                    {"d": doc, "v": f"{doc}-v1", "u": uploaded_by})
        upgrade_schema(engine)
        with engine.connect() as conn:
            origins = dict(conn.execute(text("SELECT id, origin FROM kb_documents")).all())
        assert origins == {"shipped": None, "uploaded": "upload"}

        downgrade_schema(engine, "0005")
        assert "origin" not in {c["name"] for c in inspect(engine).get_columns("kb_documents")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM kb_versions")).scalar() == 2
    finally:
        engine.dispose()


def test_export_and_import_carry_where_documents_came_from_and_what_staff_removed(tmp_path, embedding_cache_dir,
                                                                                    database_url):
    from bot.ops.transfer import export_archive, import_and_reindex

    settings, knowledge = setup(tmp_path, embedding_cache_dir, database_url)
    with started(settings) as services:
        services.uploads.remove(doc_id(services, LEAP), STAFF)
        archive = export_archive(services.db, services.settings, tmp_path / "move.zip").path
    target = settings_for(tmp_path / "moved", embedding_cache_dir, knowledge_dir=knowledge)
    import_and_reindex(target, archive, embeddings=shared_embeddings(embedding_cache_dir))
    # The moved deployment still knows which documents the folder owns (a dropped file leaves there too) and which
    # one staff removed (its file, still in the folder, stays out).
    shutil.move(knowledge / "academy.md", tmp_path / "academy.md")
    with started(target) as services:
        assert titles(services) == {CAFE}
        assert LEAP not in cited(services, LEAP_QUESTION)


def test_a_shipped_document_staff_removed_stays_removed_until_a_release_changes_it(tmp_path, embedding_cache_dir,
                                                                                   database_url, caplog):
    settings, knowledge = setup(tmp_path, embedding_cache_dir, database_url)
    with started(settings) as services:
        removed = services.uploads.remove(doc_id(services, LEAP), STAFF)
        assert removed.title == LEAP

    for _restart in range(2):  # its file is still in the folder, with the same bytes
        with started(settings) as services:
            assert titles(services) == {ACADEMY, CAFE}
            assert LEAP not in cited(services, LEAP_QUESTION)
            assert ACADEMY in cited(services, ACADEMY_QUESTION) and CAFE in cited(services, CAFE_QUESTION)

    # An operator's `cafebot remove` is a decision as well.
    with started(settings) as services:
        services.knowledge.remove_document(doc_id(services, CAFE), removed_by="cli")
    with started(settings) as services:
        assert titles(services) == {ACADEMY}

    # A release ships a new programme text under the same path: new content, answered from again.
    caplog.clear()
    caplog.set_level(logging.INFO, logger="bot.knowledge.shipped_sync")
    (knowledge / "leap.md").write_text(DOCS["leap.md"].replace("최대 3억 원", "최대 4억 원"), encoding="utf-8")
    with started(settings) as services:
        assert titles(services) == {LEAP, ACADEMY}
        assert LEAP in cited(services, LEAP_QUESTION)
        found = services.knowledge.search("사업화 자금은 얼마나 지원하나요?", 10)
        assert "최대 4억 원" in " ".join(p.text for p in found)
    assert "leap.md is back as document" in caplog.text
    with started(settings) as services:
        assert titles(services) == {LEAP, ACADEMY}


def test_staff_uploading_a_removed_shipped_document_again_brings_it_back_for_good(tmp_path, embedding_cache_dir,
                                                                                  database_url):
    settings, _ = setup(tmp_path, embedding_cache_dir, database_url)
    with started(settings) as services:
        services.uploads.remove(doc_id(services, LEAP), STAFF)
    with started(settings) as services:
        assert LEAP not in titles(services)
        upload(services, tmp_path, "leap.md", DOCS["leap.md"])  # the very same file
        assert LEAP in cited(services, LEAP_QUESTION)

    for _restart in range(2):
        with started(settings) as services:
            assert titles(services) == {LEAP, ACADEMY, CAFE}
            assert LEAP in cited(services, LEAP_QUESTION)

    # Removed once more, uploaded and the upload undone: removed it is, restarts included.
    with started(settings) as services:
        services.uploads.remove(doc_id(services, LEAP), STAFF)
        services.uploads.undo(upload(services, tmp_path, "leap.md", DOCS["leap.md"]), STAFF)
    with started(settings) as services:
        assert titles(services) == {ACADEMY, CAFE}


def test_a_file_a_release_dropped_and_a_later_release_ships_again_comes_back(tmp_path, embedding_cache_dir,
                                                                            database_url):
    settings, knowledge = setup(tmp_path, embedding_cache_dir, database_url)
    with started(settings):
        pass
    shutil.move(knowledge / "academy.md", tmp_path / "academy.md")
    with started(settings) as services:
        assert titles(services) == {LEAP, CAFE}
    shutil.move(tmp_path / "academy.md", knowledge / "academy.md")  # the sync's removal was no one's decision
    with started(settings) as services:
        assert titles(services) == {LEAP, ACADEMY, CAFE}
        assert ACADEMY in cited(services, ACADEMY_QUESTION)


async def test_a_shipped_document_removed_on_telegram_is_still_gone_after_a_restart(tmp_path, embedding_cache_dir,
                                                                                    database_url):
    settings, _ = setup(tmp_path, embedding_cache_dir, database_url)
    settings = settings.model_copy(update={"staff_user_ids": [STAFF]})
    with started(settings) as services:
        leap = doc_id(services, LEAP)
        async with BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME) as tg, running_bot(services, tg):
            staff = tg.private_chat(STAFF, "직원", language_code="ko")
            await tg.send_command(staff, staff.user, "doc", leap)
            detail = await tg.wait_for_message(staff, has_button("sd:rm:"))
            await tg.press_button(staff, staff.user, detail, f"sd:rm:{leap}")
            confirm = await tg.wait_for_message(staff, has_button(f"sd:rmok:{leap}"))
            await tg.press_button(staff, staff.user, confirm, f"sd:rmok:{leap}")
            await tg.wait_for_message(staff, lambda m: m["text"].startswith("삭제했습니다"), edits=True)

    with started(settings) as services:  # a restart or redeploy with the same knowledge folder
        assert titles(services) == {ACADEMY, CAFE}
        assert LEAP not in cited(services, LEAP_QUESTION)
