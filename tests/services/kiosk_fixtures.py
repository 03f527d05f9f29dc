"""Guides for the kiosk's tests: a city-wide one, one local to the village, one local to
another county, a draft; written straight to the tables (the guides' own tests cover
how they get there)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.models import UnitKind
from services.models import (
    GuideMaterial,
    GuideStatus,
    GuideStep,
    MaterialForm,
    ServiceGuide,
    ServiceTier,
)
from tests.factories import UnitFactory, UserFactory


def make_guide(unit, region, *, name, category="labour", status=GuideStatus.PUBLISHED, **extra):
    author = UserFactory(username="guide_author")
    fields = {
        "unit": unit,
        "region": region,
        "name": name,
        "category": category,
        "lowest_tier": ServiceTier.VILLAGE,
        "applicants": "本市户籍、年满16周岁的城乡居民",
        "conditions": "未参加城镇职工基本养老保险",
        "legal_limit_days": 20,
        "promised_limit_days": 5,
        "office_address": "新津区五津街道平岗路88号便民服务站",
        "office_hours": "周一至周五 9:00-12:00，14:00-17:30",
        "phone": "028-82512345",
        "online_url": "https://www.sczwfw.gov.cn/jiq/front/transition/ywTransToDetail?areaCode=510118000000",
        "legal_basis": "《中华人民共和国社会保险法》第二十条",
        "verified_on": dt.date(2026, 3, 1),
        "status": status,
        "published_at": timezone.now() if status == GuideStatus.PUBLISHED else None,
        "created_by": author,
        **extra,
    }
    guide = ServiceGuide.objects.create(**fields)
    GuideMaterial.objects.bulk_create(
        [
            GuideMaterial(guide=guide, position=1, name="居民身份证", form=MaterialForm.ORIGINAL),
            GuideMaterial(guide=guide, position=2, name="户口簿", form=MaterialForm.COPY, copies=2),
        ]
    )
    GuideStep.objects.bulk_create(
        [
            GuideStep(guide=guide, position=1, title="申请", description="到便民服务站提出申请"),
            GuideStep(guide=guide, position=2, title="受理", description="工作人员当场审核材料"),
            GuideStep(guide=guide, position=3, title="办结", description="办结后短信告知"),
        ]
    )
    return guide


class KioskGuides:
    def __init__(self, geo):
        bureau = UnitFactory(
            name="成都市人力资源和社会保障局",
            kind=UnitKind.DEPARTMENT,
            sector="human_resources",
            region=geo.city,
        )
        self.city_wide = make_guide(bureau, geo.city, name="城乡居民基本养老保险参保登记")
        self.local = make_guide(
            geo.village_committee,
            geo.village,
            name="平岗社区居家养老服务申请",
            category="civil",
        )
        self.elsewhere = make_guide(
            geo.other_village_committee,
            geo.other_village,
            name="和平社区停车位申请",
            category="civil",
        )
        self.draft = make_guide(bureau, geo.city, name="失业登记", status=GuideStatus.DRAFT)


@pytest.fixture
def kiosk_guides(geo) -> KioskGuides:
    return KioskGuides(geo)
