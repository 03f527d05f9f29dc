"""GET /api/v1/annual-reports/?unit=&year=: the tables as JSON, live for a draft, frozen
and with the narrative once published."""

import datetime as dt

import pytest

from disclosure.annual import services
from disclosure.models import PublishingSetting
from tests.disclosure.annual_fixtures import make_request

pytestmark = pytest.mark.django_db

D = dt.date
URL = "/api/v1/annual-reports/"
COLUMNS = [
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_service",
    "other",
    "total",
]


def rows(body):
    return {row["key"]: row["values"] for row in body["tables"]["table3"]["rows"]}


def test_draft_gives_live_figures_without_narrative(api, geo, personas):
    unit = geo.township_office
    services.annual_report_save(
        unit=unit,
        year=2026,
        actor=personas.township_official,
        overall="内部草稿",
        problems="",
        other="",
    )
    make_request(unit, received=D(2026, 12, 28), replied=D(2027, 1, 8), outcome="partial")
    response = api.get(URL, {"unit": unit.pk, "year": 2026})
    assert response.status_code == 200
    body = response.json()
    assert body["unit"] == {"id": unit.pk, "name": unit.name, "region": unit.region_id}
    assert body["year"] == 2026 and body["status"] == "draft"
    assert body["published_at"] is None and body["narrative"] is None
    assert "内部草稿" not in response.content.decode()
    table3 = body["tables"]["table3"]
    assert [c["key"] for c in table3["columns"]] == COLUMNS
    assert rows(body)["new"]["natural_person"] == 1
    assert rows(body)["carried_forward"]["total"] == 1
    assert set(table3["check"]) == set(COLUMNS)
    assert table3["check"]["total"] == {
        "new": 1,
        "carried_over": 0,
        "handled": 0,
        "carried_forward": 1,
        "holds": True,
        "difference": 0,
    }
    assert {s["key"] for s in body["tables"]["table2"]["sections"]} == {
        "policies",
        "licensing",
        "penalties_enforcement",
        "fees",
    }
    assert [r["key"] for r in body["tables"]["table4"]["rows"]] == [
        "reconsideration",
        "litigation",
        "litigation_after",
    ]


def test_published_gives_frozen_tables_and_narrative(api, geo, personas, catalog):
    unit, editor = geo.township_office, personas.township_official
    PublishingSetting.objects.update_or_create(unit=unit, defaults={"requires_review": False})
    make_request(unit, received=D(2025, 4, 1), replied=D(2025, 4, 9), outcome="public")
    services.annual_report_save(
        unit=unit, year=2025, actor=editor, overall="总体情况。", problems="问题。", other=""
    )
    services.annual_report_publish(unit=unit, year=2025, actor=editor)
    make_request(unit, received=D(2025, 5, 1), replied=D(2025, 5, 9), outcome="public")
    body = api.get(URL, {"unit": unit.pk, "year": 2025}).json()
    assert body["status"] == "published" and body["published_at"]
    assert body["narrative"] == {"overall": "总体情况。", "problems": "问题。", "other": ""}
    assert rows(body)["new"]["total"] == 1 and rows(body)["public"]["total"] == 1
    assert body["pdf_url"].endswith(f"/annual-reports/{unit.pk}/2025.pdf")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"year": 2025}, "unit", "请指定单位"),
        ({"unit": "abc", "year": 2025}, "unit", "单位编号应为数字"),
        ({"unit": 999999, "year": 2025}, "unit", "没有编号为 999999 的单位"),
        ({"unit": "UNIT"}, "year", "请指定年度"),
        ({"unit": "UNIT", "year": "今年"}, "year", "年度应为四位数字"),
        ({"unit": "UNIT", "year": 2007}, "year", "年度应在 2008 年至"),
        ({"unit": "UNIT", "year": 2099}, "year", "年度应在 2008 年至"),
    ],
)
def test_bad_input_is_400_in_chinese(api, geo, query, field, message):
    query = {k: geo.township_office.pk if v == "UNIT" else v for k, v in query.items()}
    response = api.get(URL, query)
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_query_count_is_bounded(api, geo, django_assert_max_num_queries):
    unit = geo.township_office
    for day in range(1, 25):
        make_request(unit, received=D(2026, 3, day), replied=D(2026, 4, day), outcome="public")
    with django_assert_max_num_queries(9):
        assert api.get(URL, {"unit": unit.pk, "year": 2026}).status_code == 200
