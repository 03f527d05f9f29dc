"""The bulk path that writes the demo's letters: bulk_create for the letters, one
INSERT … SELECT FROM unnest(…) per batch for their events."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from mailbox.demo.plan import LetterPlan
from mailbox.models import Letter, LetterEvent

BATCH_SIZE = 1000
EVENT_BATCH_SIZE = 5000
_EVENT_FIELDS = ("letter", "kind", "at", "actor", "unit", "to_unit", "note", "due_at")


def _events_insert(rows: Sequence[tuple]) -> None:
    """LetterEvent.at is auto_now_add, so bulk_create would stamp every step with the
    moment of loading; the demo's steps carry their own times, hence plain SQL. The rows
    travel as one array per column and keep their order (ids follow time)."""
    fields = [LetterEvent._meta.get_field(name) for name in _EVENT_FIELDS]
    quote = connection.ops.quote_name
    names = [f"c{i}" for i in range(len(fields))]
    arrays = ", ".join(f"%s::{f.db_type(connection).split('(')[0]}[]" for f in fields)
    sql = (
        f"INSERT INTO {quote(LetterEvent._meta.db_table)} "  # noqa: S608 - names from the model  # nosec B608
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(names)} FROM unnest({arrays}) WITH ORDINALITY "
        f"AS v({', '.join(names)}, n) ORDER BY v.n"
    )
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), EVENT_BATCH_SIZE):
            batch = rows[offset : offset + EVENT_BATCH_SIZE]
            cursor.execute(sql, [list(column) for column in zip(*batch, strict=True)])


def letters_write(plans: Sequence[LetterPlan]) -> tuple[int, int]:
    """Insert the planned letters and their steps; returns (letters, events) written."""
    letters = [plan.letter for plan in plans]
    Letter.objects.bulk_create(letters, batch_size=BATCH_SIZE)
    rows = [
        (plan.letter.pk, e.kind, e.at, e.actor, e.unit, e.to_unit, e.note, e.due_at)
        for plan in plans
        for e in plan.events
    ]
    _events_insert(rows)
    return len(letters), len(rows)
