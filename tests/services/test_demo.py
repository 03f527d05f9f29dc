"""The services demo on a small real platform: the city's departments, 新津区 with its
three demo townships and their villages, and 锦江区 as another county, with the demo
logins (the full portal demo takes minutes; this takes seconds). The loader's
invariants: 173 matters of 22 departments in 新津区, promises within legal limits,
proxy requests routed by the rule with histories that match their status, stale flags
by the one-year rule; and it runs again without doubling anything, and on a platform
missing most units without failing."""

import datetime as dt
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count, F

from disclosure import search
from portal import hierarchy, identity
from portal.demo.geography import CITY_CODE, PINGGANG_CODE, XINJIN_CODE, build_geography
from portal.demo.people import demo_logins_create
from portal.demo.units import plan_units
from portal.models import Region, Sector, Tier, Unit, UnitKind, User
from portal.services.calendar import calendar_load_year
from portal.services.regions import divisions_import
from services import demo
from services.demo.proxy import TOWNSHIPS
from services.models import (
    ApprovalMatter,
    CommitmentProject,
    CommitmentScheme,
    CommitmentStage,
    GuideCategory,
    GuideStatus,
    ProxyEvent,
    ProxyRequest,
    ProxyStatus,
    ServiceGuide,
    ServiceTier,
)
from services.selectors import guides as guide_selectors
from services.selectors.guides import stale_cutoff

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
OTHER_COUNTY = "510104000000"  # 锦江区
SEED = 2026


def _kept(code: str) -> bool:
    return code in ("510000000000", CITY_CODE, XINJIN_CODE, OTHER_COUNTY) or any(
        code.startswith(township[:9]) for township in TOWNSHIPS
    )


@pytest.fixture
def platform(db):
    """Places, units (schools aside) and demo logins of the small platform."""
    geography = build_geography(SEED)
    divisions_import(
        rows=[row for row in geography.rows() if _kept(row[0])], actor=None, source="测试"
    )
    Unit.objects.bulk_create(
        [
            Unit(
                name=plan.name,
                kind=plan.kind,
                sector=plan.sector,
                region_id=plan.region_code,
                address=plan.address,
                phone=plan.phone,
                office_hours=plan.office_hours,
            )
            for plan in plan_units(geography, SEED)
            if _kept(plan.region_code) and plan.parent is None
        ]
    )
    demo_logins_create(seed=SEED)
    calendar_load_year(year=2026, actor=None)


@pytest.fixture
def loaded(platform):
    return demo.demo_load(seed=SEED, now=NOW)


def test_xinjin_bureau_catalog(loaded):
    bureau = Unit.objects.get(region_id=XINJIN_CODE, sector=Sector.APPROVAL)
    matters = ApprovalMatter.objects.filter(bureau=bureau)
    assert matters.count() == 173
    departments = Unit.objects.filter(pk__in=matters.values("department"))
    assert departments.count() == 22
    assert set(departments.values_list("region_id", flat=True)) == {XINJIN_CODE}
    assert set(departments.values_list("kind", flat=True)) == {UnitKind.DEPARTMENT}
    assert not departments.filter(sector=Sector.APPROVAL).exists()
    assert not matters.filter(promised_limit_days__gt=F("legal_limit_days")).exists()
    assert not matters.exclude(region_id=XINJIN_CODE).exists()
    # Every department has several matters, and every matter says what to bring.
    per_department = Counter(matters.values_list("department_id", flat=True))
    assert min(per_department.values()) >= 3
    assert all(len(m.splitlines()) >= 3 for m in matters.values_list("materials", flat=True))
    assert len(set(matters.values_list("code", flat=True))) == 173
    assert set(matters.values_list("matter_type", flat=True)) >= {
        "licensing",
        "filing",
        "confirmation",
        "other_power",
    }
    assert loaded.counts["xinjin_matters"] == 173 and loaded.counts["xinjin_departments"] == 22


def test_other_county_has_a_short_catalog(loaded):
    matters = ApprovalMatter.objects.filter(region_id=OTHER_COUNTY)
    # 锦江区 is a central district: no agriculture or water bureau, so ten or fewer.
    assert 0 < matters.count() <= 10
    assert set(matters.values_list("department__region_id", flat=True)) == {OTHER_COUNTY}


def test_commitment_scheme_and_projects(loaded):
    bureau = Unit.objects.get(region_id=XINJIN_CODE, sector=Sector.APPROVAL)
    scheme = CommitmentScheme.objects.get(bureau=bureau)
    assert len(scheme.steps.splitlines()) >= 5 and scheme.published_at < NOW
    projects = list(CommitmentProject.objects.filter(bureau=bureau))
    assert len(projects) == 12
    assert Counter(p.stage for p in projects) == {
        CommitmentStage.COMMITTED: 4,
        CommitmentStage.BUILDING: 4,
        CommitmentStage.INSPECTED: 4,
    }
    today = NOW.date()
    for project in projects:
        assert hierarchy.is_within(project.region_id, XINJIN_CODE)
        assert project.committed_on <= today
        if project.stage == CommitmentStage.COMMITTED:
            assert project.building_on is None and project.inspected_on is None
        else:
            assert project.committed_on <= project.building_on <= today
        if project.stage == CommitmentStage.INSPECTED:
            assert project.building_on <= project.inspected_on <= today


def test_guides(loaded):
    guides = ServiceGuide.objects.all()
    city = guides.filter(region_id=CITY_CODE)
    assert city.count() >= 80
    assert set(city.values_list("category", flat=True)) == set(GuideCategory.values)
    assert not guides.exclude(status=GuideStatus.PUBLISHED).exists()
    assert not guides.filter(published_at__isnull=True).exists()
    assert not guides.filter(search_vector__isnull=True).exists()
    assert not guides.filter(promised_limit_days__gt=F("legal_limit_days")).exists()
    counted = guides.annotate(m=Count("materials", distinct=True), s=Count("steps", distinct=True))
    for name, materials, steps in counted.values_list("name", "m", "s"):
        assert 2 <= materials <= 6, name
        assert 3 <= steps <= 6, name
    tiers = Counter(city.values_list("lowest_tier", flat=True))
    # 小事不出村、大事不出镇: most can be done in the village or the township.
    assert tiers[ServiceTier.VILLAGE] + tiers[ServiceTier.TOWNSHIP] > len(city) * 0.6
    for unit_region, phone in city.values_list("unit__region_id", "phone"):
        assert unit_region == CITY_CODE
        assert re.fullmatch(r"028-8\d{7}", phone), phone
    for url in guides.values_list("online_url", flat=True):
        assert url.startswith("https://www.sczwfw.gov.cn/")


def test_stale_flags_follow_the_one_year_rule(loaded):
    cutoff = stale_cutoff(NOW.date())
    guides = ServiceGuide.objects.all()
    stale = guides.filter(stale_since__isnull=False)
    assert stale.count() >= 5
    assert stale.count() < guides.count() / 5
    assert not stale.filter(verified_on__gte=cutoff).exists()
    assert not guides.filter(stale_since__isnull=True, verified_on__lt=cutoff).exists()
    assert not guides.filter(verified_on__gt=NOW.date()).exists()


def test_local_guides_apply_where_they_should(loaded):
    in_pinggang = set(guide_selectors.guides_public(PINGGANG_CODE).values_list("name", flat=True))
    assert {"平岗社区居家养老上门服务申请", "五津街道社区食堂助餐服务登记", "新津区养犬登记"} <= (
        in_pinggang
    )
    huayuan_village = Region.objects.filter(parent_id="510118002000", tier=Tier.VILLAGE).first()
    elsewhere = set(
        guide_selectors.guides_public(huayuan_village.code).values_list("name", flat=True)
    )
    assert "新津区养犬登记" in elsewhere
    assert "五津街道社区食堂助餐服务登记" not in elsewhere
    assert "平岗社区居家养老上门服务申请" not in elsewhere


def test_guides_are_searchable_like_the_guides_app_indexes_them(loaded):
    found = guide_selectors.guides_found(query="残疾人两项补贴")
    assert found.first().name == "残疾人两项补贴申请"
    # A material and the legal basis are indexed too.
    assert guide_selectors.guides_found(query="出生医学证明").filter(name="出生登记").exists()
    assert guide_selectors.guides_found(query="婚姻登记条例").filter(name="结婚登记").exists()
    assert search.tsquery("结婚登记") is not None


def _expected_agent(request: ProxyRequest) -> Unit:
    """The rule, written out: a village matter to the village committee, anything else
    to the township office."""
    if request.guide.lowest_tier == ServiceTier.VILLAGE:
        return Unit.objects.get(region=request.region, kind=UnitKind.VILLAGE_COMMITTEE)
    return Unit.objects.get(region_id=request.region.parent_id, kind=UnitKind.TOWNSHIP_OFFICE)


def test_proxy_requests_are_routed_by_the_rule(loaded):
    requests = list(ProxyRequest.objects.select_related("guide", "region"))
    assert 50 <= len(requests) <= 60
    assert {r.region.parent_id for r in requests} == set(TOWNSHIPS)
    for request in requests:
        assert request.agent_unit == _expected_agent(request), request.guide.name
    tiers = {r.guide.lowest_tier for r in requests}
    assert ServiceTier.VILLAGE in tiers and ServiceTier.TOWNSHIP in tiers


def test_proxy_histories_match_their_status(loaded):
    requests = list(ProxyRequest.objects.prefetch_related("events"))
    statuses = Counter(r.status for r in requests)
    assert set(statuses) == set(ProxyStatus.values)
    assert all(count >= 5 for count in statuses.values())
    for request in requests:
        events = sorted(request.events.all(), key=lambda e: (e.at, e.pk))
        assert events[0].status == ProxyStatus.RECEIVED
        assert events[0].at == request.received_at
        assert events[-1].status == request.status
        assert request.received_at < request.due_at
        assert request.received_at <= NOW
        if request.status in (ProxyStatus.RECEIVED,):
            assert len(events) == 1 and request.started_at is None
        if request.status == ProxyStatus.IN_PROGRESS:
            assert request.started_at is not None and request.finished_at is None
            assert [e.status for e in events] == ["received", "in_progress"]
        if request.status in (ProxyStatus.DONE, ProxyStatus.RETURNED):
            assert request.received_at <= request.finished_at <= NOW
            if request.started_at:
                assert request.started_at <= request.finished_at
        if request.status == ProxyStatus.DONE:
            assert [e.status for e in events] == ["received", "in_progress", "done"]
        if request.status == ProxyStatus.RETURNED:
            assert request.return_reason and events[-1].note == request.return_reason
        else:
            assert request.return_reason == ""
        if request.rating:
            assert request.status in (ProxyStatus.DONE, ProxyStatus.RETURNED)
            assert request.finished_at <= request.rated_at <= NOW
        assert request.phone_hash == identity.phone_hash(request.phone)
        assert re.fullmatch(r"[A-HJKMNP-Z2-9]{10}", request.tracking_code)
        assert re.fullmatch(r"\d{6}", request.query_code)
    assert len({r.tracking_code for r in requests}) == len(requests)
    open_overdue = [
        r
        for r in requests
        if r.status in (ProxyStatus.RECEIVED, ProxyStatus.IN_PROGRESS) and r.due_at < NOW
    ]
    assert open_overdue
    assert sum(1 for r in requests if r.rating) >= 10
    assert ProxyEvent.objects.count() == sum(len(r.events.all()) for r in requests)


def test_the_resident_has_a_request_in_progress(loaded):
    resident = User.objects.get(username="resident")
    request = ProxyRequest.objects.get(user=resident)
    assert request.region_id == PINGGANG_CODE
    assert request.status == ProxyStatus.IN_PROGRESS
    assert request.agent_unit.name == "平岗社区居民委员会"
    assert request.agent.username == "village_official"
    assert request.name == resident.full_name
    assert ProxyRequest.objects.filter(region_id=PINGGANG_CODE).count() >= 5


def test_loading_again_changes_nothing(loaded):
    assert demo.demo_is_loaded()
    before = (ServiceGuide.objects.count(), ApprovalMatter.objects.count())
    again = demo.demo_load(seed=SEED, now=NOW)
    assert again.counts == {}
    assert (ServiceGuide.objects.count(), ApprovalMatter.objects.count()) == before


def test_a_platform_missing_most_units(geo, personas):
    """The tests' tiny geography: no city departments and no approval bureau. What can
    be made is made; the rest is skipped, and a second run adds nothing."""
    User.objects.create_user(username="admin", password="x", is_superuser=True)
    first = demo.demo_load(seed=SEED, now=NOW)
    assert first.counts["guides_skipped"] >= 81
    assert set(ServiceGuide.objects.values_list("region_id", flat=True)) == {
        "510118001000",
        PINGGANG_CODE,
    }
    assert not ApprovalMatter.objects.exists()
    assert not ProxyRequest.objects.exists()
    assert not demo.demo_is_loaded()
    count = ServiceGuide.objects.count()
    demo.demo_load(seed=SEED, now=NOW)
    assert ServiceGuide.objects.count() == count
