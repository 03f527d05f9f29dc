"""The demo's citizen letters: about 3,000 letters written to the city's units between
2026-05-01 and 2026-11-27, most answered within a few working days, some rejected,
transferred, rated, reopened or still open, each with its handling steps.

They are written in bulk (`writer`), not through mailbox.services, which handle one
letter, one lock and one event at a time. The rows keep every rule the services keep:
deadlines from `mailbox.services.due_after` (and `letter_extend`'s rule), the clock not
restarting on transfer, region = the handling unit's place, first_unit = the unit written
to, codes from the services' alphabet, phone and content hashes as `letter_submit` makes
them, ID numbers only hashed and masked, events in order and never after now, their
actors the units' officials where the unit has any.

Everything is drawn from `random.Random(f"{seed}:letters")` over the units sorted by
place and name, so the same seed, units, calendar and `now` give the same letters.

The parts: `topics` (what people write about, and the answers), `texts` (the wording),
`context` (the city as the planner reads it: units, places, officials, working days,
deadlines), `plan` (who writes to whom about what, and when), `history` (each letter's
handling steps, cut at now), `writer` (the bulk INSERTs).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from mailbox.demo.context import FIRST_DAY, LAST_DAY, Context
from mailbox.demo.plan import LetterPlan, letters_plan
from mailbox.demo.texts import MARKER_SUBJECT
from mailbox.demo.writer import letters_write
from mailbox.models import Letter
from portal.demo.geography import DEFAULT_SEED, PINGGANG_CODE
from portal.models import AuditAction, Unit
from portal.services.audit import audit_record

DEMO_LETTER_COUNT = 3000

__all__ = [
    "DEMO_LETTER_COUNT",
    "FIRST_DAY",
    "LAST_DAY",
    "MARKER_SUBJECT",
    "Context",
    "DemoLetters",
    "LetterPlan",
    "demo_is_loaded",
    "demo_load",
    "letters_generate",
    "letters_plan",
    "letters_write",
]


@dataclass
class DemoLetters:
    letters_created: int
    events_created: int
    seconds: float


def demo_is_loaded() -> bool:
    """One indexed query: the marker letter exists exactly when the demo's letters do
    (they are written in one transaction)."""
    return Letter.objects.filter(region_id=PINGGANG_CODE, subject=MARKER_SUBJECT).exists()


def letters_generate(
    *,
    seed: int = DEFAULT_SEED,
    count: int = DEMO_LETTER_COUNT,
    units: list[Unit] | None = None,
    now: dt.datetime | None = None,
) -> list[LetterPlan]:
    """Plan and write `count` letters to `units` (default: every unit with a mailbox)."""
    ctx = Context(now=now or timezone.now(), units=units)
    plans = letters_plan(ctx, seed=seed, count=count)
    letters_write(plans)
    return plans


@transaction.atomic
def demo_load(
    *, seed: int = DEFAULT_SEED, count: int = DEMO_LETTER_COUNT, now: dt.datetime | None = None
) -> DemoLetters:
    """The demo's letters, unless they are there. Called by portal.demo.loader through
    settings.PORTAL_DEMO_LOADERS, after the places, units, logins and calendar."""
    started = time.monotonic()
    if demo_is_loaded():
        return DemoLetters(0, 0, time.monotonic() - started)
    if not Unit.objects.filter(region_id=PINGGANG_CODE, name="平岗社区居民委员会").exists():
        # Without it there is no marker, and every start would add the letters again.
        raise RuntimeError("平岗社区居民委员会 is missing: load the portal demo first.")
    ctx = Context(now=now or timezone.now())
    plans = letters_plan(ctx, seed=seed, count=count)
    letters, events = letters_write(plans)
    # One audit row for the batch: a row per letter would say nothing more.
    marker = Letter.objects.get(region_id=PINGGANG_CODE, subject=MARKER_SUBJECT)
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        obj=marker,
        changes={"letters": [0, letters]},
        note="演示数据：批量创建来信",
    )
    return DemoLetters(letters, events, time.monotonic() - started)
