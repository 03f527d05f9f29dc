"""The figures of the annual report (2021 format): tables 二, 三 and 四 from the data."""

import datetime as dt
from decimal import Decimal

import pytest

from disclosure.annual.tables import (
    APPLICANT_COLUMNS,
    LEAVES,
    decision_kind,
    report_tables,
    wan_yuan,
)
from disclosure.models import (
    ApplicantType,
    ChallengeKind,
    ChallengeResult,
    InfoRequestStatus,
    Outcome,
    RecordKind,
    RequestChannel,
)
from disclosure.requests import services as requests
from portal.services.calendar import calendar_load_year
from tests.disclosure import requests_fixtures
from tests.disclosure.annual_fixtures import (  # noqa: F401 (fixtures)
    bureau_editor_fixture,
    make_challenge,
    make_request,
    market_bureau_fixture,
    publish_record,
    withdraw,
)
from tests.disclosure.requests_fixtures import person_fields, submit

pytestmark = pytest.mark.django_db
ogi = requests_fixtures.ogi
sh = requests_fixtures.at

D = dt.date


def rows_of(tables):
    return {row["key"]: row["values"] for row in tables["table3"]["rows"]}


def test_year_end_carry_over(geo):
    """Received 28 Dec 2026, replied 8 Jan 2027: carried to 2027 and handled there."""
    unit = geo.township_office
    make_request(unit, received=D(2026, 12, 28), replied=D(2027, 1, 8), outcome=Outcome.PARTIAL)

    t2026 = report_tables(unit, 2026)["table3"]
    rows = rows_of({"table3": t2026})
    assert rows["new"]["natural_person"] == 1 and rows["new"]["total"] == 1
    assert rows["carried_over"]["total"] == 0
    assert rows["total"]["total"] == 0 and rows["partial"]["total"] == 0
    assert rows["carried_forward"]["natural_person"] == 1
    assert t2026["check_holds"]
    assert t2026["check"]["natural_person"] == {
        "new": 1,
        "carried_over": 0,
        "handled": 0,
        "carried_forward": 1,
        "holds": True,
        "difference": 0,
    }

    t2027 = report_tables(unit, 2027)["table3"]
    rows = rows_of({"table3": t2027})
    assert rows["new"]["total"] == 0
    assert rows["carried_over"]["natural_person"] == 1
    assert rows["partial"]["natural_person"] == 1
    assert rows["total"]["natural_person"] == 1
    assert rows["carried_forward"]["total"] == 0
    assert t2027["check_holds"]


def test_correction_counts_from_the_first_receipt(geo):
    """Received in December, corrected in January (receipt date moved to January): new in
    the year it was first received, carried over into the next."""
    unit = geo.township_office
    make_request(
        unit,
        received=D(2026, 12, 21),
        correction_sent=D(2026, 12, 23),
        corrected=D(2027, 1, 5),
        replied=D(2027, 1, 20),
        outcome=Outcome.PUBLIC,
    )
    # Still waiting for the correction at the year's end.
    make_request(unit, received=D(2026, 12, 30), correction_sent=D(2026, 12, 31))
    rows = rows_of(report_tables(unit, 2026))
    assert rows["new"]["total"] == 2
    assert rows["carried_forward"]["total"] == 2
    t2027 = report_tables(unit, 2027)
    rows = rows_of(t2027)
    assert rows["new"]["total"] == 0
    assert rows["carried_over"]["total"] == 2
    assert rows["public"]["total"] == 1
    assert rows["carried_forward"]["total"] == 1
    assert t2027["table3"]["check_holds"]


def test_a_paper_application_counts_from_its_receipt_not_its_posting(geo):
    """Posted on 29 Dec 2025, signed for on 4 Jan 2026, registered on 5 Jan: new in 2026."""
    unit = geo.township_office
    make_request(
        unit,
        channel=RequestChannel.POST,
        submitted=D(2025, 12, 29),
        received=D(2026, 1, 4),
        registered=D(2026, 1, 5),
    )
    assert rows_of(report_tables(unit, 2025))["new"]["total"] == 0
    assert rows_of(report_tables(unit, 2025))["carried_forward"]["total"] == 0
    assert rows_of(report_tables(unit, 2026))["new"]["total"] == 1


def test_each_outcome_in_its_row_and_each_applicant_in_its_column(geo):
    unit = geo.county_bureau
    types = [key for key, _label in APPLICANT_COLUMNS if key != "total"]
    expected: dict[tuple[str, str], int] = {}
    for index, outcome in enumerate(Outcome.values):
        applicant = types[index % len(types)]
        make_request(
            unit,
            received=D(2025, 3, 2),
            applicant_type=applicant,
            replied=D(2025, 4, 1),
            outcome=outcome,
        )
        row = "public" if outcome == Outcome.ALREADY_PUBLIC else outcome
        expected[(row, applicant)] = expected.get((row, applicant), 0) + 1
    # Withdrawn by the applicant: closed without an outcome, 其他处理 3.其他.
    make_request(
        unit,
        received=D(2025, 5, 6),
        applicant_type=ApplicantType.LEGAL_SERVICE,
        closed=D(2025, 5, 9),
    )
    expected[("other", ApplicantType.LEGAL_SERVICE)] = (
        expected.get(("other", ApplicantType.LEGAL_SERVICE), 0) + 1
    )

    tables = report_tables(unit, 2025)
    rows = rows_of(tables)
    for leaf in LEAVES:
        for applicant in types:
            assert rows[leaf.key][applicant] == expected.get((leaf.key, applicant), 0), (
                leaf.key,
                applicant,
            )
        assert rows[leaf.key]["total"] == sum(rows[leaf.key][a] for a in types)
    handled = len(Outcome.values) + 1
    assert rows["new"]["total"] == handled
    assert rows["total"]["total"] == handled
    assert rows["carried_forward"]["total"] == 0
    assert tables["table3"]["check_holds"]
    # Every row and column of the format is there, in order.
    keys = [row["key"] for row in tables["table3"]["rows"]]
    assert keys[:2] == ["new", "carried_over"] and keys[-2:] == ["total", "carried_forward"]
    assert len(keys) == 2 + 22 + 1 + 1 - 1  # 一 二, 21 leaves, （七）总计, 四
    assert [c["key"] for c in tables["table3"]["columns"]] == [*types, "total"]
    labels = {row["key"]: row for row in tables["table3"]["rows"]}
    assert labels["refused_state_secret"]["label"] == "1.属于国家秘密"
    assert labels["refused_state_secret"]["group"] == "（三）不予公开"
    assert labels["partial"]["label"].startswith("（二）部分公开")


def test_unregistered_and_other_units_requests_do_not_count(geo):
    make_request(geo.township_office, received=D(2025, 6, 1), status=InfoRequestStatus.PENDING)
    make_request(geo.village_committee, received=D(2025, 6, 1))
    rows = rows_of(report_tables(geo.township_office, 2025))
    assert rows["new"]["total"] == 0 and rows["carried_forward"]["total"] == 0


def test_the_check_reports_a_difference(geo):
    """Finished before it was received (a data error): the check fails and says by how much."""
    unit = geo.township_office
    make_request(unit, received=D(2025, 3, 1))
    request = make_request(unit, received=D(2025, 3, 2), replied=D(2025, 3, 10), outcome="public")
    request.replied_at = request.replied_at.replace(year=2024)
    request.save(update_fields=["replied_at"])
    table = report_tables(unit, 2025)["table3"]
    assert not table["check_holds"]
    assert table["check"]["natural_person"]["holds"] is False
    assert table["check"]["natural_person"]["difference"] == 1
    assert table["check"]["commercial"]["holds"] is True


def test_table4_counts_challenges_by_result_at_year_end(geo):
    unit = geo.township_office
    make_challenge(
        unit,
        kind=ChallengeKind.RECONSIDERATION,
        filed=D(2025, 2, 1),
        result="upheld",
        decided=D(2025, 4, 1),
    )
    make_challenge(
        unit,
        kind=ChallengeKind.RECONSIDERATION,
        filed=D(2025, 3, 1),
        result="corrected",
        decided=D(2025, 5, 1),
    )
    # Decided after the year's end: still pending in that year's report.
    make_challenge(
        unit,
        kind=ChallengeKind.RECONSIDERATION,
        filed=D(2025, 11, 1),
        result="upheld",
        decided=D(2026, 2, 1),
    )
    make_challenge(unit, kind=ChallengeKind.LITIGATION, filed=D(2025, 6, 1))
    make_challenge(
        unit,
        kind=ChallengeKind.LITIGATION_AFTER_RECONSIDERATION,
        filed=D(2025, 7, 1),
        result=ChallengeResult.OTHER,
        decided=D(2025, 9, 1),
    )
    make_challenge(unit, kind=ChallengeKind.LITIGATION, filed=D(2024, 6, 1))  # another year
    rows = {row["key"]: row["values"] for row in report_tables(unit, 2025)["table4"]["rows"]}
    assert rows["reconsideration"] == {
        "upheld": 1,
        "corrected": 1,
        "other": 0,
        "pending": 1,
        "total": 3,
    }
    assert rows["litigation"] == {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1}
    assert rows["litigation_after"]["other"] == 1 and rows["litigation_after"]["total"] == 1


def section_values(tables):
    return {
        row["key"]: row["values"]
        for section in tables["table2"]["sections"]
        for row in section["rows"]
    }


def test_table2_policies(market_bureau, bureau_editor):
    unit, editor = market_bureau, bureau_editor
    publish = dict(text="行政规范性文件", kind=RecordKind.POLICY)
    publish_record(unit, editor, title="关于规范市场秩序的通知", published=D(2025, 3, 1), **publish)
    publish_record(unit, editor, title="关于食品安全的若干规定", published=D(2025, 6, 1), **publish)
    repealed = publish_record(
        unit, editor, title="关于旧办法的通知", published=D(2024, 6, 1), **publish
    )
    withdraw(repealed, editor, on=D(2025, 9, 1))
    publish_record(
        unit,
        editor,
        title="成都市市场管理办法",
        document_number="成都市人民政府令第215号",
        published=D(2025, 4, 1),
        **publish,
    )
    # Published in 2024 and still in force; withdrawn after 2025 counts as in force in 2025.
    publish_record(unit, editor, title="关于老规定的通知", published=D(2024, 2, 1), **publish)
    later = publish_record(
        unit, editor, title="关于明年废止的通知", published=D(2025, 1, 9), **publish
    )
    withdraw(later, editor, on=D(2026, 3, 1))
    # An interpretation is not a policy document.
    values = section_values(report_tables(unit, 2025))
    assert values["regulations"] == {"issued": 1, "repealed": 0, "in_force": 1}
    assert values["normative_documents"] == {"issued": 3, "repealed": 1, "in_force": 4}


def test_table2_decisions_and_fees(market_bureau, bureau_editor, geo):
    unit, editor = market_bureau, bureau_editor
    combined = dict(text="行政许可、行政处罚、行政强制")
    publish_record(unit, editor, title="某公司行政处罚决定书", published=D(2025, 3, 1), **combined)
    publish_record(unit, editor, title="某超市行政处罚决定书", published=D(2025, 3, 2), **combined)
    publish_record(unit, editor, title="食品经营许可决定", published=D(2025, 4, 2), **combined)
    publish_record(unit, editor, title="查封扣押强制措施决定", published=D(2025, 5, 2), **combined)
    # Naming several kinds, or none: counted apart.
    publish_record(
        unit,
        editor,
        title="2025年3月行政许可、行政处罚结果公示",
        published=D(2025, 3, 31),
        **combined,
    )
    publish_record(
        unit, editor, title="2025年4月执法结果公示", published=D(2025, 4, 30), **combined
    )
    # Another year; withdrawn within the year; an unrelated item.
    publish_record(unit, editor, title="上年行政处罚决定书", published=D(2024, 3, 1), **combined)
    gone = publish_record(
        unit, editor, title="错发的行政处罚决定书", published=D(2025, 6, 1), **combined
    )
    withdraw(gone, editor, on=D(2025, 6, 2))
    publish_record(unit, editor, title="局领导分工", text="领导", published=D(2025, 6, 1))
    # Fees: the information-processing fees of replies of the year, except unpaid ones.
    make_request(unit, received=D(2025, 2, 1), replied=D(2025, 3, 1), outcome="public", fee=150)
    make_request(unit, received=D(2025, 2, 1), replied=D(2025, 3, 1), outcome="public", fee=50)
    make_request(
        unit, received=D(2025, 2, 1), replied=D(2025, 3, 9), outcome="other_unpaid", fee=500
    )
    make_request(unit, received=D(2024, 2, 1), replied=D(2024, 3, 1), outcome="public", fee=80)

    tables = report_tables(unit, 2025)
    values = section_values(tables)
    assert values["licensing"] == {"decisions": 1}
    assert values["penalties"] == {"decisions": 2}
    assert values["enforcement"] == {"decisions": 1}
    assert tables["table2"]["unclassified_decisions"] == 2
    assert values["administrative_fees"] == {"amount": "0.02"}
    assert tables["table2"]["fees_yuan"] == "200.00"
    articles = [section["article"] for section in tables["table2"]["sections"]]
    assert articles == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]


def test_township_items_name_one_kind_each(geo, personas, catalog):
    """乡村建设规划许可 is a licence, 行政处罚结果 a penalty, whatever the title says."""
    unit, editor = geo.township_office, personas.township_official
    publish_record(
        unit, editor, title="张家院子建设规划", text="乡村建设规划许可", published=D(2025, 5, 1)
    )
    publish_record(
        unit, editor, title="2025年5月公示", text="行政处罚结果", published=D(2025, 5, 3)
    )
    values = section_values(report_tables(unit, 2025))
    assert values["licensing"] == {"decisions": 1}
    assert values["penalties"] == {"decisions": 1}


@pytest.mark.parametrize(
    ("item", "title", "kind"),
    [
        ({"licensing": True}, {}, "licensing"),
        ({"licensing": True, "penalties": True}, {"penalties": True}, "penalties"),
        ({"licensing": True, "penalties": True}, {"penalties": True, "licensing": True}, None),
        ({"licensing": True, "penalties": True, "enforcement": True}, {}, None),
    ],
)
def test_decision_kind(item, title, kind):
    assert decision_kind(item, title) == kind


@pytest.mark.parametrize(
    ("yuan", "text"),
    [(0, "0"), (150, "0.015"), (10000, "1"), (Decimal("12345.67"), "1.2346")],
)
def test_wan_yuan(yuan, text):
    assert wan_yuan(Decimal(yuan)) == text


def test_computed_in_a_few_queries(geo, django_assert_max_num_queries):
    unit = geo.township_office
    for day in range(1, 29):
        make_request(unit, received=D(2025, 2, day), replied=D(2025, 3, day), outcome="partial")
    with django_assert_max_num_queries(8):
        report_tables(unit, 2025)


def test_requests_handled_through_the_services_are_counted(ogi, calendar_2026):
    """The requests services' own rows: an online request corrected across the new year and
    a paper one received after it."""
    calendar_load_year(year=2025, actor=None)
    unit, handler = ogi.unit, ogi.admin
    online = submit(unit, sh(2025, 12, 26))
    requests.correction_notice_send(
        request=online, notice="请写明所需信息的文号。", actor=handler, now=sh(2025, 12, 29)
    )
    requests.correction_submit(
        request=online,
        corrected_description="2025年平岗社区低保对象名单（平民发〔2025〕3号）",
        query_code=online.query_code,
        now=sh(2026, 1, 5),
    )
    requests.reply(
        request=online,
        outcome="partial",
        reply_text="名单中的身份证号码等个人信息不予公开。",
        actor=handler,
        now=sh(2026, 1, 20),
    )
    paper = requests.info_request_submit(
        unit=unit,
        channel=RequestChannel.POST,
        actor=handler,
        now=sh(2025, 12, 30),
        **person_fields(delivery="paper"),
    )
    requests.receipt_register(
        request=paper, received_on=D(2026, 1, 5), actor=handler, now=sh(2026, 1, 6)
    )

    t2025 = report_tables(unit, 2025)
    rows = rows_of(t2025)
    assert rows["new"]["natural_person"] == 1  # the online one; the letter was not yet in
    assert rows["carried_forward"]["natural_person"] == 1
    assert t2025["table3"]["check_holds"]
    t2026 = report_tables(unit, 2026)
    rows = rows_of(t2026)
    assert rows["carried_over"]["natural_person"] == 1
    assert rows["partial"]["natural_person"] == 1
    assert rows["new"]["natural_person"] == 1  # the letter
    assert rows["carried_forward"]["natural_person"] == 1
    assert t2026["table3"]["check_holds"]
