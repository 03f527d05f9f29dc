"""The annual report's pages: who sees what, the layout of the 2021 format, the check,
the exports, the officials' forms, and the query counts."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from disclosure.annual import services
from disclosure.models import AnnualReport, PublishingSetting, RecordStatus
from tests.disclosure.annual_fixtures import (  # noqa: F401 (fixtures)
    make_challenge,
    make_request,
    township_reviewer_fixture,
)

pytestmark = pytest.mark.django_db

D = dt.date


def url(unit, year, name="annual-report"):
    return reverse(name, kwargs={"unit_id": unit.pk, "year": year})


def published(geo, personas, *, year=2025):
    unit, editor = geo.township_office, personas.township_official
    PublishingSetting.objects.update_or_create(unit=unit, defaults={"requires_review": False})
    services.annual_report_save(
        unit=unit,
        year=year,
        actor=editor,
        overall="本年度主动公开政府信息。",
        problems="及时性有待提高。",
        other="",
    )
    return services.annual_report_publish(unit=unit, year=year, actor=editor)


def test_draft_is_for_the_units_officials(client, geo, personas):
    unit = geo.township_office
    make_request(unit, received=D(2026, 3, 2))
    assert client.get(url(unit, 2026)).status_code == 404
    client.force_login(personas.other_county_official)
    assert client.get(url(unit, 2026)).status_code == 404
    assert client.get(url(unit, 2026) + "?format=xlsx").status_code == 404
    assert client.get(url(unit, 2026, "annual-report-pdf")).status_code == 404
    for person in (personas.township_official, personas.county_supervisor):
        client.force_login(person)
        page = client.get(url(unit, 2026))
        assert page.status_code == 200
        assert "草稿" in page.content.decode()
    # Editors see the way to the narrative; a supervisor reads only.
    client.force_login(personas.township_official)
    assert url(unit, 2026, "annual-report-edit") in client.get(url(unit, 2026)).content.decode()
    client.force_login(personas.county_supervisor)
    assert url(unit, 2026, "annual-report-edit") not in client.get(url(unit, 2026)).content.decode()
    assert client.get(url(unit, 2026, "annual-report-edit")).status_code == 404


def test_unknown_unit_and_year_are_404(client, geo, personas):
    client.force_login(personas.platform_admin)
    assert (
        client.get(reverse("annual-report", kwargs={"unit_id": 999999, "year": 2025})).status_code
        == 404
    )
    assert client.get(url(geo.township_office, 2007)).status_code == 404
    assert client.get(url(geo.township_office, 2099)).status_code == 404


def test_page_has_the_format_and_the_check(client, geo, personas):
    unit = geo.township_office
    make_request(unit, received=D(2026, 2, 2), replied=D(2026, 2, 20), outcome="partial")
    client.force_login(personas.township_official)
    html = client.get(url(unit, 2026)).content.decode()
    for label in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "本年制发件数",
        "行政规范性文件",
        "本年收费金额（单位：万元）",
        "三、收到和处理政府信息公开申请情况",
        "申请人情况",
        "法人或其他组织",
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "三、本年度办理结果",
        "（三）不予公开",
        "8.属于行政查询事项",
        "（七）总计",
        "四、结转下年度继续办理",
        "四、政府信息公开行政复议、行政诉讼情况",
        "未经复议直接起诉",
        "复议后起诉",
        "尚未审结",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ):
        assert label in html, label
    assert "勾稽关系成立" in html and "check-ok" in html
    assert 'rowspan="8"' in html  # （三）不予公开 spans its eight grounds


def test_a_failing_check_is_shown_with_the_difference(client, geo, personas):
    unit = geo.township_office
    request = make_request(unit, received=D(2026, 3, 2), replied=D(2026, 3, 10), outcome="public")
    request.replied_at = request.replied_at.replace(year=2025)
    request.save(update_fields=["replied_at"])
    client.force_login(personas.township_official)
    html = client.get(url(unit, 2026)).content.decode()
    assert "勾稽关系不成立" in html and "check-fail" in html
    assert "相差 1" in html


def test_published_report_is_public_and_frozen(client, geo, personas, catalog):
    unit = geo.township_office
    make_request(unit, received=D(2025, 5, 2), replied=D(2025, 5, 20), outcome="public")
    published(geo, personas)
    make_request(unit, received=D(2025, 6, 2), replied=D(2025, 6, 20), outcome="public")
    page = client.get(url(unit, 2025))
    assert page.status_code == 200
    html = page.content.decode()
    assert "已发布" in html and "本年度主动公开政府信息。" in html
    assert "草稿" not in html
    table = html[html.index("report-table3") :]
    new_row = table[table.index("一、本年新收") :]
    assert '<td class="num">1</td>' in new_row[: new_row.index("</tr>")]
    listing = client.get(reverse("annual-reports")).content.decode()
    assert "新津区五津街道办事处2025年政府信息公开工作年度报告" in listing
    assert (
        client.get(reverse("annual-reports"), {"year": 2024}).content.decode().count("年度报告</a>")
        == 0
    )
    bad = client.get(reverse("annual-reports"), {"year": "abc"})
    assert bad.status_code == 200 and "年度应为四位数字" in bad.content.decode()


def test_xlsx_opens_with_the_labels(client, geo, personas):
    unit = geo.township_office
    make_request(
        unit,
        received=D(2026, 2, 2),
        applicant_type="commercial",
        replied=D(2026, 2, 20),
        outcome="refused_state_secret",
    )
    make_challenge(unit, kind="reconsideration", filed=D(2026, 4, 1))
    client.force_login(personas.township_official)
    response = client.get(url(unit, 2026), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["二、主动公开", "三、依申请公开", "四、复议诉讼"]

    def texts(sheet):
        return [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]

    table2, table3, table4 = (texts(book[name]) for name in book.sheetnames)
    assert "第二十条第（五）项" in table2 and "行政许可" in table2 and "行政事业性收费" in table2
    for label in ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "总计"):
        assert label in table3
    assert "1.属于国家秘密" in table3 and "（七）总计" in table3
    assert "四、结转下年度继续办理" in table3
    assert "行政复议" in table4 and "复议后起诉" in table4 and "结果维持" in table4
    # The figure is in the commercial column of the row 1.属于国家秘密.
    sheet = book["三、依申请公开"]
    for row in sheet.iter_rows():
        labels = [c.value for c in row]
        if "1.属于国家秘密" in labels:
            header = next(r for r in sheet.iter_rows() if "商业企业" in [c.value for c in r])
            column = [c.value for c in header].index("商业企业")
            assert row[column].value == 1
            break
    else:
        pytest.fail("row 1.属于国家秘密 not found")
    assert sheet.merged_cells.ranges  # laid out with merged cells, as the form


def test_pdf(client, geo, personas, catalog):
    published(geo, personas)
    response = client.get(url(geo.township_office, 2025, "annual-report-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_edit_publish_and_review_through_the_pages(
    client, geo, personas, catalog, township_reviewer
):
    unit = geo.township_office
    client.force_login(personas.township_official)
    edit = url(unit, 2025, "annual-report-edit")
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"overall": "总体情况。", "problems": "主要问题。", "other": "无"})
    assert response.status_code == 302
    report = AnnualReport.objects.get(unit=unit, year=2025)
    assert report.overall == "总体情况。"
    response = client.post(url(unit, 2025, "annual-report-publish"), follow=True)
    assert "等待本单位审核员审核" in response.content.decode()
    report.refresh_from_db()
    assert report.record.status == RecordStatus.IN_REVIEW
    # The author may not approve: the page says so and nothing changes.
    response = client.post(
        url(unit, 2025, "annual-report-review"), {"decision": "approve"}, follow=True
    )
    report.record.refresh_from_db()
    assert report.record.status == RecordStatus.IN_REVIEW

    client.force_login(township_reviewer)
    page = client.get(url(unit, 2025)).content.decode()
    assert "提交审核意见" in page
    response = client.post(
        url(unit, 2025, "annual-report-review"), {"decision": "return"}, follow=True
    )
    assert "退回时请写明修改意见" in response.content.decode()
    response = client.post(
        url(unit, 2025, "annual-report-review"), {"decision": "approve", "note": ""}, follow=True
    )
    assert "已审核通过并发布" in response.content.decode()
    report.record.refresh_from_db()
    assert report.record.status == RecordStatus.PUBLISHED
    client.logout()
    assert client.get(url(unit, 2025)).status_code == 200


def test_publish_refusal_is_shown_not_offered(client, geo, personas, catalog):
    client.force_login(personas.village_official)
    unit = geo.village_committee
    client.post(
        url(unit, 2025, "annual-report-edit"),
        {"overall": "总体情况。", "problems": "主要问题。", "other": ""},
    )
    html = client.get(url(unit, 2025)).content.decode()
    assert "没有“政府信息公开工作年度报告”事项" in html
    assert url(unit, 2025, "annual-report-publish") not in html
    response = client.post(url(unit, 2025, "annual-report-publish"), follow=True)
    assert "没有“政府信息公开工作年度报告”事项" in response.content.decode()
    client.force_login(personas.other_county_official)
    assert client.post(url(unit, 2025, "annual-report-publish")).status_code == 404


@pytest.mark.parametrize("requests", [3, 40])
def test_report_page_queries_do_not_grow_with_requests(
    client, geo, personas, requests, django_assert_max_num_queries
):
    unit = geo.township_office
    types = ["natural_person", "commercial", "research", "public_interest", "legal_service"]
    for n in range(requests):
        make_request(
            unit,
            received=D(2026, 1 + n % 11, 1 + n % 27),
            applicant_type=types[n % len(types)],
            replied=D(2026, 12, 1) if n % 3 else None,
            outcome="public" if n % 3 else "",
        )
    client.force_login(personas.township_official)
    client.get(url(unit, 2026))  # warm the session and permission caches
    with django_assert_max_num_queries(16):
        assert client.get(url(unit, 2026)).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(url(unit, 2026), {"format": "xlsx"}).status_code == 200


def test_list_queries_are_bounded(client, geo, personas, catalog, django_assert_max_num_queries):
    published(geo, personas, year=2025)
    published(geo, personas, year=2024)
    with django_assert_max_num_queries(6):
        html = client.get(reverse("annual-reports")).content.decode()
    assert html.count("政府信息公开工作年度报告</a>") == 2


def test_list_offers_officials_their_units_reports(client, geo, personas, catalog):
    last_year = url(geo.township_office, 2025)
    client.force_login(personas.township_official)
    assert last_year in client.get(reverse("annual-reports")).content.decode()
    # A village committee's catalog has no annual report: nothing to offer.
    client.force_login(personas.village_official)
    html = client.get(reverse("annual-reports")).content.decode()
    assert "本单位年度报告" not in html
    client.logout()
    assert "本单位年度报告" not in client.get(reverse("annual-reports")).content.decode()


def test_officials_move_between_years(client, geo, personas):
    client.force_login(personas.township_official)
    html = client.get(url(geo.township_office, 2025)).content.decode()
    assert url(geo.township_office, 2024) in html and url(geo.township_office, 2026) in html
    html = client.get(url(geo.township_office, 2026)).content.decode()
    assert url(geo.township_office, 2027) not in html
