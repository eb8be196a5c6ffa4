"""The case card's neutral summary and list of missing information, by the LLM when one is configured.

Never a verdict: the prompt (prompts/case_summary.*.md) forbids judging, and the card labels it as a summary.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.answering.prompts import prompt_text

log = logging.getLogger(__name__)


def case_text(fields: dict[str, str]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in fields.items() if value)


class CaseSummarizer:
    def __init__(self, model: Any) -> None:
        self.model = model  # a LangChain chat model

    async def summarize(self, fields: dict[str, str], lang: str) -> str | None:
        """The summary text, or None when the model fails (the card goes out without it)."""
        messages = [("system", prompt_text("case_summary", lang)), ("human", case_text(fields))]
        try:
            reply = await self.model.ainvoke(messages)
        except Exception:
            log.warning("case summary failed; sending the card without it", exc_info=True)
            return None
        text = str(reply.content).strip()
        return text or None
