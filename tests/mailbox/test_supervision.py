"""The supervisors' letter dashboard: who may look, overdue and due-soon letters,
filters, the chart and its table, the drill-down, the exports and a bounded number of
queries."""

import csv
import io
import re
from dataclasses import dataclass
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from mailbox.models import Letter
from portal import urls as portal_urls
from portal.services import people
from tests.factories import UserFactory
from tests.mailbox.helpers import (
    at,
    frozen,
    no_rate_limit,
    queries_of,
    rate,
    reply,
    submit,
    with_mailbox_urls,
)

urlpatterns = with_mailbox_urls(portal_urls.urlpatterns)
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def _phones_may_repeat(settings):
    no_rate_limit(settings)


DASHBOARD = "/supervision/letters/"
NOW = at(2026, 11, 20, 12)  # Friday: "due soon" reaches to the end of Monday 23 Nov
PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"
EMAIL = "li.hua@example.com"


@dataclass
class Letters:
    overdue: Letter  # 平岗社区, due Tue 10 Nov
    overdue_county: Letter  # 新津区教育局, due Thu 12 Nov, a complaint
    due_today: Letter  # due Fri 20 Nov (later today)
    due_monday: Letter  # due Mon 23 Nov
    not_soon: Letter  # due Wed 25 Nov
    answered: Letter  # on time
    answered_late: Letter
    other_county: Letter  # 锦江区, overdue


@pytest.fixture
def letters(geo, personas, calendar_2026) -> Letters:
    official = personas.village_official
    overdue = submit(
        geo.village_committee,
        when=at(2026, 11, 3),
        subject="超期的来信",
        name="李华",
        phone=PHONE,
        email=EMAIL,
        id_number=ID_NUMBER,
    )
    overdue_county = submit(
        geo.county_bureau, when=at(2026, 11, 5), subject="县级超期来信", type="complaint"
    )
    due_today = submit(geo.village_committee, when=at(2026, 11, 13), subject="今天到期")
    due_monday = submit(geo.township_office, when=at(2026, 11, 16), subject="周一到期")
    not_soon = submit(geo.village_committee, when=at(2026, 11, 18), subject="下周三到期")
    answered = submit(geo.village_committee, when=at(2026, 11, 2), subject="按期答复的来信")
    reply(answered, official, at(2026, 11, 4))
    rate(answered, "satisfied", at(2026, 11, 5))
    answered_late = submit(geo.village_committee, when=at(2026, 10, 12), subject="超期答复的来信")
    reply(answered_late, official, at(2026, 10, 30))
    other = submit(geo.other_county_bureau, when=at(2026, 11, 3), subject="锦江区的来信")
    return Letters(
        overdue, overdue_county, due_today, due_monday, not_soon, answered, answered_late, other
    )


@pytest.fixture
def other_supervisor(geo, personas):
    user = UserFactory(username="jinjiang_supervisor")
    people.supervisor_grant(user=user, region=geo.other_county, actor=personas.platform_admin)
    user.refresh_from_db()
    return user


@pytest.fixture
def city_supervisor(geo, personas):
    user = UserFactory(username="chengdu_supervisor")
    people.supervisor_grant(user=user, region=geo.city, actor=personas.platform_admin)
    user.refresh_from_db()
    return user


def get(client, user, **query):
    client.force_login(user)
    with frozen(NOW):
        return client.get(DASHBOARD, query)


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


# --- Who may look --------------------------------------------------------------------


def test_the_county_supervisor_sees_the_county(client, geo, personas, letters):
    html = _html(get(client, personas.county_supervisor))  # the supervised place by default
    assert "新津区来信办理督办" in html
    assert "超期的来信" in html and "县级超期来信" in html
    assert "锦江区的来信" not in html


def test_a_supervisor_may_open_places_inside_the_scope(client, geo, personas, letters):
    html = _html(get(client, personas.county_supervisor, region=geo.village.code))
    assert "平岗社区来信办理督办" in html and "县级超期来信" not in html


@pytest.mark.parametrize("place", ["other_county", "other_village", "city"])
def test_places_outside_the_scope_are_404(client, geo, personas, letters, place):
    response = get(client, personas.county_supervisor, region=getattr(geo, place).code)
    assert response.status_code == 404


def test_a_supervisor_of_another_county_gets_404_for_ours(client, geo, letters, other_supervisor):
    assert get(client, other_supervisor, region=geo.county.code).status_code == 404
    own = _html(get(client, other_supervisor))
    assert "锦江区的来信" in own and "超期的来信" not in own


@pytest.mark.parametrize("persona", ["citizen", "resident", "village_official"])
def test_people_without_a_supervisor_scope_get_404(client, geo, personas, letters, persona):
    user = getattr(personas, persona)
    assert get(client, user).status_code == 404
    assert get(client, user, region=geo.village.code).status_code == 404


def test_the_anonymous_visitor_is_sent_to_log_in(client, geo, letters):
    response = client.get(DASHBOARD, {"region": geo.county.code})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    export = client.get(DASHBOARD, {"region": geo.county.code, "format": "csv"})
    assert export.status_code == 302


def test_platform_admins_see_the_whole_city(client, geo, personas, letters):
    html = _html(get(client, personas.platform_admin))
    assert "成都市来信办理督办" in html
    assert "锦江区的来信" in html and "超期的来信" in html


def test_nonsense_places_are_404(client, geo, personas, letters):
    assert get(client, personas.county_supervisor, region="51011").status_code == 404
    assert get(client, personas.county_supervisor, region="510118555000").status_code == 404


# --- Overdue and due soon ------------------------------------------------------------


def test_overdue_letters_oldest_first(client, geo, personas, letters):
    html = _html(get(client, personas.county_supervisor))
    overdue = _section(html, "overdue-heading")
    assert "超期未答复（2 封）" in overdue
    assert overdue.index("超期的来信") < overdue.index("县级超期来信")
    assert "已超期 9 天" in overdue  # due at the end of 10 Nov, now noon on 20 Nov
    for absent in ("今天到期", "周一到期", "下周三到期", "按期答复的来信", "超期答复的来信"):
        assert absent not in overdue


def test_due_soon_reaches_the_end_of_the_next_working_day(client, geo, personas, letters):
    soon = _section(_html(get(client, personas.county_supervisor)), "soon-heading")
    assert "即将到期（2 封）" in soon and "2026-11-23" in soon
    assert soon.index("今天到期") < soon.index("周一到期")
    assert "下周三到期" not in soon and "超期的来信" not in soon


def test_rows_link_to_the_back_office_and_mask_the_writer(client, geo, personas, letters):
    html = _html(get(client, personas.county_supervisor))
    assert f'href="/admin/mailbox/letter/{letters.overdue.pk}/change/"' in html
    assert "李*" in html and "李华" not in html
    assert PHONE not in html and ID_NUMBER not in html and EMAIL not in html


# --- Figures, chart, drill-down ------------------------------------------------------


def test_the_summary_figures(client, geo, personas, letters):
    summary = _section(_html(get(client, personas.county_supervisor)), "summary-heading")
    # 1 on time of 2 replied + 2 overdue.
    assert "25.0%" in summary
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", summary))
    assert figures["收到来信"] == "7" and figures["已答复"] == "2" and figures["办理中"] == "5"
    assert figures["超期未答复"] == "2" and figures["满意率"] == "100.0%"


def test_the_chart_is_accessible_svg_without_script_or_inline_style(client, geo, personas, letters):
    html = _html(get(client, personas.county_supervisor))
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">新津区各地来信按期答复率</title>' in svg
    # 本级单位 (the county bureau): 0 of 1 overdue; 五津街道: 1 of 2 replied + 1 overdue.
    assert "<title>本级单位：0.0%</title>" in svg and "<title>五津街道：33.3%</title>" in svg
    assert "<script" not in html and "style=" not in html
    assert "mailbox/letters.css" in html
    # The table says the same as the chart.
    table = _section(html, "places-heading")
    assert "<caption>新津区各地来信按期答复率</caption>" in table
    assert "33.3%" in table


def test_drill_down_keeps_the_filters(client, geo, personas, letters):
    html = _html(get(client, personas.county_supervisor, type="help"))
    assert f'href="/supervision/letters/?region={geo.township.code}&amp;type=help"' in html
    township = _html(get(client, personas.county_supervisor, region=geo.township.code))
    assert "平岗社区" in _section(township, "places-heading")
    # The trail leads back up as far as the supervisor may go, and no further.
    assert f'href="/supervision/letters/?region={geo.county.code}"' in township
    assert f"?region={geo.city.code}" not in township


def test_a_unit_link_narrows_to_the_unit(client, geo, personas, letters):
    html = _html(get(client, personas.county_supervisor))
    link = f"?region={geo.county.code}&amp;unit={geo.village_committee.pk}"
    assert link in html
    narrowed = _html(get(client, personas.county_supervisor, unit=geo.village_committee.pk))
    assert "超期的来信" in narrowed and "县级超期来信" not in narrowed
    # The chosen unit is selected in the filter, though it is not a county-level unit.
    assert f'<option value="{geo.village_committee.pk}" selected>' in narrowed


# --- Filters -------------------------------------------------------------------------


def test_filter_by_tier(client, geo, personas, letters):
    html = _html(get(client, personas.county_supervisor, tier="county"))
    assert "县级超期来信" in html and "超期的来信" not in html and "周一到期" not in html
    township = _html(get(client, personas.county_supervisor, tier="township"))
    assert "周一到期" in township and "超期的来信" not in township


def test_filter_by_type(client, geo, personas, letters):
    html = _html(get(client, personas.county_supervisor, type="complaint"))
    assert "县级超期来信" in html and "超期的来信" not in html


def test_filter_by_date_of_receipt(client, geo, personas, letters):
    html = _html(get(client, personas.county_supervisor, since="2026-11-04", until="2026-11-13"))
    assert "县级超期来信" in html and "今天到期" in html
    assert "超期的来信" not in html and "周一到期" not in html


def test_wrong_filters_are_reported_and_left_out(client, geo, personas, letters):
    html = _html(
        get(
            client,
            personas.county_supervisor,
            tier="planet",
            since="2026-11-20",
            until="2026-11-01",
            unit=geo.other_county_bureau.pk,
        )
    )
    assert html.count('class="error"') == 3
    assert "超期的来信" in html and "县级超期来信" in html  # nothing filtered out
    assert "锦江区教育局" not in html  # a unit outside the scope is not offered


# --- Exports -------------------------------------------------------------------------


def _export(client, user, fmt, **query):
    response = get(client, user, format=fmt, **query)
    assert response.status_code == 200
    return response


def test_xlsx_export_opens_and_masks(client, geo, personas, letters):
    response = _export(client, personas.county_supervisor, "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert unquote(response["Content-Disposition"]).endswith("来信办理情况_新津区_20261120.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("查询编号", "标题", "类型") and rows[0][-2:] == ("来信人", "手机号码")
    assert len(rows) == 1 + 7  # the county's letters
    by_subject = {row[1]: row for row in rows[1:]}
    overdue = by_subject["超期的来信"]
    assert overdue[-2:] == ("李*", "138****5678")
    assert overdue[11] == "超期未答复"
    assert by_subject["按期答复的来信"][11] == "按期答复"
    assert by_subject["超期答复的来信"][11] == "超期答复"
    assert by_subject["下周三到期"][11] == "未到期"
    text = " ".join(str(cell) for row in rows for cell in row)
    assert PHONE not in text and ID_NUMBER not in text and EMAIL not in text
    assert "李华" not in text and "锦江区的来信" not in text


def test_csv_export_parses_and_masks(client, geo, personas, letters):
    response = _export(client, personas.county_supervisor, "csv", list="overdue")
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "查询编号" and rows[0][-1] == "手机号码"
    assert [row[1] for row in rows[1:]] == ["超期的来信", "县级超期来信"]
    assert rows[1][-2:] == ["李*", "138****5678"]
    assert rows[1][7] == "2026-11-03 10:00"  # local time
    assert PHONE not in text and ID_NUMBER not in text and EMAIL not in text


def test_exports_follow_the_filters(client, geo, personas, letters):
    response = _export(client, personas.county_supervisor, "csv", list="due_soon", tier="village")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["今天到期"]


def test_a_workbook_too_large_sends_back_with_a_message(client, geo, personas, letters, settings):
    settings.MAILBOX_EXPORT_XLSX_MAX_ROWS = 5
    response = get(client, personas.county_supervisor, format="xlsx", type="help")
    assert response.status_code == 302
    assert response["Location"] == "/supervision/letters/?type=help"
    with frozen(NOW):
        html = _html(client.get(response["Location"]))
    assert "超过 5 封来信，无法导出 Excel 表格" in html
    # Fewer rows, or CSV, still export.
    assert _export(client, personas.county_supervisor, "xlsx", list="overdue")
    assert _export(client, personas.county_supervisor, "csv")


def test_exports_are_404_outside_the_scope(client, geo, personas, letters):
    response = get(client, personas.county_supervisor, region=geo.other_county.code, format="xlsx")
    assert response.status_code == 404


# --- Bounded queries -----------------------------------------------------------------


def test_the_dashboard_costs_the_same_for_more_letters(
    client, geo, personas, letters, city_supervisor
):
    client.force_login(city_supervisor)

    def load():
        with frozen(NOW):
            count, response = queries_of(lambda: client.get(DASHBOARD, {"region": geo.city.code}))
        return count, _html(response)

    before, _ = load()
    for n in range(40):
        unit = [geo.village_committee, geo.township_office, geo.county_bureau][n % 3]
        letter = submit(unit, when=at(2026, 10, 12 + n % 20), subject=f"批量{n}")
        if n % 2:
            reply(letter, personas.platform_admin, at(2026, 11, 2))
    after, html = load()
    assert after == before <= 18
    assert "超期未答复（23 封）" in html  # 20 more overdue: a second page
    assert "overdue_page=2" in html


def test_exports_cost_the_same_for_more_letters(client, geo, personas, letters):
    client.force_login(personas.county_supervisor)

    def export():
        with frozen(NOW):
            count, body = queries_of(
                lambda: b"".join(client.get(DASHBOARD, {"format": "csv"}).streaming_content)
            )
        return count, body.count(b"\n")

    before, lines = export()
    for n in range(10):
        submit(geo.village_committee, when=at(2026, 11, 2 + n), subject=f"批量{n}")
    after, more_lines = export()
    assert after == before and more_lines == lines + 10
