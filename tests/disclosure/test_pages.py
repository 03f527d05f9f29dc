import pytest

from disclosure.models import GazetteEntry, GazetteIssue, RecordKind, ScheduleKind
from tests.disclosure.conftest import item_of, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(catalog, geo, personas):
    for n in range(25):
        publish(geo.village_committee, personas.village_official, title=f"平岗社区第{n}号公告")
    return geo


def test_city_page_aggregates_every_village_with_bounded_queries(
    many, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        page1 = client.get("/records/", {"region": "510100000000"})
    with django_assert_max_num_queries(8):
        page2 = client.get("/records/", {"region": "510100000000", "page": 2})
    assert "平岗社区第24号公告" in page1.content.decode()  # newest first
    assert "平岗社区第0号公告" in page2.content.decode()
    assert "共 25 条信息" in page1.content.decode()


def test_place_page_shows_latest_records(many, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        html = client.get("/regions/510118000000/").content.decode()
    assert "最新公开信息" in html and "平岗社区第24号公告" in html


def test_filters(many, client, geo):
    base = {"region": "510100000000"}
    assert "平岗社区" in client.get("/records/", {**base, "tier": "village"}).content.decode()
    assert "共 0 条信息" in client.get("/records/", {**base, "tier": "county"}).content.decode()
    assert "共 0 条信息" in client.get("/records/", {**base, "kind": "school"}).content.decode()
    assert "共 0 条信息" in client.get("/records/", {"region": "510104000000"}).content.decode()
    bad = client.get("/records/", {"region": "5101", "since": "2026-13-01"}).content.decode()
    assert "区划代码应为12位数字" in bad and "请输入有效日期" in bad


def test_search_highlights_and_escapes(catalog, geo, personas, client):
    publish(
        geo.village_committee,
        personas.village_official,
        title="<b>最低生活保障</b>对象公示",
        body="<p>本季度最低生活保障对象共12户。</p>",
    )
    html = client.get("/search/", {"q": "生活保障", "region": "510118000000"}).content.decode()
    assert "<mark>生活保障</mark>" in html
    assert "&lt;b&gt;" in html  # the title's markup is shown, not obeyed
    assert "找到 1 条信息" in html
    assert "找到 0 条信息" in client.get("/search/", {"q": "保障生活"}).content.decode()


def test_catalog_item_across_a_subtree_and_period(catalog, geo, personas, client):
    import datetime as dt

    item = item_of(geo.village_committee, kind=ScheduleKind.QUARTERLY)
    publish(
        geo.village_committee,
        personas.village_official,
        title="平岗社区2026年第三季度公开",
        item=item,
        period_start=dt.date(2026, 7, 1),
        info_date=dt.date(2026, 10, 9),
    )
    publish(
        geo.village_committee,
        personas.village_official,
        title="平岗社区2026年第二季度公开",
        item=item,
        period_start=dt.date(2026, 4, 1),
        info_date=dt.date(2026, 7, 9),
    )
    html = client.get(
        f"/catalog-items/{item.pk}/", {"region": "510118000000", "period": "2026Q3"}
    ).content.decode()
    assert "第三季度" in html and "第二季度" not in html
    assert (
        "期间格式应为"
        in client.get(f"/catalog-items/{item.pk}/", {"period": "Q5"}).content.decode()
    )


def test_policy_chain_on_each_page(catalog, geo, personas, client):
    policy = publish(
        geo.village_committee,
        personas.village_official,
        title="平岗社区居民公约（修订）",
        kind=RecordKind.POLICY,
    )
    reading = publish(
        geo.village_committee,
        personas.village_official,
        title="一图读懂居民公约",
        kind=RecordKind.INTERPRETATION,
        policy=policy,
        interpretation_form="graphic",
    )
    answer = publish(
        geo.village_committee,
        personas.village_official,
        title="关于居民公约停车条款的回应",
        kind=RecordKind.RESPONSE,
        policy=policy,
    )
    for record in (policy, reading, answer):
        html = client.get(f"/records/{record.pk}/").content.decode()
        assert all(t in html for t in (policy.title, reading.title, answer.title))


def test_gazette_archive_and_issue(catalog, geo, personas, client):
    import datetime as dt

    record = publish(
        geo.village_committee, personas.village_official, title="成都市人民政府关于印发某办法的通知"
    )
    issue = GazetteIssue.objects.create(
        publisher=geo.village_committee,
        year=2026,
        number=3,
        cumulative=4,
        published_on=dt.date(2026, 3, 31),
        is_published=True,
    )
    GazetteEntry.objects.create(issue=issue, record=record, section="市政府文件")
    archive = client.get("/gazette/").content.decode()
    assert "第3期" in archive and "总第4期" in archive
    html = client.get("/gazette/2026/3/").content.decode()
    assert record.title in html and "市政府文件" in html
    assert client.get("/gazette/2026/9/").status_code == 404


def test_unit_page_shows_its_catalog_with_counts(catalog, geo, personas, client):
    record = publish(
        geo.village_committee, personas.village_official, title="平岗社区党组织换届公告"
    )
    html = client.get(f"/units/{geo.village_committee.pk}/").content.decode()
    assert "本单位公开目录" in html and "村（社区）政务公开标准目录" in html
    assert record.item.level2 in html and "1 条" in html
    assert record.title in html


def test_search_counts_stop_at_the_cap(many, client, monkeypatch):
    from disclosure.views import SearchPaginator

    monkeypatch.setattr(SearchPaginator, "cap", 10)
    html = client.get("/search/", {"q": "公告"}).content.decode()
    assert "找到超过 10 条信息" in html
    api = client.get("/api/v1/records/", {"q": "公告"}).json()
    # Paging stops there too: a search is refined, not paged through thousands of rows.
    assert api["count"] == 11 and len(api["results"]) == 11


def test_list_counts_stop_at_their_cap_and_paging_stops_there_too(many, client, monkeypatch):
    from disclosure import views

    monkeypatch.setattr(views.CappedPaginator, "cap", 10)
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    html = client.get("/records/").content.decode()
    # 25 records: counted up to 11, shown as "more than 10", in two full pages of 5.
    assert "超过 10 条信息" in html and "第 1 / 2+ 页" in html
    last = client.get("/records/", {"page": 99}).content.decode()
    assert "第 2 / 2+ 页" in last and last.count('class="record-title"') == 5
