from mailbox.models.letters import (
    EventKind,
    Letter,
    LetterAttachment,
    LetterEvent,
    LetterStatus,
    LetterType,
    Rating,
)
from mailbox.models.reminders import LetterReminder, ReminderKind

__all__ = [
    "EventKind",
    "Letter",
    "LetterAttachment",
    "LetterEvent",
    "LetterReminder",
    "LetterStatus",
    "LetterType",
    "Rating",
    "ReminderKind",
]
