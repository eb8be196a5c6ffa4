"""The relational schema, one module per domain; importing this package registers every table on Base."""

from bot.storage.models.base import Base, utcnow
from bot.storage.models.cafes import Cafe, CafeStaff
from bot.storage.models.consultations import ConsultationBooking, ConsultationSlot
from bot.storage.models.conversations import ChatUser, ConversationTurn, QuestionLog
from bot.storage.models.escalation import (
    ConversationState,
    Expert,
    MessageLink,
    OutboxItem,
    SeenUpdate,
    Ticket,
    TicketMessage,
)
from bot.storage.models.knowledge import (
    KnowledgeChunk,
    KnowledgeDocument,
    KnowledgeState,
    KnowledgeVectorGC,
    KnowledgeVersion,
    RemovedFile,
)
from bot.storage.models.staff import (
    Announcement,
    AnnouncementDelivery,
    ExpiryNotice,
    StaffMember,
    Subscription,
)
from bot.storage.models.staff_questions import StaffQuestion, StaffQuestionLink

__all__ = [
    "Base", "utcnow", "ChatUser", "ConversationTurn", "QuestionLog", "KnowledgeChunk", "KnowledgeDocument",
    "KnowledgeState", "KnowledgeVectorGC", "KnowledgeVersion", "RemovedFile",
    "Announcement", "AnnouncementDelivery", "ExpiryNotice", "StaffMember", "Subscription",
    "ConversationState", "Expert", "MessageLink", "OutboxItem", "SeenUpdate", "Ticket", "TicketMessage",
    "StaffQuestion", "StaffQuestionLink", "Cafe", "CafeStaff", "ConsultationSlot", "ConsultationBooking",
]
