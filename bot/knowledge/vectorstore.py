"""The dense index: a Chroma collection (embedded or client/server) read through LangChain's `Chroma`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import chromadb
from chromadb.api.types import PyEmbedding
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

Where = dict[str, Any]


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    similarity: float
    document: Document


def make_chroma_client(host: str | None, port: int, path: str) -> chromadb.ClientAPI:
    """A Chroma server client when a host is configured, else the embedded persistent client."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    return chromadb.PersistentClient(path=path, settings=settings)


class VectorIndex:
    """Chunk vectors in one collection per embedding model, so switching models never mixes dimensions."""

    def __init__(self, client: chromadb.ClientAPI, collection: str, embeddings: Embeddings, model_id: str) -> None:
        name = f"{collection}-{model_id}".replace("_", "-")[:60]
        self.client = client
        # We pass precomputed vectors; Chroma's own default embedding function must never be used.
        self.collection = client.get_or_create_collection(
            name=name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        self.store = Chroma(client=client, collection_name=name, embedding_function=embeddings)

    def add(
        self, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[dict[str, Any]],
        vectors: Sequence[Sequence[float]], batch: int = 1000,
    ) -> None:
        """Upsert chunk vectors (idempotent, so a retried ingestion never duplicates)."""
        for i in range(0, len(ids), batch):
            # Annotated so the list matches Chroma's list[Sequence[float] | Sequence[int]] (lists are invariant).
            embeddings: list[PyEmbedding] = [list(v) for v in vectors[i : i + batch]]
            self.collection.upsert(
                ids=list(ids[i : i + batch]),
                documents=list(texts[i : i + batch]),
                metadatas=list(metadatas[i : i + batch]),
                embeddings=embeddings,
            )

    def delete_version(self, version_id: str) -> None:
        self.collection.delete(where={"version_id": version_id})

    def count(self) -> int:
        return self.collection.count()

    def search(self, query_vector: Sequence[float], k: int, where: Where | None) -> list[DenseHit]:
        """Nearest chunks to a query vector, with cosine similarity in [−1, 1]."""
        results = self.store.similarity_search_by_vector_with_relevance_scores(
            list(query_vector), k=k, filter=where or None
        )
        hits = []
        for doc, distance in results:
            hits.append(DenseHit(chunk_id=str(doc.id), similarity=1.0 - float(distance), document=doc))
        return hits

    def version_ids(self) -> set[str]:
        """Every version id that has vectors (used by the sweep; reads all metadata, so not for hot paths)."""
        got = self.collection.get(include=["metadatas"])
        return {str(m.get("version_id")) for m in got.get("metadatas") or [] if m}
