"""The knowledge base as a LangChain retriever, so chains compose it like any other."""

from __future__ import annotations

from dataclasses import asdict

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.knowledge.search import Passage, SearchMode
from bot.knowledge.service import KnowledgeBase


def passage_to_document(p: Passage) -> Document:
    """A LangChain Document whose metadata carries the citation fields and the scores."""
    meta = {k: v for k, v in asdict(p).items() if k != "text" and v is not None}
    if p.valid_until:
        meta["valid_until"] = p.valid_until.isoformat()
    return Document(id=p.chunk_id, page_content=p.text, metadata=meta)


class HybridRetriever(BaseRetriever):
    """Dense (Chroma) + BM25 (Kiwi morphemes) fused by reciprocal rank, with optional metadata filters."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    knowledge_base: KnowledgeBase
    k: int = 5
    programme: str | None = None
    only_valid: bool = True
    mode: SearchMode = "hybrid"
    cafe_id: str | None = None  # the asking founder's cafe: other cafes' notices are left out

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        passages = self.knowledge_base.search(
            query, self.k, programme=self.programme, only_valid=self.only_valid, mode=self.mode, cafe_id=self.cafe_id
        )
        return [passage_to_document(p) for p in passages]
