"""The demo's government gazette (disclosure/demo/gazette.py) and the city's monthly
policy documents it prints (disclosure/demo/city.py).

The small test geography with the city government and three of its departments (two
that issue by the month for the gazette, one that issues at random as other units do),
loaded through demo_load with the real 2025 and 2026 holiday calendars.
"""

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest

from disclosure import demo
from disclosure.demo import city, gazette
from disclosure.models import GazetteEntry, GazetteIssue, Record, RecordKind, RecordStatus
from portal.models import CalendarDay, DayKind, Sector, Unit, UnitKind
from portal.services.calendar import calendar_load_year
from tests.factories import UnitFactory, UserFactory

CITY_CODE = "510100000000"
NUMBER = re.compile(r"(.+)〔(\d{4})〕(\d+)号")


@pytest.fixture
def city_units(catalog, geo):
    UnitFactory(name="成都市人民政府", kind=UnitKind.GOVERNMENT, region=geo.city)
    for name, sector in (
        ("成都市教育局", Sector.EDUCATION),
        ("成都市民政局", Sector.CIVIL_AFFAIRS),
        ("成都市财政局", Sector.FINANCE),
    ):
        UnitFactory(name=name, kind=UnitKind.DEPARTMENT, sector=sector, region=geo.city)
    return Unit.objects.all()


@pytest.fixture
def loaded(city_units, personas):
    for year in (2025, 2026):
        calendar_load_year(year=year, actor=None)
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    return demo.demo_load(seed=7, count=None)


def issues():
    return list(GazetteIssue.objects.select_related("publisher").order_by("cumulative"))


def city_policies():
    return Record.objects.filter(
        region_id=CITY_CODE, kind=RecordKind.POLICY, status=RecordStatus.PUBLISHED
    )


def first_working_day_from(day):
    kinds = dict(CalendarDay.objects.values_list("date", "kind"))
    while not (kinds.get(day) == DayKind.WORKDAY or (kinds.get(day) is None and day.weekday() < 5)):
        day += dt.timedelta(days=1)
    return day


def test_issues_are_numbered_per_year_and_cumulatively(loaded):
    found = issues()
    assert (loaded.gazette_issues_created, loaded.gazette_entries_created) == (
        len(found),
        GazetteEntry.objects.count(),
    )
    # 2025年第1期 (总第1期) to 2026年第10期: October is the last month complete by 11-20.
    assert [(i.year, i.number) for i in found] == [(2025, n) for n in range(1, 13)] + [
        (2026, n) for n in range(1, 11)
    ]
    assert [i.cumulative for i in found] == list(range(1, len(found) + 1))
    for issue in found:
        assert issue.publisher.name == "成都市人民政府"
        assert issue.publisher.region_id == CITY_CODE
        assert issue.is_published and not issue.pdf
        month = dt.date(issue.year, issue.number, 1)
        following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 15)
        assert issue.published_on == first_working_day_from(following), issue
    # The 15th of February 2026 falls in the Spring Festival holiday.
    assert found[12].published_on > dt.date(2026, 2, 20)


def test_every_entry_is_a_published_city_policy_of_its_month(loaded):
    entries = GazetteEntry.objects.select_related("issue", "record__unit")
    assert entries.count() >= 22
    per_issue = defaultdict(list)
    for entry in entries:
        record, issue = entry.record, entry.issue
        assert record.kind == RecordKind.POLICY, record.title
        assert record.status == RecordStatus.PUBLISHED, record.title
        assert record.region_id == record.unit.region_id == CITY_CODE, record.title
        assert record.unit.kind in (UnitKind.GOVERNMENT, UnitKind.DEPARTMENT), record.title
        assert (record.info_date.year, record.info_date.month) == (issue.year, issue.number)
        if record.unit.kind == UnitKind.DEPARTMENT:
            assert entry.section == "部门文件", record.title
        elif record.title.startswith("成都市人民政府办公厅"):
            assert entry.section == "市政府办公厅文件", record.title
            assert record.document_number.startswith("成办发"), record.title
        else:
            assert entry.section == "市政府文件", record.title
            assert record.document_number.startswith("成府发"), record.title
        per_issue[issue.pk].append(entry)
    for rows in per_issue.values():
        # Numbered from 1, section by section in the gazette's order.
        assert [e.order for e in rows] == list(range(1, len(rows) + 1))
        sections = [gazette.SECTIONS.index(e.section) for e in rows]
        assert sections == sorted(sections)
    # And every such document of an issue's month is in it, once.
    last = dt.date(2026, 10, 31)
    listed = Counter(entries.values_list("record_id", flat=True))
    expected = city_policies().filter(info_date__range=(demo.FIRST_DAY, last))
    assert set(listed) == set(expected.values_list("pk", flat=True))
    assert set(listed.values()) == {1}


def test_the_city_issues_policy_documents_every_month(loaded):
    government = city_policies().filter(unit__kind=UnitKind.GOVERNMENT)
    months = Counter((r.info_date.year, r.info_date.month) for r in government)
    assert len(months) == 22 and set(months.values()) <= {1, 2}
    assert all(issue.entries.exists() for issue in GazetteIssue.objects.all())
    # Education and civil affairs take their turn among the gazette's six departments.
    for name in ("成都市教育局", "成都市民政局"):
        mine = city_policies().filter(unit__name=name)
        assert 3 <= mine.count() <= 4, name
        assert name in city.GAZETTE_DEPARTMENTS
    # Numbers rise with the date through each year of each series.
    series = defaultdict(list)
    for record in city_policies().filter(
        unit__name__in=city.GAZETTE_DEPARTMENTS + ("成都市人民政府",)
    ):
        prefix, year, number = NUMBER.fullmatch(record.document_number).groups()
        assert int(year) == record.info_date.year, record.document_number
        series[prefix, year].append((record.info_date, int(number)))
    assert {prefix for prefix, _year in series} == {"成府发", "成办发", "成教发", "成民发"}
    for rows in series.values():
        numbers = [number for _day, number in sorted(rows)]
        assert numbers == sorted(set(numbers)), rows
    # Each document comes with its interpretation, as any policy document does.
    for record in city_policies().filter(unit__kind=UnitKind.GOVERNMENT):
        subject = re.fullmatch(r"成都市人民政府(办公厅)?关于印发《(.+)》的通知", record.title)[2]
        reading = record.chain.get(kind=RecordKind.INTERPRETATION, interpretation_form="text")
        assert reading.title == f"《{subject}》政策解读"


def test_the_gazette_pages_show_the_titles(loaded, client, django_assert_max_num_queries):
    archive = client.get("/gazette/").content.decode()
    assert "第12期" in archive and "总第22期" in archive
    issue = GazetteIssue.objects.get(year=2026, number=3)
    with django_assert_max_num_queries(10):
        response = client.get("/gazette/2026/3/")
    html = response.content.decode()
    assert "2026年第3期（总第15期）" in html
    entries = list(issue.entries.select_related("record"))
    assert entries
    for entry in entries:
        assert entry.record.title in html and entry.section in html
        assert entry.record.document_number in html
    assert client.get("/gazette/2026/11/").status_code == 404


def test_loading_again_makes_no_second_gazette(loaded):
    before = (GazetteIssue.objects.count(), GazetteEntry.objects.count())
    again = demo.demo_load(seed=7, count=None)
    assert (again.records_created, again.gazette_issues_created) == (0, 0)
    assert gazette.gazette_generate() == gazette.DemoGazette(0, 0)
    assert (GazetteIssue.objects.count(), GazetteEntry.objects.count()) == before


def test_without_a_city_government_there_is_no_gazette(catalog, geo, personas):
    demo.records_generate(
        seed=7, count=None, units=Unit.objects.all(), author=personas.platform_admin
    )
    assert gazette.gazette_generate() == gazette.DemoGazette(0, 0)
    assert not GazetteIssue.objects.exists()


def test_the_city_documents_are_deterministic_and_keep_the_count(city_units):
    first = demo.records_plan(seed=7, count=None, units=city_units)
    again = demo.records_plan(seed=7, count=None, units=city_units)
    assert [p.key() for p in first] == [p.key() for p in again]

    # A unit's documents do not depend on which others are planned with it (what is
    # withdrawn does: that is drawn for the whole city, and never hits a document).
    def documents(plans):
        return [p.key() for p in plans if p.unit.name == "成都市人民政府" and p.kind != "ordinary"]

    alone = demo.records_plan(seed=7, count=None, units=city_units.filter(name="成都市人民政府"))
    assert documents(alone) == documents(first) != []
    plans = demo.records_plan(seed=7, count=600, units=city_units)
    assert len(plans) == 600
