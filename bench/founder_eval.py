"""Founders' evaluation: 279 questions typed the way founders type them (bench/questions/founder_eval.jsonl), run
end to end through AnswerService over knowledge/ and the seven real 2025 창업도약패키지 files.

Per category and split it reports: facts answered with a correct citation, declined, misrouted, and retrieval
recall@5 of the gold unit (a top-5 passage of the gold document, or one listed in `also_in`, holding the fact).
Tune on `--split dev` only; the test split is the held-out report.

    python -m bench.founder_eval --split dev              # extractive mode, the embedded default
    python -m bench.founder_eval --split test --mode llm  # gate and routing with the OpenAI-compatible stand-in
    python -m bench.founder_eval --split dev --show fail  # print every miss with the reply
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.common import FIXTURES, RESULTS, ROOT, make_settings, quiet_logs, write_json

EVAL_SET = ROOT / "bench" / "questions" / "founder_eval.jsonl"
ANSWERABLE = ("paraphrase", "english", "followup", "plan_question")
CATEGORIES = ANSWERABLE + ("near_miss", "idea_request", "injection")
_WS = re.compile(r"\s+")
_LINE = re.compile(r"^•\s*(.*?)\s*\[(\d+)\]\s*$")


def squash(text: str) -> str:
    return _WS.sub("", text).lower()


def load_cases(split: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def gold_sources(case: dict[str, Any]) -> set[str]:
    return {case["gold_source"], *case.get("also_in", [])} if case.get("gold_source") else set()


def has_facts(text: str, groups: list[list[str]]) -> bool:
    flat = squash(text)
    return all(any(squash(alt) in flat for alt in group) for group in groups)


def cited_correctly(answer: Any, case: dict[str, Any]) -> bool:
    """Every fact group is in a quoted line whose citation is the gold document (or one that also answers)."""
    if answer.kind != "answer":
        return False
    gold = gold_sources(case)
    by_number = {s.number: s for s in answer.sources}
    lines = []
    for line in answer.text.splitlines():
        m = _LINE.match(line.strip())
        if m and (src := by_number.get(int(m.group(2)))) and src.file_name in gold:
            lines.append(m.group(1))
    if answer.mode == "llm":  # a generated answer: the facts in the text and a gold document among its sources
        return has_facts(answer.text, case["facts"]) and any(s.file_name in gold for s in answer.sources)
    return has_facts("\n".join(lines), case["facts"])


def gold_in_top5(passages: list[Any], case: dict[str, Any]) -> bool:
    gold = gold_sources(case)
    for p in passages[:5]:
        if p.source in gold and (case.get("gold_page") is None or p.source != case["gold_source"]
                                 or p.page == case["gold_page"]) and has_facts(p.text, case["facts"]):
            return True
    return False


def outcome(case: dict[str, Any], answer: Any) -> str:
    """correct | declined | misrouted | wrong (quoted without the fact, or answered what it should not)."""
    expect = case["expect"]
    if expect == "answer":
        if answer.kind == "answer":
            return "correct" if cited_correctly(answer, case) else "wrong"
        return "declined" if answer.kind == "not_found" else "misrouted"
    if expect == "decline":
        if answer.kind == "not_found":
            return "correct"
        return "wrong" if answer.kind == "answer" else "misrouted"
    if expect == "idea_review":
        return "correct" if answer.kind == "idea_review" else "misrouted"
    return "correct" if answer.kind == "refused" else ("wrong" if answer.kind == "answer" else "misrouted")


async def run_cases(services: Any, cases: list[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    answers = services.answers
    out = []
    for i, case in enumerate(cases):
        conversation = f"eval-{tag}-{case['id']}"
        for previous in case.get("history") or []:
            await answers.answer(conversation, previous, user_id=7000 + i)
        started = time.perf_counter()
        answer = await answers.answer(conversation, case["question"], user_id=7000 + i)
        ms = (time.perf_counter() - started) * 1000
        recall = None
        if case["expect"] == "answer":
            passages = await asyncio.to_thread(services.knowledge.search, answer.standalone_question, 5)
            recall = gold_in_top5(passages, case)
        gate: dict[str, Any] = {}
        if case["expect"] in ("answer", "decline") and hasattr(answers, "evidence"):
            _, evidence = await asyncio.to_thread(answers.evidence, answer.standalone_question)
            gate = {"declined": evidence.declined.value if evidence.declined else None,
                    "similarity": round(max((q.similarity for q in evidence.quotes), default=0.0), 4)}
        out.append({"id": case["id"], "split": case["split"], "category": case["category"], "lang": case["lang"],
                    "question": case["question"], "standalone": answer.standalone_question, "kind": answer.kind,
                    "outcome": outcome(case, answer), "recall5": recall, "ms": round(ms, 1), "reply": answer.text,
                    "gate": gate,
                    "sources": [s.file_name for s in answer.sources]})
    return out


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        groups[r["category"]].append(r)
    for category in CATEGORIES:
        rows = groups.get(category, [])
        if not rows:
            continue
        n = len(rows)
        recalls = [r["recall5"] for r in rows if r["recall5"] is not None]
        table[category] = {
            "n": n,
            "correct": sum(r["outcome"] == "correct" for r in rows),
            "declined": sum(r["kind"] == "not_found" for r in rows),
            "misrouted": sum(r["outcome"] == "misrouted" for r in rows),
            "wrong": sum(r["outcome"] == "wrong" for r in rows),
            "recall5": round(sum(recalls) / len(recalls), 3) if recalls else None,
        }
    answerable = [r for r in results if r["category"] in ANSWERABLE]
    near = groups.get("near_miss", [])
    ideas = groups.get("idea_request", [])
    injections = groups.get("injection", [])
    programme_qs = [r for r in results if r["category"] in ANSWERABLE + ("near_miss",)]
    table["targets"] = {
        "answered_with_citation": _ratio(sum(r["outcome"] == "correct" for r in answerable), len(answerable)),
        "near_miss_declined": _ratio(sum(r["kind"] == "not_found" for r in near), len(near)),
        "answerable_wrongly_declined": _ratio(sum(r["kind"] == "not_found" for r in answerable), len(answerable)),
        "programme_questions_to_idea_review": sum(r["kind"] == "idea_review" for r in programme_qs),
        "idea_requests_routed": _ratio(sum(r["kind"] == "idea_review" for r in ideas), len(ideas)),
        "injections_answered_with_quotes": sum(r["kind"] == "answer" for r in injections),
        "p95_ms": _p95([r["ms"] for r in results]),
    }
    return table


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] if ordered else 0.0


def print_table(title: str, table: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(f"{'category':<15}{'n':>4}{'correct':>9}{'declined':>10}{'misrouted':>11}{'wrong':>7}{'recall@5':>10}")
    for category in CATEGORIES:
        if category in table:
            row = table[category]
            print(f"{category:<15}{row['n']:>4}{row['correct']:>9}{row['declined']:>10}{row['misrouted']:>11}"
                  f"{row['wrong']:>7}{row['recall5'] if row['recall5'] is not None else '':>10}")
    print("targets:", json.dumps(table["targets"], ensure_ascii=False))


def build(data_dir: Path | None, mode: str, stack: ExitStack) -> Any:
    """Services over knowledge/ and the seven fixtures; the LLM mode talks to the OpenAI-compatible stand-in."""
    import tempfile

    from bot.services import build_services, sync_knowledge_dir

    overrides: dict[str, Any] = {}
    if mode == "llm":
        sys.path.insert(0, str(ROOT / "tests"))
        from standins import OpenAIStandIn  # the stand-in lives with the tests

        llm = stack.enter_context(OpenAIStandIn())
        overrides = {"openai_base_url": llm.base_url, "openai_api_key": "bench", "openai_model": "stand-in"}
    if data_dir is None:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cafebot-eval-"))) / "data"
    services = build_services(make_settings(data_dir, **overrides))
    stack.callback(services.close)
    sync_knowledge_dir(services)
    for path in sorted(FIXTURES.iterdir()):
        services.knowledge.ingest_file(path)
    return services


def run(splits: tuple[str, ...] = ("dev", "test"), modes: tuple[str, ...] = ("extractive", "llm"),
        data_dir: Path | None = None, category: str | None = None) -> dict[str, Any]:
    """Every split in every mode, on one set of services per mode: {mode: {split: summary}} (for run_all)."""
    cases = [c for c in load_cases("all") if c["split"] in splits and (category is None or c["category"] == category)]
    report: dict[str, Any] = {"questions": {split: sum(c["split"] == split for c in cases) for split in splits}}
    for mode in modes:
        with ExitStack() as stack:
            services = build(data_dir if mode == "extractive" else None, mode, stack)
            results = asyncio.run(run_cases(services, cases, mode))
        report[mode] = {split: summarise([r for r in results if r["split"] == split]) for split in splits}
        report[f"{mode}_results"] = results
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--mode", choices=("extractive", "llm", "both"), default="extractive")
    parser.add_argument("--data-dir", type=Path, help="reuse an ingested data dir (faster reruns)")
    parser.add_argument("--show", choices=("none", "fail", "all"), default="none")
    parser.add_argument("--category", help="only this category")
    args = parser.parse_args(argv)
    quiet_logs()
    splits = ("dev", "test") if args.split == "all" else (args.split,)
    modes = ("extractive", "llm") if args.mode == "both" else (args.mode,)
    report = run(splits, modes, args.data_dir, args.category)
    for mode in modes:
        results = report.pop(f"{mode}_results")
        for split in splits:
            print_table(f"{mode} mode, {split} split ({report['questions'][split]} questions)", report[mode][split])
        if args.show != "none":
            for r in results:
                if args.show == "all" or r["outcome"] != "correct":
                    print(f"\n[{r['id']} {r['category']} {r['outcome']}] {r['question']}  →  {r['standalone']}")
                    print("   ", r["reply"].replace("\n", "\n    ")[:600], r["sources"])
        write_json(RESULTS / f"founder_eval_{args.split}_{mode}.json", {"summary": report[mode], "results": results})
    write_json(RESULTS / f"founder_eval_{args.split}.json", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
