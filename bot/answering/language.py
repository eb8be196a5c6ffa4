"""Which language a text is in: the one rule for a founder's message, a question's retrieval settings and a
document's language, so an answer is never written in one language and retrieved as the other.

Imports nothing from the bot, so bot/knowledge may use it without an import cycle."""

from __future__ import annotations


def detect_language(text: str, default: str = "ko") -> str:
    """'ko' when the text has Hangul, 'en' when it is mostly Latin letters, else `default`."""
    # Jamo count as Hangul: "ㅋㅋ" is Korean. Letters of other scripts (Hanja in a Korean document) count for neither.
    hangul = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    # Latin letters outnumbering Hangul syllables three to one: an English sentence naming a Korean programme.
    if latin >= 2 and latin > 3 * hangul:
        return "en"
    if hangul:
        return "ko"
    return default


def is_korean(text: str) -> bool:
    """The text is Korean by `detect_language`; a text with neither script (digits, Japanese) is not."""
    return detect_language(text, default="en") == "ko"
