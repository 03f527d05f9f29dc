"""Fixtures of the proxy service tests (代办). A test module names the fixture it uses
(tests/services/conftest.py belongs to the guides' tests):

    from tests.services import proxy_fixtures
    proxy = proxy_fixtures.proxy

`proxy` adds to the shared geography (tests/conftest.py) a second community of 五津街道
with its committee and agent, a third with no committee on the platform, and published
guides written straight to the table (the guides' own tests cover how they get there):
a village matter of 新津区, a township matter and a county matter city-wide, a matter of
锦江区 only, and a draft. The agents are the personas: 平岗社区's admin (village
committee), 五津街道's editor (township office).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from portal.models import MembershipRole, Region, Unit, UnitKind, User
from portal.services import people
from services.models import GuideStatus, ServiceGuide, ServiceTier
from services.services import proxy as services
from tests.factories import RegionFactory, UnitFactory, UserFactory

PHONE = "13912345678"


@dataclass
class ProxyWorld:
    geo: Any
    personas: Any
    village: Region  # 平岗社区 (geo.village)
    neighbour: Region  # 红岩社区, same township, own committee
    bare_village: Region  # 兴园社区, same township, no committee on the platform
    neighbour_committee: Unit
    neighbour_agent: User  # editor of 红岩社区居委会: an agent of another village
    village_agent: User  # personas.village_official
    township_agent: User  # personas.township_official
    village_guide: ServiceGuide  # lowest tier village, applies in 新津区, promise 3 days
    township_guide: ServiceGuide  # lowest tier township, city-wide, no promise
    county_guide: ServiceGuide  # lowest tier county, city-wide, promise 12 days
    jinjiang_guide: ServiceGuide  # applies in 锦江区 only
    draft_guide: ServiceGuide


def make_guide(unit: Unit, region: Region, author: User, **fields: Any) -> ServiceGuide:
    values = {
        "name": "居住证明开具",
        "category": "certificates",
        "lowest_tier": ServiceTier.VILLAGE,
        "applicants": "辖区内居住的居民。",
        "office_address": "便民服务窗口",
        "office_hours": "周一至周五 9:00-12:00，13:30-17:30",
        "phone": "028-82510001",
        "verified_on": timezone.localdate(),
        "status": GuideStatus.PUBLISHED,
        "published_at": timezone.now(),
        **fields,
    }
    return ServiceGuide.objects.create(unit=unit, region=region, created_by=author, **values)


@pytest.fixture
def proxy(geo, personas) -> ProxyWorld:
    cache.clear()  # rate-limit counters live in the cache
    admin = personas.platform_admin
    neighbour = RegionFactory(code="510118001002", name="红岩社区")
    bare = RegionFactory(code="510118001003", name="兴园社区")
    committee = UnitFactory(
        name="红岩社区居民委员会", kind=UnitKind.VILLAGE_COMMITTEE, region=neighbour
    )
    neighbour_agent = UserFactory(username="hongyan_agent", full_name="王小红")
    people.membership_grant(
        user=neighbour_agent, unit=committee, role=MembershipRole.EDITOR, actor=admin
    )
    neighbour_agent.refresh_from_db()
    bureau = UnitFactory(
        name="成都市民政局", kind=UnitKind.DEPARTMENT, sector="civil_affairs", region=geo.city
    )
    return ProxyWorld(
        geo=geo,
        personas=personas,
        village=geo.village,
        neighbour=neighbour,
        bare_village=bare,
        neighbour_committee=committee,
        neighbour_agent=neighbour_agent,
        village_agent=personas.village_official,
        township_agent=personas.township_official,
        village_guide=make_guide(
            geo.village_committee,
            geo.county,
            admin,
            name="高龄津贴申请",
            category="civil",
            promised_limit_days=3,
            legal_limit_days=20,
        ),
        township_guide=make_guide(
            geo.township_office,
            geo.city,
            admin,
            name="城乡居民最低生活保障申请",
            category="assistance",
            lowest_tier=ServiceTier.TOWNSHIP,
        ),
        county_guide=make_guide(
            bureau,
            geo.city,
            admin,
            name="残疾人证办理",
            category="disability",
            lowest_tier=ServiceTier.COUNTY,
            promised_limit_days=12,
            legal_limit_days=20,
        ),
        jinjiang_guide=make_guide(
            geo.other_village_committee, geo.other_county, admin, name="锦江区停车证"
        ),
        draft_guide=make_guide(
            bureau,
            geo.city,
            admin,
            name="失业登记",
            status=GuideStatus.DRAFT,
            published_at=None,
        ),
    )


def submit(
    guide: ServiceGuide,
    region: Region,
    *,
    phone: str = PHONE,
    detail: str = "我父亲85岁，行动不便，请帮忙办理。",
    name: str = "王芳",
    now: dt.datetime | None = None,
    **extra: Any,
):
    """proxy_request_submit with sensible defaults; returns (request, created)."""
    return services.proxy_request_submit(
        guide=guide, region=region, name=name, phone=phone, detail=detail, now=now, **extra
    )
