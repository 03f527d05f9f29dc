"""The public guide pages: the list of what applies in a place, by category tiles, by the
places inside and by search; one guide in full; its print page with a QR code of the
online version; and the way in from every place page."""

import re

import pytest
import segno
from django.urls import reverse

from services.models import GuideStatus
from services.services import guides as services
from tests.services.conftest import make_guide, make_overdue

pytestmark = pytest.mark.django_db

LIST = reverse("service-guides")


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_village_sees_city_wide_township_and_its_own_guides(client, geo, guides):
    page = html(client.get(LIST, {"region": geo.village.code}))
    assert "平岗社区办事指南" in page
    for guide in (guides.city_wide, guides.township, guides.village):
        assert reverse("service-guide", args=[guide.pk]) in page
    assert "和平社区停车位申请" not in page  # another county's
    assert "失业登记" not in page  # a draft
    assert "共 3 项办事指南" in page


def test_a_county_sees_the_local_guides_inside_it(client, geo, guides):
    page = html(client.get(LIST, {"region": geo.county.code}))
    assert "五津街道城乡居民最低生活保障申请" in page and "居住证明开具" in page
    assert "和平社区停车位申请" not in page
    everywhere = html(client.get(LIST))
    assert "和平社区停车位申请" in everywhere and "共 4 项办事指南" in everywhere


def test_category_tiles_count_and_filter_keeping_the_place(client, geo, guides):
    page = html(client.get(LIST, {"region": geo.village.code}))
    tiles = re.findall(r'<a class="category-tile category-(\w+)[^"]*" href="\?([^"]*)"', page)
    assert len(tiles) == 13
    assert dict(tiles)["assistance"] == f"region={geo.village.code}&amp;category=assistance"
    labour = re.search(r"category-labour.*?tile-count\">(\d+) 项", page, re.S)
    assert labour.group(1) == "1"
    filtered = html(client.get(LIST, {"region": geo.village.code, "category": "assistance"}))
    assert "五津街道城乡居民最低生活保障申请" in filtered
    assert "城乡居民基本养老保险参保登记" not in filtered
    assert 'category-assistance is-current" href' in filtered and 'aria-current="page"' in filtered
    assert "社会救助：共 1 项办事指南" in filtered


def test_links_to_the_places_inside_keep_category_and_search(client, geo, guides):
    page = html(client.get(LIST, {"region": geo.township.code, "category": "certificates"}))
    assert f'href="?region={geo.village.code}&amp;category=certificates"' in page
    searched = html(client.get(LIST, {"region": geo.county.code, "q": "证明"}))
    assert f'href="?region={geo.township.code}&amp;q=%E8%AF%81%E6%98%8E"' in searched


def test_search_finds_and_marks_the_words(client, geo, guides):
    page = html(client.get(LIST, {"region": geo.village.code, "q": "低保"}))
    assert "含“低保”的办事指南 1 项" in page
    assert "<mark>低保</mark>" in page
    assert "城乡居民基本养老保险参保登记" not in page
    # The tiles count what the search found.
    assert re.search(r"category-assistance\".*?tile-count\">1 项", page, re.S)
    assert re.search(r"category-labour is-empty\".*?tile-count\">0 项", page, re.S)
    by_material = html(client.get(LIST, {"q": "免冠彩色照片"}))
    assert "城乡居民基本养老保险参保登记" in by_material
    nothing = html(client.get(LIST, {"q": "准生证"}))
    assert "没有找到相关的办事指南" in nothing
    long_query = html(client.get(LIST, {"q": "低保" * 40}))
    assert "没有找到" in long_query  # cut to 50 characters, not refused


def test_bad_filters_are_a_404(client, geo, guides):
    assert client.get(LIST, {"region": "510118999999"}).status_code == 404
    assert client.get(LIST, {"region": "abc"}).status_code == 404
    assert client.get(LIST, {"category": "sports"}).status_code == 404


def test_the_list_is_paginated_in_bounded_queries(
    client, geo, personas, django_assert_max_num_queries
):
    for number in range(25):
        make_guide(geo.township_office, personas.township_official, name=f"第{number}号事项")
    with django_assert_max_num_queries(8):
        page = html(client.get(LIST, {"region": geo.village.code, "q": "事项"}))
    assert "含“事项”的办事指南 25 项" in page and "第 1 / 2 页" in page
    second = html(client.get(LIST, {"region": geo.village.code, "q": "事项", "page": 2}))
    assert "第 2 / 2 页" in second


def test_the_guide_page_says_everything_a_resident_needs(client, geo, guides):
    guide = guides.township
    page = html(client.get(reverse("service-guide", args=[guide.pk])))
    assert "<h1" in page and "五津街道城乡居民最低生活保障申请" in page
    assert "在乡镇（街道）即可办理" in page
    assert "五津街道及下辖各地" in page
    assert "户籍在五津街道、家庭人均收入低于当地低保标准的居民家庭。" in page
    assert "家庭财产符合规定" in page
    assert "家庭成员身份证和户口簿" in page and "原件和复印件" in page
    assert page.index("提出申请") < page.index("家庭经济状况调查") < page.index("审核确认")
    assert "法定 30 个工作日" in page and "承诺 15 个工作日" in page
    assert "不收费" in page
    assert "新津区五津街道便民服务中心" in page and "周一至周五" in page
    assert 'href="tel:028-82512345"' in page
    assert "《社会救助暂行办法》第十一条" in page
    assert reverse("unit", args=[geo.township_office.pk]) in page
    assert reverse("service-guide-print", args=[guide.pk]) in page
    assert "已超过一年" not in page


def test_the_guide_page_links_the_online_hall_and_says_city_wide(client, guides):
    page = html(client.get(reverse("service-guide", args=[guides.city_wide.pk])))
    assert "在村（社区）即可办理" in page
    assert "成都市全域通用" in page
    assert 'href="https://www.sczwfw.gov.cn/"' in page
    village = html(client.get(reverse("service-guide", args=[guides.village.pk])))
    assert "承诺即办（当场办结）" in village


def test_a_guide_not_verified_for_a_year_says_so(client, guides):
    make_overdue(guides.city_wide)
    page = html(client.get(reverse("service-guide", args=[guides.city_wide.pk])))
    assert "已超过一年" in page and "办理前请先电话咨询" in page


def test_drafts_withdrawn_and_unknown_guides_are_404(client, personas, guides):
    assert client.get(reverse("service-guide", args=[guides.draft.pk])).status_code == 404
    withdrawn = services.guide_withdraw(
        guide=guides.township, reason="事项调整", actor=personas.township_official
    )
    assert withdrawn.status == GuideStatus.WITHDRAWN
    for pk in (guides.township.pk, 999999):
        assert client.get(reverse("service-guide", args=[pk])).status_code == 404
        assert client.get(reverse("service-guide-print", args=[pk])).status_code == 404
    assert client.get(reverse("service-guide-print", args=[guides.draft.pk])).status_code == 404


def test_the_print_page_has_a_qr_code_of_the_online_address(client, guides):
    guide = guides.city_wide
    response = client.get(reverse("service-guide-print", args=[guide.pk]))
    page = html(response)
    online = f"http://testserver{reverse('service-guide', args=[guide.pk])}"
    assert online in page
    svg = re.search(r'<svg viewBox="[^"]+" class="guide-qr">.*?</svg>', page, re.S).group(0)
    # The same modules as a QR code of that address (segno is deterministic).
    expected = segno.make(online, error="m").svg_inline(
        scale=1,
        border=4,
        omitsize=True,
        dark="#000",
        light="#fff",
        svgclass="guide-qr",
        lineclass="guide-qr-line",
    )
    path = re.compile(r'class="guide-qr-line" stroke="#000" d="([^"]+)"')
    assert path.search(svg).group(1) == path.search(expected).group(1)
    assert "services/print.css" in page and "services/print.js" in page
    assert "<script>" not in page and " style=" not in page  # the CSP forbids inline ones
    assert "户口簿" in page and "办理流程" in page and "最近核验" in page
    assert "tel:" not in page.split('class="print-sheet')[1]  # a sheet of paper: plain text


def test_the_print_page_is_small_and_needs_no_login(client, guides, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert (
            client.get(reverse("service-guide-print", args=[guides.city_wide.pk])).status_code
            == 200
        )


def test_every_place_page_leads_to_its_guides(client, geo, guides):
    url = f"{LIST}?region={geo.village.code}"
    assert url in html(client.get(reverse("region", args=[geo.village.code])))
    assert url in html(client.get(reverse("unit", args=[geo.village_committee.pk])))
