"""Retrieval quality on the bot's own knowledge: knowledge/*.md plus the real 창업도약패키지 PDFs.

Everything is ingested with `KnowledgeBase.ingest_file` (the real loaders), then every question of
bench/questions/knowledge_qa.jsonl is searched in each mode. A hit is a top-5 passage from the gold source, and
on the gold page when `gold_page` is set (strict). `any_source` also counts passages from the hand-checked
`also_in` documents that answer the question too (e.g. the English summary of a Korean document).
Reported per mode: recall@5 and MRR@10 overall, per kind (paraphrase, english, direct) and for
paraphrase+english together.

    python -m bench.retrieval_knowledge [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.common import (
    FIXTURES,
    KNOWLEDGE,
    MODES,
    QUESTIONS,
    Timer,
    log,
    mean,
    mrr_at,
    quiet_logs,
    recall_at,
    temp_services,
    write_json,
)

K = 10


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def ingest(kb: Any) -> dict[str, Any]:
    """knowledge/ (every supported file) and the fixture PDFs, through `ingest_file`."""
    timer = Timer()
    paths = [KNOWLEDGE] + sorted(FIXTURES.glob("*.pdf"))
    results = kb.ingest_paths(paths)
    docs = [r.document for r in results if hasattr(r, "document")]
    rejected = [f"{r.file_name}: {r.reason.value}" for r in results if not hasattr(r, "document")]
    return {
        "documents": len(docs), "pages": sum(d.page_count for d in docs), "chunks": sum(d.chunk_count for d in docs),
        "rejected": rejected, "seconds": round(timer.seconds, 1),
    }


def first_hit(passages: list[Any], q: dict[str, Any], lenient: bool) -> int | None:
    """1-based rank of the first passage that is evidence for the question."""
    sources = {q["gold_source"]} | (set(q.get("also_in") or []) if lenient else set())
    for i, p in enumerate(passages):
        if p.source == q["gold_source"]:
            if q.get("gold_page") is None or p.page == q["gold_page"]:
                return i + 1
        elif p.source in sources:
            return i + 1
    return None


def _metrics(rows: list[tuple[int | None, int | None]]) -> dict[str, float]:
    return {
        "recall@5": round(mean([recall_at(s, 5) for s, _ in rows]), 4),
        "mrr@10": round(mean([mrr_at(s, 10) for s, _ in rows]), 4),
        "recall@5_any_source": round(mean([recall_at(a, 5) for _, a in rows]), 4),
        "questions": len(rows),
    }


GROUPS = {
    "all": lambda q: True,
    "paraphrase": lambda q: q["kind"] == "paraphrase",
    "english": lambda q: q["kind"] == "english",
    "direct": lambda q: q["kind"] == "direct",
    "paraphrase+english": lambda q: q["kind"] in ("paraphrase", "english"),
    "pdf": lambda q: q["gold_source"].lower().endswith(".pdf"),
}


def evaluate(kb: Any, questions: list[dict[str, Any]], modes: tuple[str, ...] = MODES) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in modes:
        ranks: dict[str, tuple[int | None, int | None]] = {}
        for q in questions:
            passages = kb.search(q["question"], K, mode=mode, only_valid=False)
            ranks[q["id"]] = (first_hit(passages, q, False), first_hit(passages, q, True))
        out[mode] = {
            name: _metrics([ranks[q["id"]] for q in questions if pick(q)])
            for name, pick in GROUPS.items()
            if any(pick(q) for q in questions)
        }
        out[mode]["misses@5"] = [q["id"] for q in questions if recall_at(ranks[q["id"]][0], 5) == 0]
        out[mode]["ranks"] = {qid: r[0] for qid, r in ranks.items()}
    return out


def run(modes: tuple[str, ...] = MODES, questions_path: Path = QUESTIONS, **settings: object) -> dict[str, Any]:
    if not questions_path.is_file():
        return {"skipped": f"{questions_path} not found"}
    questions = load_questions(questions_path)
    result: dict[str, Any] = {"questions": len(questions)}
    with temp_services("knowledge", **settings) as services:
        kb = services.knowledge
        log.info("knowledge: ingesting knowledge/ and the fixture PDFs")
        result["ingest"] = ingest(kb)
        log.info("knowledge: %s", result["ingest"])
        result["modes"] = evaluate(kb, questions, modes)
    for mode, m in result["modes"].items():
        log.info("knowledge %-7s R@5 %.3f MRR@10 %.3f | para+en R@5 %.3f", mode, m["all"]["recall@5"],
                 m["all"]["mrr@10"], m.get("paraphrase+english", {}).get("recall@5", 0))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--chunk-tokens", type=int)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    quiet_logs()
    overrides = {"chunk_tokens": args.chunk_tokens} if args.chunk_tokens else {}
    result = run(tuple(args.modes.split(",")), **overrides)
    if args.json:
        write_json(args.json, result)
    if "modes" in result:
        summary = {m: {g: v for g, v in r.items() if g not in ("ranks",)} for m, r in result["modes"].items()}
        json.dump({"ingest": result["ingest"], "modes": summary}, sys.stdout, ensure_ascii=False, indent=1)
    else:
        json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
