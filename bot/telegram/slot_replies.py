"""What an expert reads about their slots, the same from /slots' one-line forms and from the guided form."""

from __future__ import annotations

from bot.consultations.enums import Refusal
from bot.consultations.forms import SlotFormError
from bot.consultations.views import SlotView
from bot.strings import t


def published(view: SlotView, lang: str) -> str:
    """A slot published: its number, time, place and seats."""
    return t("slots.published", lang, id=view.id, when=view.when(lang), place=view.place(lang), seats=view.capacity)


def published_weekly(made: list[SlotView], weeks: int, lang: str) -> str:
    """Weekly office hours published: each slot made, and how many weeks were skipped for an existing slot."""
    if not made:
        return t("slots.published.none", lang)
    lines = "\n".join(f"#{s.id} {s.when(lang)}" for s in made)
    text = t("slots.published.weekly", lang, n=len(made), lines=lines)
    if len(made) < weeks:
        text += t("slots.published.skipped", lang, n=weeks - len(made))
    return text


def form_problem(err: SlotFormError, lang: str) -> str:
    """What is wrong with a typed slot, quoting the word."""
    return t(f"cs.form.{err.problem}", lang, word=err.word[:40])


def refusal(refusal: Refusal, lang: str, *, publishing: bool = False) -> str:
    """What an expert is told when a step is refused. Publishing or listing, NOT_EXPERT means the person is no
    expert at all: they are told what /slots is for; on a slot's button, that it is another expert's."""
    if publishing and refusal is Refusal.NOT_EXPERT:
        return t("slots.not_expert", lang)
    # The expert-side refusals carry no fields (the founder-side ones with a count or hours never come here).
    return t(f"cs.err.{refusal}", lang)
