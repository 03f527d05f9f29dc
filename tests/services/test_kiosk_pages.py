"""Kiosk mode: a village's touch screen shows its guides, its and its township's records
and its figures; other tiers and other places' content are 404; every page carries the
kiosk frame and the idle timer's data, is never cached and needs no login."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from disclosure.models import Scope
from tests.disclosure.conftest import publish
from tests.services import kiosk_fixtures

# The kiosk's guides, a fixture used here by name.
kiosk_guides = kiosk_fixtures.kiosk_guides

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(name, args=args)


def _kiosk_frame(response, home):
    html = response.content.decode()
    assert "返回首页" in html and "上一页" in html
    assert f'data-kiosk-home="{home}"' in html
    assert "services/kiosk.js" in html
    # The kiosk's own frame, not the site's header and navigation.
    assert "main-nav" not in html
    assert "no-store" in response["Cache-Control"]
    return html


def test_start_page_of_a_village(client, geo, settings, django_assert_max_num_queries):
    settings.SERVICES_KIOSK_IDLE_SECONDS = 45
    home = _url("kiosk", geo.village.code)
    with django_assert_max_num_queries(4):
        response = client.get(home)
    assert response.status_code == 200
    html = _kiosk_frame(response, home)
    assert 'data-kiosk-idle-seconds="45"' in html
    for tile in ("办事指南", "公开信息", "数据统计"):
        assert tile in html
    assert geo.village_committee.name in html
    assert 'aria-disabled="true"' in html  # nowhere to go back to from the start


@pytest.mark.parametrize("which", ["city", "county", "township"])
def test_other_tiers_are_not_kiosks(client, geo, which):
    code = getattr(geo, which).code
    assert client.get(_url("kiosk", code)).status_code == 404
    assert client.get(_url("kiosk-guides", code)).status_code == 404
    assert client.get(_url("kiosk-stats", code)).status_code == 404


def test_unknown_and_malformed_codes(client, geo):
    assert client.get(_url("kiosk", "510118001099")).status_code == 404
    assert client.get("/kiosk/51011800100/").status_code == 404
    assert client.get("/kiosk/5101180010011/").status_code == 404


def test_categories_count_the_guides_applying_here(
    client, geo, kiosk_guides, django_assert_max_num_queries
):
    home = _url("kiosk", geo.village.code)
    with django_assert_max_num_queries(4):
        response = client.get(_url("kiosk-guides", geo.village.code))
    html = _kiosk_frame(response, home)
    assert f'href="{home}" data-kiosk-back' in html
    assert html.count('class="kiosk-tile kiosk-tile-category"') == 2  # labour, civil
    assert "在平岗社区可以查到 2 项办事指南" in html
    assert _url("kiosk-category", geo.village.code, "labour") in html
    # An empty category is shown but cannot be tapped.
    assert _url("kiosk-category", geo.village.code, "veterans") not in html


def test_category_lists_the_guides_of_this_place(
    client, geo, kiosk_guides, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        response = client.get(_url("kiosk-category", geo.village.code, "civil"))
    html = _kiosk_frame(response, _url("kiosk", geo.village.code))
    assert "平岗社区居家养老服务申请" in html
    assert "和平社区停车位申请" not in html
    assert _url("kiosk-guides", geo.village.code) in html
    assert client.get(_url("kiosk-category", geo.village.code, "nonsense")).status_code == 404


def test_category_pages_a_screenful_at_a_time(client, geo, kiosk_guides):
    for number in range(9):
        kiosk_fixtures.make_guide(
            geo.village_committee, geo.village, name=f"事项{number:02d}", category="civil"
        )
    first = client.get(_url("kiosk-category", geo.village.code, "civil")).content.decode()
    assert "第 1 / 2 页" in first and "?page=2" in first
    second = client.get(_url("kiosk-category", geo.village.code, "civil") + "?page=2")
    assert second.status_code == 200 and "第 2 / 2 页" in second.content.decode()


def test_guide_in_kiosk_type(client, geo, kiosk_guides, django_assert_max_num_queries):
    guide = kiosk_guides.city_wide
    with django_assert_max_num_queries(5):
        response = client.get(_url("kiosk-guide", geo.village.code, guide.pk))
    html = _kiosk_frame(response, _url("kiosk", geo.village.code))
    for text in (
        guide.name,
        "居民身份证",
        "复印件 · 2 份",
        "到便民服务站提出申请",
        "5 个工作日",
        "法定 20 个工作日",
        "028-82512345",
        guide.office_address,
        guide.office_hours,
        "不收费",
    ):
        assert text in html, text
    # Back goes to the guide's category, in this kiosk.
    assert f'href="{_url("kiosk-category", geo.village.code, "labour")}" data-kiosk-back' in html
    # The online address is shown as text, not a way off the kiosk.
    assert f'href="{guide.online_url}"' not in html


def test_guides_of_other_places_and_drafts_are_404(client, geo, kiosk_guides):
    code = geo.village.code
    assert client.get(_url("kiosk-guide", code, kiosk_guides.elsewhere.pk)).status_code == 404
    assert client.get(_url("kiosk-guide", code, kiosk_guides.draft.pk)).status_code == 404
    assert client.get(_url("kiosk-guide", code, 999999)).status_code == 404
    # The other village's own kiosk shows its guide.
    other = geo.other_village.code
    assert client.get(_url("kiosk-guide", other, kiosk_guides.elsewhere.pk)).status_code == 200


@pytest.fixture
def kiosk_records(geo, personas, catalog):
    from tests.factories import RegionFactory, UnitFactory

    neighbour = RegionFactory(code="510118001002", name="南河社区")
    committee = UnitFactory(name="南河社区居民委员会", kind="village_committee", region=neighbour)
    school = UnitFactory(
        name="新津区五津小学",
        kind="school",
        region=geo.township,
        parent_unit=geo.county_bureau,
    )
    return {
        "school": publish(school, personas.platform_admin, title="五津小学秋季运动会通知"),
        "village": publish(
            geo.village_committee, personas.village_official, title="平岗社区2026年第三季度居务公开"
        ),
        "township": publish(
            geo.township_office, personas.township_official, title="五津街道关于开展秋季消杀的通知"
        ),
        "neighbour": publish(committee, personas.platform_admin, title="南河社区停水通知"),
        "residents_only": publish(
            geo.village_committee,
            personas.village_official,
            title="平岗社区低保对象名单",
            scope=Scope.RESIDENTS,
        ),
    }


def test_records_of_the_village_and_its_township(
    client, geo, kiosk_records, django_assert_max_num_queries
):
    url = _url("kiosk-records", geo.village.code)
    with django_assert_max_num_queries(5):
        response = client.get(url)
    html = _kiosk_frame(response, _url("kiosk", geo.village.code))
    assert "平岗社区2026年第三季度居务公开" in html
    assert "五津街道关于开展秋季消杀的通知" in html
    assert "南河社区停水通知" not in html
    assert "低保对象名单" not in html
    # The township's schools sit in its place but are not its office.
    assert "秋季运动会" not in html
    only_township = client.get(url + "?from=township").content.decode()
    assert "秋季消杀" in only_township and "居务公开" not in only_township
    only_village = client.get(url + "?from=village").content.decode()
    assert "居务公开" in only_village and "秋季消杀" not in only_village
    assert client.get(url + "?from=city").status_code == 404


def test_the_kiosk_reads_as_anyone_even_with_a_resident_logged_in(
    client, geo, personas, kiosk_records
):
    client.force_login(personas.resident)
    html = client.get(_url("kiosk-records", geo.village.code)).content.decode()
    assert "低保对象名单" not in html
    restricted = kiosk_records["residents_only"]
    assert client.get(_url("kiosk-record", geo.village.code, restricted.pk)).status_code == 404


def test_record_in_kiosk_type(client, geo, kiosk_records, django_assert_max_num_queries):
    record = kiosk_records["township"]
    with django_assert_max_num_queries(4):
        response = client.get(_url("kiosk-record", geo.village.code, record.pk))
    html = _kiosk_frame(response, _url("kiosk", geo.village.code))
    assert record.title in html and "<p>内容</p>" in html
    assert f'href="{_url("kiosk-records", geo.village.code)}" data-kiosk-back' in html
    for other in ("neighbour", "school"):
        record = kiosk_records[other]
        assert client.get(_url("kiosk-record", geo.village.code, record.pk)).status_code == 404


def test_figures_of_the_village(client, geo, kiosk_guides, settings, django_assert_max_num_queries):
    from services.models import ProxyRequest, ProxyStatus

    settings.PARTICIPATION_STATS_CACHE_SECONDS = 0
    guide = kiosk_guides.local
    from django.utils import timezone

    now = timezone.now()
    ProxyRequest.objects.create(
        tracking_code="KIOSKTEST01",
        query_code="123456",
        guide=guide,
        region=geo.village,
        agent_unit=geo.village_committee,
        name="王建国",
        phone="13800001234",
        phone_hash="0" * 64,
        detail="帮忙办理",
        status=ProxyStatus.RECEIVED,
        received_at=now,
        due_at=now,
    )
    with django_assert_max_num_queries(8):
        response = client.get(_url("kiosk-stats", geo.village.code))
    html = _kiosk_frame(response, _url("kiosk", geo.village.code))
    for heading in ("公众参与", "四级信箱", "代办服务", "村级公共服务和社会管理专项资金"):
        assert heading in html
    assert re.search(r"<dt>已受理</dt><dd>1</dd>", html)
    assert "王建国" not in html


def test_no_login_needed_and_nothing_to_type(client, geo, kiosk_guides, kiosk_records):
    code = geo.village.code
    pages = [
        _url("kiosk", code),
        _url("kiosk-guides", code),
        _url("kiosk-category", code, "labour"),
        _url("kiosk-guide", code, kiosk_guides.city_wide.pk),
        _url("kiosk-records", code),
        _url("kiosk-record", code, kiosk_records["village"].pk),
        _url("kiosk-stats", code),
    ]
    assert AnonymousUser().is_authenticated is False
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<input" not in html and "<textarea" not in html and "<form" not in html, url
        assert "<script>" not in html and " style=" not in html, url
