"""Fixtures of the funds tests (the geography and personas come from tests/conftest.py):
the township's accounting centre with an accountant, 平岗社区's supervisory committee,
the collective of 平岗社区 with two registered members, and a resolved village decision."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from funds.models import Collective, Member, VillageAllocation
from participation.models import Decision, DecisionStatus
from portal import identity
from portal.demo.people import id_number_for
from portal.models import MembershipRole, Unit, UnitKind, User
from portal.services import people
from tests.factories import UnitFactory, UserFactory

# Two synthetic, well-formed ID numbers of members of 平岗社区's collective, and one of a
# person who is not a member.
MEMBER_ID = id_number_for("510118", dt.date(1968, 5, 17), 131)
SECOND_MEMBER_ID = id_number_for("510118", dt.date(1975, 9, 2), 244)
OUTSIDER_ID = id_number_for("510104", dt.date(1980, 3, 8), 517)


@dataclass
class Money:
    centre: Unit  # 新津区五津街道代理记账中心
    supervisory: Unit  # 平岗社区村务监督委员会
    accountant: User  # editor of the centre
    supervisory_member: User  # admin of the supervisory committee
    collective: Collective  # 平岗社区股份经济合作社
    members: list[Member]
    decision: Decision  # resolved: 平岗社区文化广场改造


@pytest.fixture
def money(geo, personas) -> Money:
    admin = personas.platform_admin
    centre = UnitFactory(
        name="新津区五津街道代理记账中心", kind=UnitKind.ACCOUNTING_CENTRE, region=geo.township
    )
    supervisory = UnitFactory(
        name="平岗社区居务监督委员会", kind=UnitKind.SUPERVISORY_COMMITTEE, region=geo.village
    )
    accountant = UserFactory(username="accountant", full_name="罗会计")
    people.membership_grant(user=accountant, unit=centre, role=MembershipRole.EDITOR, actor=admin)
    watcher = UserFactory(username="supervisory_member", full_name="邓监委")
    people.membership_grant(user=watcher, unit=supervisory, role=MembershipRole.ADMIN, actor=admin)
    collective = Collective.objects.create(
        region=geo.village,
        name="平岗社区股份经济合作社",
        centre=centre,
        opened_on=dt.date(2020, 1, 1),
    )
    members = [
        Member.objects.create(
            collective=collective,
            real_name=name,
            id_number_hash=identity.id_number_hash(number),
            id_number_masked=identity.mask_id_number(number),
            registered_on=dt.date(2020, 6, 30),
        )
        for name, number in (("王建国", MEMBER_ID), ("李淑芬", SECOND_MEMBER_ID))
    ]
    decision = Decision.objects.create(
        unit=geo.village_committee,
        region=geo.village,
        created_by=personas.village_official,
        title="平岗社区文化广场改造",
        matter="改造广场地面、照明和健身器材。",
        category="project",
        status=DecisionStatus.RESOLVED,
    )
    VillageAllocation.objects.create(
        region=geo.village, year=timezone.localdate().year, amount=300_000
    )
    for user in (accountant, watcher):
        user.refresh_from_db()
    return Money(
        centre=centre,
        supervisory=supervisory,
        accountant=accountant,
        supervisory_member=watcher,
        collective=collective,
        members=members,
        decision=decision,
    )
