"""Shared pieces of the benchmarks: settings on a temporary data dir, the AutoRAG corpus, ranking metrics."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import resource
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document

from bot.config import Settings
from bot.services import Services, build_services

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
RESULTS = BENCH / "results"
SHARED = Path(os.environ.get("CAFEBOT_SHARED", ROOT.parent / "shared"))
AUTORAG = SHARED / "bench" / "autorag-ko"
FIXTURES = SHARED / "fixtures" / "startup-leap-2025"
KNOWLEDGE = ROOT / "knowledge"
QUESTIONS = BENCH / "questions" / "knowledge_qa.jsonl"
ANSWER_QUALITY = ROOT / "tests" / "data" / "answer_quality.jsonl"
ANNOUNCEMENT_PDF = FIXTURES / "[공고문] 2025년도 창업도약패키지(일반형) 창업기업 모집 수정공고.pdf"

MODES = ("bm25", "dense", "hybrid")

log = logging.getLogger("bench")


def make_settings(data_dir: Path, *, embedding_cache_dir: Path | None = None, **overrides: object) -> Settings:
    """Settings on `data_dir` that ignore the environment and `.env`: embedded Chroma, SQLite, local e5."""
    values: dict[str, object] = {
        "cafebot_data_dir": data_dir,
        "embedding_cache_dir": embedding_cache_dir or CACHE / "embeddings",
        "knowledge_dir": KNOWLEDGE,
        "telegram_bot_token": None,
        "openai_api_key": None,
        "openai_base_url": None,
        "openai_model": None,
        "database_url": None,
        "chroma_host": None,
        "embeddings_provider": "local",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@contextmanager
def temp_services(prefix: str, **overrides: object) -> Iterator[Services]:
    """The bot's services on a fresh temporary data dir (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix=f"cafebot-bench-{prefix}-") as tmp:
        services = build_services(make_settings(Path(tmp) / "data", **overrides))
        try:
            yield services
        finally:
            services.close()


# --- the AutoRAG Korean benchmark ---------------------------------------------------------------


@dataclass(frozen=True)
class AutoragQuestion:
    qid: str
    query: str
    gold: tuple[str, int]  # (source file name, page number)


def split_page_id(page_id: str) -> tuple[str, int]:
    """'finance - 지방은행 시중은행 전환 가이드.pdf - 4' -> ('finance - 지방은행 시중은행 전환 가이드.pdf', 4)."""
    source, _, page = page_id.rpartition(" - ")
    return source, int(page)


def autorag_corpus() -> dict[str, list[tuple[int, str]]]:
    """Source PDF name -> its (page number, text) pages, in page order."""
    import pyarrow.parquet as pq

    rows = pq.read_table(AUTORAG / "ocr_corpus_v3.parquet", columns=["doc_id", "contents"]).to_pylist()
    out: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        source, page = split_page_id(row["doc_id"])
        out.setdefault(source, []).append((page, row["contents"] or ""))
    for pages in out.values():
        pages.sort()
    return out


def autorag_questions() -> list[AutoragQuestion]:
    import pyarrow.parquet as pq

    rows = pq.read_table(AUTORAG / "qa_v4.parquet", columns=["qid", "query", "retrieval_gt"]).to_pylist()
    out = []
    for row in rows:
        gold = [g for group in row["retrieval_gt"] for g in group]
        assert len(gold) == 1, row["qid"]  # every question of qa_v4 has exactly one gold page
        out.append(AutoragQuestion(row["qid"], row["query"], split_page_id(gold[0])))
    return out


def autorag_title(source: str) -> str:
    """What a staff member would call the document: the file name without the domain prefix and extension."""
    stem = source.rsplit(".", 1)[0]
    return stem.split(" - ", 1)[1].strip() if " - " in stem else stem.strip()


def autorag_loaded_files(clean: bool = True) -> list[tuple[object, str]]:
    """The corpus as the PDF loader would hand it over: one LoadedFile per source PDF, one Document per page.

    Page text goes through the loaders' `clean_text` like every extracted PDF page. Returns (LoadedFile, hash).
    """
    from bot.knowledge.loaders import LoadedFile
    from bot.knowledge.textclean import clean_text

    files = []
    for source, pages in autorag_corpus().items():
        docs = []
        for page, text in pages:
            text = clean_text(text) if clean else text
            if text.strip():
                docs.append(Document(page_content=text, metadata={"page": page}))
        digest = hashlib.sha256("\x00".join(d.page_content for d in docs).encode()).hexdigest()
        loaded = LoadedFile(
            file_name=source, kind="pdf", pages=docs, front_matter={}, title=autorag_title(source),
            page_count=max(p for p, _ in pages),
        )
        files.append((loaded, digest))
    return files


# --- metrics ------------------------------------------------------------------------------------


def distinct(keys: Sequence[object]) -> list[object]:
    """Keys in first-seen order (a page ranks where its best chunk ranks)."""
    seen: set[object] = set()
    out = []
    for key in keys:
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


def rank_of(ranked: Sequence[object], gold: object) -> int | None:
    """1-based rank of `gold` in `ranked`, None when absent."""
    for i, key in enumerate(ranked):
        if key == gold:
            return i + 1
    return None


def ndcg_at(rank: int | None, k: int) -> float:
    """nDCG@k with one relevant item: the ideal DCG is 1, so it is 1/log2(rank+1) inside the cut."""
    return 1.0 / math.log2(rank + 1) if rank is not None and rank <= k else 0.0


def recall_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def mrr_at(rank: int | None, k: int) -> float:
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    idx = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[idx]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)


def quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    for name in ("chromadb", "httpx", "bot", "bm25s", "sentence_transformers", "transformers"):
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger("bench").setLevel(logging.INFO)
    logging.getLogger("bot").setLevel(logging.WARNING)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
