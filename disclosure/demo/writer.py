"""The bulk path that writes the demo's records: one INSERT … SELECT FROM unnest(…) per
batch, computing the search vectors in the same statement."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from disclosure import search
from disclosure.demo.context import Context, RecordPlan
from disclosure.models import Record

BATCH_SIZE = 2000


def _texts(record: Record) -> tuple[str, str]:
    """What refresh_search indexes for a record without attachments: the documents of
    its title (weight A) and of its body's plain text (weight B)."""
    return search.document(record.title), search.document(search.plain_text(record.body))


_VECTOR_SQL = (
    "setweight(to_tsvector('simple', {t}), 'A') || setweight(to_tsvector('simple', {b}), 'B')"
)


def _search_vectors_set(records: Sequence[Record]) -> None:
    """One UPDATE for a batch already inserted, joined on id. The rows travel as three
    arrays rather than a VALUES list of 6,000 placeholders."""
    ids, titles, bodies = [], [], []
    for record in records:
        title, body = _texts(record)
        ids.append(record.pk)
        titles.append(title)
        bodies.append(body)
    vector = _VECTOR_SQL.format(t="v.t", b="v.b")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE disclosure_record AS r SET search_vector = {vector} "  # noqa: S608  # nosec B608
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, t, b) WHERE r.id = v.id",
            [ids, titles, bodies],
        )


def _unnest_fields() -> list | None:
    """The columns of disclosure_record that travel as arrays, as Django's own bulk
    insert on PostgreSQL sends them (UNNEST), or None when a column's type cannot."""
    fields = [
        f for f in Record._meta.concrete_fields if not f.primary_key and f.name != "search_vector"
    ]
    for f in fields:
        if (
            f.target_field if f.is_relation else f
        ).get_internal_type() not in connection.data_types:
            return None
    return fields


def _insert_with_vectors(records: Sequence[Record], fields: list) -> None:
    """INSERT … SELECT FROM unnest(…) with the search vector computed in the statement.

    bulk_create cannot use its UNNEST path on this table (the tsvector column is not an
    array-able type) and would leave the vectors to a second UPDATE, which rewrites every
    row and all a dozen of its indexes once more: together twice the time of this.
    The values are the fields' own database preparation (pre_save sets created_at and
    updated_at), so the rows are what bulk_create would write.
    """
    quote = connection.ops.quote_name
    names = [f"c{i}" for i in range(len(fields))]
    arrays = ", ".join(f"%s::{f.db_type(connection).split('(')[0]}[]" for f in fields)
    sql = (
        f"INSERT INTO {quote(Record._meta.db_table)} "  # noqa: S608 - names from the model  # nosec B608
        f"({', '.join(quote(f.column) for f in fields)}, search_vector) "
        f"SELECT {', '.join(names)}, {_VECTOR_SQL.format(t='v.t', b='v.b')} "
        f"FROM unnest({arrays}, %s::text[], %s::text[]) WITH ORDINALITY "
        f"AS v({', '.join(names)}, t, b, n) ORDER BY v.n RETURNING id"
    )
    params = [
        [f.get_db_prep_save(f.pre_save(r, True), connection) for r in records] for f in fields
    ]
    texts = [_texts(record) for record in records]
    params += [[title for title, _body in texts], [body for _title, body in texts]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for record, pk in zip(records, ids, strict=True):
        record.pk = pk
        record._state.adding, record._state.db = False, connection.alias


def records_write(ctx: Context, plans: Sequence[RecordPlan], *, unnest: bool = True) -> int:
    """Write the plans in batches, policies before the interpretations that point at
    them, each pass in order of publication (so ids follow time, as they would).

    One statement per batch inserts the rows with their search vectors; where the table
    has a column that cannot travel as an array (or with `unnest=False`), bulk_create
    and one UPDATE per batch do the same in about twice the time.
    """
    fields = _unnest_fields() if unnest else None
    written = 0
    for chained in (False, True):
        todo = sorted(
            (p for p in plans if (p.policy is not None) == chained), key=lambda p: p.published_at
        )
        for offset in range(0, len(todo), BATCH_SIZE):
            batch = todo[offset : offset + BATCH_SIZE]
            records = [_record(ctx, plan) for plan in batch]
            if fields is not None:
                _insert_with_vectors(records, fields)
            else:
                Record.objects.bulk_create(records)
                _search_vectors_set(records)
            for plan, record in zip(batch, records, strict=True):
                plan.record = record
            written += len(records)
    return written


def _record(ctx: Context, plan: RecordPlan) -> Record:
    unit, item = plan.unit, plan.item
    return Record(
        unit=unit,
        region_id=unit.region_id,
        unit_kind=unit.kind,
        item=item,
        kind=plan.kind,
        policy=plan.policy.record if plan.policy is not None else None,
        interpretation_form=plan.interpretation_form,
        title=plan.title,
        body=plan.body,
        document_number=plan.document_number,
        info_date=plan.info_date,
        period_start=plan.period_start,
        period_end=plan.period_end,
        scope=item.scope,
        status=plan.status,
        version=1,
        author_id=ctx.authors.get(unit.pk, ctx.fallback_author),
        submitted_at=plan.published_at,
        published_at=plan.published_at,
        withdrawn_at=plan.withdrawn_at,
        withdraw_reason=plan.withdraw_reason,
    )
