"""`cafebot ingest` and `cafebot search` as an operator uses them, on the real announcement PDF."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ANNOUNCEMENT_PDF


def _cafebot(tmp_path: Path, embedding_cache_dir: Path, database_url: str | None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "OPENAI_", "DATABASE_", "CHROMA_"))}
    env.update(CAFEBOT_DATA_DIR=str(tmp_path / "data"), EMBEDDING_CACHE_DIR=str(embedding_cache_dir),
               KNOWLEDGE_DIR=str(tmp_path / "no-knowledge"), DATABASE_URL=database_url or "")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], check=False, env=env, cwd=tmp_path,
                              capture_output=True,
                              text=True, timeout=300)

    return run


@pytest.fixture
def cafebot(tmp_path: Path, embedding_cache_dir: Path, database_url: str):
    """`cafebot` in a subprocess on SQLite, then on PostgreSQL."""
    return _cafebot(tmp_path, embedding_cache_dir, database_url)


@pytest.fixture
def cafebot_on_sqlite(tmp_path: Path, embedding_cache_dir: Path):
    return _cafebot(tmp_path, embedding_cache_dir, None)


# SQLite only: four subprocesses over a 25-page PDF (~30 s more on PostgreSQL) for what is not about storage;
# ingestion and search run on both databases in test_knowledge_base, the CLI's database path in the test below.
@pytest.mark.slow
def test_ingest_and_search_the_real_announcement(cafebot_on_sqlite):
    cafebot = cafebot_on_sqlite
    first = cafebot("ingest", str(ANNOUNCEMENT_PDF))
    assert first.returncode == 0, first.stderr
    assert "2025년도 창업도약패키지" in first.stdout and "25" in first.stdout

    again = cafebot("ingest", str(ANNOUNCEMENT_PDF))
    assert again.returncode == 0 and ("변경 없음" in again.stdout or "unchanged" in again.stdout)

    found = cafebot("search", "창업도약패키지 신청 자격 업력")
    assert found.returncode == 0, found.stderr
    first_hit = found.stdout.splitlines()[0]
    assert "창업도약패키지" in first_hit and "p." in first_hit and "score=" in first_hit

    english = cafebot("--lang", "en", "search", "How old can a company be to apply?")
    assert english.returncode == 0 and "p." in english.stdout


def test_bad_file_names_the_file_and_reason_and_exits_non_zero(cafebot, tmp_path):
    bad = tmp_path / "공고문_손상.pdf"
    bad.write_bytes(b"%PDF-1.4\n this is not really a pdf")
    result = cafebot("ingest", str(bad))
    assert result.returncode == 1
    assert "공고문_손상.pdf" in result.stderr and "손상" in result.stderr

    english = cafebot("--lang", "en", "ingest", str(tmp_path / "missing.hwp"))
    assert english.returncode == 1 and "missing.hwp" in english.stderr and "not found" in english.stderr
    docs = cafebot("docs")
    assert "등록된 문서가 없습니다" in docs.stdout
