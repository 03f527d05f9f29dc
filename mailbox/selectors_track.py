"""The writer's door: a letter is found only with both of its codes."""

from __future__ import annotations

from mailbox.models import Letter
from mailbox.permissions import codes_match


def letter_by_codes(tracking_code: str, query_code: str) -> Letter | None:
    letter = (
        Letter.objects.select_related("unit", "reply_unit")
        .prefetch_related("events__unit", "events__to_unit")
        .filter(tracking_code=(tracking_code or "").strip().upper())
        .first()
    )
    return letter if codes_match(letter, query_code) else None
