"""The voucher API: POST /api/v1/voucher-access/ (201 / 400 / 403 / 429), the list of a
collective's entries with vouchers and each voucher's file behind the X-Voucher-Grant
header, and the header in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from funds.models import AccessLock, VoucherGrant, VoucherView
from funds.services import vouchers as services
from portal import identity, uploads
from portal.demo.people import id_number_for
from tests.funds import test_vouchers_helpers as helpers
from tests.funds.conftest import MEMBER_ID, OUTSIDER_ID
from tests.funds.test_vouchers_helpers import MEMBER_NAME

pytestmark = pytest.mark.django_db

books = helpers.books  # the fixture, shared by the voucher tests

ACCESS = "/api/v1/voucher-access/"
LIST = "/api/v1/vouchers/"


def _ask(api, collective, *, name=MEMBER_NAME, id_number=MEMBER_ID):
    return api.post(
        ACCESS,
        {"collective": collective.pk, "name": name, "id_number": id_number},
        format="json",
    )


def _grant(api, collective) -> str:
    response = _ask(api, collective)
    assert response.status_code == 201, response.content
    return response.json()["grant"]


def test_a_member_gets_a_grant(api, money):
    response = _ask(api, money.collective)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"grant", "expires_at", "collective"}
    assert body["collective"] == money.collective.pk
    grant = VoucherGrant.objects.get()
    assert grant.token_hash == services.token_hash(body["grant"])
    assert dt.datetime.fromisoformat(body["expires_at"]) == grant.expires_at


@pytest.mark.parametrize(
    ("name", "id_number"),
    [
        ("王建华", MEMBER_ID),
        (MEMBER_NAME, OUTSIDER_ID),
        (MEMBER_NAME, "510118196805171319"),  # fails the check character
        (MEMBER_NAME, "12345"),
    ],
)
def test_wrong_name_non_member_and_malformed_number_are_one_refusal(api, money, name, id_number):
    response = _ask(api, money.collective, name=name, id_number=id_number)
    assert response.status_code == 403
    assert response.json() == {"detail": services.no_match_message()}
    assert AccessLock.objects.filter(failures=1).exists()


def test_bad_input_is_a_400(api, money):
    response = api.post(ACCESS, {"collective": money.collective.pk}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "id_number"}
    gone = {"collective": 999_999, "name": MEMBER_NAME, "id_number": MEMBER_ID}
    response = api.post(ACCESS, gone, format="json")
    assert response.status_code == 400
    assert "collective" in response.json()
    assert not AccessLock.objects.exists()


def test_five_failures_lock_with_retry_after_and_the_next_lock_is_longer(api, money):
    for _ in range(4):
        assert _ask(api, money.collective, name="王建华").status_code == 403
    locked = _ask(api, money.collective, name="王建华")
    assert locked.status_code == 429
    first = int(locked["Retry-After"])
    assert 0 < first <= 15 * 60
    until = timezone.localtime(dt.datetime.fromisoformat(locked.json()["locked_until"]))
    assert until.strftime("%Y-%m-%d %H:%M") in locked.json()["detail"]
    # Locked: the right name is not even checked.
    assert _ask(api, money.collective).status_code == 429
    # As if the lock had run out; the next five wrong tries lock twice as long.
    AccessLock.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    for _ in range(4):
        assert _ask(api, money.collective, name="王建华").status_code == 403
    again = _ask(api, money.collective, name="王建华")
    assert again.status_code == 429
    assert int(again["Retry-After"]) > 15 * 60


def test_a_locked_client_cannot_probe_with_the_right_number(api, money):
    for sequence in range(5):
        stranger = id_number_for("510104", dt.date(1980, 3, 8), 101 + sequence)
        _ask(api, money.collective, id_number=stranger)
    response = _ask(api, money.collective)
    assert response.status_code == 429
    assert "Retry-After" in response
    assert not VoucherGrant.objects.exists()


def test_the_list_needs_a_grant_of_that_collective(api, books, money):
    token = _grant(api, money.collective)
    response = api.get(LIST, {"collective": money.collective.pk}, HTTP_X_VOUCHER_GRANT=token)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["voucher_number"] for row in rows] == ["记-2026-031", "记-2026-012"]
    files = [v["file_url"] for v in rows[0]["vouchers"]]
    assert files[0].endswith(f"/api/v1/vouchers/{books.image.pk}/file/")
    assert rows[0]["vouchers"][0]["original_name"] == "发票.png"

    other = {"collective": books.other_collective.pk}
    assert api.get(LIST, other, HTTP_X_VOUCHER_GRANT=token).status_code == 403
    assert api.get(LIST, {"collective": money.collective.pk}).status_code == 403
    assert api.get(LIST, {"collective": 999_999}, HTTP_X_VOUCHER_GRANT=token).status_code == 404
    assert api.get(LIST, HTTP_X_VOUCHER_GRANT=token).status_code == 400


def test_the_list_reads_a_bounded_number_of_queries(
    api, books, money, django_assert_max_num_queries
):
    token = _grant(api, money.collective)
    with django_assert_max_num_queries(5):
        response = api.get(LIST, {"collective": money.collective.pk}, HTTP_X_VOUCHER_GRANT=token)
    assert response.status_code == 200


def test_the_file_is_marked_logged_and_never_cached(api, books, money):
    token = _grant(api, money.collective)
    url = f"/api/v1/vouchers/{books.image.pk}/file/"
    response = api.get(url, HTTP_X_VOUCHER_GRANT=token, HTTP_ACCEPT="image/*")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == uploads.INLINE_POLICY
    assert response["Content-Disposition"].startswith("inline;")
    with books.image.file.open("rb") as handle:
        assert response.content != handle.read()
    view = VoucherView.objects.get()
    assert view.voucher == books.image
    assert view.viewer == f"王** {identity.mask_id_number(MEMBER_ID)}"


def test_a_file_without_a_valid_grant_is_a_404(api, books, money):
    token = _grant(api, money.collective)
    other = f"/api/v1/vouchers/{books.other_voucher.pk}/file/"
    assert api.get(other, HTTP_X_VOUCHER_GRANT=token).status_code == 404
    mine = f"/api/v1/vouchers/{books.image.pk}/file/"
    assert api.get(mine).status_code == 404
    assert api.get(mine, HTTP_X_VOUCHER_GRANT="forged").status_code == 404
    VoucherGrant.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get(mine, HTTP_X_VOUCHER_GRANT=token).status_code == 404
    assert api.get("/api/v1/vouchers/999999/file/", HTTP_X_VOUCHER_GRANT=token).status_code == 404
    assert not VoucherView.objects.exists()


def test_the_schema_documents_the_grant_header(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/vouchers/", "/api/v1/vouchers/{id}/file/"):
        parameters = schema["paths"][path]["get"]["parameters"]
        assert any(p["in"] == "header" and p["name"] == "X-Voucher-Grant" for p in parameters)
    access = schema["paths"]["/api/v1/voucher-access/"]["post"]["responses"]
    assert {"201", "400", "403", "429"} <= set(access)
