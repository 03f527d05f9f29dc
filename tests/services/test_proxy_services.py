"""The proxy service's rules, through its services: routing (小事不出村、大事不出镇), the
due date on the calendar, duplicates and rate limits, the status machine, the rating."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from portal.models import AuditEntry
from portal.ratelimit import RateLimited
from portal.services.errors import Conflict, NotAllowed
from services.models import ProxyEvent, ProxyRequest, ProxyStatus
from services.services import proxy as services
from tests.services import proxy_fixtures
from tests.services.proxy_fixtures import submit

pytestmark = pytest.mark.django_db
proxy = proxy_fixtures.proxy
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


# --- Routing ------------------------------------------------------------------------------


def test_village_matter_goes_to_the_village_committee(proxy, calendar_2026):
    item, created = submit(proxy.village_guide, proxy.village)
    assert created
    assert item.agent_unit == proxy.geo.village_committee
    assert item.status == ProxyStatus.RECEIVED
    assert list(item.events.values_list("status", flat=True)) == [ProxyStatus.RECEIVED]


def test_township_matter_goes_to_the_township_office(proxy, calendar_2026):
    item, _ = submit(proxy.township_guide, proxy.village)
    assert item.agent_unit == proxy.geo.township_office


def test_county_matter_is_taken_up_by_the_township_office(proxy, calendar_2026):
    item, _ = submit(proxy.county_guide, proxy.neighbour)
    assert item.agent_unit == proxy.geo.township_office


def test_each_village_has_its_own_committee(proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.neighbour)
    assert item.agent_unit == proxy.neighbour_committee


def test_village_without_committee_is_served_by_its_township(proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.bare_village)
    assert item.agent_unit == proxy.geo.township_office


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("township_region", "region"),
        ("guide_elsewhere", "region"),
        ("draft_guide", "guide"),
        ("no_region", "region"),
        ("bad_phone", "phone"),
        ("no_name", "name"),
        ("no_detail", "detail"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(proxy, calendar_2026, case, field):
    guide, region, extra = proxy.village_guide, proxy.village, {}
    if case == "township_region":
        region = proxy.geo.township
    elif case == "guide_elsewhere":
        guide = proxy.jinjiang_guide
    elif case == "draft_guide":
        guide = proxy.draft_guide
    elif case == "no_region":
        region = None
    elif case == "bad_phone":
        extra["phone"] = "12345"
    elif case == "no_name":
        extra["name"] = "  "
    elif case == "no_detail":
        extra["detail"] = ""
    with pytest.raises(ValidationError) as caught:
        submit(guide, region, **extra)
    assert field in caught.value.message_dict
    assert all(re.search(r"[\u4e00-\u9fff]", m) for m in caught.value.message_dict[field])
    assert not ProxyRequest.objects.exists() and not ProxyEvent.objects.exists()


def test_phone_is_normalised_and_hashed(proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.village, phone="+86 139-1234-5678")
    assert item.phone == "13912345678"
    assert item.phone_hash and "13912345678" not in item.phone_hash


def test_codes_are_like_letters(proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.village)
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{10}", item.tracking_code)
    assert re.fullmatch(r"\d{6}", item.query_code)


def test_submit_is_audited_without_personal_data(proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.village, user=proxy.personas.resident)
    entry = AuditEntry.objects.get(object_id=str(item.pk), action="create")
    assert entry.actor == proxy.personas.resident
    assert entry.unit == proxy.geo.village_committee
    assert entry.region_code == proxy.village.code
    assert "1391234" not in str(entry.changes) and "王芳" not in str(entry.changes)
    assert item.user == proxy.personas.resident


# --- Due date on the calendar ----------------------------------------------------------


@pytest.mark.parametrize(
    ("guide_name", "received", "due"),
    [
        # Default 5 working days (the guide promises 3): over the National Day holiday,
        # the make-up Saturday 10 Oct counts.
        ("village_guide", dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH), dt.date(2026, 10, 10)),
        # Spring Festival: Sat 14 Feb is worked, 15–23 Feb are not.
        ("village_guide", dt.datetime(2026, 2, 13, 16, 30, tzinfo=SH), dt.date(2026, 2, 27)),
        # The guide's promise (12 days) is longer than the default: it wins.
        ("county_guide", dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH), dt.date(2026, 10, 20)),
    ],
)
def test_due_date_counts_working_days_on_the_calendar(
    proxy, calendar_2026, guide_name, received, due
):
    item, _ = submit(getattr(proxy, guide_name), proxy.village, now=received)
    local = item.due_at.astimezone(SH)
    assert local.date() == due and local.time() == dt.time(23, 59, 59, 999999)
    assert item.due_is_provisional is False
    assert item.received_at == received


def test_due_days_is_a_local_choice(proxy, calendar_2026, settings):
    settings.SERVICES_PROXY_DUE_DAYS = 2
    item, _ = submit(
        proxy.township_guide, proxy.village, now=dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH)
    )
    assert item.due_at.astimezone(SH).date() == dt.date(2026, 9, 30)


def test_due_date_in_an_unpublished_year_is_provisional(proxy, calendar_2026):
    item, _ = submit(
        proxy.village_guide, proxy.village, now=dt.datetime(2026, 12, 29, 10, 0, tzinfo=SH)
    )
    assert item.due_is_provisional is True


# --- Duplicates and rate limits ----------------------------------------------------------


def test_same_request_within_ten_minutes_returns_the_first(proxy, calendar_2026):
    start = dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH)
    first, created = submit(proxy.village_guide, proxy.village, now=start)
    again, created_again = submit(
        proxy.village_guide, proxy.village, now=start + dt.timedelta(minutes=9)
    )
    assert created and not created_again and again.pk == first.pk
    later, created_later = submit(
        proxy.village_guide, proxy.village, now=start + dt.timedelta(minutes=11)
    )
    assert created_later and later.pk != first.pk
    other, created_other = submit(
        proxy.village_guide, proxy.village, now=start, detail="另一件事：帮我母亲办理。"
    )
    assert created_other and other.pk != first.pk


def test_rate_limit_per_phone(proxy, calendar_2026, settings):
    settings.SERVICES_PROXY_RATE_PER_PHONE = 2
    for n in range(2):
        submit(proxy.village_guide, proxy.village, detail=f"第{n}件事")
    with pytest.raises(RateLimited):
        submit(proxy.village_guide, proxy.village, detail="第三件事")
    # Another phone is not held back by this one.
    submit(proxy.village_guide, proxy.village, detail="第三件事", phone="13800000001")
    assert ProxyRequest.objects.count() == 3


def test_rate_limit_per_address(proxy, calendar_2026, settings):
    settings.SERVICES_PROXY_RATE_PER_IP = 1
    submit(proxy.village_guide, proxy.village, ip="10.0.0.9")
    with pytest.raises(RateLimited):
        submit(proxy.village_guide, proxy.village, ip="10.0.0.9", phone="13800000001")


# --- Status machine ----------------------------------------------------------------------


@pytest.fixture
def received(proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.village, user=proxy.personas.resident)
    return item


def test_take_finish_with_events_and_audit(proxy, received):
    agent = proxy.village_agent
    item = services.proxy_request_take(proxy_request=received, actor=agent)
    assert item.status == ProxyStatus.IN_PROGRESS
    assert item.agent == agent and item.started_at is not None
    item = services.proxy_request_finish(
        proxy_request=item, actor=agent, note="证明已开具，请到社区领取。"
    )
    item.refresh_from_db()
    assert item.status == ProxyStatus.DONE and item.finished_at is not None
    events = list(item.events.values_list("status", "actor", "note"))
    assert events == [
        (ProxyStatus.RECEIVED, proxy.personas.resident.pk, ""),
        (ProxyStatus.IN_PROGRESS, agent.pk, ""),
        (ProxyStatus.DONE, agent.pk, "证明已开具，请到社区领取。"),
    ]
    changes = AuditEntry.objects.filter(object_id=str(item.pk), action="change")
    assert [e.changes["status"] for e in changes.order_by("id")] == [
        ["received", "in_progress"],
        ["in_progress", "done"],
    ]
    assert all(e.actor == agent for e in changes)


def test_return_from_received_or_in_progress_needs_a_reason(proxy, received):
    agent = proxy.village_agent
    with pytest.raises(ValidationError) as caught:
        services.proxy_request_return(proxy_request=received, actor=agent, reason="  ")
    assert "reason" in caught.value.message_dict
    item = services.proxy_request_return(
        proxy_request=received, actor=agent, reason="不符合条件：未满80周岁。"
    )
    assert item.status == ProxyStatus.RETURNED and item.finished_at is not None
    assert item.return_reason == "不符合条件：未满80周岁。"

    other, _ = submit(proxy.village_guide, proxy.village, detail="另一件")
    services.proxy_request_take(proxy_request=other, actor=agent)
    other = services.proxy_request_return(proxy_request=other, actor=agent, reason="材料不全。")
    assert other.status == ProxyStatus.RETURNED


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], "finish"),  # not taken yet
        (["take"], "take"),  # taken twice
        (["take", "finish"], "return"),  # done already
        (["take", "finish"], "finish"),
        (["return"], "take"),  # returned already
    ],
)
def test_status_machine_refuses_out_of_order_steps(proxy, received, steps, refused):
    agent = proxy.village_agent
    run = {
        "take": lambda item: services.proxy_request_take(proxy_request=item, actor=agent),
        "finish": lambda item: services.proxy_request_finish(proxy_request=item, actor=agent),
        "return": lambda item: services.proxy_request_return(
            proxy_request=item, actor=agent, reason="材料不全。"
        ),
    }
    item = received
    for step in steps:
        item = run[step](item)
    before = ProxyEvent.objects.count()
    with pytest.raises(Conflict):
        run[refused](item)
    assert ProxyEvent.objects.count() == before


@pytest.mark.parametrize("who", ["township_agent", "neighbour_agent", "supervisor", "citizen"])
def test_only_the_agent_unit_acts(proxy, received, who):
    people = {
        "township_agent": proxy.township_agent,
        "neighbour_agent": proxy.neighbour_agent,
        "supervisor": proxy.personas.county_supervisor,
        "citizen": proxy.personas.citizen,
    }
    with pytest.raises(NotAllowed):
        services.proxy_request_take(proxy_request=received, actor=people[who])
    received.refresh_from_db()
    assert received.status == ProxyStatus.RECEIVED


def test_township_office_acts_on_township_matters(proxy, calendar_2026):
    item, _ = submit(proxy.township_guide, proxy.village)
    with pytest.raises(NotAllowed):
        services.proxy_request_take(proxy_request=item, actor=proxy.village_agent)
    item = services.proxy_request_take(proxy_request=item, actor=proxy.township_agent)
    assert item.status == ProxyStatus.IN_PROGRESS


# --- Rating --------------------------------------------------------------------------------


def _done(proxy, item):
    item = services.proxy_request_take(proxy_request=item, actor=proxy.village_agent)
    return services.proxy_request_finish(proxy_request=item, actor=proxy.village_agent)


def test_rating_once_after_done_with_the_query_code(proxy, received):
    with pytest.raises(Conflict):
        services.proxy_request_rate(
            proxy_request=received, rating="satisfied", query_code=received.query_code
        )
    item = _done(proxy, received)
    with pytest.raises(NotAllowed):
        services.proxy_request_rate(proxy_request=item, rating="satisfied", query_code="000000")
    with pytest.raises(ValidationError) as caught:
        services.proxy_request_rate(proxy_request=item, rating="great", query_code=item.query_code)
    assert "rating" in caught.value.message_dict
    item = services.proxy_request_rate(
        proxy_request=item, rating="basic", comment="跑得快，态度好。", query_code=item.query_code
    )
    assert item.rating == "basic" and item.rated_at is not None
    with pytest.raises(Conflict):
        services.proxy_request_rate(
            proxy_request=item, rating="unsatisfied", query_code=item.query_code
        )
    item.refresh_from_db()
    assert item.rating == "basic" and item.rating_comment == "跑得快，态度好。"


def test_owner_rates_without_the_code_others_may_not(proxy, received):
    item = services.proxy_request_return(
        proxy_request=received, actor=proxy.village_agent, reason="不符合条件。"
    )
    with pytest.raises(NotAllowed):
        services.proxy_request_rate(
            proxy_request=item, rating="satisfied", actor=proxy.personas.citizen
        )
    item = services.proxy_request_rate(
        proxy_request=item, rating="unsatisfied", actor=proxy.personas.resident
    )
    assert item.rating == "unsatisfied"
