"""Fixtures of the participation tests (the geography and personas come from
tests/conftest.py): more verified residents of 平岗社区, and a representatives' meeting."""

import datetime as dt
from dataclasses import dataclass

import pytest

from participation.models import BodyKind, BodyMember, VotingBody
from portal import identity
from portal.demo.people import id_number_for
from portal.models import Residency, ResidencyStatus, User
from tests.factories import UserFactory


def make_resident(region, username, full_name, *, household_head=False, sequence=1):
    """A verified resident of `region` with a well-formed, synthetic ID number."""
    user = UserFactory(username=username, full_name=full_name)
    number = id_number_for(region.code[:6], dt.date(1970, 1, 1) + dt.timedelta(days=sequence), 1)
    Residency.objects.create(
        user=user,
        region=region,
        real_name=full_name,
        id_number_hash=identity.id_number_hash(number),
        id_number_masked=identity.mask_id_number(number),
        is_household_head=household_head,
        status=ResidencyStatus.VERIFIED,
    )
    return user


@dataclass
class Village:
    """平岗社区 with five more verified residents (two of them household heads) besides
    personas.resident, and its representatives' meeting of three."""

    residents: list[User]
    households: list[User]
    body: VotingBody
    representatives: list[User]


@pytest.fixture
def village(geo, personas) -> Village:
    names = ["王建国", "李淑芬", "张志强", "刘桂兰", "陈永福"]
    residents = [
        make_resident(geo.village, f"villager{i}", name, household_head=i < 2, sequence=i)
        for i, name in enumerate(names)
    ]
    body = VotingBody.objects.create(
        unit=geo.village_committee,
        region=geo.village,
        name="平岗社区居民代表会议",
        kind=BodyKind.REPRESENTATIVES,
    )
    for user in residents[:3]:
        BodyMember.objects.create(
            body=body, user=user, name=user.full_name, started_on=dt.date(2024, 1, 1)
        )
    return Village(
        residents=[personas.resident, *residents],
        households=residents[:2],
        body=body,
        representatives=residents[:3],
    )
