"""Published letters: what counts as published, what the public sees of the writer (张*,
no contact data), the lists per place and per unit, and a bounded number of queries."""

import re

import pytest

from mailbox.models import Letter
from portal import urls as portal_urls
from tests.mailbox.helpers import (
    accept,
    at,
    no_rate_limit,
    rate,
    reject,
    reply,
    submit,
    transfer,
    with_mailbox_urls,
)

urlpatterns = with_mailbox_urls(portal_urls.urlpatterns)
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def _phones_may_repeat(settings):
    no_rate_limit(settings)


LIST = "/letters/public/"
PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"
EMAIL = "zhang.sanfeng@example.com"
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def detail(letter: Letter) -> str:
    return f"/letters/public/{letter.pk}/"


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def published(geo, personas, calendar_2026) -> Letter:
    """A letter with every kind of personal data, some of it typed into the text."""
    letter = submit(
        geo.village_committee,
        when=at(2026, 11, 2, 9),
        name="张三丰",
        phone=PHONE,
        email=EMAIL,
        id_number=ID_NUMBER,
        type="suggest",
        subject="建议增设平岗路口路灯",
        body=f"晚上很黑。请回电 {PHONE}，或发邮件 {EMAIL}，身份证 {ID_NUMBER}。",
    )
    accept(letter, personas.village_official, at(2026, 11, 3, 10))
    reply(letter, personas.village_official, at(2026, 11, 5, 16), text="已增设两盏路灯。")
    return letter


def assert_nothing_personal(html: str) -> None:
    assert "张三丰" not in html
    assert PHONE not in html and "138****5678" not in html
    assert not MOBILE.search(html)
    assert ID_NUMBER not in html and "110105" not in html
    assert EMAIL not in html and "zhang.sanfeng" not in html


def test_a_published_letter_shows_the_reply_and_a_masked_writer(client, geo, published):
    html = _html(client.get(detail(published)))
    assert "建议增设平岗路口路灯" in html and "已增设两盏路灯。" in html
    assert "张**" in html  # the family name stays
    assert "建议" in html  # the type
    assert "受理日期" in html and "2026-11-03" in html
    assert "答复日期" in html and "2026-11-05" in html
    assert "答复单位" in html and "平岗社区居民委员会" in html
    assert "来信日期" in html and "2026-11-02" in html
    assert_nothing_personal(html)
    assert published.tracking_code not in html and published.query_code not in html


def test_numbers_typed_into_the_letter_are_taken_out(client, published):
    html = _html(client.get(detail(published)))
    assert "晚上很黑。请回电 〔已隐去〕，或发邮件 〔已隐去〕，身份证 〔已隐去〕。" in html


def test_the_list_shows_published_letters_without_personal_data(client, geo, published):
    html = _html(client.get(LIST))
    assert "建议增设平岗路口路灯" in html and detail(published) in html
    assert "张**" in html
    assert_nothing_personal(html)
    assert "<script" not in html and "style=" not in html


@pytest.mark.parametrize("step", ["no consent", "open", "accepted", "rejected", "reopened"])
def test_only_answered_letters_with_consent_are_published(client, geo, personas, step):
    official = personas.village_official
    letter = submit(geo.village_committee, when=at(2026, 11, 2), publish=step != "no consent")
    if step == "no consent":
        reply(letter, official, at(2026, 11, 3))
    elif step == "accepted":
        accept(letter, official, at(2026, 11, 3))
    elif step == "rejected":
        reject(letter, official, at(2026, 11, 3))
    elif step == "reopened":
        reply(letter, official, at(2026, 11, 3))
        rate(letter, "unsatisfied", at(2026, 11, 4), reopen=True)
    assert client.get(detail(letter)).status_code == 404
    assert detail(letter) not in _html(client.get(LIST))


def test_a_closed_letter_stays_published(client, geo, personas, published):
    rate(published, "satisfied", at(2026, 11, 6))
    assert client.get(detail(published)).status_code == 200


def test_a_missing_letter_is_404(client, geo):
    assert client.get("/letters/public/999999/").status_code == 404


def test_newest_reply_first(client, geo, personas, calendar_2026):
    official = personas.village_official
    older = submit(geo.village_committee, when=at(2026, 11, 2), subject="旧的答复")
    newer = submit(geo.village_committee, when=at(2026, 11, 3), subject="新的答复")
    reply(newer, official, at(2026, 11, 4))
    reply(older, official, at(2026, 11, 6))  # received first, answered last
    html = _html(client.get(LIST))
    assert html.index("旧的答复") < html.index("新的答复")


@pytest.fixture
def spread(geo, personas, calendar_2026):
    """One published letter in each of: 平岗社区, 五津街道, 新津区教育局, 锦江区教育局."""
    admin = personas.platform_admin
    letters = {}
    for key, unit, type_ in [
        ("village", geo.village_committee, "help"),
        ("township", geo.township_office, "consult"),
        ("county", geo.county_bureau, "complaint"),
        ("other", geo.other_county_bureau, "help"),
    ]:
        letter = submit(unit, when=at(2026, 11, 2), subject=f"来信-{key}", type=type_)
        letters[key] = reply(letter, admin, at(2026, 11, 3))
    return letters


def _subjects(html: str) -> set[str]:
    return set(re.findall(r"来信-(\w+)", html))


def test_lists_per_place_subtree(client, geo, spread):
    assert _subjects(_html(client.get(LIST))) == {"village", "township", "county", "other"}
    county = _html(client.get(LIST, {"region": geo.county.code}))
    assert _subjects(county) == {"village", "township", "county"}
    assert "新津区来信选登" in county
    assert f'href="?region={geo.township.code}"' in county  # narrow to a child place
    assert _subjects(_html(client.get(LIST, {"region": geo.township.code}))) == {
        "village",
        "township",
    }
    assert _subjects(_html(client.get(LIST, {"region": geo.other_county.code}))) == {"other"}


def test_lists_per_unit_and_type(client, geo, spread):
    html = _html(client.get(LIST, {"unit": geo.county_bureau.pk}))
    assert _subjects(html) == {"county"} and "新津区教育局来信选登" in html
    assert _subjects(_html(client.get(LIST, {"region": geo.county.code, "type": "help"}))) == {
        "village"
    }


@pytest.mark.parametrize(
    "query", [{"region": "510118999000"}, {"region": "abc"}, {"unit": "999999"}, {"type": "x"}]
)
def test_unknown_filters_are_404(client, geo, query):
    assert client.get(LIST, query).status_code == 404


def test_a_transferred_letter_names_the_unit_that_answered(client, geo, personas, calendar_2026):
    letter = submit(geo.village_committee, when=at(2026, 11, 2), subject="应由街道办理")
    transfer(letter, personas.village_official, geo.township_office, at(2026, 11, 3))
    reply(letter, personas.township_official, at(2026, 11, 4), text="街道已处理。")
    html = _html(client.get(detail(letter)))
    assert "新津区五津街道办事处" in html and "街道已处理。" in html
    # It is listed under the township now, and still inside the county.
    assert "应由街道办理" in _html(client.get(LIST, {"region": geo.township.code}))


def test_the_list_costs_the_same_for_more_letters(
    client, geo, personas, calendar_2026, django_assert_max_num_queries
):
    def add(count, start):
        for n in range(count):
            letter = submit(
                [geo.village_committee, geo.township_office, geo.county_bureau][n % 3],
                when=at(2026, 11, 2 + (start + n) % 20),
            )
            reply(letter, personas.platform_admin, at(2026, 11, 23))

    add(3, 0)
    with django_assert_max_num_queries(6):
        _html(client.get(LIST, {"region": geo.county.code}))
    add(30, 3)
    with django_assert_max_num_queries(6):
        html = _html(client.get(LIST, {"region": geo.county.code}))
    assert "共 33 封来信" in html
    with django_assert_max_num_queries(6):
        _html(client.get(LIST, {"unit": geo.county_bureau.pk, "page": 1}))
    letter = Letter.objects.filter(status="replied").first()
    with django_assert_max_num_queries(4):
        _html(client.get(detail(letter)))
