"""Writing two million records fast: the bulk path of disclosure.scale.

The table's secondary indexes and foreign keys are dropped for the load and made again
after it, in the loader's transaction (one index build beats two million index
insertions, and one validating join beats eight million key checks).

The rows go in chunks. Forked processes render them — titles, the per-record head and
tail of each body, their search vectors as tsvector literals (disclosure.search.
vector_literal) — while this process feeds PostgreSQL: each chunk is COPYed into a
temporary staging table and moved into disclosure_record by one INSERT … SELECT that
joins the body's middle (bodies.VariantPool, its vector computed once per variant) and
concatenates the vectors: title A and head B, middle B, tail B. `||` moves each right
operand's positions past the left one's, so the result is exactly the vector that
disclosure.search computes for the whole title and body (the tests compare them).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from disclosure import search
from disclosure.demo.context import Context, RecordPlan
from disclosure.models import Record, RecordKind
from disclosure.scale import bodies
from portal.scale import reserve_ids, table

CHUNK = 25_000
# Processes rendering chunks while this one feeds PostgreSQL: the machine has two cores,
# and a renderer is slower than PostgreSQL's insert of what it renders.
RENDERERS = 2
# For the index builds (GIN above all: it gathers its entries in memory before writing).
BUILD_MEMORY = "1GB"

# The staging table: the record's own columns as COPY sends them, then the variant of
# the body's middle and the per-record pieces of the body and of its search documents.
RECORD_COLUMNS = (
    ("id", "bigint"),
    ("unit_id", "bigint"),
    ("region_id", "varchar(12)"),
    ("unit_kind", "varchar(32)"),
    ("item_id", "bigint"),
    ("kind", "varchar(16)"),
    ("policy_id", "bigint"),
    ("interpretation_form", "varchar(16)"),
    ("title", "varchar(200)"),
    ("document_number", "varchar(60)"),
    ("info_date", "date"),
    ("period_start", "date"),
    ("period_end", "date"),
    ("scope", "varchar(16)"),
    ("status", "varchar(16)"),
    ("author_id", "bigint"),
    ("created_at", "timestamptz"),
    ("submitted_at", "timestamptz"),
    ("published_at", "timestamptz"),
    ("withdrawn_at", "timestamptz"),
    ("withdraw_reason", "varchar(300)"),
    ("updated_at", "timestamptz"),
)
PIECE_COLUMNS = (
    ("variant_id", "bigint"),
    ("head", "text"),
    ("tail", "text"),
    # The vector of the title (A) and the head (B), positions from 1; of the tail (B),
    # positions from 1 too: `||` moves them after the middle's.
    ("lead", "tsvector"),
    ("tail_vector", "tsvector"),
)
# What the services leave at its default on a record that was never edited or reviewed.
CONSTANTS = {"video_url": "''", "version": "1", "review_note": "''"}
STAGING = "scale_record_staging"
VARIANTS = "scale_record_variant"


def _insert_sql() -> str:
    own = [name for name, _type in RECORD_COLUMNS]
    columns = [*own, *CONSTANTS, "body", "search_vector"]
    values = [
        *(f"s.{name}" for name in own),
        *CONSTANTS.values(),
        "s.head || v.html || s.tail",
        "s.lead || v.vector || s.tail_vector",
    ]
    return (
        f"INSERT INTO {table(Record)} ({', '.join(columns)}) "  # noqa: S608 - our names  # nosec B608
        f"SELECT {', '.join(values)} FROM {STAGING} s JOIN {VARIANTS} v ON v.id = s.variant_id"
    )


# --- indexes and keys ------------------------------------------------------------------


@dataclass
class Dropped:
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX statement)
    keys: list[tuple[str, str]]  # (name, constraint definition)


def drop_indexes_and_keys() -> Dropped:
    """Drop disclosure_record's secondary indexes and its own foreign keys (the primary
    key stays: other tables' keys rest on it), remembering how to make them again."""
    name = Record._meta.db_table
    # Keys still waiting to be checked (rows written earlier in this transaction, as in
    # tests) would forbid the ALTER TABLE: check them now, then defer again.
    connection.check_constraints()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [name],
        )
        keys = list(cursor.fetchall())
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
            " ORDER BY i.relname",
            [name],
        )
        indexes = list(cursor.fetchall())
        for key, _definition in keys:
            cursor.execute(f"ALTER TABLE {table(Record)} DROP CONSTRAINT {quote(key)}")
        for index, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(index)}")
    return Dropped(indexes=indexes, keys=keys)


def restore_indexes_and_keys(dropped: Dropped) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = %s", [BUILD_MEMORY])
        for _index, definition in dropped.indexes:
            cursor.execute(definition)
        for key, definition in dropped.keys:
            cursor.execute(f"ALTER TABLE {table(Record)} ADD CONSTRAINT {quote(key)} {definition}")


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


# --- the rows --------------------------------------------------------------------------


def sort_and_number(plans: list[RecordPlan]) -> tuple[list[RecordPlan], range]:
    """The plans in order of publication (a policy before what points at it) and the ids
    they take: ids follow time, as they would on the platform."""
    ordered = sorted(plans, key=lambda plan: (plan.published_at, plan.policy is not None))
    return ordered, reserve_ids(Record, len(ordered))


def _created_at(plan: RecordPlan) -> dt.datetime:
    # Drafted shortly before it went out (the demo's rows publish on submission).
    return plan.published_at - dt.timedelta(minutes=5 + (plan.body_seed >> 12) % 115)


# COPY's text format: tab between fields, \N for NULL, backslash escapes in text.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


def _day(value: dt.date | dt.datetime | None) -> str:
    return _NULL if value is None else value.isoformat()


@dataclass
class Chunk:
    """A chunk rendered: the COPY text of its staging rows and the body middles it is
    the first to use."""

    number: int
    data: bytes
    variants: list[bodies.Variant]


def render(
    ctx: Context,
    plans: Sequence[RecordPlan],
    ids: Sequence[int],
    policy_ids: dict[int, int],
    pool: bodies.VariantPool,
    lexicon: bodies.Lexicon,
) -> bytes:
    """The staging rows of these plans (RECORD_COLUMNS, then PIECE_COLUMNS) as COPY text."""
    lines = []
    for plan, pk in zip(plans, ids, strict=True):
        unit, item = plan.unit, plan.item
        parts = bodies.parts_for(ctx, plan)
        variant = 0
        if parts.middle is not None:
            variant = pool.pick(parts.middle, plan.body_seed // 7).id
        title = lexicon(plan.title)
        policy = policy_ids[id(plan.policy)] if plan.policy is not None else None
        lead = (
            search.vector_literal(title, "A")
            + " "
            + search.vector_literal(lexicon.of_html(parts.head), "B", len(title) + 1)
        )
        published = plan.published_at.isoformat()
        lines.append(
            "\t".join(
                (
                    str(pk),
                    str(unit.pk),
                    unit.region_id,
                    unit.kind,
                    str(item.pk),
                    plan.kind,
                    _NULL if policy is None else str(policy),
                    plan.interpretation_form,
                    _text(plan.title),
                    _text(plan.document_number),
                    plan.info_date.isoformat(),
                    _day(plan.period_start),
                    _day(plan.period_end),
                    item.scope,
                    plan.status,
                    str(ctx.authors.get(unit.pk, ctx.fallback_author)),
                    _created_at(plan).isoformat(),
                    published,
                    published,
                    _day(plan.withdrawn_at),
                    _text(plan.withdraw_reason),
                    _day(plan.withdrawn_at) if plan.withdrawn_at else published,
                    str(variant),
                    _text(parts.head),
                    _text(parts.tail),
                    lead,
                    search.vector_literal(lexicon.of_html(parts.tail), "B"),
                )
            )
        )
    lines.append("")
    return "\n".join(lines).encode()


# --- the load --------------------------------------------------------------------------


def _setup() -> None:
    staging = ", ".join(f"{name} {kind}" for name, kind in (*RECORD_COLUMNS, *PIECE_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGING} ({staging}) ON COMMIT DROP")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {VARIANTS} (id bigint PRIMARY KEY, html text NOT NULL,"
            " vector tsvector NOT NULL) ON COMMIT DROP"
        )
        cursor.execute(f"INSERT INTO {VARIANTS} VALUES (0, '', ''::tsvector)")  # noqa: S608  # nosec B608
        # Bodies and vectors over 2 kB are compressed: lz4 where the server has it is
        # several times cheaper than pglz (and reads back the same).
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        (lz4,) = cursor.fetchone() or (False,)
        if lz4:
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")


def _send(chunk: Chunk) -> None:
    names = ", ".join(name for name, _type in (*RECORD_COLUMNS, *PIECE_COLUMNS))
    with connection.cursor() as cursor:
        if chunk.variants:
            # Another renderer may have made the same variant for an earlier chunk.
            cursor.execute(
                f"INSERT INTO {VARIANTS} (id, html, vector) "  # noqa: S608 - our names  # nosec B608
                "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::tsvector[])"
                " ON CONFLICT (id) DO NOTHING",
                [
                    [v.id for v in chunk.variants],
                    [v.html for v in chunk.variants],
                    [v.vector for v in chunk.variants],
                ],
            )
        with cursor.cursor.copy(f"COPY {STAGING} ({names}) FROM STDIN") as copy:
            copy.write(chunk.data)
        cursor.execute(_insert_sql())
        cursor.execute(f"TRUNCATE {STAGING}")


def _policy_ids(plans: Sequence[RecordPlan], ids: Sequence[int]) -> dict[int, int]:
    return {id(p): pk for p, pk in zip(plans, ids, strict=True) if p.kind == RecordKind.POLICY}


def _chunks(
    ctx: Context,
    plans: Sequence[RecordPlan],
    ids: Sequence[int],
    policy_ids: dict[int, int],
    *,
    seed: int,
    numbers: Iterable[int],
    size: int,
) -> Iterator[Chunk]:
    pool, lexicon = bodies.VariantPool(seed=seed), bodies.Lexicon()
    for number in numbers:
        window = slice(number * size, (number + 1) * size)
        data = render(ctx, plans[window], ids[window], policy_ids, pool, lexicon)
        fresh, pool.fresh = pool.fresh, []
        yield Chunk(number, data, fresh)


def _renderer(
    channel: Any,
    ctx: Context,
    plans: Sequence[RecordPlan],
    ids: Sequence[int],
    policy_ids: dict[int, int],
    seed: int,
    numbers: range,
    size: int,
) -> None:
    """A forked process: renders its chunks and hands them over one by one."""
    try:
        for chunk in _chunks(ctx, plans, ids, policy_ids, seed=seed, numbers=numbers, size=size):
            channel.put(chunk)
    except BaseException as exc:  # the parent raises it
        channel.put(RuntimeError(f"rendering records failed: {exc!r}"))
        raise


def load(
    ctx: Context,
    plans: Sequence[RecordPlan],
    ids: Sequence[int],
    *,
    seed: int,
    workers: int = RENDERERS,
    size: int = CHUNK,
) -> int:
    """Write the plans (in id order) with the ids given; returns the number of distinct
    body middles. With `workers`, as many forked processes render the chunks in turn
    while this one feeds PostgreSQL (the machine's other core); with 0, this process
    renders them itself between inserts."""
    _setup()
    policy_ids = _policy_ids(plans, ids)
    count = -(-len(plans) // size)
    workers = min(workers, count) if _can_fork() else 0
    if not workers:
        for chunk in _chunks(
            ctx, plans, ids, policy_ids, seed=seed, numbers=range(count), size=size
        ):
            _send(chunk)
    else:
        context = multiprocessing.get_context("fork")
        channels = [context.Queue(maxsize=1) for _ in range(workers)]
        processes = [
            context.Process(
                target=_renderer,
                args=(
                    channels[n],
                    ctx,
                    plans,
                    ids,
                    policy_ids,
                    seed,
                    range(n, count, workers),
                    size,
                ),
                name=f"scale-records-{n}",
                daemon=True,
            )
            for n in range(workers)
        ]
        for process in processes:
            process.start()
        try:
            for number in range(count):
                chunk = channels[number % workers].get()
                if isinstance(chunk, BaseException):
                    raise chunk
                _send(chunk)
            for process in processes:
                process.join()
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()
                    process.join()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) - 1 FROM {VARIANTS}")  # noqa: S608  # nosec B608
        (variants,) = cursor.fetchone()
        # Dropped at commit anyway; now, so a second load in one transaction (tests) works.
        cursor.execute(f"DROP TABLE {STAGING}, {VARIANTS}")
    return variants


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
