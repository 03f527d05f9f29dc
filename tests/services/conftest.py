"""Shared fixtures of the services tests: service guides written through
services.services.guides as the units write them.

`guides` gives a published city-wide guide of the city's human resources bureau (three
materials, three steps), a published local guide of 五津街道 (its office), one of
平岗社区 (its committee), one of 和平社区 in another county, and a draft. Use
`guide_fields(**overrides)` for the fields of a valid guide and `make_guide(...)` for
one more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from portal.models import MembershipRole, Unit, UnitKind, User
from portal.services import people
from services.models import ServiceGuide
from services.services import guides as services
from tests.factories import UnitFactory, UserFactory

MATERIALS = [
    {"name": "居民身份证", "form": "original", "copies": 1, "note": "本人到场的验原件"},
    {"name": "户口簿", "form": "copy", "copies": 2, "note": "首页和本人页"},
    {"name": "近期一寸免冠彩色照片", "form": "original", "copies": 2, "note": ""},
]
STEPS = [
    {"title": "申请", "description": "申请人持材料到便民服务窗口提出申请，也可网上申请。"},
    {"title": "受理审核", "description": "窗口工作人员当场审核材料，材料齐全的当场受理。"},
    {"title": "办结领取", "description": "办结后短信通知，申请人凭身份证领取。"},
]


def guide_fields(**overrides: Any) -> dict[str, Any]:
    """The fields of a valid guide (a city-wide social insurance registration)."""
    fields = {
        "name": "城乡居民基本养老保险参保登记",
        "category": "labour",
        "lowest_tier": "village",
        "applicants": "年满16周岁（不含在校学生）、未参加城镇职工基本养老保险的本市户籍居民。",
        "conditions": "未领取国家规定的基本养老保障待遇。",
        "legal_limit_days": 20,
        "promised_limit_days": 5,
        "fees": "不收费",
        "office_address": "户籍所在地村（社区）便民服务站",
        "office_hours": "周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）",
        "phone": "028-12333",
        "online_url": "https://www.sczwfw.gov.cn/",
        "legal_basis": "《中华人民共和国社会保险法》第二十条、第二十一条",
        "materials": MATERIALS,
        "steps": STEPS,
    }
    fields.update(overrides)
    return fields


def make_guide(
    unit: Unit, actor: Any, *, publish: bool = True, region: Any = None, **overrides: Any
) -> ServiceGuide:
    guide = services.guide_create(
        unit=unit, actor=actor, region=region, **guide_fields(**overrides)
    )
    if publish:
        guide = services.guide_publish(guide=guide, actor=actor)
    return guide


@dataclass
class Guides:
    city_bureau: Unit
    city_official: User  # editor of the city bureau
    city_wide: ServiceGuide  # published, applies in the whole city
    township: ServiceGuide  # published, local to 五津街道
    village: ServiceGuide  # published, local to 平岗社区
    elsewhere: ServiceGuide  # published, local to 和平社区 of 锦江区
    draft: ServiceGuide  # a draft of the city bureau


@pytest.fixture
def guides(geo, personas) -> Guides:
    admin = personas.platform_admin
    bureau = UnitFactory(
        name="成都市人力资源和社会保障局",
        kind=UnitKind.DEPARTMENT,
        sector="human_resources",
        region=geo.city,
    )
    official = UserFactory(username="city_official", full_name="周敏")
    people.membership_grant(user=official, unit=bureau, role=MembershipRole.EDITOR, actor=admin)
    official.refresh_from_db()
    city_wide = make_guide(bureau, official)
    township = make_guide(
        geo.township_office,
        personas.township_official,
        name="五津街道城乡居民最低生活保障申请",
        category="assistance",
        lowest_tier="township",
        applicants="户籍在五津街道、家庭人均收入低于当地低保标准的居民家庭。",
        conditions="家庭财产符合规定；共同生活的家庭成员申请。",
        legal_limit_days=30,
        promised_limit_days=15,
        office_address="新津区五津街道便民服务中心（五津西路 88 号）社会救助窗口",
        office_hours="周一至周五 9:00-12:00，13:30-17:30",
        phone="028-82512345",
        online_url="",
        legal_basis="《社会救助暂行办法》第十一条",
        materials=[
            {"name": "低保申请书", "form": "original", "copies": 1},
            {"name": "家庭成员身份证和户口簿", "form": "both", "copies": 1},
            {"name": "家庭收入和财产状况说明", "form": "original", "copies": 1},
        ],
        steps=[
            {"title": "提出申请", "description": "到街道便民服务中心或所在社区提出书面申请。"},
            {"title": "家庭经济状况调查", "description": "入户调查、邻里走访和信息核对。"},
            {"title": "民主评议和公示", "description": "在社区公示栏公示7天。"},
            {"title": "审核确认", "description": "街道审核确认，不符合条件的书面说明理由。"},
        ],
    )
    village = make_guide(
        geo.village_committee,
        personas.village_official,
        name="居住证明开具",
        category="certificates",
        lowest_tier="village",
        applicants="在平岗社区居住的居民。",
        promised_limit_days=0,
        legal_limit_days=None,
        office_address="平岗社区党群服务中心一楼便民服务窗口",
        phone="028-82510001",
        online_url="",
        materials=[{"name": "居民身份证", "form": "original", "copies": 1}],
        steps=[{"title": "窗口办理", "description": "核实居住情况后当场出具。"}],
    )
    elsewhere = make_guide(
        geo.other_village_committee,
        admin,
        name="和平社区停车位申请",
        category="civil",
        applicants="和平社区居民。",
    )
    draft = make_guide(bureau, official, publish=False, name="失业登记")
    return Guides(
        city_bureau=bureau,
        city_official=official,
        city_wide=city_wide,
        township=township,
        village=village,
        elsewhere=elsewhere,
        draft=draft,
    )


def make_overdue(guide: ServiceGuide, days: int = 400) -> ServiceGuide:
    """Back-date the guide's verification (a test's shortcut past a year)."""
    ServiceGuide.objects.filter(pk=guide.pk).update(
        verified_on=timezone.localdate() - dt.timedelta(days=days)
    )
    guide.refresh_from_db()
    return guide
