"""Who acts on village money and who watches it (funds.permissions), allowed and outsider."""

import datetime as dt

import pytest
from django.utils import timezone

from funds import permissions
from funds.models import FundProject

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(geo, personas, money):
    return FundProject.objects.create(
        unit=geo.village_committee,
        region=geo.village,
        year=2026,
        name="平岗社区文化广场改造",
        category="culture",
        budget=180_000,
        decision=money.decision,
        stage_since=timezone.now() - dt.timedelta(days=3),
        created_by=personas.village_official,
    )


def test_the_village_runs_its_projects(personas, project, money):
    assert permissions.can_run_project(personas.village_official, project)
    assert not permissions.can_run_project(personas.township_official, project)
    assert not permissions.can_run_project(personas.other_county_official, project)
    assert not permissions.can_run_project(money.accountant, project)


def test_the_township_office_approves_accepts_and_closes(personas, project, money):
    assert permissions.can_supervise_project(personas.township_official, project)
    assert permissions.can_supervise_project(personas.platform_admin, project)
    assert not permissions.can_supervise_project(personas.village_official, project)
    assert not permissions.can_supervise_project(personas.other_county_official, project)
    # The accounting centre books money; it does not approve projects.
    assert not permissions.can_supervise_project(money.accountant, project)


def test_only_the_centre_books(personas, money):
    assert permissions.can_book(money.accountant, money.collective)
    assert not permissions.can_book(personas.village_official, money.collective)
    assert not permissions.can_book(personas.township_official, money.collective)


def test_who_watches_a_place(geo, personas, money):
    code = geo.village.code
    assert permissions.can_monitor(personas.county_supervisor, code)
    assert permissions.can_monitor(personas.township_official, code)  # 镇乡监管
    assert permissions.can_monitor(money.accountant, code)
    assert not permissions.can_monitor(personas.village_official, code)
    assert not permissions.can_monitor(personas.other_county_official, code)
    assert not permissions.can_monitor(personas.county_supervisor, geo.other_village.code)


def test_who_reads_the_voucher_log(personas, money):
    assert permissions.can_read_voucher_log(money.supervisory_member, money.collective)
    assert permissions.can_read_voucher_log(personas.township_official, money.collective)
    assert not permissions.can_read_voucher_log(personas.resident, money.collective)
    assert not permissions.can_read_voucher_log(personas.other_county_official, money.collective)
