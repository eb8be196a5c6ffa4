"""The LLM side: an OpenAI-compatible chat model, the follow-up rewrite and the grounded answer stream."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from langchain_core.messages import BaseMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from bot.answering.citations import format_context
from bot.answering.prompts import single_prompt, system_prompt
from bot.config import Settings
from bot.knowledge.search import Passage
from bot.observability.llm import LLM_METRICS

log = logging.getLogger(__name__)

NOT_FOUND = "[[NOT_FOUND]]"


class LLMUnavailable(Exception):
    """The model failed twice (timeout, 429, 5xx or a broken stream): answer without it."""


def make_chat_model(settings: Settings) -> ChatOpenAI:
    # Retries are ours (one, with backoff, then the extractive answer), so the client's own are off.
    return ChatOpenAI(
        model=settings.openai_model or "gpt-4o-mini",
        api_key=SecretStr(settings.openai_api_key or "unused"),
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=0,
        temperature=0.1,
        stream_usage=True,  # token usage on streams too, for cafebot_llm_tokens_total
        callbacks=[LLM_METRICS],
    )


def format_history(history: list[tuple[str, str]]) -> str:
    return "\n".join(f"{'founder' if role == 'user' else 'assistant'}: {text}" for role, text in history)


class LLMAnswerer:
    def __init__(self, model: ChatOpenAI, retry_delay: float = 1.0) -> None:
        self.model = model
        self.retry_delay = retry_delay

    async def condense(self, question: str, history: list[tuple[str, str]], lang: str) -> str:
        """The follow-up rewritten as a standalone question (the original if the model fails)."""
        prompt = single_prompt("condense", lang).format(history=format_history(history), question=question)
        try:
            reply = await self.model.ainvoke(prompt)
            text = str(reply.content).strip().splitlines()[0].strip() if str(reply.content).strip() else ""
            return text or question
        except Exception:
            log.warning("follow-up rewrite failed; searching with the message as written", exc_info=True)
            return question

    async def stream_answer(self, question: str, passages: list[Passage], lang: str) -> AsyncIterator[str]:
        """Yield the answer text as it grows. One retry with backoff; then LLMUnavailable.

        A retry restarts the answer, so callers must treat each yield as the whole text so far.
        """
        messages: list[BaseMessage] = system_prompt("answer", lang).format_messages(
            context=format_context(passages), question=question
        )
        for attempt in (1, 2):
            text = ""
            try:
                async for chunk in self.model.astream(messages):
                    piece = chunk.content if isinstance(chunk.content, str) else ""
                    if piece:
                        text += piece
                        yield text
                if not text.strip():
                    raise ValueError("empty completion")
                return
            except Exception as exc:  # noqa: BLE001 - every vendor failure gets the same treatment
                log.warning("LLM answer attempt %d failed: %s", attempt, type(exc).__name__)
                if attempt == 2:
                    raise LLMUnavailable(str(exc)) from exc
                await asyncio.sleep(self.retry_delay)
