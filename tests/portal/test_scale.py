"""manage.py seed_scale: the village preset end to end on the test database."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosure.models import Record
from funds.models import FundProject, LedgerEntry
from mailbox.models import Letter
from portal.management.commands.seed_scale import database_comment
from portal.models import Region, Unit
from portal.scale import PRESETS, VOLUMES, ScaleContext

pytestmark = pytest.mark.django_db(transaction=True)


def test_village_preset_builds_its_share_of_everything_and_says_so(client):
    call_command("seed_scale", "--preset", "village", "--seed", "2026", "--today", "2026-11-30")

    # The slice: one county, three townships, 42 villages; its units keep the city's names.
    assert Region.objects.filter(tier="county").count() == 1
    assert Region.objects.filter(tier="township").count() == 3
    assert Region.objects.filter(tier="village").count() == 42
    assert Unit.objects.filter(region_id="510118001001", name="平岗社区居民委员会").exists()

    record = database_comment()
    assert record["preset"] == "village" and record["seed"] == 2026
    assert record["today"] == "2026-11-30"
    assert record["bytes"] > 0 and record["seconds"] > 0
    ctx = ScaleContext(preset=PRESETS["village"], seed=2026, today=None)
    assert record["counts"]["records"] == ctx.count("records")
    # Fund stages, statements and annual reports publish records of their own on top.
    assert Record.objects.count() >= ctx.count("records")
    assert ctx.count("records") == VOLUMES["records"] // 100
    assert Letter.objects.count() == ctx.count("letters")
    assert FundProject.objects.count() == ctx.count("fund_projects")
    assert LedgerEntry.objects.count() >= ctx.count("ledger_entries")

    # The pages the benchmark drives answer, with a fixed number of queries.
    response = client.get("/records/", {"region": "510100000000"})
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as first:
        client.get("/records/", {"region": "510100000000", "page": 2})
    with CaptureQueriesContext(connection) as later:
        client.get("/records/", {"region": "510100000000", "page": 100})
    assert len(first) == len(later)

    # A second run would mix two data sets: it is refused, and the first run's record stays.
    with pytest.raises(CommandError, match="数据库不是空的"):
        call_command("seed_scale", "--preset", "village")
    assert database_comment()["today"] == "2026-11-30"
