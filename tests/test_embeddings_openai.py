"""OpenAI embeddings as the option to the bundled local model, against the OpenAI-compatible stand-in."""

from __future__ import annotations

from standins import OpenAIStandIn

from bot.services import build_services

DOC = """---
title: 스타트업 플러스
programme: 스타트업플러스
---
# 스타트업 플러스

기업과 투자 정보를 한곳에서 보는 온라인 플랫폼입니다. 2022년 4월에 문을 열었습니다.
"""


# SQLite only: about the embedding provider; test_data_ops reindexes with OpenAI embeddings on both databases.
async def test_openai_embeddings_option_ingests_and_searches(make_settings, tmp_path):
    async with OpenAIStandIn() as llm:
        settings = make_settings(embeddings_provider="openai", openai_base_url=llm.base_url, openai_api_key="k")
        services = build_services(settings)
        try:
            path = tmp_path / "sp.md"
            path.write_text(DOC, encoding="utf-8")
            services.knowledge.ingest_file(path)
            hits = services.knowledge.search("스타트업 플러스 온라인 플랫폼", 3, mode="dense")
            assert hits and hits[0].title == "스타트업 플러스"
            assert llm.embedding_requests, "passages and the query were embedded by the OpenAI endpoint"
            assert services.knowledge.vectors.collection.name.endswith("openai-text-embedding-3-small")
        finally:
            services.close()
