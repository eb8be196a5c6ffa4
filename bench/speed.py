"""Speed: ingestion throughput of a real 25-page PDF, and hybrid query latency and memory at 1k/10k/100k chunks.

Ingestion: the 창업도약패키지 announcement PDF through `KnowledgeBase.ingest_file` with a cold (empty, temporary)
embedding cache, models already loaded as in a running bot. "Searchable" is when `ingest_file` returns (the
SQL commit that activates the version, then the BM25 rebuild) and a search finds its passages. The background
pre-embedding of quotable sentences that starts afterwards is timed separately.

Query latency: the model embeds ~10 passages a second, so large corpora are synthetic, built the way ingestion
stores them but without the model:
  * text: Korean sentences of the AutoRAG corpus (split at line ends and sentence ends), 3-8 drawn at random
    per chunk (about the length of a real chunk); BM25 tokens are the sentences' Kiwi terms (computed once per
    sentence, cached in bench/.cache) joined like `ingest_loaded` does, plus the document's title terms;
  * vectors: a real e5 passage vector from the embedding cache plus Gaussian noise (sigma 0.02 per dimension,
    cosine about 0.93 to the original), re-normalised, so the vectors keep the model's clustered geometry;
  * storage: 50 chunks per document; each document is a KnowledgeDocument + KnowledgeVersion + KnowledgeChunk rows
    (bulk insert) and a Chroma upsert with precomputed embeddings and the same metadata `ingest_loaded` writes;
    then the revision is bumped and the BM25 snapshot rebuilt, as after an ingestion.
Queries are the AutoRAG and knowledge questions; their vectors are computed first (the embeddings' in-memory
LRU), so the timed `search()` calls (hybrid, default k, validity filter: what the answering service calls) cover
the Chroma query + BM25 + fusion + SQL hydration only. Each size runs in its own subprocess so the peak RSS
(ru_maxrss) is that size's alone.

    python -m bench.speed [--sizes 1000,10000,100000] [--skip-ingest] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import (
    ANNOUNCEMENT_PDF,
    CACHE,
    QUESTIONS,
    ROOT,
    Timer,
    autorag_corpus,
    autorag_questions,
    log,
    make_settings,
    mean,
    peak_rss_mb,
    percentile,
    quiet_logs,
    write_json,
)

SIZES = (1_000, 10_000, 100_000)
CHUNKS_PER_DOC = 50
NOISE_SIGMA = 0.02
SENTENCES_CACHE = CACHE / "synthetic-sentences.json.gz"
_SENT_SPLIT = re.compile(r"(?<=[.?!다요])\s+|\n+")


# --- ingestion ----------------------------------------------------------------------------------


def _wait_for_prewarm(timeout: float = 900) -> float:
    """Wait for the background quote pre-embedding threads; returns the seconds waited."""
    timer = Timer()
    for t in list(threading.enumerate()):
        if t.name.startswith("prewarm"):
            t.join(max(0.0, timeout - timer.seconds))
    return timer.seconds


def ingestion(pdf: Path = ANNOUNCEMENT_PDF) -> dict[str, Any]:
    from bot.knowledge.loaders import load_file
    from bot.services import build_services

    with tempfile.TemporaryDirectory(prefix="cafebot-bench-speed-ingest-") as tmp:
        settings = make_settings(Path(tmp) / "data", embedding_cache_dir=Path(tmp) / "cold-cache")
        services = build_services(settings)
        try:
            kb = services.knowledge
            kb.search("창업 지원", 1)  # a running bot has loaded Kiwi and the model (AnswerService.warm_up)
            timer = Timer()
            loaded = load_file(pdf)
            load_seconds = timer.seconds
            timer = Timer()
            result = kb.ingest_file(pdf)
            seconds = result.seconds
            found = kb.search("창업도약패키지 신청 자격", 5)
            searchable = timer.seconds
            assert any(p.source == pdf.name for p in found), "the ingested PDF is not searchable"
            prewarm = _wait_for_prewarm()
            doc = result.document
            return {
                "file": pdf.name,
                "bytes": pdf.stat().st_size,
                "pages": doc.page_count,
                "pages_with_text": len(loaded.pages),
                "chunks": doc.chunk_count,
                "load_seconds": round(load_seconds, 2),
                "ingest_seconds": round(seconds, 2),
                "seconds_until_searchable": round(searchable, 2),
                "pages_per_second": round(doc.page_count / seconds, 2),
                "chunks_per_second": round(doc.chunk_count / seconds, 2),
                "background_quote_embedding_seconds": round(prewarm, 1),
                "peak_rss_mb": round(peak_rss_mb(), 0),
            }
        finally:
            _wait_for_prewarm(60)
            services.close()


# --- synthetic corpora --------------------------------------------------------------------------


def sentence_pool() -> list[tuple[str, list[str]]]:
    """(sentence, BM25 terms) of the AutoRAG corpus, computed once and cached."""
    if SENTENCES_CACHE.is_file():
        with gzip.open(SENTENCES_CACHE, "rt", encoding="utf-8") as f:
            return [tuple(x) for x in json.load(f)]  # type: ignore[misc]
    from bot.knowledge.morphemes import terms

    pool = []
    for pages in autorag_corpus().values():
        for _page, text in pages:
            for sent in _SENT_SPLIT.split(text):
                sent = " ".join(sent.split())
                if len(sent) >= 15 and re.search(r"[가-힣]", sent):
                    pool.append((sent, terms(sent)))
    SENTENCES_CACHE.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(SENTENCES_CACHE, "wt", encoding="utf-8") as f:
        json.dump(pool, f, ensure_ascii=False)
    return pool


def base_vectors(embedding_cache: Path, limit: int = 20_000) -> np.ndarray:
    """Real e5 passage vectors from the bench embedding cache (random unit vectors if it is empty)."""
    path = embedding_cache / "e5-small-q4.sqlite3"
    vecs: list[np.ndarray] = []
    if path.is_file():
        db = sqlite3.connect(str(path))
        for (blob,) in db.execute("SELECT vec FROM vectors LIMIT ?", (limit,)):
            vecs.append(np.frombuffer(blob, dtype=np.float32))
        db.close()
    if len(vecs) < 100:
        rng = np.random.default_rng(0)
        m = rng.normal(size=(1000, 384)).astype(np.float32)
        return m / np.linalg.norm(m, axis=1, keepdims=True)
    return np.stack(vecs)


def populate(kb: Any, db: Any, size: int, seed: int = 7) -> dict[str, Any]:
    """Insert `size` synthetic chunks the way ingest_loaded stores chunks (SQL rows with tokens, Chroma upsert)."""
    from bot.knowledge import registry
    from bot.storage.models import KnowledgeChunk, KnowledgeDocument, KnowledgeVersion, utcnow

    timer = Timer()
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    pool = sentence_pool()
    base = base_vectors(CACHE / "embeddings")
    n_docs = max(1, size // CHUNKS_PER_DOC)
    sql_seconds = chroma_seconds = 0.0
    done = 0
    for d in range(n_docs):
        per_doc = CHUNKS_PER_DOC if d < n_docs - 1 else size - done
        doc_id, version_id = registry.new_id(), registry.new_id()
        title = f"합성 문서 {d:05d}"
        title_terms = f"합성 문서 {d:05d}"
        now = utcnow()
        ids, texts, tokens, metas = [], [], [], []
        for i in range(per_doc):
            picks = [pool[rng.randrange(len(pool))] for _ in range(rng.randint(3, 8))]
            text = "\n".join(s for s, _ in picks)
            ids.append(f"{version_id}-{i:05d}")
            texts.append(text)
            tokens.append(" ".join(t for _, ts in picks for t in ts) + " " + title_terms)
            metas.append(kb._chunk_metadata(doc_id, version_id, 1, title, f"synthetic-{d:05d}.pdf", None, None, "ko",
                                            {"page": i // 2 + 1}, f"{d:08x}{i:08x}", now.isoformat()))
        vecs = base[nrng.integers(0, len(base), per_doc)] + nrng.normal(0, NOISE_SIGMA, (per_doc, base.shape[1]))
        vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
        t = time.perf_counter()
        kb.vectors.add(ids, texts, metas, vecs.tolist())
        chroma_seconds += time.perf_counter() - t
        t = time.perf_counter()
        with db.session() as s:
            s.add(KnowledgeDocument(id=doc_id, title=title, title_key=registry.title_key(title), lang="ko",
                                    source="synthetic", active_version_id=version_id, updated_at=now))
            s.flush()
            s.add(KnowledgeVersion(id=version_id, document_id=doc_id, version=1, file_name=f"synthetic-{d:05d}.pdf",
                                   kind="pdf", content_hash=f"{doc_id}{version_id}", page_count=per_doc // 2 + 1,
                                   chunk_count=per_doc, ingested_at=now))
            s.flush()
            s.execute(KnowledgeChunk.__table__.insert(), [
                {"id": cid, "version_id": version_id, "ordinal": i, "text": txt, "page": m["page"], "section": None,
                 "content_hash": m["content_hash"], "tokens": tok}
                for i, (cid, txt, tok, m) in enumerate(zip(ids, texts, tokens, metas, strict=True))
            ])
        sql_seconds += time.perf_counter() - t
        done += per_doc
    with db.session() as s:
        registry.bump_revision(s)
    t = time.perf_counter()
    kb.refresh()
    bm25_seconds = time.perf_counter() - t
    return {"documents": n_docs, "chunks": done, "build_seconds": round(timer.seconds, 1),
            "chroma_upsert_seconds": round(chroma_seconds, 1), "sql_seconds": round(sql_seconds, 1),
            "bm25_rebuild_seconds": round(bm25_seconds, 2), "vectors_in_chroma": kb.vectors.count()}


def queries() -> list[str]:
    qs = [q.query for q in autorag_questions()]
    if QUESTIONS.is_file():
        lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
        qs += [json.loads(line)["question"] for line in lines if line.strip()]
    return qs


def latency_at(size: int) -> dict[str, Any]:
    """Build a synthetic knowledge base of `size` chunks and time hybrid searches (query vectors pre-computed)."""
    from bot.knowledge import lexical
    from bot.services import build_services

    with tempfile.TemporaryDirectory(prefix=f"cafebot-bench-speed-{size}-") as tmp:
        services = build_services(make_settings(Path(tmp) / "data"))
        try:
            kb = services.knowledge
            rss_start = peak_rss_mb()
            built = populate(kb, services.db, size)
            qs = queries()[:200]
            for q in qs:  # warm: query vectors into the embeddings' LRU, Kiwi loaded, caches primed
                kb.search(q)
            parts: dict[str, list[float]] = {"chroma": [], "bm25": [], "hydrate": []}
            rd = getattr(kb, "reader", kb)
            _time_method(rd.vectors, "search", parts["chroma"])
            _time_method(rd, "_hydrate", parts["hydrate"])
            lex_search = lexical.LexicalIndex.search

            def timed_lex(self: Any, *a: Any, **kw: Any) -> Any:
                t = time.perf_counter()
                try:
                    return lex_search(self, *a, **kw)
                finally:
                    parts["bm25"].append(time.perf_counter() - t)

            lexical.LexicalIndex.search = timed_lex  # type: ignore[method-assign]
            lat = []
            for _round in range(2):
                for q in qs:
                    t = time.perf_counter()
                    kb.search(q)
                    lat.append((time.perf_counter() - t) * 1000)
            lexical.LexicalIndex.search = lex_search  # type: ignore[method-assign]
            ms = lambda xs: [x * 1000 for x in xs]  # noqa: E731
            return {
                "chunks": size,
                "build": built,
                "queries": len(lat),
                "p50_ms": round(percentile(lat, 50), 1),
                "p95_ms": round(percentile(lat, 95), 1),
                "mean_ms": round(mean(lat), 1),
                "max_ms": round(max(lat), 1),
                "chroma_p50_ms": round(percentile(ms(parts["chroma"]), 50), 1),
                "bm25_p50_ms": round(percentile(ms(parts["bm25"]), 50), 1),
                "hydrate_p50_ms": round(percentile(ms(parts["hydrate"]), 50), 1),
                "peak_rss_mb": round(peak_rss_mb(), 0),
                "rss_before_build_mb": round(rss_start, 0),
            }
        finally:
            services.close()


def _time_method(obj: Any, name: str, sink: list[float]) -> None:
    inner = getattr(obj, name)

    def wrapper(*a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return inner(*a, **kw)
        finally:
            sink.append(time.perf_counter() - t)

    setattr(obj, name, wrapper)


def run(sizes: tuple[int, ...] = SIZES, do_ingest: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if do_ingest:
        log.info("speed: ingesting %s with a cold embedding cache", ANNOUNCEMENT_PDF.name)
        out["ingest"] = _in_subprocess(["--ingest-only"])
        log.info("speed: %s", out["ingest"])
    sentence_pool()  # build the shared cache once, outside the timed subprocesses
    out["latency"] = []
    for size in sizes:
        log.info("speed: %d chunks", size)
        res = _in_subprocess(["--size", str(size)])
        log.info("speed: %s", res)
        out["latency"].append(res)
    return out


def _in_subprocess(args: list[str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        target = Path(f.name)
    try:
        proc = subprocess.run([sys.executable, "-m", "bench.speed", *args, "--json", str(target)], cwd=ROOT,
                              capture_output=True, text=True, timeout=1800)
        if proc.returncode != 0:
            return {"error": proc.stderr[-2000:]}
        return json.loads(target.read_text(encoding="utf-8"))
    finally:
        target.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--size", type=int, help="one size in this process (used by run())")
    parser.add_argument("--ingest-only", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    quiet_logs()
    if args.ingest_only:
        result: Any = ingestion()
    elif args.size:
        result = latency_at(args.size)
    else:
        result = run(tuple(int(s) for s in args.sizes.split(",")), not args.skip_ingest)
    if args.json:
        write_json(args.json, result)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
