"""The relational schema, one module per domain; importing this package registers every table on Base."""

from bot.storage.models.base import Base, utcnow
from bot.storage.models.conversations import ChatUser, ConversationTurn, QuestionLog
from bot.storage.models.knowledge import (
    KnowledgeChunk,
    KnowledgeDocument,
    KnowledgeState,
    KnowledgeVectorGC,
    KnowledgeVersion,
)

__all__ = [
    "Base", "utcnow", "ChatUser", "ConversationTurn", "QuestionLog", "KnowledgeChunk", "KnowledgeDocument",
    "KnowledgeState", "KnowledgeVectorGC", "KnowledgeVersion",
]
