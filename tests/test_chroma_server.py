"""Client/server mode against a real `chroma run` on 127.0.0.1: two bot processes' knowledge bases sharing one
Chroma server and one PostgreSQL stay consistent, BM25 included."""

from __future__ import annotations

import pytest

from bot.services import build_services

pytestmark = pytest.mark.chroma_server


DOC = """---
title: 오픈이노베이션 200센터
programme: 오픈이노베이션
---
# 오픈이노베이션 200센터

대기업·중견기업 200곳과 스타트업 2000곳의 기술 협력을 돕는 센터입니다. \
마곡 서울창업허브 M+와 여의도 핀테크랩 등 7곳에 문을 엽니다.
"""


def test_two_processes_share_one_chroma_server_and_database(chroma_server, make_settings, tmp_path, postgres_url):
    common = dict(chroma_host="127.0.0.1", chroma_port=chroma_server, database_url=postgres_url,
                  chroma_collection=f"t{tmp_path.name[-8:]}".replace("_", "-"))
    a = build_services(make_settings(cafebot_data_dir=tmp_path / "a", **common))
    b = build_services(make_settings(cafebot_data_dir=tmp_path / "b", **common))
    try:
        assert b.knowledge.search("오픈이노베이션", 3) == []
        path = tmp_path / "oi.md"
        path.write_text(DOC, encoding="utf-8")
        doc = a.knowledge.ingest_file(path).document
        # the other process sees the upload on both sides of the hybrid index
        for mode in ("bm25", "dense", "hybrid"):
            hits = b.knowledge.search("스타트업 2000곳 기술 협력", 3, mode=mode)
            assert hits and hits[0].title == "오픈이노베이션 200센터", mode
        b.knowledge.remove_document(doc.id)
        for mode in ("bm25", "dense", "hybrid"):
            assert a.knowledge.search("스타트업 2000곳 기술 협력", 3, mode=mode) == [], mode
    finally:
        a.close()
        b.close()
