"""Prompts live as files in `prompts/`, one per language; this module reads them into LangChain templates."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

from bot.shipped import shipped_dir

PROMPTS_DIR: Path = shipped_dir("prompts")


@lru_cache(maxsize=64)
def prompt_text(name: str, lang: str) -> str:
    """The raw text of prompts/<name>.<lang>.md (Korean when that language has no file)."""
    path = PROMPTS_DIR / f"{name}.{lang}.md"
    if not path.exists():
        path = PROMPTS_DIR / f"{name}.ko.md"
    return path.read_text(encoding="utf-8")


def system_prompt(name: str, lang: str) -> ChatPromptTemplate:
    """A chat prompt: the file as the system message, the founder's message as the human turn."""
    return ChatPromptTemplate.from_messages([("system", prompt_text(name, lang)), ("human", "{question}")])


def single_prompt(name: str, lang: str) -> PromptTemplate:
    return PromptTemplate.from_template(prompt_text(name, lang))


@lru_cache(maxsize=4)
def intent_examples() -> dict[str, list[str]]:
    return json.loads((PROMPTS_DIR / "intent_examples.json").read_text(encoding="utf-8"))
