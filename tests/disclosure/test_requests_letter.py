"""The reply letter (政府信息公开申请答复书), HTML and PDF: what it says (number, applicant,
decision with its legal basis, fee, remedies with the reconsideration body, seal, date),
who may open it, and a PDF that is real (pypdf reads its text back)."""

import datetime as dt
import io
import secrets
from decimal import Decimal

import pytest
from django.urls import include, path
from pypdf import PdfReader

from disclosure.models.requests import ApplicantType, InfoRequestStatus, Outcome
from disclosure.pdf import Heading, PageBreak, Paragraph, Table, pdf_document
from disclosure.requests.letter import (
    DECISIONS,
    UPPER_GOVERNMENT,
    decision_text,
    letter_number,
    reconsideration_body,
    reply_letter,
)
from portal import urls as portal_urls
from portal.models import UnitKind
from portal.services import people
from tests.disclosure.requests_letter_fixtures import ID_NUMBER, SH, make_request
from tests.factories import RegionFactory, UnitFactory, UserFactory

urlpatterns = [
    path("info-requests/", include("disclosure.requests.urls_letter")),
    *portal_urls.urlpatterns,
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

RECEIVED = dt.date(2026, 9, 7)
REPLIED_AT = dt.datetime(2026, 9, 30, 15, 0, tzinfo=SH)
REPLY = "现提供2026年平岗社区道路硬化项目预算表（见附件）。\n验收报告含有个人信息，已作区分处理。"


@pytest.fixture
def client(client):
    # Each test from its own address: the per-address limit on codes in URLs is not shared.
    client.defaults["REMOTE_ADDR"] = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.9"
    return client


@pytest.fixture
def replied(geo, calendar_2026):
    return make_request(
        geo.township_office,
        received_on=RECEIVED,
        status=InfoRequestStatus.REPLIED,
        outcome=Outcome.PARTIAL,
        reply_text=REPLY,
        replied_at=REPLIED_AT,
    )


def html(item, code=None):
    url = f"/info-requests/{item.tracking_code}/letter/"
    return url + (f"?query_code={code}" if code is not None else "")


def pdf(item, code=None):
    url = f"/info-requests/{item.tracking_code}/letter.pdf"
    return url + (f"?query_code={code}" if code is not None else "")


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_letter_says_everything_in_order(replied):
    letter = reply_letter(replied)
    assert letter.title == "新津区五津街道办事处政府信息公开申请答复书"
    assert letter.number == "〔2026〕依申请第1号"
    assert letter.addressee == "王小芳（身份证号码：110105********002X）："
    first, decision, *rest = letter.paragraphs
    assert first == (
        f"本机关于2026年9月7日收到您提出的政府信息公开申请（申请编号：{replied.tracking_code}），"
        "您申请获取：“2026年平岗社区道路硬化项目的预算和验收报告”。"
    )
    assert "第三十六条第（二）项、第（三）项和第三十七条" in decision
    assert rest[:2] == REPLY.splitlines()
    assert rest[2] == "本申请不收取费用。"
    assert rest[3] == (
        "如对本答复不服，可以在收到本答复之日起60日内向新津区人民政府申请行政复议，"
        "或者在6个月内向人民法院提起行政诉讼。"
    )
    assert rest[-1] == "特此告知。"
    assert (letter.seal, letter.date) == ("新津区五津街道办事处（盖章）", "2026年9月30日")


def test_the_applicant_opens_the_page_with_the_query_code(client, replied):
    page = client.get(html(replied, replied.query_code))
    assert page.status_code == 200
    text = page.content.decode()
    for expected in (
        "新津区五津街道办事处政府信息公开申请答复书",
        "〔2026〕依申请第1号",
        "王小芳（身份证号码：110105********002X）",
        "2026年9月7日",
        "验收报告含有个人信息，已作区分处理。",
        "60日内向新津区人民政府申请行政复议",
        "新津区五津街道办事处（盖章）",
        "2026年9月30日",
        f"/info-requests/{replied.tracking_code}/letter.pdf?query_code={replied.query_code}",
    ):
        assert expected in text
    assert ID_NUMBER not in text and "13912345678" not in text
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in text and "style=" not in text  # the CSP: static files only
    # The session remembers the codes: the PDF opens without the code in its address.
    assert client.get(pdf(replied)).status_code == 200


def test_the_pdf_is_a_real_pdf_with_the_letter(client, replied):
    response = client.get(pdf(replied, replied.query_code))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    for expected in ("新津区五津街道办事处", "60日", "〔2026〕依申请第1号", "特此告知", "（盖章）"):
        assert expected in text
    assert ID_NUMBER not in text


@pytest.mark.parametrize("code", [None, "", "000000", "１２３４５６"])
def test_no_code_or_a_wrong_one_is_a_404(client, replied, code):
    assert client.get(html(replied, code)).status_code == 404
    assert client.get(pdf(replied, code)).status_code == 404


def test_a_request_not_replied_has_no_letter(client, geo, calendar_2026):
    waiting = make_request(geo.township_office, received_on=RECEIVED)
    assert client.get(html(waiting, waiting.query_code)).status_code == 404
    assert client.get("/info-requests/NOSUCHCODE/letter/?query_code=123456").status_code == 404


def test_the_units_officials_open_it_without_the_code(client, replied, personas):
    client.force_login(personas.township_official)  # editor of 五津街道办事处
    assert client.get(html(replied)).status_code == 200
    assert pdf_text(client.get(pdf(replied)).content)
    # Supervisors read requests with the applicant masked: the letter is not for them.
    for outsider in (personas.county_supervisor, personas.other_county_official, personas.citizen):
        client.force_login(outsider)
        assert client.get(html(replied)).status_code == 404
        assert client.get(pdf(replied)).status_code == 404


def test_codes_in_addresses_are_counted_per_address(client, replied, settings):
    settings.OGI_LETTER_RATE_PER_IP = 3
    for _ in range(3):
        assert client.get(html(replied, "999999")).status_code == 404
    blocked = client.get(html(replied, replied.query_code))
    assert blocked.status_code == 429
    assert "提交过于频繁" in blocked.content.decode()


def test_the_page_costs_a_bounded_number_of_queries(
    client, replied, personas, django_assert_max_num_queries
):
    client.force_login(personas.township_official)
    client.get(html(replied))
    with django_assert_max_num_queries(15):
        assert client.get(html(replied)).status_code == 200


def test_numbers_count_the_units_requests_of_the_year(geo, calendar_2026, replied):
    second = make_request(geo.township_office, received_on=dt.date(2026, 9, 8))
    elsewhere = make_request(geo.county_bureau, received_on=dt.date(2026, 9, 8))
    next_year = make_request(
        geo.township_office,
        received_on=dt.date(2027, 1, 4),
        due_on=dt.date(2027, 2, 1),
        submitted_at=dt.datetime(2027, 1, 1, 0, 5, tzinfo=SH),
    )
    new_years_eve = make_request(
        geo.township_office,
        received_on=dt.date(2027, 1, 4),
        due_on=dt.date(2027, 2, 1),
        submitted_at=dt.datetime(2026, 12, 31, 23, 55, tzinfo=SH),
    )
    assert letter_number(replied) == "〔2026〕依申请第1号"
    assert letter_number(second) == "〔2026〕依申请第2号"
    assert letter_number(elsewhere) == "〔2026〕依申请第1号"
    assert letter_number(new_years_eve) == "〔2026〕依申请第3号"
    assert letter_number(next_year) == "〔2027〕依申请第1号"


def test_reconsideration_goes_to_the_government_one_tier_up(geo):
    town = RegionFactory(code="510118105000", name="花源镇")
    village = RegionFactory(code="510118105001", name="白云村")
    assert reconsideration_body(geo.township_office) == "新津区人民政府"  # a street office
    assert reconsideration_body(geo.county_bureau) == "新津区人民政府"  # its own government
    # A community under a street: streets have no government of their own.
    assert reconsideration_body(geo.village_committee) == "新津区人民政府"
    committee = UnitFactory(
        name="白云村村民委员会", kind=UnitKind.VILLAGE_COMMITTEE, region=village
    )
    assert reconsideration_body(committee) == "花源镇人民政府"
    town_government = UnitFactory(name="花源镇人民政府", kind=UnitKind.TOWNSHIP_OFFICE, region=town)
    assert reconsideration_body(town_government) == "新津区人民政府"
    county_government = UnitFactory(
        name="新津区人民政府", kind=UnitKind.GOVERNMENT, region=geo.county
    )
    assert reconsideration_body(county_government) == "成都市人民政府"
    city_bureau = UnitFactory(
        name="成都市教育局", kind=UnitKind.DEPARTMENT, sector="education", region=geo.city
    )
    assert reconsideration_body(city_bureau) == "成都市人民政府"
    # The province is not in this database: said without a name, never made up.
    city_government = UnitFactory(name="成都市人民政府", kind=UnitKind.GOVERNMENT, region=geo.city)
    assert reconsideration_body(city_government) == UPPER_GOVERNMENT


@pytest.mark.parametrize("outcome", Outcome.values)
def test_every_outcome_has_its_standard_wording(outcome):
    text = decision_text(outcome)
    assert outcome in DECISIONS and text.endswith("：")
    legal_basis = {
        Outcome.PUBLIC: "第三十六条第（二）项",
        Outcome.ALREADY_PUBLIC: "第三十六条第（一）项",
        Outcome.REFUSED_STATE_SECRET: "第十四条",
        Outcome.REFUSED_LAW: "第十四条",
        Outcome.REFUSED_SAFETY: "第十四条",
        Outcome.REFUSED_THIRD_PARTY: "第十五条",
        Outcome.REFUSED_INTERNAL: "第十六条第一款",
        Outcome.REFUSED_PROCESS: "第十六条第二款",
        Outcome.REFUSED_ENFORCEMENT: "第十六条第二款",
        Outcome.UNABLE_NOT_HELD: "第三十六条第（四）项",
        Outcome.UNABLE_NEEDS_CREATION: "第三十八条",
        Outcome.UNABLE_UNCLEAR: "第三十条",
        Outcome.NOT_PROCESSED_COMPLAINT: "第三十九条第一款",
        Outcome.NOT_PROCESSED_REPEAT: "第三十六条第（六）项",
        Outcome.NOT_PROCESSED_PUBLICATION: "第三十九条第二款",
        Outcome.NOT_PROCESSED_MASS: "第三十五条",
        Outcome.OTHER_UNCORRECTED: "第三十条",
        Outcome.OTHER_UNPAID: "国办函〔2020〕109号",
    }.get(outcome)
    if legal_basis:
        assert legal_basis in text
    if outcome.startswith("refused_") and outcome != Outcome.REFUSED_QUERY:
        assert "不予公开" in text and "第三十六条第（三）项" in text


def test_not_ours_names_the_competent_body(geo, calendar_2026):
    item = make_request(
        geo.township_office,
        received_on=RECEIVED,
        status=InfoRequestStatus.REPLIED,
        outcome=Outcome.UNABLE_NOT_HELD,
        competent_body="新津区规划和自然资源局",
        reply_text="请向新津区规划和自然资源局申请，联系电话028-00000000。",
    )
    decision = reply_letter(item).paragraphs[1]
    assert "第三十六条第（五）项" in decision and "由新津区规划和自然资源局负责公开" in decision


def test_a_corrected_request_shows_the_corrected_text(geo, calendar_2026):
    item = make_request(
        geo.township_office,
        received_on=dt.date(2026, 9, 14),
        submitted_at=dt.datetime(2026, 9, 1, 10, 0, tzinfo=SH),
        corrected_at=dt.datetime(2026, 9, 14, 9, 0, tzinfo=SH),
        corrected_description="2026年平岗路（平岗社区段）道路硬化项目的验收报告",
        status=InfoRequestStatus.REPLIED,
        outcome=Outcome.PUBLIC,
        reply_text="见附件。",
    )
    first = reply_letter(item).paragraphs[0]
    assert "本机关于2026年9月1日收到" in first and "经补正，于2026年9月14日收到" in first
    assert "“2026年平岗路（平岗社区段）道路硬化项目的验收报告”" in first
    assert "预算和验收报告" not in first


def test_an_organisation_and_a_fee(geo, calendar_2026):
    item = make_request(
        geo.township_office,
        received_on=RECEIVED,
        applicant_type=ApplicantType.COMMERCIAL,
        applicant_name="成都某某建设有限公司",
        id_number_hash="",
        id_number_masked="",
        org_code="91510100MA61234567",
        status=InfoRequestStatus.REPLIED,
        outcome=Outcome.PUBLIC,
        reply_text="见附件。",
        fee_amount=Decimal("100"),
        fee_basis="按件计收（国办函〔2020〕109号第四条）：本自然月第11件申请，第11—30件每件100元",
    )
    letter = reply_letter(item)
    assert letter.addressee == "成都某某建设有限公司（统一社会信用代码：91510100MA61234567）："
    assert (
        "本申请收取信息处理费100.00元，收费依据：按件计收（国办函〔2020〕109号第四条）："
        "本自然月第11件申请，第11—30件每件100元。"
    ) in letter.paragraphs


def test_a_request_replied_through_the_service(geo, calendar_2026, personas, client):
    from disclosure.requests import services

    item = make_request(geo.village_committee, received_on=RECEIVED)
    services.reply(
        request=item,
        outcome=services.NOT_OURS,
        reply_text="该信息由新津区住房和城乡建设局制作和保存。",
        competent_body="新津区住房和城乡建设局",
        actor=personas.village_official,
    )
    item.refresh_from_db()
    text = pdf_text(client.get(pdf(item, item.query_code)).content)
    assert "平岗社区居民委员会" in text and "新津区住房和城乡建设局" in text
    assert "本申请不收取费用" in text


def test_the_shared_pdf_helper(geo):
    data = pdf_document(
        "新津区教育局2026年政府信息公开工作年度报告",
        [
            Heading("一、总体情况"),
            Paragraph("2026年，我局<认真>贯彻落实 & 公开。\n第二行", indent=True),
            Heading("（一）主动公开", level=2),
            Table(
                [
                    ["信息内容", "本年制发件数", "本年废止件数"],
                    ["规章", 0, Decimal("1.5")],
                    ["规范性文件", 3, None],
                ],
                widths=[3, 1, 1],
            ),
            Table(
                [["申请人情况", ""], ["自然人", "法人"]], header_rows=2, spans=[((0, 0), (1, 0))]
            ),
            PageBreak(),
            "第二页",
        ],
        author="新津区教育局",
    )
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    assert reader.metadata.title == "新津区教育局2026年政府信息公开工作年度报告"
    text = reader.pages[0].extract_text()
    assert "我局<认真>贯彻落实 & 公开" in text and "规范性文件" in text and "第 1 页" in text
    assert "第二页" in reader.pages[1].extract_text()
    with pytest.raises(ValueError):
        pdf_document("x", [Table([["a", "b"]], widths=[1])])
    with pytest.raises(TypeError):
        pdf_document("x", [42])


def test_unit_officials_of_a_village_see_their_own_letter(geo, calendar_2026, personas, client):
    item = make_request(
        geo.village_committee,
        received_on=RECEIVED,
        status=InfoRequestStatus.REPLIED,
        outcome=Outcome.ALREADY_PUBLIC,
        reply_text="已在本平台公开：平岗社区 › 村务公开 › 集体项目。",
    )
    reviewer = UserFactory(username="pinggang_reviewer_letter")
    people.membership_grant(
        user=reviewer, unit=geo.village_committee, role="reviewer", actor=personas.platform_admin
    )
    for official in (personas.village_official, reviewer):
        client.force_login(official)
        assert client.get(html(item)).status_code == 200
    client.force_login(personas.township_official)  # another unit, even the one above
    assert client.get(html(item)).status_code == 404
