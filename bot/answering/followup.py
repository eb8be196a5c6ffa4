"""Follow-up questions without an LLM: carry what the previous question was about into a short follow-up
("창업도약패키지 신청 자격은?" then "마감은요?" → "창업도약패키지 마감은요?").

What is carried is the previous question's key entities (the programme, organisation or year it named); when it
named none, its first topic nouns. A pronoun ("그건 누가 평가해요?") also carries the topic nouns it points back to.
Each earlier question is itself made standalone first, so a chain of follow-ups keeps its programme.
"""

from __future__ import annotations

import re

from bot.answering.entities import key_entities, normalise
from bot.knowledge.morphemes import ASKING_NOUNS, VAGUE_NOUNS, kiwi, terms

_FOLLOW_UP = re.compile(
    r"^\s*(?:그럼|그러면|그렇다면|그리고|또|근데|그런데|and\b|what about|how about|then\b|also\b|so\b)\s*",
    re.IGNORECASE,
)
# English "it" and "there" are mostly dummy subjects ("Is it possible…", "Is there…"): only Korean pointers count.
_POINTS_BACK = re.compile(r"^\s*(?:그건|그거|그것|그게|거기|그곳|그\s|이건|저건|그\s*사업|해당\s*사업)")
_PRONOUN = re.compile(r"(?:^|\s)(?:그건|그거|그것|그게|이건|저건|거기|그곳)(?=\s|$)")
# "마감은요?", "금액은?", "what about the deadline?": a topic alone, asked about the same thing as before.
_BARE_TOPIC = re.compile(r"^\s*\S{1,12}\s*(?:은|는|이|가)?\s*(?:요|요\?|\?|요\s*\?)\s*$")
# Korean nouns only: an English question's topic travels as its named entities.
_TOPIC_TAGS = {"NNP", "NNG"}
_GENERIC_NOUNS = VAGUE_NOUNS | ASKING_NOUNS | {"궁금", "정보", "사업", "지원", "때", "거", "것"}


# … but a short English question built around one ("when did it launch?") points back.
_EN_POINTER = re.compile(r"\b(?:it|that|they|them|there|this)\b", re.IGNORECASE)


def _points_back(question: str) -> bool:
    return bool(_POINTS_BACK.search(question)) or (len(question.split()) <= 6 and bool(_EN_POINTER.search(question)))


def is_follow_up(question: str) -> bool:
    return bool(
        _FOLLOW_UP.search(question) or _points_back(question) or _BARE_TOPIC.match(question)
        or len(terms(question)) <= 2
    )


def _noun_compounds(text: str, exclude: set[str]) -> list[str]:
    """Noun compounds of the text as written ("서류평가", not "서류" and "평가"), minus what the follow-up says."""
    spans: list[list[str]] = []
    end = -1
    for tok in kiwi().tokenize(text):
        if tok.tag not in _TOPIC_TAGS:
            end = -1
            continue
        if tok.start == end and spans:
            spans[-1].append(tok.form)
        else:
            spans.append([tok.form])
        end = tok.start + tok.len
    out: list[str] = []
    for span in spans:
        kept = [f for f in span if f.lower() not in exclude and f not in _GENERIC_NOUNS]
        form = "".join(kept)
        if len(form) >= 2 and form not in _GENERIC_NOUNS and form not in out:
            out.append(form)
    return out


def _rewrite(question: str, previous: str) -> str:
    if not is_follow_up(question):
        return question
    if any(e.kind == "name" for e in key_entities(question)):
        return question  # it names its own programme: nothing to carry
    carried = [e.text for e in key_entities(previous) if e.kind != "year"]
    own_terms = set(terms(question))
    named = {normalise(c) for c in carried}
    # The topic comes last before the predicate in Korean ("패스트트랙이 뭐예요?"), so the last nouns are kept.
    nouns = [n for n in _noun_compounds(previous, own_terms) if not any(normalise(n) in k for k in named)]
    carried += nouns[-2:] if not carried or _points_back(question) else nouns[-1:]
    if not carried:
        return question
    rest = _PRONOUN.sub(" ", _FOLLOW_UP.sub("", question)).strip()
    return " ".join(carried) + " " + rest


def standalone_question(question: str, history: list[tuple[str, str]]) -> str:
    """The question made to stand alone, using the founder's earlier questions in `history` (oldest first)."""
    previous: str | None = None
    for role, text in history:
        if role != "user":
            continue
        previous = text if previous is None else _rewrite(text, previous)
    if previous is None:
        return question
    return _rewrite(question, previous)
