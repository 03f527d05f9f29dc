import pytest
from django.urls import reverse

from portal.models import Residency, User

pytestmark = pytest.mark.django_db


def test_home_lists_the_counties(geo, client, settings, django_assert_max_num_queries):
    settings.PORTAL_ROOT_REGION = "510100000000"
    # Places, unit counts, units, latest records, letter counters, participation counters
    # (one query): none grows with rows.
    with django_assert_max_num_queries(8):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "新津区" in html and "锦江区" in html
    assert 'lang="zh-CN"' in html
    assert "按时答复率" in html


def test_place_page_with_breadcrumbs_and_units(geo, client, django_assert_max_num_queries):
    # The same, but for the letter counters (the home page's alone).
    with django_assert_max_num_queries(7):
        response = client.get(reverse("region", args=["510118001000"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "平岗社区" in html  # child place
    assert "新津区五津街道办事处" in html  # own unit
    assert 'aria-current="page">五津街道' in html
    assert "1 个公开主体" in html
    assert "公众参与" in html and "意见建议" in html


def test_unknown_or_malformed_place_is_404(geo, client):
    assert client.get("/regions/510118009000/").status_code == 404
    assert client.get("/regions/xyz/").status_code == 404


def test_unit_page_and_search(geo, client):
    response = client.get(reverse("unit", args=[geo.village_committee.pk]))
    assert response.status_code == 200 and "平岗社区居民委员会" in response.content.decode()
    found = client.get("/units/", {"q": "教育局", "region": "510118000000"}).content.decode()
    assert "新津区教育局" in found and "锦江区教育局" not in found
    bad = client.get("/units/", {"region": "51"}).content.decode()
    assert "区划代码应为12位数字" in bad


def test_workday_page(calendar_2026, client):
    html = client.get("/tools/workdays/", {"date": "2026-09-28", "days": 5}).content.decode()
    assert "2026年10月10日（星期六）" in html and "国庆节" in html
    provisional = client.get("/tools/workdays/", {"date": "2026-12-28", "days": 5}).content.decode()
    assert "暂" in provisional or "仅按周末推算" in provisional
    error = client.get("/tools/workdays/", {"date": "2026-02-30", "days": 5}).content.decode()
    assert "请输入有效日期" in error


def test_display_mode_persists_by_cookie(geo, client):
    response = client.post("/display/", {"mode": "large", "next": "/units/"})
    assert response.status_code == 302 and response["Location"] == "/units/"
    assert response.cookies["display"].value == "large"
    page = client.get("/units/").content.decode()
    assert 'class="large-type"' in page and "large-type" in page
    # An outside address is never a redirect target.
    outside = client.post("/display/", {"mode": "contrast", "next": "https://evil.example/"})
    assert outside["Location"] == "/"
    assert client.get("/display/").status_code == 405


def test_language_switch_to_english(geo, client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="en"' in html


def test_register_validates_and_loses_nothing(client):
    response = client.post(
        "/accounts/register/",
        {"username": "wangfang", "phone": "12345", "password": "x", "password_again": "y"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "请输入11位手机号码" in html and "两次输入的密码不一致" in html
    assert 'value="wangfang"' in html  # what was typed is kept
    assert not User.objects.filter(username="wangfang").exists()
    ok = client.post(
        "/accounts/register/",
        {
            "username": "wangfang",
            "full_name": "王芳",
            "phone": "13912345678",
            "password": "Qingshui-River-88",
            "password_again": "Qingshui-River-88",
        },
    )
    assert ok.status_code == 302
    account = client.get("/accounts/").content.decode()
    assert "139****5678" in account and "13912345678" not in account
    assert "王*" in account


def test_residency_application_stores_only_hash_and_mask(geo, personas, client):
    client.force_login(personas.citizen)
    bad = client.post(
        "/accounts/residency/",
        {"region": "510118001001", "real_name": "赵磊", "id_number": "110105194912310021"},
    )
    assert "校验位不正确" in bad.content.decode()
    assert not Residency.objects.filter(user=personas.citizen).exists()
    ok = client.post(
        "/accounts/residency/",
        {"region": "510118001001", "real_name": "赵磊", "id_number": "11010519491231002X"},
    )
    assert ok.status_code == 302
    residency = Residency.objects.get(user=personas.citizen)
    assert residency.id_number_masked == "110105********002X"
    assert "11010519491231002X" not in residency.id_number_hash
    township = client.post(
        "/accounts/residency/",
        {"region": "510118001000", "real_name": "赵磊", "id_number": "11010519491231002X"},
    )
    assert "村（社区）" in township.content.decode()


def test_security_headers(client, geo):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_client_address_behind_the_proxy(rf, settings):
    from portal.pages import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "10.0.0.2"  # no proxy configured: the header is a client's
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_ip(request) == "203.0.113.9"  # the hop our proxy added, not the forged one


@pytest.mark.django_db
def test_bench_floor_is_the_base_template_without_queries_and_off_by_default(
    client, settings, django_assert_num_queries
):
    assert client.get("/bench/floor/").status_code == 404
    settings.PORTAL_BENCH_FLOOR = True
    with django_assert_num_queries(0):
        response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert settings.PORTAL_SITE_NAME in response.content.decode()
