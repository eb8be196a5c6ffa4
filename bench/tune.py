"""Tuning aid (not part of run_all): grid-search the fusion constants offline on both question sets.

The corpora are ingested once into persistent data dirs under bench/.cache/tune/ (reused on later runs); then
for every question the dense and BM25 candidate lists are fetched once at depth 100, and RRF k, the per-side
weights, the candidate depth and BM25 k1/b are varied without touching the indexes again.

    python -m bench.tune [--chunk-tokens N] [--tag NAME] [--no-title]

`--no-title` ingests without the title prefix (neither in the embedded text nor in the BM25 tokens), by
patching the knowledge base's ingestion for this process only.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
from sqlalchemy import select

from bench import retrieval_autorag, retrieval_knowledge
from bench.common import (
    CACHE,
    autorag_questions,
    distinct,
    make_settings,
    mean,
    mrr_at,
    ndcg_at,
    quiet_logs,
    rank_of,
    recall_at,
)
from bot.answering.language import is_korean
from bot.knowledge.morphemes import terms
from bot.services import build_services
from bot.storage.models import KnowledgeChunk, KnowledgeDocument, KnowledgeVersion

DEPTH = 100


@dataclass
class Candidates:
    dense: list[list[tuple[str, float]]]  # per question: (chunk id, similarity), best first
    tokens: dict[str, list[str]]  # chunk id -> BM25 tokens as stored
    plain_tokens: dict[str, list[str]]  # chunk id -> tokens of the chunk text alone (no title terms)
    query_terms: list[list[str]]
    korean: list[bool]  # the query is Korean by the bot's own rule (bot.answering.language)
    where: dict[str, tuple[str, int | None]]  # chunk id -> (source, page)


def open_kb(name: str, chunk_tokens: int | None, no_title: bool, ingest: Callable[[Any], Any]) -> Any:
    data = CACHE / "tune" / name
    fresh = not (data / "cafebot.sqlite3").exists()
    overrides = {"chunk_tokens": chunk_tokens} if chunk_tokens else {}
    services = build_services(make_settings(data, **overrides))
    kb = services.knowledge
    # Retrieval does not depend on the background embedding of quotable sentences: skip it while tuning.
    kb._prewarm_quotes = lambda texts: None
    if no_title:
        # ingest_loaded embeds f"{title}\n{chunk}": drop the title line (titles never contain a newline).
        inner = kb.embeddings.embed_documents_with_progress
        kb.embeddings.embed_documents_with_progress = (
            lambda texts, progress=None: inner([t.split("\n", 1)[1] if "\n" in t else t for t in texts], progress)
        )
    if fresh:
        print(f"ingesting {name} ...", flush=True)
        print(ingest(services.knowledge), flush=True)
    return services


def collect(services: Any, queries: list[str]) -> Candidates:
    kb = services.knowledge
    kb.refresh()
    reader = getattr(kb, "reader", kb)
    where = reader._where(reader._active, None, None)
    dense = []
    for q in queries:
        hits = kb.vectors.search(kb.embeddings.embed_query(q), DEPTH, where)
        dense.append([(h.chunk_id, h.similarity) for h in hits])
    with services.db.session() as s:
        rows = s.execute(
            select(KnowledgeChunk.id, KnowledgeChunk.tokens, KnowledgeChunk.text, KnowledgeChunk.page,
                   KnowledgeVersion.file_name)
            .join(KnowledgeVersion, KnowledgeVersion.id == KnowledgeChunk.version_id)
            .join(KnowledgeDocument, KnowledgeDocument.active_version_id == KnowledgeVersion.id)
            .order_by(KnowledgeChunk.id)
        ).all()
    tokens = {cid: tok.split() for cid, tok, _t, _p, _f in rows}
    plain = {cid: terms(text) for cid, _tok, text, _p, _f in rows}
    where_ = {cid: (f, p) for cid, _tok, _t, p, f in rows}
    return Candidates(dense=dense, tokens=tokens, plain_tokens=plain, query_terms=[terms(q) for q in queries],
                      korean=[is_korean(q) for q in queries], where=where_)


def bm25_lists(c: Candidates, k1: float, b: float, plain: bool = False) -> list[list[tuple[str, float]]]:
    ids = list(c.tokens)
    corpus = [(c.plain_tokens if plain else c.tokens)[i] or ["\u2205"] for i in ids]
    index = bm25s.BM25(k1=k1, b=b)
    index.index(corpus, show_progress=False)
    vocab = index.vocab_dict
    out = []
    for qt in c.query_terms:
        known = [t for t in qt if t in vocab]
        if not known:
            out.append([])
            continue
        scores = index.get_scores(known)
        top = np.argsort(-scores)[:DEPTH]
        out.append([(ids[i], float(scores[i])) for i in top if scores[i] > 0])
    return out


def fuse(dense: list[tuple[str, float]], lex: list[tuple[str, float]], rrf_k: float, wd: float, wl: float,
         depth: int) -> list[str]:
    scores: dict[str, float] = defaultdict(float)
    for r, (cid, _s) in enumerate(dense[:depth]):
        scores[cid] += wd / (rrf_k + r + 1)
    for r, (cid, _s) in enumerate(lex[:depth]):
        scores[cid] += wl / (rrf_k + r + 1)
    return [cid for cid, _ in sorted(scores.items(), key=lambda kv: kv[1], reverse=True)]


def autorag_score(ranked: list[list[str]], c: Candidates, golds: list[tuple[str, int]]) -> dict[str, float]:
    ranks = [rank_of(distinct([c.where[i] for i in r[:30]]), g) for r, g in zip(ranked, golds, strict=True)]
    return {"ndcg@10": mean([ndcg_at(x, 10) for x in ranks]), "recall@5": mean([recall_at(x, 5) for x in ranks]),
            "mrr@10": mean([mrr_at(x, 10) for x in ranks])}


def knowledge_score(ranked: list[list[str]], c: Candidates, qs: list[dict[str, Any]]) -> dict[str, float]:
    def hit(r: list[str], q: dict[str, Any], lenient: bool = False) -> int | None:
        for n, cid in enumerate(r[:10]):
            src, page = c.where[cid]
            if src == q["gold_source"] and (q.get("gold_page") is None or page == q["gold_page"]):
                return n + 1
            if lenient and src in (q.get("also_in") or []):
                return n + 1
        return None

    ranks = [hit(r, q) for r, q in zip(ranked, qs, strict=True)]
    anyr = [hit(r, q, True) for r, q in zip(ranked, qs, strict=True)]
    pe = [x for x, q in zip(ranks, qs, strict=True) if q["kind"] in ("paraphrase", "english")]
    pe_any = [x for x, q in zip(anyr, qs, strict=True) if q["kind"] in ("paraphrase", "english")]
    return {"recall@5": mean([recall_at(x, 5) for x in ranks]), "mrr@10": mean([mrr_at(x, 10) for x in ranks]),
            "pe_recall@5": mean([recall_at(x, 5) for x in pe]), "any_recall@5": mean([recall_at(x, 5) for x in anyr]),
            "pe_any_recall@5": mean([recall_at(x, 5) for x in pe_any])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunk-tokens", type=int)
    parser.add_argument("--tag", default="")
    parser.add_argument("--no-title", action="store_true")
    parser.add_argument("--only", choices=["autorag", "knowledge"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    quiet_logs()
    tag = args.tag or (
        (f"c{args.chunk_tokens}" if args.chunk_tokens else "default") + ("-notitle" if args.no_title else "")
    )
    report: dict[str, Any] = {"tag": tag}

    sets = []
    if args.only in (None, "autorag"):
        aq = autorag_questions()
        sv = open_kb(f"autorag-{tag}", args.chunk_tokens, args.no_title, retrieval_autorag.ingest)
        golds = [q.gold for q in aq]
        sets.append(("autorag", collect(sv, [q.query for q in aq]), lambda r, c: autorag_score(r, c, golds)))
    if args.only in (None, "knowledge"):
        kq = retrieval_knowledge.load_questions()
        sv2 = open_kb(f"knowledge-{tag}", args.chunk_tokens, args.no_title, retrieval_knowledge.ingest)
        sets.append(("knowledge", collect(sv2, [q["question"] for q in kq]), lambda r, c: knowledge_score(r, c, kq)))

    grid = []
    for (name, cands, scorer) in sets:
        lex_cache = {}
        for k1, b, plain in [(1.2, 0.75, False), (1.2, 0.75, True), (0.9, 0.4, False), (1.5, 0.75, False),
                             (1.2, 0.5, False), (1.2, 0.9, False), (2.0, 0.75, False)]:
            lex_cache[(k1, b, plain)] = bm25_lists(cands, k1, b, plain)
        base_lex = lex_cache[(1.2, 0.75, False)]
        report[f"{name}:dense"] = scorer([[i for i, _ in d] for d in cands.dense], cands)
        for key, lex in lex_cache.items():
            bm25_only = [[i for i, _ in hits] for hits in lex]
            report[f"{name}:bm25 k1={key[0]} b={key[1]}{' no-title' if key[2] else ''}"] = scorer(bm25_only, cands)
        for rrf_k, (wd, wl), depth, en_lex in itertools.product(
            [1, 3, 5, 8, 10, 20, 30, 60, 100],
            [(1, 1), (1, 1.25), (1, 1.5), (1, 2), (1, 3), (1.5, 1), (2, 1)],
            [20, 30, 50],
            [1.0, 0.0],
        ):
            ranked = [fuse(d, lx, rrf_k, wd, wl * (1.0 if ko else en_lex), depth)
                      for d, lx, ko in zip(cands.dense, base_lex, cands.korean, strict=True)]
            grid.append((name, rrf_k, wd, wl, depth, en_lex, scorer(ranked, cands)))
        for key, lex in lex_cache.items():
            ranked = [fuse(d, lx, 60, 1, 1, 30) for d, lx in zip(cands.dense, lex, strict=True)]
            label = f"{name}:hybrid(60,1,1,30) bm25 k1={key[0]} b={key[1]}{' no-title' if key[2] else ''}"
            report[label] = scorer(ranked, cands)

    by_cfg: dict[tuple, dict[str, dict[str, float]]] = defaultdict(dict)
    for name, rrf_k, wd, wl, depth, en_lex, m in grid:
        by_cfg[(rrf_k, wd, wl, depth, en_lex)][name] = m
    rows = []
    for cfg, m in by_cfg.items():
        rows.append({"rrf_k": cfg[0], "w_dense": cfg[1], "w_lex": cfg[2], "depth": cfg[3], "en_lex": cfg[4],
                     **{f"{n}:{k}": round(v, 4) for n, mm in m.items() for k, v in mm.items()}})
    key = "autorag:ndcg@10" if args.only != "knowledge" else "knowledge:recall@5"
    rows.sort(key=lambda r: -r.get(key, 0))
    report["grid"] = rows
    for k, v in report.items():
        if k != "grid":
            print(k, {kk: round(vv, 4) for kk, vv in v.items()} if isinstance(v, dict) else v)
    cols = [c for c in rows[0] if c not in ("rrf_k", "w_dense", "w_lex", "depth", "en_lex")]
    print("rrf_k wd wl depth en_lex | " + " ".join(cols))
    for r in rows[:25]:
        print(r["rrf_k"], r["w_dense"], r["w_lex"], r["depth"], r["en_lex"], "|", " ".join(f"{r[c]:.3f}" for c in cols))
    base = [r for r in rows if (r["rrf_k"], r["w_dense"], r["w_lex"], r["depth"], r["en_lex"]) == (60, 1, 1, 30, 1.0)]
    print("current:", base)
    out = args.out or CACHE / "tune" / f"report-{tag}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
