"""Shared set-up of the mutual-aid tests (imported by the other test_mutual_aid_* modules):
more places around 平岗社区, residents there, and a helper that posts through the service.

    成都市 510100000000
    ├── 新津区 510118000000
    │   ├── 五津街道 510118001000
    │   │   ├── 平岗社区 510118001001   personas.resident (the usual author)
    │   │   └── 红岩社区 510118001002   same township
    │   └── 花源街道 510118002000
    │       └── 白云村   510118002001   same county, other township
    └── 锦江区 510104000000 → 春熙路街道 → 和平社区 510104020001   other county
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone

from participation.models import AidPost
from participation.services import mutual_aid as services
from portal.models import MembershipRole, Region, User
from portal.services import people
from tests.factories import RegionFactory, UserFactory
from tests.participation.conftest import make_resident

PHONE = "13812345678"


@dataclass
class AidPlaces:
    city: Region
    county: Region
    township: Region
    village: Region  # 平岗社区
    sibling_village: Region  # 红岩社区, same township
    other_township: Region  # 花源街道, same county
    far_village: Region  # 白云村, in 花源街道
    other_county: Region
    other_village: Region  # 和平社区, other county


@dataclass
class AidPeople:
    author: User  # personas.resident, verified in 平岗社区
    neighbours: list[User]  # verified residents of 平岗社区
    far_resident: User  # verified in 白云村
    other_resident: User  # verified in 和平社区
    other_village_official: User  # admin of 和平社区居委会: moderates elsewhere


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    """The hourly counters live in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def aid_places(geo) -> AidPlaces:
    sibling_village = RegionFactory(code="510118001002", name="红岩社区")
    other_township = RegionFactory(code="510118002000", name="花源街道")
    far_village = RegionFactory(code="510118002001", name="白云村")
    return AidPlaces(
        city=geo.city,
        county=geo.county,
        township=geo.township,
        village=geo.village,
        sibling_village=sibling_village,
        other_township=other_township,
        far_village=far_village,
        other_county=geo.other_county,
        other_village=geo.other_village,
    )


@pytest.fixture
def aid_people(geo, personas, aid_places) -> AidPeople:
    neighbours = [
        make_resident(geo.village, f"neighbour{i}", name, sequence=40 + i)
        for i, name in enumerate(["王建国", "李淑芬", "张志强", "刘桂兰", "陈永福"])
    ]
    official = UserFactory(username="heping_official", full_name="周敏")
    people.membership_grant(
        user=official,
        unit=geo.other_village_committee,
        role=MembershipRole.ADMIN,
        actor=personas.platform_admin,
    )
    official.refresh_from_db()
    return AidPeople(
        author=personas.resident,
        neighbours=neighbours,
        far_resident=make_resident(aid_places.far_village, "baiyun", "赵德明", sequence=60),
        other_resident=make_resident(aid_places.other_village, "heping", "孙丽", sequence=61),
        other_village_official=official,
    )


def today() -> dt.date:
    return timezone.localdate()


def post(
    user: User,
    region: Region | str,
    *,
    scope: str = "village",
    kind: str = "need",
    category: str = "elderly",
    title: str = "帮忙接送老人去医院",
    text: str = "每周三上午需要有人陪同老人去镇卫生院复诊。",
    expires_in: int = 14,
    now: dt.datetime | None = None,
) -> AidPost:
    """A post through the service; `now` in the past makes one that has since expired."""
    start = timezone.localdate(now) if now else today()
    return services.aid_post_create(
        user=user,
        region=region,
        kind=kind,
        category=category,
        title=title,
        text=text,
        scope=scope,
        expires_on=start + dt.timedelta(days=expires_in),
        now=now,
    )


def report_by(post_: AidPost, users: list[User], reason: str = "虚假信息") -> None:
    for user in users:
        services.aid_report(post=post_, user=user, reason=reason)
