"""What a founder's message asks for: information, an idea review, a person, small talk, or something else.

With an LLM the model classifies (prompts/intent.*.md); without one, the nearest example phrase
(prompts/intent_examples.json) on the local embeddings decides.
"""

from __future__ import annotations

import logging
import threading
from typing import cast

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from bot.answering.prompts import intent_examples, single_prompt
from bot.answering.types import Intent

log = logging.getLogger(__name__)

INTENTS: tuple[Intent, ...] = ("question", "idea_review", "human", "smalltalk", "out_of_scope")


class NearestExampleClassifier:
    """k-nearest example phrases by cosine similarity; ties and weak matches fall back to `question`."""

    def __init__(self, embeddings: Embeddings, k: int = 3, margin: float = 0.01) -> None:
        self.embeddings = embeddings
        self.k = k
        self.margin = margin
        self._matrix: np.ndarray | None = None
        self._labels: list[str] = []
        self._lock = threading.Lock()

    def _ensure(self) -> None:
        with self._lock:
            if self._matrix is not None:
                return
            labels, texts = [], []
            for label, examples in intent_examples().items():
                labels.extend([label] * len(examples))
                texts.extend(examples)
            # e5 wants the query prefix on both sides for symmetric (message-to-message) similarity.
            self._matrix = np.array([self.embeddings.embed_query(t) for t in texts], dtype=np.float32)
            self._labels = labels

    def warm_up(self) -> None:
        self._ensure()

    def classify(self, message: str) -> Intent:
        self._ensure()
        assert self._matrix is not None
        sims = self._matrix @ np.asarray(self.embeddings.embed_query(message), dtype=np.float32)
        top = np.argsort(-sims)[: self.k]
        votes: dict[str, float] = {}
        for i in top:
            votes[self._labels[i]] = votes.get(self._labels[i], 0.0) + float(sims[i])
        best = max(votes, key=lambda lbl: votes[lbl])
        # Routing away from the documents costs the founder an answer: demand a clear win over "question".
        if best != "question" and votes[best] < votes.get("question", 0.0) + self.margin:
            best = "question"
        return cast(Intent, best)


class LLMIntentClassifier:
    """Asks the chat model for one label; anything unparseable counts as a question."""

    def __init__(self, llm: BaseChatModel, fallback: NearestExampleClassifier) -> None:
        self.llm = llm
        self.fallback = fallback

    async def aclassify(self, message: str, lang: str) -> Intent:
        try:
            reply = await self.llm.ainvoke(single_prompt("intent", lang).format(message=message))
            text = str(reply.content).strip().lower()
            for label in INTENTS:
                if label in text:
                    return label
            return "question"
        except Exception:
            log.warning("intent classification by LLM failed; using the local classifier", exc_info=True)
            return self.fallback.classify(message)
