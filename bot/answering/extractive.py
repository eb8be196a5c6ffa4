"""Answers without an LLM: the one to three sentences of the retrieved passages closest to the question,
quoted as written, each with its citation number."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.knowledge.embeddings import CachedEmbeddings
from bot.knowledge.morphemes import terms
from bot.knowledge.quotes import quotable_sentences
from bot.knowledge.search import Passage

MAX_CANDIDATES = 24
# A quote must be nearly as close to the question as the best one, or it is padding.
KEEP_WITHIN = 0.03


@dataclass(frozen=True)
class Quote:
    text: str
    passage_index: int  # index into the passages given


def select_quotes(
    question: str, passages: list[Passage], embeddings: CachedEmbeddings, max_quotes: int = 3
) -> list[Quote]:
    """Rank the top passages' sentences by embedding similarity to the question, nudged by shared terms and
    passage rank. Sentence vectors come from the passage cache, which ingestion fills in the background."""
    candidates: list[tuple[int, int, str]] = []
    contexts: list[str] = []
    for pi, passage in enumerate(passages[:3]):
        for si, quotable in enumerate(quotable_sentences(passage.text)):
            candidates.append((pi, si, quotable.sentence))
            contexts.append(quotable.embedding_text)
    candidates, contexts = candidates[:MAX_CANDIDATES], contexts[:MAX_CANDIDATES]
    if not candidates:
        return []
    qv = np.asarray(embeddings.embed_query(question), dtype=np.float32)
    matrix = np.asarray(embeddings.embed_documents(contexts), dtype=np.float32)
    q_terms = set(terms(question))
    scores = []
    for (pi, _si, _sent), context, sim in zip(candidates, contexts, matrix @ qv):
        overlap = len(q_terms & set(terms(context))) / max(len(q_terms), 1)
        scores.append(float(sim) + 0.03 * overlap - 0.005 * pi)
    order = sorted(range(len(candidates)), key=lambda i: -scores[i])
    best = scores[order[0]]
    chosen = [i for i in order[:max_quotes] if scores[i] >= best - KEEP_WITHIN]
    chosen.sort(key=lambda i: (candidates[i][0], candidates[i][1]))  # read in document order
    return [Quote(text=candidates[i][2], passage_index=candidates[i][0]) for i in chosen]
