"""Looking at vouchers with an ID number (funds.services.vouchers): the member gets a grant,
every other try is the same refusal and is counted, failures lock for a growing time,
grants expire and open one collective only, every view is logged and the file is marked."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image, ImageChops
from pypdf import PdfReader

from funds.models import AccessLock, VoucherGrant, VoucherView
from funds.services import vouchers as services
from portal import identity
from portal.demo.people import id_number_for
from portal.models import AuditEntry
from portal.services.errors import NotAllowed
from tests.funds import test_vouchers_helpers as helpers
from tests.funds.conftest import MEMBER_ID, OUTSIDER_ID, SECOND_MEMBER_ID
from tests.funds.test_vouchers_helpers import MEMBER_NAME, attach

pytestmark = pytest.mark.django_db

books = helpers.books  # the fixture, shared by the voucher tests

CLIENT = "203.0.113.7"
MASKED_ID = identity.mask_id_number(MEMBER_ID)  # 510118********1314
NOW = dt.datetime(2026, 12, 1, 2, 31, tzinfo=dt.UTC)  # 10:31 in Chengdu


def _ask(collective, *, name=MEMBER_NAME, id_number=MEMBER_ID, client=CLIENT, now=NOW):
    return services.voucher_access_request(
        collective=collective, name=name, id_number=id_number, client=client, now=now
    )


def _strangers(count: int) -> list[str]:
    """Well-formed ID numbers of people who are not members."""
    return [id_number_for("510104", dt.date(1981, 1, 1 + n), 301 + 2 * n) for n in range(count)]


def _fail(collective, times: int, *, now=NOW, client=CLIENT, **kwargs) -> list[Exception]:
    refusals = []
    for _ in range(times):
        with pytest.raises(ValidationError) as caught:
            _ask(collective, now=now, client=client, **kwargs)
        refusals.append(caught.value)
    return refusals


def test_a_member_with_name_and_id_number_gets_a_grant(money):
    grant, token = _ask(money.collective)
    assert grant.member == money.members[0]
    assert grant.collective == money.collective
    assert grant.expires_at == NOW + dt.timedelta(minutes=15)
    # Only a keyed hash of the token is kept.
    assert token not in grant.token_hash
    assert grant.token_hash == services.token_hash(token)
    assert services.grant_for(token, money.collective, now=NOW) == grant
    audit = AuditEntry.objects.get(
        action="grant", content_type__model="vouchergrant", object_id=str(grant.pk)
    )
    assert MASKED_ID in audit.object_repr
    assert MEMBER_ID not in str(audit.changes) + audit.object_repr + audit.note


def test_spaces_and_a_small_x_are_forgiven(money):
    # A member whose number ends in X, typed with a small x.
    numbers = (id_number_for("510118", dt.date(1950, 1, 1), n) for n in range(2, 999, 2))
    number = next(n for n in numbers if n.endswith("X"))
    money.members[1].id_number_hash = identity.id_number_hash(number)
    money.members[1].save()
    grant, _token = _ask(money.collective, name=" 李 淑芬\u3000", id_number=number.lower())
    assert grant.member == money.members[1]


@pytest.mark.parametrize(
    ("name", "id_number"),
    [
        ("王建华", MEMBER_ID),  # wrong name
        (MEMBER_NAME, OUTSIDER_ID),  # not a member, a valid number
        (MEMBER_NAME, SECOND_MEMBER_ID),  # another member's number
        (MEMBER_NAME, MEMBER_ID[:-1] + ("0" if MEMBER_ID[-1] != "0" else "1")),  # check char
        (MEMBER_NAME, "51011819680517"),  # too short
    ],
)
def test_every_wrong_try_is_the_same_refusal_and_counts(money, name, id_number):
    with pytest.raises(services.NoMatch) as caught:
        _ask(money.collective, name=name, id_number=id_number)
    assert caught.value.messages == [services.no_match_message()]
    client_key = identity.keyed_hash(
        f"{CLIENT}|{money.collective.pk}", purpose=services.CLIENT_PURPOSE
    )
    assert AccessLock.objects.get(key=client_key).failures == 1
    assert not VoucherGrant.objects.exists()


def test_missing_input_is_a_field_error_and_not_a_try(money):
    with pytest.raises(ValidationError) as caught:
        _ask(money.collective, name=" ", id_number="")
    assert set(caught.value.message_dict) == {"name", "id_number"}
    assert not AccessLock.objects.exists()


def test_five_failures_lock_and_the_next_lock_is_longer(money):
    refusals = _fail(money.collective, 5, name="王建华")
    assert all(isinstance(r, services.NoMatch) for r in refusals[:4])
    first = refusals[4]
    assert isinstance(first, services.Locked)
    assert first.until == NOW + dt.timedelta(minutes=15)
    assert "2026-12-01 10:46" in first.messages[0]
    # Locked: even the right name is not checked.
    with pytest.raises(services.Locked):
        _ask(money.collective, now=NOW + dt.timedelta(minutes=14))
    later = NOW + dt.timedelta(minutes=16)
    second = _fail(money.collective, 5, now=later, name="王建华")[4]
    assert isinstance(second, services.Locked)
    assert second.until - later == dt.timedelta(minutes=30)
    assert second.retry_after(later) == 30 * 60


def test_a_locked_client_cannot_probe_even_with_the_right_id_number(money):
    for number in _strangers(5):
        with pytest.raises(ValidationError):
            _ask(money.collective, id_number=number)
    with pytest.raises(services.Locked):
        _ask(money.collective, now=NOW + dt.timedelta(minutes=1))
    # The number itself was never tried wrongly: from elsewhere the member gets in.
    grant, _token = _ask(money.collective, client="198.51.100.9")
    assert grant.member == money.members[0]


def test_many_clients_trying_one_number_lock_that_number(money):
    for n in range(5):
        with pytest.raises(ValidationError):
            _ask(money.collective, name="王建华", client=f"192.0.2.{n}")
    with pytest.raises(services.Locked):
        _ask(money.collective, client="198.51.100.9")


def test_success_clears_the_clients_wrong_tries(money):
    _fail(money.collective, 4, name="王建华")
    _ask(money.collective)
    refusals = _fail(money.collective, 1, id_number=OUTSIDER_ID)
    assert isinstance(refusals[0], services.NoMatch)


def test_a_grant_expires(books, money):
    grant, token = _ask(money.collective)
    after = grant.expires_at + dt.timedelta(seconds=1)
    assert services.grant_for(token, money.collective, now=after) is None
    with pytest.raises(NotAllowed):
        services.voucher_view(voucher=books.image, grant=grant, now=after)
    assert services.grant_for("not-a-token", money.collective, now=NOW) is None
    assert services.grant_for("", money.collective, now=NOW) is None


def test_a_grant_opens_its_own_collective_only(books, money):
    grant, token = _ask(money.collective)
    assert services.grant_for(token, books.other_collective, now=NOW) is None
    with pytest.raises(NotAllowed):
        services.voucher_view(voucher=books.other_voucher, grant=grant, now=NOW)
    assert not VoucherView.objects.exists()


def test_every_view_is_logged_with_the_masked_identity(books, money):
    grant, _token = _ask(money.collective, now=timezone.now())
    view, _stamped = services.voucher_file(voucher=books.image, grant=grant)
    services.voucher_file(voucher=books.image, grant=grant)
    assert VoucherView.objects.filter(voucher=books.image, grant=grant).count() == 2
    assert view.viewer == f"王** {MASKED_ID}"
    assert view.region_id == money.collective.region_id


def test_the_image_is_marked_over_the_whole_picture(books, money):
    grant, _token = _ask(money.collective, now=timezone.now())
    view, stamped = services.voucher_file(voucher=books.image, grant=grant)
    assert stamped.content_type == "image/png"
    assert stamped.filename == "发票.png"
    with books.image.file.open("rb") as handle:
        original = Image.open(io.BytesIO(handle.read())).convert("RGB")
    marked = Image.open(io.BytesIO(stamped.content)).convert("RGB")
    assert marked.size == original.size
    difference = ImageChops.difference(original, marked).convert("L")
    difference = difference.point(lambda v: 255 if v > 8 else 0)
    changed = difference.histogram()[255] / (marked.width * marked.height)
    assert changed > 0.03
    # Marked in every quarter of the picture, not in one corner.
    half_w, half_h = marked.width // 2, marked.height // 2
    for box in [(0, 0), (half_w, 0), (0, half_h), (half_w, half_h)]:
        quarter = difference.crop((*box, box[0] + half_w, box[1] + half_h))
        assert quarter.getbbox() is not None
    assert services.watermark_text(view).startswith(f"{MASKED_ID} ")
    assert services.watermark_text(view).endswith(f" #{grant.pk}")
    assert services.watermark_text(view).isascii()


def test_a_photo_stays_a_jpeg(books, money):
    grant, _token = _ask(money.collective, now=timezone.now())
    _view, stamped = services.voucher_file(voucher=books.photo, grant=grant)
    assert stamped.content_type == "image/jpeg"
    assert stamped.filename == "现场照片.jpg"
    assert Image.open(io.BytesIO(stamped.content)).format == "JPEG"


def test_every_page_of_a_pdf_carries_the_mark(books, money):
    grant, _token = _ask(money.collective, now=timezone.now())
    view, stamped = services.voucher_file(voucher=books.pdf, grant=grant)
    text = services.watermark_text(view)
    assert stamped.content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(stamped.content))
    assert len(reader.pages) == 2
    for page in reader.pages:
        notes = [a.get_object() for a in page["/Annots"]]
        free = [a for a in notes if a["/Subtype"] == "/FreeText"]
        assert free and all(a["/Contents"] == text for a in free)
    assert reader.metadata["/Subject"] == text


def test_an_unreadable_file_is_refused_and_not_logged(books, money):
    broken = attach(
        books.entry,
        money.accountant,
        name="坏文件.png",
        data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        content_type="image/png",
    )
    grant, _token = _ask(money.collective, now=timezone.now())
    with pytest.raises(services.VoucherUnavailable):
        services.voucher_file(voucher=broken, grant=grant)
    assert not VoucherView.objects.exists()


def test_no_name_or_id_number_reaches_the_logs(books, money, caplog):
    caplog.set_level(logging.DEBUG)
    _fail(money.collective, 5, name="王建华", id_number=OUTSIDER_ID)
    grant, _token = _ask(money.collective, client="198.51.100.9", now=timezone.now())
    services.voucher_file(voucher=books.image, grant=grant)
    assert caplog.records, "the service logs what happened"
    for secret in (MEMBER_ID, OUTSIDER_ID, MEMBER_NAME, "王建华", MEMBER_ID[6:14]):
        assert secret not in caplog.text
