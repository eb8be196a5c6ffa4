"""Follow-up questions without an LLM: carry the topic of the previous question into a short follow-up
("창업도약패키지 신청 자격은?" then "그럼 신청 기간은?")."""

from __future__ import annotations

import re

from bot.knowledge.morphemes import kiwi, terms

_FOLLOW_UP = re.compile(
    r"^\s*(그럼|그러면|그렇다면|그건|그거|그것|거기|그곳|그\s|이건|저건|또|그리고|and\b|what about|how about|then\b|also\b)",
    re.IGNORECASE,
)
_TOPIC_TAGS = {"NNP", "NNG", "SL"}


def standalone_question(question: str, history: list[tuple[str, str]]) -> str:
    """The question, prefixed with the previous question's topic nouns when it reads as a follow-up."""
    previous = next((text for role, text in reversed(history) if role == "user"), None)
    if not previous:
        return question
    own_terms = terms(question)
    if not (_FOLLOW_UP.search(question) or len(own_terms) <= 2):
        return question
    own = set(own_terms)
    topic = []
    for tok in kiwi().tokenize(previous):
        if tok.tag in _TOPIC_TAGS and tok.form.lower() not in own and tok.form not in topic:
            topic.append(tok.form)
    if not topic:
        return question
    return " ".join(topic[:3]) + " " + _FOLLOW_UP.sub("", question).strip()
