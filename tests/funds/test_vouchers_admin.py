"""The log of voucher views in the back office: read by the village's supervisory
committee, the township's officials, supervisors and platform admins; refused to the
other county's official, a committee of another village and residents; never editable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funds.models import Member, VoucherGrant, VoucherView
from funds.services import vouchers as services
from portal import identity
from portal.demo.people import id_number_for
from portal.models import MembershipRole, UnitKind
from portal.services import people
from tests.factories import UnitFactory, UserFactory
from tests.funds import test_vouchers_helpers as helpers
from tests.funds.conftest import MEMBER_ID
from tests.funds.test_vouchers_helpers import MEMBER_NAME, attach, make_entry, png_bytes

pytestmark = pytest.mark.django_db

books = helpers.books  # the fixture, shared by the voucher tests

VIEWS = "/admin/funds/voucherview/"
GRANTS = "/admin/funds/vouchergrant/"
GROUP_MEMBER_ID = id_number_for("510118", dt.date(1972, 4, 9), 355)
MASKED = f"王** {identity.mask_id_number(MEMBER_ID)}"


@pytest.fixture
def logged(books, money) -> VoucherView:
    grant, _token = services.voucher_access_request(
        collective=money.collective,
        name=MEMBER_NAME,
        id_number=MEMBER_ID,
        client="203.0.113.7",
        now=timezone.now(),
    )
    services.voucher_view(voucher=books.pdf, grant=grant)
    return services.voucher_view(voucher=books.image, grant=grant)


@pytest.fixture
def other_committee_member(geo, personas, money):
    """A member of 和平社区's supervisory committee (another county), whose own
    collective's log has one view."""
    committee = UnitFactory(
        name="和平社区居务监督委员会", kind=UnitKind.SUPERVISORY_COMMITTEE, region=geo.other_village
    )
    user = UserFactory(username="other_committee", full_name="周监委")
    people.membership_grant(
        user=user, unit=committee, role=MembershipRole.ADMIN, actor=personas.platform_admin
    )
    user.refresh_from_db()
    return user


@pytest.mark.parametrize(
    "who", ["supervisory_member", "township_official", "county_supervisor", "platform_admin"]
)
def test_the_log_is_read_by_those_who_watch_the_village(client, money, personas, logged, who):
    user = money.supervisory_member if who == "supervisory_member" else getattr(personas, who)
    client.force_login(user)
    response = client.get(VIEWS)
    assert response.status_code == 200
    page = response.content.decode()
    assert MASKED in page
    assert "发票.png" in page and "保洁合同.pdf" in page
    assert MEMBER_ID not in page and MEMBER_NAME not in page
    assert client.get(f"{VIEWS}{logged.pk}/change/").status_code == 200


def test_the_log_is_refused_to_everyone_else(
    client, money, personas, logged, other_committee_member
):
    client.force_login(personas.other_county_official)
    assert client.get(VIEWS).status_code == 403
    assert client.get(f"{VIEWS}{logged.pk}/change/").status_code in (302, 403, 404)
    client.force_login(personas.village_official)  # runs the village, does not watch views
    assert client.get(VIEWS).status_code == 403
    client.force_login(other_committee_member)
    response = client.get(VIEWS)
    assert response.status_code == 200
    assert MASKED not in response.content.decode()
    assert response.context["cl"].result_count == 0
    client.force_login(personas.resident)
    response = client.get(VIEWS)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_filters_by_collective_and_date(client, books, money, logged):
    # A member of the village's 3组 looks at their group's voucher too.
    Member.objects.create(
        collective=books.other_collective,
        real_name="赵德明",
        id_number_hash=identity.id_number_hash(GROUP_MEMBER_ID),
        id_number_masked=identity.mask_id_number(GROUP_MEMBER_ID),
        registered_on=dt.date(2021, 3, 1),
    )
    grant, _token = services.voucher_access_request(
        collective=books.other_collective,
        name="赵德明",
        id_number=GROUP_MEMBER_ID,
        client="203.0.113.8",
        now=timezone.now(),
    )
    services.voucher_view(voucher=books.other_voucher, grant=grant)
    client.force_login(money.supervisory_member)
    assert client.get(VIEWS).context["cl"].result_count == 3
    response = client.get(VIEWS, {"voucher__entry__collective__id__exact": money.collective.pk})
    assert response.context["cl"].result_count == 2
    response = client.get(
        VIEWS, {"voucher__entry__collective__id__exact": books.other_collective.pk}
    )
    assert response.context["cl"].result_count == 1
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    for start, count in ((midnight, 3), (midnight - dt.timedelta(days=9), 0)):
        window = {
            "viewed_at__gte": start.isoformat(),
            "viewed_at__lt": (start + dt.timedelta(days=1)).isoformat(),
        }
        assert client.get(VIEWS, window).context["cl"].result_count == count


def test_nothing_can_be_added_changed_or_deleted(client, money, personas, logged):
    client.force_login(personas.platform_admin)
    assert client.get(f"{VIEWS}add/").status_code == 403
    response = client.post(f"{VIEWS}{logged.pk}/change/", {"viewer": "someone else"})
    assert response.status_code == 403
    assert client.post(f"{VIEWS}{logged.pk}/delete/").status_code == 403
    assert VoucherView.objects.get(pk=logged.pk).viewer == MASKED
    assert client.get(f"{GRANTS}add/").status_code == 403


def test_grants_are_listed_with_the_masked_member(client, money, logged):
    client.force_login(money.supervisory_member)
    response = client.get(GRANTS)
    assert response.status_code == 200
    page = response.content.decode()
    assert MASKED in page
    assert MEMBER_NAME not in page
    grant = VoucherGrant.objects.get()
    detail = client.get(f"{GRANTS}{grant.pk}/change/").content.decode()
    assert "发票.png" in detail  # the vouchers seen under it
    assert grant.token_hash not in detail and grant.client_hash not in detail


def test_the_log_reads_a_bounded_number_of_queries(
    client, books, money, logged, django_assert_max_num_queries
):
    client.force_login(money.supervisory_member)
    with CaptureQueriesContext(connection) as two_rows:
        client.get(VIEWS)
    # Eight more views of eight more vouchers do not add a query.
    grant = logged.grant
    for n in range(8):
        entry = make_entry(
            money.collective,
            money.accountant,
            number=f"记-2026-1{n:02d}",
            booked_on=dt.date(2026, 9, 1 + n),
            summary=f"第{n}笔支出",
        )
        voucher = attach(
            entry, money.accountant, name=f"{n}.png", data=png_bytes(), content_type="image/png"
        )
        services.voucher_view(voucher=voucher, grant=grant)
    with django_assert_max_num_queries(len(two_rows)):
        response = client.get(VIEWS)
    assert response.context["cl"].result_count == 10
