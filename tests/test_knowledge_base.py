"""The knowledge base as staff and founders experience it: ingest, search, replace, remove, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from bot.knowledge.errors import DocumentRejected, RejectReason
from bot.knowledge.retriever import HybridRetriever
from bot.services import build_services

CAFE_DOC = """---
title: 서울창업카페 안내
programme: 서울창업카페
source: 테스트
valid_until: 2099-12-31
---
# 서울창업카페

□ 개요
 ○ 서울시는 11개의 서울창업카페를 운영합니다.
 ○ 각 카페에는 벤처투자자 등 민간 전문가가 2명 이상 배치되어 아이디어의 사업화 가능성을 진단합니다.

□ 이용 방법
 ○ 예약 없이 방문해 상담을 받을 수 있습니다.
"""

ACADEMY_DOC = """---
title: 청년취업사관학교
programme: 청년취업사관학교
---
# 청년취업사관학교

청년취업사관학교는 2025년까지 서울 전역에 10개 캠퍼스를 엽니다. 소프트웨어 전문인재 1만 명을 키우는 것이 목표입니다.
"""


def write(dir_: Path, name: str, body: str) -> Path:
    path = dir_ / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def kb(make_settings, database_url):
    services = build_services(make_settings(database_url=database_url))
    yield services.knowledge
    services.close()


def test_ingest_then_search_cites_title_and_section(kb, tmp_path):
    result = kb.ingest_file(write(tmp_path, "cafe.md", CAFE_DOC))
    assert result.status == "added"
    assert result.document.title == "서울창업카페 안내"
    assert result.document.programme == "서울창업카페"
    assert result.document.valid_until == date(2099, 12, 31)

    passages = kb.search("창업카페에 투자자가 있나요?", 3)
    assert passages and "벤처투자자" in passages[0].text
    top = passages[0]
    assert top.title == "서울창업카페 안내" and top.source == "cafe.md" and top.version == 1
    # a chunk that starts mid-section carries its heading, so it reads on its own
    assert "서울창업카페" in top.text


def test_chunk_metadata_in_chroma(kb, tmp_path):
    kb.ingest_file(write(tmp_path, "cafe.md", CAFE_DOC))
    got = kb.vectors.collection.get(include=["metadatas"])
    assert got["metadatas"]
    for meta in got["metadatas"]:
        for key in ("doc_id", "title", "source", "content_hash", "version", "ingested_at", "programme", "valid_until"):
            assert key in meta, key
        assert meta["valid_until"] == 20991231


def test_reingesting_unchanged_file_is_a_no_op(kb, tmp_path):
    path = write(tmp_path, "cafe.md", CAFE_DOC)
    first = kb.ingest_file(path)
    count = kb.vectors.count()
    second = kb.ingest_file(path)
    assert second.status == "unchanged"
    assert second.document.version_id == first.document.version_id
    assert kb.vectors.count() == count


def test_new_version_with_same_title_supersedes_the_old(kb, tmp_path):
    kb.ingest_file(write(tmp_path, "cafe.md", CAFE_DOC))
    updated = CAFE_DOC.replace("11개의", "12개의").replace("예약 없이", "온라인 예약 후")
    result = kb.ingest_file(write(tmp_path, "cafe-v2.md", updated))
    assert result.status == "updated" and result.document.version == 2
    assert len(kb.list_documents()) == 1
    texts = " ".join(p.text for p in kb.search("창업카페 몇 개 운영", 10))
    assert "12개의" in texts and "11개의" not in texts
    # nothing of version 1 is left in Chroma or in BM25
    assert {m["version"] for m in kb.vectors.collection.get(include=["metadatas"])["metadatas"]} == {2}
    assert all(p.version == 2 for p in kb.search("예약 없이 방문", 10, mode="bm25"))


def test_replacement_is_atomic_for_concurrent_searches(kb, tmp_path):
    kb.ingest_file(write(tmp_path, "a.md", CAFE_DOC.replace("11개의", "열한개의")))
    seen: list[set[int]] = []
    stop = threading.Event()

    def searcher() -> None:
        while not stop.is_set():
            seen.append({p.version for p in kb.search("서울창업카페 운영 개수", 10, mode="bm25")})

    thread = threading.Thread(target=searcher)
    thread.start()
    try:
        for i in range(2, 5):
            kb.ingest_file(write(tmp_path, f"v{i}.md", CAFE_DOC.replace("11개의", f"{i}{i}개의")))
    finally:
        stop.set()
        thread.join()
    assert seen and all(len(versions) == 1 for versions in seen), "a search saw two versions, or none"


def test_explicit_replace_keeps_document_identity(kb, tmp_path):
    first = kb.ingest_file(write(tmp_path, "cafe.md", CAFE_DOC))
    result = kb.ingest_file(write(tmp_path, "academy.md", ACADEMY_DOC), replace_document_id=first.document.id)
    assert result.document.id == first.document.id and result.document.version == 2
    assert result.document.title == "청년취업사관학교"
    assert not [p for p in kb.search("벤처투자자 민간 전문가", 10) if "벤처투자자" in p.text]


def test_remove_document_removes_every_chunk_from_every_index(kb, tmp_path):
    cafe = kb.ingest_file(write(tmp_path, "cafe.md", CAFE_DOC))
    kb.ingest_file(write(tmp_path, "academy.md", ACADEMY_DOC))
    kb.remove_document(cafe.document.id)
    assert [d.title for d in kb.list_documents()] == ["청년취업사관학교"]
    metas = kb.vectors.collection.get(include=["metadatas"])["metadatas"]
    assert all(m["doc_id"] != cafe.document.id for m in metas)
    for mode in ("hybrid", "dense", "bm25"):
        assert all(p.document_id != cafe.document.id for p in kb.search("서울창업카페 벤처투자자", 10, mode=mode))


def test_bad_input_leaves_the_knowledge_base_as_it_was(kb, tmp_path):
    kb.ingest_file(write(tmp_path, "cafe.md", CAFE_DOC))
    before = (kb.vectors.count(), [d.version_id for d in kb.list_documents()], kb.refresh())
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n garbage that is not a pdf")
    with pytest.raises(DocumentRejected) as err:
        kb.ingest_file(bad)
    assert err.value.reason == RejectReason.CORRUPT and err.value.file_name == "broken.pdf"
    unsupported = write(tmp_path, "sheet.xlsx", "x")
    with pytest.raises(DocumentRejected) as err:
        kb.ingest_file(unsupported)
    assert err.value.reason == RejectReason.UNSUPPORTED_TYPE
    assert (kb.vectors.count(), [d.version_id for d in kb.list_documents()], kb.refresh()) == before


def test_expired_documents_and_programme_filter(kb, tmp_path):
    kb.ingest_file(write(tmp_path, "cafe.md", CAFE_DOC))
    kb.ingest_file(write(tmp_path, "academy.md", ACADEMY_DOC), valid_until=date(2020, 1, 1))
    assert not [p for p in kb.search("청년취업사관학교 캠퍼스", 10) if p.programme == "청년취업사관학교"]
    assert [p for p in kb.search("청년취업사관학교 캠퍼스", 10, only_valid=False) if p.programme == "청년취업사관학교"]
    only = kb.search("캠퍼스", 10, programme="서울창업카페")
    assert only and all(p.programme == "서울창업카페" for p in only)


def test_update_metadata_without_reingesting(kb, tmp_path):
    doc = kb.ingest_file(write(tmp_path, "academy.md", ACADEMY_DOC)).document
    kb.update_metadata(doc.id, title="청년취업사관학교 캠퍼스 안내", programme="SBA")
    hits = kb.search("소프트웨어 인재 양성 캠퍼스", 3, programme="SBA")
    assert hits and hits[0].title == "청년취업사관학교 캠퍼스 안내"


def test_langchain_retriever_returns_documents_with_citation_metadata(kb, tmp_path):
    kb.ingest_file(write(tmp_path, "cafe.md", CAFE_DOC))
    docs = HybridRetriever(knowledge_base=kb, k=2).invoke("How many startup cafes does Seoul run?")
    assert docs and docs[0].metadata["title"] == "서울창업카페 안내"
    assert "11개" in " ".join(d.page_content for d in docs)


def test_crashed_ingestion_vectors_are_swept(kb, tmp_path):
    from datetime import timedelta

    from bot.knowledge import registry

    kb.ingest_file(write(tmp_path, "cafe.md", CAFE_DOC))
    count = kb.vectors.count()
    # what a process that died between writing vectors and committing leaves behind
    with kb.db.session() as s:
        registry.mark_for_sweep(s, "deadbeef0000")
    kb.vectors.add(["deadbeef0000-00000"], ["유령 조각"], [{"version_id": "deadbeef0000", "doc_id": "x"}],
                   [kb.embeddings.embed_query("유령")])
    assert kb.sweep(older_than=timedelta(0)) == 1
    assert kb.vectors.count() == count
