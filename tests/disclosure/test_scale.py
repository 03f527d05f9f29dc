"""disclosure.scale: the published records of seed_scale, on the village slice's base at
a tiny volume (the base loaded once for the module, in a transaction rolled back)."""

import datetime as dt
import random

import pytest
from django.db import connection, transaction
from django.utils import timezone

from disclosure import catalogs, search, services
from disclosure.demo.context import Context
from disclosure.models import CatalogItem, Record, RecordKind, RecordStatus, ScheduleKind
from disclosure.models.catalog import PERIODIC
from disclosure.scale import bodies, plan_records, scale_load, writer
from portal.models import Unit, User
from portal.richtext import sanitize
from portal.scale import Preset, ScaleContext
from portal.scale.base import base_load
from portal.workdays import working_days

SEED = 2026
TODAY = dt.date(2026, 11, 30)
TINY = Preset("tiny", 0.0004, "测试：800条")


def context(seed: int = SEED) -> ScaleContext:
    return ScaleContext(preset=TINY, seed=seed, today=TODAY)


def record_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'disclosure_record'"
            " UNION ALL SELECT conname FROM pg_constraint"
            " WHERE conrelid = 'disclosure_record'::regclass"
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        base_load("village", seed=SEED)
        before = record_indexes()
        ctx = context()
        counts = scale_load(ctx)
        yield ctx, counts, before
        transaction.set_rollback(True)


@pytest.fixture
def scale(loaded, db):
    return loaded


def all_records():
    return Record.objects.select_related("unit__region", "item", "policy").order_by("pk")


def test_the_count_and_the_mix(scale):
    ctx, counts, _before = scale
    assert counts["records"] == Record.objects.count() == ctx.count("records") == 800
    statuses = set(Record.objects.values_list("status", flat=True))
    assert statuses == {RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN}
    assert counts["records_withdrawn"] == Record.objects.filter(status="withdrawn").count()
    assert Record.objects.filter(kind=RecordKind.POLICY).count() == counts["record_policies"] > 0
    assert Record.objects.filter(kind=RecordKind.INTERPRETATION).exists()
    # Restricted scopes exist for the audience tests to hide (school parents and staff).
    assert Record.objects.exclude(scope="public").exists()
    kinds = set(Record.objects.values_list("unit_kind", flat=True))
    assert {"village_committee", "township_office", "department", "school"} <= kinds


def test_indexes_and_keys_are_all_back(scale):
    _ctx, _counts, before = scale
    assert record_indexes() == before
    assert "record_search" in before


def test_every_row_is_one_the_services_could_have_written(scale):
    ctx, _counts, _before = scale
    templates = catalogs.current_templates()
    workdays = set(working_days(ctx.first_day, ctx.today))
    records = list(all_records())
    previous = None
    for record in records:
        unit, item = record.unit, record.item
        where = f"{record.pk} {record.title}"
        assert (record.region_id, record.unit_kind) == (unit.region_id, unit.kind), where
        template = catalogs.template_for(unit.kind, unit.sector, unit.region.tier, templates)
        assert item.template_id == template.pk, where
        assert record.scope == item.scope, where
        assert record.scope in services.SCOPES_BY_UNIT_KIND.get(unit.kind, {"public"}), where
        if item.schedule_kind in PERIODIC:
            bounds = services.period_bounds(item.schedule_kind, record.period_start)
            assert (record.period_start, record.period_end) == bounds, where
            assert services._period_starts_ok(item.schedule_kind, record.period_start), where
        else:
            assert record.period_start is record.period_end is None, where
        published = timezone.localtime(record.published_at)
        assert ctx.first_day <= published.date() <= ctx.today, where
        assert published.date() in workdays, where
        assert 9 <= published.hour < 18 and not 12 <= published.hour < 14, where
        assert record.info_date <= published.date(), where
        assert record.created_at < record.submitted_at == record.published_at, where
        if record.status == RecordStatus.WITHDRAWN:
            assert record.withdrawn_at > record.published_at, where
            assert record.updated_at == record.withdrawn_at, where
        else:
            assert record.withdrawn_at is None and not record.withdraw_reason, where
            assert record.updated_at == record.published_at, where
        if record.kind in (RecordKind.INTERPRETATION, RecordKind.RESPONSE):
            assert record.policy.kind == RecordKind.POLICY, where
            assert record.policy.unit_id == unit.pk, where
            assert record.policy.published_at <= record.published_at, where
        assert record.version == 1 and record.reviewer_id is None, where
        assert sanitize(record.body) == record.body, where
        # Ids follow publication.
        if previous is not None:
            assert previous.published_at <= record.published_at, where
        previous = record


def test_the_vectors_are_the_ones_the_app_computes(scale):
    admin = User.objects.get(username="admin")
    records = list(all_records())
    genres = set()
    for record in random.Random(1).sample(records, 120):  # noqa: S311
        assert services.creation_errors(record, admin) == {}, record.title
        stored = record.search_vector
        services.refresh_search(record)
        assert Record.objects.get(pk=record.pk).search_vector == stored, record.title
        assert bodies.plain_text(record.body) == search.plain_text(record.body)
        genres.add(record.body[:12])
    assert len(genres) > 5


def test_the_bulk_helpers_say_what_the_search_module_says(scale):
    lexicon = bodies.Lexicon()
    samples = list(Record.objects.order_by("pk").values_list("title", "body")[::13])
    with connection.cursor() as cursor:
        for title, body in samples:
            text = search.plain_text(body)
            assert search.lexemes(text) == search.document(text).split()
            assert lexicon(text) == lexicon.of_html(body) == search.lexemes(text)
            words = search.lexemes(title)
            literal = (
                search.vector_literal(words, "A")
                + " "
                + search.vector_literal(search.lexemes(text), "B", len(words) + 1)
            )
            cursor.execute(
                "SELECT setweight(to_tsvector('simple', %s), 'A')"
                " || setweight(to_tsvector('simple', %s), 'B') = %s::tsvector",
                [search.document(title), search.document(text), literal],
            )
            assert cursor.fetchone() == (True,), title


def test_search_finds_the_subsistence_lists(scale):
    found = search.search(Record.objects.filter(status="published"), "低保")
    titles = list(found.values_list("title", flat=True)[:200])
    assert titles and any("低保" in title for title in titles)
    phrase = search.search(Record.objects.all(), "最低生活保障")
    assert phrase.exists()
    for record in phrase[:20]:
        assert "最低生活保障" in record.title + search.plain_text(record.body)


def test_the_same_seed_writes_the_same_records(scale):
    fields = ("unit_id", "item_id", "title", "body", "published_at", "status", "search_vector")
    first = list(all_records().values_list(*fields))
    scale_load(context())
    again = list(all_records().values_list(*fields))[len(first) :]
    assert again == first
    other = plan_records(
        context(seed=SEED + 1),
        Context.load(
            fallback_author=context().users["admin"], first_day=context().first_day, last_day=TODAY
        ),
        800,
    )
    assert sorted(plan.title for plan in other) != sorted(title for _u, _i, title, *_ in first)


def test_two_renderers_write_what_one_process_writes(scale):
    ctx = context()
    demo = Context.load(fallback_author=ctx.users["admin"], first_day=ctx.first_day, last_day=TODAY)
    plans, _ids = writer.sort_and_number(plan_records(ctx, demo, 400))
    fields = ("title", "body", "search_vector", "published_at", "status", "unit_id", "item_id")

    def written(workers):
        with transaction.atomic():
            ids = writer.sort_and_number(plans)[1]
            variants = writer.load(demo, plans, ids, seed=SEED, workers=workers, size=90)
            rows = [
                (*row, policy and policy - ids[0])
                for *row, policy in Record.objects.filter(pk__in=ids)
                .order_by("pk")
                .values_list(*fields, "policy_id")
            ]
            transaction.set_rollback(True)
        return variants, rows

    alone, forked = written(0), written(2)
    assert forked == alone
    # 400 planned, plus the interpretations of the policies among them.
    assert len(alone[1]) == len(plans) >= 400 and any(policy for *_row, policy in alone[1])


def test_the_pages_render(scale, client):
    village = Unit.objects.get(region_id="510118001001", kind="village_committee")
    record = (
        Record.objects.filter(unit=village, status="published").first()
        or Record.objects.filter(status="published").first()
    )
    withdrawn = Record.objects.filter(status="withdrawn").first()
    interpretation = Record.objects.filter(kind=RecordKind.INTERPRETATION).first()
    item = CatalogItem.objects.filter(
        records__isnull=False, schedule_kind=ScheduleKind.QUARTERLY
    ).first()
    for url in (
        f"/units/{village.pk}/",
        f"/records/{record.pk}/",
        f"/records/{withdrawn.pk}/",
        f"/records/{interpretation.pk}/",
        "/regions/510100000000/",
        "/records/?region=510100000000&page=2",
        f"/catalog-items/{item.pk}/?region=510118000000",
        "/search/?q=低保",
    ):
        assert client.get(url).status_code == 200, url
