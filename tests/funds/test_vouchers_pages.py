"""The voucher pages: the ID check form, the collective's entries with vouchers month by
month behind the session's grant, and a voucher's marked file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from funds.models import VoucherGrant, VoucherView
from funds.services import vouchers as services
from funds.views.vouchers import SESSION_KEY
from portal import uploads
from tests.funds import test_vouchers_helpers as helpers
from tests.funds.conftest import MEMBER_ID, OUTSIDER_ID
from tests.funds.test_vouchers_helpers import MEMBER_NAME

pytestmark = pytest.mark.django_db

books = helpers.books  # the fixture, shared by the voucher tests


def _access_url(collective) -> str:
    return reverse("voucher-access", args=[collective.pk])


def _list_url(collective) -> str:
    return reverse("voucher-list", args=[collective.pk])


def _check(client, collective, *, name=MEMBER_NAME, id_number=MEMBER_ID):
    return client.post(_access_url(collective), {"name": name, "id_number": id_number})


def test_the_form_explains_who_may_look_and_that_views_are_recorded(client, money, geo):
    response = client.get(_access_url(money.collective))
    assert response.status_code == 200
    page = response.content.decode()
    assert "只有本集体经济组织登记在册的成员" in page
    assert "村务监督委员会" in page
    assert "连续输错 5 次" in page
    assert 'for="id_id_number"' in page and 'for="id_name"' in page
    assert geo.village.name in page  # breadcrumbs
    assert "no-store" in response["Cache-Control"]
    assert client.get(reverse("voucher-access", args=[999_999])).status_code == 404


def test_a_member_passes_the_check_and_sees_the_vouchers(client, books, money):
    response = _check(client, money.collective)
    assert response.status_code == 302
    assert response["Location"] == _list_url(money.collective)
    grant = VoucherGrant.objects.get()
    token = client.session[SESSION_KEY][str(money.collective.pk)]
    assert grant.token_hash == services.token_hash(token)

    page = client.get(_list_url(money.collective)).content.decode()
    assert "购买广场照明灯具" in page and "支付保洁服务费" in page
    assert "暂未上传凭证的支出" not in page  # an entry without a voucher
    assert "3组水渠清淤" not in page  # another collective's
    assert reverse("voucher-file", args=[books.image.pk]) in page
    assert "2026年11月" in page and "2026年10月" in page
    assert services.viewer_label(grant.member) in page
    assert MEMBER_ID not in page and MEMBER_NAME not in page

    response = client.get(reverse("voucher-file", args=[books.image.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == uploads.INLINE_POLICY
    assert VoucherView.objects.get().voucher == books.image


def test_a_refusal_is_a_403_with_one_message(client, money):
    for name, number in (("王建华", MEMBER_ID), (MEMBER_NAME, OUTSIDER_ID), (MEMBER_NAME, "1")):
        response = _check(client, money.collective, name=name, id_number=number)
        assert response.status_code == 403
        assert services.no_match_message() in response.content.decode()
    assert SESSION_KEY not in client.session


def test_five_failures_lock_the_form(client, money):
    for _ in range(4):
        assert _check(client, money.collective, name="王建华").status_code == 403
    response = _check(client, money.collective, name="王建华")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "暂时锁定" in response.content.decode()
    assert _check(client, money.collective).status_code == 429


def test_missing_input_stays_on_the_form(client, money):
    response = client.post(_access_url(money.collective), {"name": "", "id_number": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name", "id_number"}


def test_without_a_grant_the_list_sends_to_the_form(client, books, money):
    response = client.get(_list_url(money.collective))
    assert response.status_code == 302
    assert response["Location"] == _access_url(money.collective)
    assert client.get(reverse("voucher-file", args=[books.image.pk])).status_code == 404


def test_an_expired_grant_asks_again(client, books, money):
    _check(client, money.collective)
    VoucherGrant.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(_list_url(money.collective), follow=True)
    assert response.redirect_chain[-1][0] == _access_url(money.collective)
    assert "查阅时限已到" in response.content.decode()
    assert client.get(reverse("voucher-file", args=[books.image.pk])).status_code == 404


def test_a_grant_does_not_open_another_collectives_vouchers(client, books, money):
    _check(client, money.collective)
    response = client.get(reverse("voucher-file", args=[books.other_voucher.pk]))
    assert response.status_code == 404
    response = client.get(_list_url(books.other_collective))
    assert response.status_code == 302
    assert not VoucherView.objects.exists()


def test_years_are_chosen_by_link_and_a_wrong_year_is_a_404(client, books, money):
    _check(client, money.collective)
    assert client.get(_list_url(money.collective), {"year": "2026"}).status_code == 200
    assert client.get(_list_url(money.collective), {"year": "2019"}).status_code == 404
    assert client.get(_list_url(money.collective), {"year": "x"}).status_code == 404


def test_the_list_reads_a_bounded_number_of_queries(
    client, books, money, django_assert_max_num_queries
):
    _check(client, money.collective)
    with django_assert_max_num_queries(8):
        response = client.get(_list_url(money.collective))
    assert response.status_code == 200


def test_an_unreadable_file_is_explained_not_served(client, books, money):
    books.image.file.save("broken", ContentFile(b"%PDF-1.4 not really a pdf"), save=True)
    _check(client, money.collective)
    response = client.get(reverse("voucher-file", args=[books.image.pk]))
    assert response.status_code == 409
    assert "暂时无法显示" in response.content.decode()
    assert not VoucherView.objects.exists()
