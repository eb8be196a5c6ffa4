"""Which language a founder wrote in."""

from __future__ import annotations


def detect_language(text: str, default: str = "ko") -> str:
    """'ko' when the text has Hangul, 'en' when it is mostly Latin letters, else `default`."""
    hangul = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    # Latin letters outnumbering Hangul syllables three to one: an English sentence naming a Korean programme.
    if latin >= 2 and latin > 3 * hangul:
        return "en"
    if hangul:
        return "ko"
    return default
