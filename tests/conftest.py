"""Shared fixtures: a small real geography and the personas of STYLE.md.

The places carry their real codes: Chengdu 510100000000, 新津区 510118, 五津街道
510118001, 平岗社区 510118001001, and 锦江区 510104 as "another county".
"""

from dataclasses import dataclass

import pytest

from portal.models import MembershipRole, Region, Residency, ResidencyStatus, Unit, UnitKind, User
from portal.services import people
from tests.factories import RegionFactory, UnitFactory, UserFactory

# The session's log output is scanned for ID and mobile numbers when it ends (issue 10).
pytest_plugins = ["tests.logscan"]

PASSWORD = "Pw-for-tests-2026"


@dataclass
class Geography:
    city: Region
    county: Region
    township: Region
    village: Region
    other_county: Region
    other_township: Region
    other_village: Region
    village_committee: Unit
    township_office: Unit
    county_bureau: Unit
    other_county_bureau: Unit
    other_village_committee: Unit


@pytest.fixture
def geo(db) -> Geography:
    city = RegionFactory(code="510100000000", name="成都市")
    county = RegionFactory(code="510118000000", name="新津区")
    township = RegionFactory(code="510118001000", name="五津街道")
    village = RegionFactory(code="510118001001", name="平岗社区")
    other_county = RegionFactory(code="510104000000", name="锦江区")
    other_township = RegionFactory(code="510104020000", name="春熙路街道")
    other_village = RegionFactory(code="510104020001", name="和平社区")
    return Geography(
        city=city,
        county=county,
        township=township,
        village=village,
        other_county=other_county,
        other_township=other_township,
        other_village=other_village,
        village_committee=UnitFactory(
            name="平岗社区居民委员会", kind=UnitKind.VILLAGE_COMMITTEE, region=village
        ),
        township_office=UnitFactory(
            name="新津区五津街道办事处", kind=UnitKind.TOWNSHIP_OFFICE, region=township
        ),
        county_bureau=UnitFactory(
            name="新津区教育局", kind=UnitKind.DEPARTMENT, sector="education", region=county
        ),
        other_county_bureau=UnitFactory(
            name="锦江区教育局", kind=UnitKind.DEPARTMENT, sector="education", region=other_county
        ),
        other_village_committee=UnitFactory(
            name="和平社区居民委员会", kind=UnitKind.VILLAGE_COMMITTEE, region=other_village
        ),
    )


@dataclass
class Personas:
    village_official: User  # admin of 平岗社区居委会
    township_official: User  # editor of 五津街道办事处
    other_county_official: User  # admin of 锦江区教育局
    county_supervisor: User  # supervises 新津区
    resident: User  # verified resident of 平岗社区
    citizen: User  # registered, no role
    platform_admin: User


@pytest.fixture
def personas(geo) -> Personas:
    admin = UserFactory(username="platform_admin", is_superuser=True, is_staff=True)
    village_official = UserFactory(username="village_official", full_name="李秀英")
    people.membership_grant(
        user=village_official, unit=geo.village_committee, role=MembershipRole.ADMIN, actor=admin
    )
    township_official = UserFactory(username="township_official", full_name="张伟")
    people.membership_grant(
        user=township_official, unit=geo.township_office, role=MembershipRole.EDITOR, actor=admin
    )
    other = UserFactory(username="other_county_official", full_name="陈静")
    people.membership_grant(
        user=other, unit=geo.other_county_bureau, role=MembershipRole.ADMIN, actor=admin
    )
    supervisor = UserFactory(username="county_supervisor", full_name="刘洋")
    people.supervisor_grant(user=supervisor, region=geo.county, actor=admin)
    resident = UserFactory(username="resident", full_name="杨桂芳")
    Residency.objects.create(
        user=resident,
        region=geo.village,
        real_name="杨桂芳",
        id_number_hash="0" * 64,
        id_number_masked="510118********0027",
        status=ResidencyStatus.VERIFIED,
    )
    citizen = UserFactory(username="citizen", full_name="赵磊")
    for user in (village_official, township_official, other, supervisor, resident, citizen, admin):
        user.refresh_from_db()
    return Personas(
        village_official=village_official,
        township_official=township_official,
        other_county_official=other,
        county_supervisor=supervisor,
        resident=resident,
        citizen=citizen,
        platform_admin=admin,
    )


@pytest.fixture
def calendar_2026(db):
    from portal.services.calendar import calendar_load_year

    calendar_load_year(year=2026, actor=None)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher costs ~0.3 s per user; personas create seven.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    # A page kept from one test would answer the next one's requests; the page cache's
    # own tests switch it back on (tests/portal/test_pagecache.py).
    settings.PORTAL_PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def public_post_limits_off(settings):
    # The limit in front of every public POST (portal/auth/middleware.py) and the one per
    # ID number count in the cache, which outlives a test (and a run, within the hour);
    # tests/portal/test_rate_limits.py sets them small again for itself.
    settings.PORTAL_POST_RATE_PER_IP = 10**6
    settings.PORTAL_POST_RATE_PER_USER = 10**6
    settings.PORTAL_POST_RATE_LIMITS = {}
    settings.PORTAL_ID_CHECK_RATE_PER_TARGET = 10**6


@pytest.fixture
def catalog(db):
    """The six standard catalogs, loaded from the repository's YAML files."""
    from disclosure import catalogs

    catalogs.catalog_load_all()


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it with a token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()

    def as_user(user):
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_user = as_user
    return client


@pytest.fixture(autouse=True)
def chart_of_accounts(request):
    """The funds app's chart of accounts, which a data migration loads and a transactional
    test (browser, concurrency) empties with every other table when it ends: put back what
    is missing before each database test."""
    if not any(marker.name == "django_db" for marker in request.node.iter_markers()):
        return
    request.getfixturevalue("db")
    from funds.chart import chart_load

    chart_load()
