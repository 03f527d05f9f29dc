from mailbox.models.letters import (
    EventKind,
    Letter,
    LetterAttachment,
    LetterEvent,
    LetterStatus,
    LetterType,
    Rating,
)

__all__ = [
    "EventKind",
    "Letter",
    "LetterAttachment",
    "LetterEvent",
    "LetterStatus",
    "LetterType",
    "Rating",
]
