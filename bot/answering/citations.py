"""Numbered citations: passages are numbered in the prompt; the answer's [n] markers are renumbered in order of
first use and mapped to the sources listed under the answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from bot.answering.types import Source
from bot.knowledge.curated import citation_label, is_curated
from bot.knowledge.search import Passage
from bot.strings import t

_MARKER = re.compile(r"\[(\d{1,2})\]")


def format_context(passages: list[Passage]) -> str:
    """Passages fenced and labelled as data; markup that could close the fence is defused."""
    blocks = []
    for i, p in enumerate(passages, 1):
        body = p.text.replace("</", "< /").replace("<passage", "< passage")
        title = p.title.replace('"', "'")
        blocks.append(f'<passage id="{i}" title="{title}" location="{p.location}">\n{body}\n</passage>')
    return "\n".join(blocks)


def source_title(passage: Passage, lang: str) -> tuple[str, str]:
    """The title and location a founder sees for a passage: a curated answer is "카페 직원 답변 (2026-12-02)" (the
    day staff saved it) with no location; a document is its title and page or section."""
    if is_curated(passage.origin):
        return citation_label(passage.ingested_at, lang), ""
    # The first section of a document is usually headed by its own title: don't say it twice.
    location = "" if passage.location.lstrip("# ").strip() == passage.title.strip() else passage.location
    return passage.title, location


def label_cafe_notices(
    passages: list[Passage], own_cafe: str | None, cafe_name: Callable[[str], str | None], lang: str
) -> list[Passage]:
    """Another cafe's notice (its hours, an event) is titled with that cafe for the founder and the model alike
    ("성수 창업카페 안내: 주말 운영 안내"), so nobody takes it for their own cafe's; city-wide documents and the
    founder's own cafe's notices keep their title. Only founders who chose no cafe get such passages: search leaves
    other cafes' notices out for a founder who chose one (bot.knowledge.registry.visible_to)."""
    names: dict[str, str | None] = {}
    out = []
    for p in passages:
        if p.cafe_id is None or p.cafe_id == own_cafe:
            out.append(p)
            continue
        if p.cafe_id not in names:
            names[p.cafe_id] = cafe_name(p.cafe_id)
        cafe = names[p.cafe_id] or p.cafe_id
        out.append(replace(p, title=t("answer.cafe_notice", lang, cafe=cafe, title=p.title)))
    return out


def cite(text: str, passages: list[Passage], lang: str = "ko") -> tuple[str, list[Source]]:
    """Renumber [n] markers 1, 2, … by first use, drop markers that point at no passage, list the sources (labelled
    in `lang`, the answer's language).

    Passages from the same document page share one number.
    """
    numbers: dict[tuple[str, str], int] = {}
    sources: list[Source] = []

    def replace(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if not 1 <= n <= len(passages):
            return ""
        p = passages[n - 1]
        key = (p.document_id, p.location)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            title, location = source_title(p, lang)
            sources.append(Source(numbers[key], title, location, p.document_id, p.source))
        return f"[{numbers[key]}]"

    out = _MARKER.sub(replace, text)
    # "[1][1]" after merging passages of the same page reads badly
    out = re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", out)
    return out.strip(), sources
