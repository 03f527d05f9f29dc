"""Who reads the voucher log: the scoped list (funds.permissions.voucher_logs_visible)
gives, collective by collective, the answer can_read_voucher_log gives."""

import datetime as dt

import pytest

from funds import permissions
from funds.models import Collective
from portal.models import MembershipRole, UnitKind
from portal.services import people
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def collectives(geo, money) -> list[Collective]:
    other = Collective.objects.create(
        region=geo.other_village,
        name="和平社区股份经济合作社",
        centre=UnitFactory(
            name="锦江区春熙路街道代理记账中心",
            kind=UnitKind.ACCOUNTING_CENTRE,
            region=geo.other_township,
        ),
        opened_on=dt.date(2020, 1, 1),
    )
    return [money.collective, other]


def _people(personas, money, geo):
    other_committee = UnitFactory(
        name="和平社区居务监督委员会", kind=UnitKind.SUPERVISORY_COMMITTEE, region=geo.other_village
    )
    watcher = UserFactory(username="other_watcher")
    people.membership_grant(
        user=watcher,
        unit=other_committee,
        role=MembershipRole.EDITOR,
        actor=personas.platform_admin,
    )
    watcher.refresh_from_db()
    return {
        "supervisory_member": money.supervisory_member,
        "accountant": money.accountant,
        "other_watcher": watcher,
        **{name: getattr(personas, name) for name in vars(personas)},
    }


def test_the_list_scope_agrees_with_the_single_answer(geo, personas, money, collectives):
    for name, user in _people(personas, money, geo).items():
        visible = set(
            permissions.voucher_logs_visible(Collective.objects.all(), user).values_list(
                "pk", flat=True
            )
        )
        for collective in collectives:
            expected = permissions.can_read_voucher_log(user, collective)
            assert (collective.pk in visible) == expected, (name, collective.name)
        assert permissions.reads_voucher_logs(user) == bool(visible), name


def test_who_reads_which_log(geo, personas, money, collectives):
    ours, theirs = collectives
    everyone = _people(personas, money, geo)
    readers = {
        name for name, user in everyone.items() if permissions.can_read_voucher_log(user, ours)
    }
    assert readers == {
        "supervisory_member",
        "accountant",
        "township_official",
        "county_supervisor",
        "platform_admin",
    }
    assert permissions.can_read_voucher_log(everyone["other_watcher"], theirs)
    assert not permissions.can_read_voucher_log(everyone["other_watcher"], ours)
