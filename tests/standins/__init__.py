"""Stand-ins for the services the bot talks to, served over real HTTP on 127.0.0.1.

- `BotApiStandIn`: Telegram's Bot API (getUpdates/webhooks, messages, drafts, files, topics) plus the
  test-side users who write to the bot.
- `OpenAIStandIn`: an OpenAI-compatible API (chat completions with SSE streaming, embeddings, models).

Both run on their own thread, so synchronous clients called from the bot's event loop cannot deadlock them.
"""

from .bot_api import BotApiStandIn
from .openai_api import LlmRequest, OpenAIStandIn, grounded_echo
from .tg_format import EntityParseError, parse_html
from .tg_state import ApiCall, TgChat, TgUser
from .tg_updates import WebhookDelivery

__all__ = [
    "ApiCall",
    "BotApiStandIn",
    "EntityParseError",
    "LlmRequest",
    "OpenAIStandIn",
    "TgChat",
    "TgUser",
    "WebhookDelivery",
    "grounded_echo",
    "parse_html",
]
