"""Platform-scale data for benchmarks: `manage.py seed_scale --preset chengdu|village`.

The base (places, units, demo logins, the working-day calendar, the standard catalogs)
is the demo's own, for the whole city or, for the village preset, a 1/100 slice of it.
On top of it each app's scale loader (settings.PORTAL_SCALE_LOADERS, each a function
`scale_load(ctx: ScaleContext) -> dict[str, int]`) writes its volume of rows through
the bulk paths here: COPY for the big tables, ids reserved from the sequences so that
children can point at parents written in the same pass.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import Model
from django.utils import timezone

logger = logging.getLogger(__name__)

# The full city's volumes (issue 9); a preset takes a fraction of each.
VOLUMES: dict[str, int] = {
    "records": 2_000_000,  # published records over five years
    "fund_projects": 165_000,
    "ledger_entries": 1_000_000,
    "letters": 100_000,
    "ballots_evaluations": 300_000,  # ballots cast plus evaluation answers
    "info_requests": 50_000,
}
YEARS = 5  # the records span this many years, up to `today`


@dataclass(frozen=True)
class Preset:
    name: str
    factor: float  # of VOLUMES
    description: str


PRESETS: dict[str, Preset] = {
    "chengdu": Preset(
        "chengdu", 1.0, "全市：20个区（市）县、约260个乡镇（街道）、约4000个村（社区）"
    ),
    "village": Preset("village", 0.01, "百分之一：新津区的3个街道（镇）及其约40个村（社区）"),
}


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    kind: str
    sector: str
    region_id: str
    parent_unit_id: int | None
    tier: str  # of its region: city, county, township, village


@dataclass
class ScaleContext:
    """What every scale loader gets: the preset, the seed, the day the data ends, and
    the base rows (units, regions, users) read once."""

    preset: Preset
    seed: int
    today: dt.date
    timings: dict[str, float] = field(default_factory=dict)

    def count(self, key: str) -> int:
        return max(1, round(VOLUMES[key] * self.preset.factor))

    def rng(self, name: str) -> random.Random:
        """A generator of its own per purpose: adding draws in one loader does not move
        another loader's data."""
        return random.Random(f"{self.seed}:scale:{name}")  # noqa: S311 - fake data, not secrets

    @property
    def now(self) -> dt.datetime:
        """The cut-off of the data: midnight at the start of `today`, in the site's zone."""
        return dt.datetime.combine(self.today, dt.time(), tzinfo=timezone.get_default_timezone())

    @property
    def first_day(self) -> dt.date:
        return self.today.replace(year=self.today.year - YEARS) + dt.timedelta(days=1)

    @cached_property
    def units(self) -> list[UnitRow]:
        from portal.models import Unit

        return [
            UnitRow(*row)
            for row in Unit.objects.order_by("pk").values_list(
                "pk", "name", "kind", "sector", "region_id", "parent_unit_id", "region__tier"
            )
        ]

    def units_of_kind(self, *kinds: str) -> list[UnitRow]:
        return [unit for unit in self.units if unit.kind in kinds]

    @cached_property
    def regions(self) -> dict[str, tuple[str, str, str | None]]:
        """code → (name, tier, parent code)."""
        from portal.models import Region

        return {
            code: (name, tier, parent)
            for code, name, tier, parent in Region.objects.values_list(
                "code", "name", "tier", "parent_id"
            )
        }

    @cached_property
    def users(self) -> dict[str, int]:
        """username → id of the demo logins."""
        from portal.models import User

        return dict(User.objects.values_list("username", "pk"))


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def reserve_ids(model: type[Model], count: int) -> range:
    """`count` consecutive primary keys that no other insert will take: the model's
    sequence is moved past them in one statement (under a lock, so the range is ours)."""
    if count <= 0:
        return range(0)
    name = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table(model)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [name, pk])
        (sequence,) = cursor.fetchone()
        # Identifiers from our own models and pg_get_serial_sequence, never from input.
        cursor.execute(
            f"SELECT setval(%s, GREATEST((SELECT last_value FROM {sequence}),"  # noqa: S608  # nosec B608
            f" (SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM {table(model)}))"
            " + %s)",
            [sequence, count],
        )
        (last,) = cursor.fetchone()
    return range(last - count + 1, last + 1)


def copy_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """COPY rows into the model's table; `columns` are database column names (a foreign
    key's is `unit_id`). Values go as Python objects (dates, datetimes, dicts for jsonb
    need `psycopg.types.json.Jsonb`). Returns the number of rows written."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table(model)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def analyze(*models: type[Model]) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {table(model)}")


def _definitions(name: str, unique: bool) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(foreign keys, and unique constraints if asked, as (name, definition)), (the other
    indexes as (name, CREATE INDEX statement)) of a table; the primary key stays."""
    kinds = ["f", "u"] if unique else ["f"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = ANY(%s) ORDER BY conname",
            [name, kinds],
        )
        constraints = list(cursor.fetchall())
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"
            " ORDER BY i.relname",
            [name],
        )
        indexes = list(cursor.fetchall())
    return constraints, indexes


def _timed(cursor, sql: str) -> None:
    started = time.monotonic()
    cursor.execute(sql)
    logger.debug("%.1f s %s", time.monotonic() - started, sql[:120])


# Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, and PostgreSQL will not alter a
# table while checks are queued in the transaction: run the queued ones now.
_FLUSH_CHECKS = "SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED"


@contextmanager
def set_aside(*models: type[Model], unique: bool = False) -> Iterator[None]:
    """Write the models' tables without their foreign keys (and unique constraints, with
    `unique`) and secondary indexes, then put them back as they were: same names, the
    definitions PostgreSQL gives (pg_get_constraintdef, pg_get_indexdef), each foreign key
    validated again as it is added. One sort per index and one join per key, instead of an
    index insert and a queued check per row (13 s at commit for the letters alone). Runs in
    the caller's transaction: if anything fails, none of it is left behind."""
    quote = connection.ops.quote_name
    saved = {model: _definitions(model._meta.db_table, unique) for model in models}
    with connection.cursor() as cursor:
        cursor.execute(_FLUSH_CHECKS)
        for model, (constraints, indexes) in saved.items():
            for name, _definition in constraints:
                _timed(cursor, f"ALTER TABLE {table(model)} DROP CONSTRAINT {quote(name)}")
            for name, _statement in indexes:
                _timed(cursor, f"DROP INDEX {quote(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute(_FLUSH_CHECKS)
        for model, (constraints, indexes) in saved.items():
            for _name, statement in indexes:
                _timed(cursor, statement)
            # Unique constraints first: a foreign key may need the index one builds.
            for name, definition in sorted(constraints, key=lambda c: "FOREIGN" in c[1]):
                _timed(
                    cursor, f"ALTER TABLE {table(model)} ADD CONSTRAINT {quote(name)} {definition}"
                )
