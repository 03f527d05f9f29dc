"""The supervisors' timeliness pages: who may look, what comes first, the drill-down,
the XLSX export and a bounded number of queries."""

import datetime as dt
import io
import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.urls import include, path, reverse
from openpyxl import load_workbook

from disclosure.compliance import compliance_refresh
from disclosure.models import UnitCompliance
from portal import urls as portal_urls
from portal.models import Unit, UnitKind
from portal.services import people
from tests.disclosure import at, make_village_catalog, publish, without_review
from tests.factories import RegionFactory, UnitFactory, UserFactory


def _with_supervision(patterns):
    """The project's URLs, with this page mounted where portal/urls.py mounts it."""
    mounted = any(
        getattr(getattr(p, "urlconf_name", None), "__name__", None) == "disclosure.urls_supervision"
        for p in patterns
    )
    if mounted:
        return list(patterns)
    return [
        *patterns,
        path("supervision/disclosure/", include("disclosure.urls_supervision")),
    ]


urlpatterns = _with_supervision(portal_urls.urlpatterns)
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

TODAY = dt.date(2026, 11, 10)
OVERVIEW = "/supervision/disclosure/"


@pytest.fixture
def scored(geo, personas, calendar_2026, settings):
    """平岗 publishes nothing (0%); 花源 keeps its monthly finance up (75%); 和平 in the
    other county is all missing."""
    settings.DISCLOSURE_COMPLIANCE_START = "2026-01-01"
    catalog = make_village_catalog()
    second = UnitFactory(
        name="花源社区居民委员会",
        kind=UnitKind.VILLAGE_COMMITTEE,
        region=RegionFactory(code="510118001002", name="花源社区"),
    )
    Unit.objects.update(created_at=at(2025, 1, 1))
    without_review(second)
    official = UserFactory(username="huayuan_official")
    people.membership_grant(user=official, unit=second, role="admin", actor=personas.platform_admin)
    for month in range(1, 10):
        publish(
            second,
            catalog.monthly,
            official,
            period_start=dt.date(2026, month, 1),
            published_at=at(2026, month + 1, 3),
        )
    compliance_refresh(today=TODAY)
    return second


@pytest.fixture
def other_supervisor(geo, personas):
    user = UserFactory(username="jinjiang_supervisor")
    people.supervisor_grant(user=user, region=geo.other_county, actor=personas.platform_admin)
    user.refresh_from_db()
    return user


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_supervisor_sees_the_place_and_the_lagging_units_first(client, geo, personas, scored):
    client.force_login(personas.county_supervisor)
    html = _html(client.get(OVERVIEW))  # the first supervised place by default
    assert "新津区政务公开及时率" in html
    assert "37.5%" in html  # 9 on time of 24 counted in the county
    assert html.index("平岗社区居民委员会") < html.index("花源社区居民委员会")
    assert "和平社区居民委员会" not in html  # another county
    assert reverse("disclosure-supervision-unit", args=[geo.village_committee.pk]) in html


def test_the_chart_is_accessible_svg_without_script_or_inline_style(client, geo, personas, scored):
    client.force_login(personas.county_supervisor)
    html = _html(client.get(OVERVIEW, {"region": geo.township.code}))
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">五津街道各地公开及时率</title>' in svg
    assert "平岗社区" in svg and "75.0%" in svg
    assert "<script" not in html and "style=" not in html
    assert "disclosure/supervision.css" in html
    # The data table says the same as the chart.
    assert '<table class="data-table">' in html and "<caption>五津街道各地公开及时率" in html


def test_supervisor_of_another_county_gets_404(client, geo, scored, other_supervisor):
    client.force_login(other_supervisor)
    assert client.get(OVERVIEW, {"region": geo.county.code}).status_code == 404
    assert client.get(OVERVIEW, {"region": geo.village.code}).status_code == 404
    own = _html(client.get(OVERVIEW))
    assert "锦江区" in own and "平岗社区居民委员会" not in own
    drill = reverse("disclosure-supervision-unit", args=[geo.village_committee.pk])
    assert client.get(drill).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, geo, scored):
    response = client.get(OVERVIEW, {"region": geo.county.code})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    drill = reverse("disclosure-supervision-unit", args=[geo.village_committee.pk])
    assert client.get(drill).status_code == 302


@pytest.mark.parametrize("persona", ["citizen", "resident", "village_official"])
def test_people_who_are_not_supervisors_get_404(client, geo, personas, scored, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(OVERVIEW).status_code == 404
    assert client.get(OVERVIEW, {"region": geo.county.code}).status_code == 404
    drill = reverse("disclosure-supervision-unit", args=[geo.village_committee.pk])
    assert client.get(drill).status_code == 404


def test_platform_admin_sees_the_whole_city(client, geo, personas, scored, settings):
    settings.PORTAL_ROOT_REGION = geo.city.code
    client.force_login(personas.platform_admin)
    html = _html(client.get(OVERVIEW))
    assert "成都市政务公开及时率" in html and "和平社区居民委员会" in html


def test_malformed_or_unknown_place_is_404(client, personas, scored):
    client.force_login(personas.county_supervisor)
    assert client.get(OVERVIEW, {"region": "5101"}).status_code == 404
    assert client.get(OVERVIEW, {"region": "510118009000"}).status_code == 404


def test_drill_down_lists_missing_and_late_periods_with_deadlines(client, geo, personas, scored):
    client.force_login(personas.county_supervisor)
    html = _html(
        client.get(reverse("disclosure-supervision-unit", args=[geo.village_committee.pk]))
    )
    assert "平岗社区居民委员会公开及时情况" in html
    assert "村务 · 村民代表会议决议" in html and "2026年第3季度" in html
    assert "2026年10月20日" in html  # Q3's deadline, past the National Day holiday
    assert "财务 · 财务收支" in html and "2026年9月" in html
    assert "2026年11月13日" in html  # October is still pending


def test_drill_down_of_an_unknown_unit_is_404(client, personas, scored):
    client.force_login(personas.platform_admin)
    assert client.get(reverse("disclosure-supervision-unit", args=[999999])).status_code == 404


def test_xlsx_export_of_the_lagging_units(client, geo, personas, scored):
    client.force_login(personas.county_supervisor)
    response = client.get(OVERVIEW, {"region": geo.county.code, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "公开及时率_新津区_" in unquote(disposition) and ".xlsx" in disposition
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("单位名称", "单位类型", "所在区划", "区划代码")
    assert [row[0] for row in rows[1:]] == ["平岗社区居民委员会", "花源社区居民委员会"]
    # 按时, 逾期, 逾期未公开, 未到期, 纳入统计, 及时率
    assert rows[1][4:10] == (0, 0, 12, 1, 12, 0.0)
    assert rows[2][9] == 75.0


def test_queries_do_not_grow_with_the_number_of_units(
    client, geo, personas, scored, django_assert_max_num_queries
):
    client.force_login(personas.county_supervisor)
    url = f"{OVERVIEW}?region={geo.county.code}"
    client.get(url)  # session and user warm-up

    def extra_units(start, count):
        rows = []
        for n in range(start, start + count):
            region = RegionFactory(code=f"510118001{n:03d}", name=f"测试村{n}")
            unit = UnitFactory(
                name=f"测试村{n}村民委员会", kind=UnitKind.VILLAGE_COMMITTEE, region=region
            )
            rows.append(
                UnitCompliance(
                    unit=unit,
                    region_code=region.code,
                    as_of=TODAY,
                    on_time=n % 5,
                    missing=3,
                    score=Decimal((n % 5) * 100 / (n % 5 + 3)).quantize(Decimal("0.1")),
                )
            )
        UnitCompliance.objects.bulk_create(rows)

    extra_units(10, 3)
    with django_assert_max_num_queries(12) as few:
        _html(client.get(url))
    extra_units(100, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = _html(client.get(url))
    assert "下一页" in html
    with django_assert_max_num_queries(len(few.captured_queries)):
        _html(client.get(reverse("disclosure-supervision-unit", args=[geo.village_committee.pk])))
