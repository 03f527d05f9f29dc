"""The demo's published records: about 40,000 pieces of information published across the
city between 2025-01-01 and 2026-11-20, under the standard catalogs.

They are written in bulk — Record objects built in Python, inserted 2,000 at a time by
one statement that also computes their search vectors (see `writer.records_write`) — not
through disclosure.services, which write one record, one audit row and one search
refresh at a time (minutes for a city).
The rows keep every invariant the services enforce: the unit's place and kind copied,
the item taken from the unit's current template, periods aligned with `period_bounds`,
the item's scope, publication on a working day in office hours, version 1.

Everything is drawn from generators seeded per unit (`random.Random(seed:unit)`), so the
same seed and the same units give the same records; the count is a parameter, so the
search benchmark (bench/search.py) builds a larger city from the same recipes.

After the records, the city government's gazette (政府公报): an issue a month, listing
the city-level policy documents of that month (`gazette`).

新津区 is the showcase county: its villages, township offices and schools publish every
periodic item for every month and quarter of the current year, most on time, so the
supervisors' dashboard shows a well-run county beside the sparser others (`coverage`).

The parts: `context` (the span, a record's plan, working days, the city), `texts`
(names, genres, titles), `subjects` (what policy documents regulate), `bodies`,
`planner` (one unit's records), `city` (the city's monthly policy documents),
`coverage` (新津区's year), `records` (the city's records: plan, trim, withdraw,
write), `writer` (the bulk INSERT), `gazette`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import transaction

from disclosure import catalogs
from disclosure.compliance import compliance_refresh
from disclosure.demo.context import (
    DEMO_RECORD_COUNT,
    FIRST_DAY,
    LAST_DAY,
    MARKER_TITLE,
    Context,
    RecordPlan,
    WorkingDays,
)
from disclosure.demo.gazette import DemoGazette, gazette_generate
from disclosure.demo.records import records_generate, records_plan
from disclosure.demo.writer import records_write
from disclosure.models import Record
from portal.demo.geography import DEFAULT_SEED, PINGGANG_CODE

__all__ = [
    "DEMO_RECORD_COUNT",
    "FIRST_DAY",
    "LAST_DAY",
    "MARKER_TITLE",
    "Context",
    "DemoRecords",
    "RecordPlan",
    "WorkingDays",
    "demo_is_loaded",
    "demo_load",
    "gazette_generate",
    "records_generate",
    "records_plan",
    "records_write",
]


@dataclass
class DemoRecords:
    # (key, version, item count, whether a new version was made) per template
    templates: list[tuple[str, int, int, bool]]
    records_created: int
    seconds: float
    gazette_issues_created: int = 0
    gazette_entries_created: int = 0


def demo_is_loaded() -> bool:
    """One indexed query: the marker record exists exactly when the demo's records do
    (they are written in one transaction)."""
    return Record.objects.filter(region_id=PINGGANG_CODE, title=MARKER_TITLE).exists()


@transaction.atomic
def demo_load(*, seed: int = DEFAULT_SEED, count: int | None = DEMO_RECORD_COUNT) -> DemoRecords:
    """Load the catalogs (a no-op for unchanged files) and, unless they are there, the
    demo's records and the gazette that lists the city's. Called by portal.demo.loader
    through settings.PORTAL_DEMO_LOADERS."""
    started = time.monotonic()
    loaded = catalogs.catalog_load_all(actor=None)
    templates = [(t.key, t.version, t.items.count(), created) for t, created in loaded]
    created, gazette = 0, DemoGazette()
    if not demo_is_loaded():
        created = len(records_generate(seed=seed, count=count))
        # In the records' transaction, so the marker stands for the gazette too.
        gazette = gazette_generate()
        # The supervisor pages read precomputed scores: fill them now rather than at the
        # first nightly run, so the demo's dashboards are not empty.
        compliance_refresh()
    seconds = time.monotonic() - started
    return DemoRecords(templates, created, seconds, gazette.issues_created, gazette.entries_created)
