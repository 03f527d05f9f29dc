"""The ledger's services: only the centre books; entries are append-only (a correction is
a reversal and a replacement, the original untouched); a published month and those
before it are closed; vouchers are typed by content and stored privately; registers;
members kept as hash and mask; collectives opened by the centre's admins."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from funds.models import (
    AssetStatus,
    Collective,
    FixedAsset,
    LedgerEntry,
    Member,
    Resource,
    Voucher,
)
from funds.selectors import ledger as selectors
from funds.services import ledger as services
from portal import identity
from portal.models import AuditEntry, MembershipRole
from portal.services import people
from portal.services.errors import Conflict, NotAllowed
from tests.factories import UserFactory
from tests.funds.conftest import MEMBER_ID, OUTSIDER_ID
from tests.funds.test_ledger_helpers import (
    PDF,
    PNG,
    book,
    day_in,
    docx,
    months_ago,
    publish,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Who books


def test_the_centres_accountant_books_an_entry_with_its_audit_row(money):
    entry = book(money, amount=Decimal("256.50"), summary="购买打印纸")
    assert entry.region_id == money.collective.region_id
    assert entry.booked_by == money.accountant
    assert entry.amount == Decimal("256.50")
    audit = AuditEntry.objects.get(object_id=str(entry.pk), content_type__model="ledgerentry")
    assert audit.actor == money.accountant
    assert audit.unit == money.centre


@pytest.mark.parametrize(
    "who",
    ["village_official", "township_official", "other_county_official", "county_supervisor"],
)
def test_nobody_but_the_centre_books(money, personas, who):
    with pytest.raises(NotAllowed):
        book(money, actor=getattr(personas, who))
    assert not LedgerEntry.objects.exists()


def test_an_accountant_of_another_centre_does_not_book(money, geo, personas):
    from tests.factories import UnitFactory

    elsewhere = UnitFactory(
        name="锦江区春熙路街道代理记账中心", kind="accounting_centre", region=geo.other_township
    )
    stranger = UserFactory(username="other_accountant")
    people.membership_grant(
        user=stranger, unit=elsewhere, role=MembershipRole.EDITOR, actor=personas.platform_admin
    )
    with pytest.raises(NotAllowed):
        book(money, actor=stranger)


# ---------------------------------------------------------------------------
# What an entry must be


def test_every_bad_field_is_named(money):
    with pytest.raises(ValidationError) as caught:
        book(
            money,
            amount=Decimal("0"),
            voucher_number="",
            summary=" ",
            subject="999",
            direction="sideways",
            handler="",
            counterparty="",
            counterparty_is_person=True,
        )
    errors = caught.value.message_dict
    assert set(errors) >= {
        "amount",
        "voucher_number",
        "summary",
        "subject",
        "direction",
        "handler",
        "counterparty",
    }
    assert "999" in errors["subject"][0]


def test_amounts_are_positive_with_two_decimals(money):
    for amount, message in ((Decimal("-5"), "大于0"), (Decimal("1.005"), "两位小数")):
        with pytest.raises(ValidationError) as caught:
            book(money, amount=amount)
        assert message in caught.value.message_dict["amount"][0]


def test_booking_date_not_in_the_future_nor_before_the_account_opened(money):
    with pytest.raises(ValidationError) as caught:
        book(money, booked_on=timezone.localdate() + dt.timedelta(days=1))
    assert "晚于今天" in caught.value.message_dict["booked_on"][0]
    with pytest.raises(ValidationError) as caught:
        book(money, booked_on=dt.date(2019, 12, 31))
    assert "2020-01-01" in caught.value.message_dict["booked_on"][0]


def test_voucher_numbers_are_unique_per_collective_in_the_service_and_the_database(money):
    first = book(money, voucher_number="记-001")
    with pytest.raises(ValidationError) as caught:
        book(money, voucher_number="记-001")
    assert "已经使用" in caught.value.message_dict["voucher_number"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            collective=first.collective,
            region_id=first.region_id,
            booked_on=first.booked_on,
            voucher_number="记-001",
            summary="重复",
            subject_id="541",
            direction="expense",
            amount=1,
            handler="王",
            approver="李",
            booked_by=money.accountant,
        )


def test_the_database_keeps_negative_amounts_for_corrections(money):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            collective=money.collective,
            region_id=money.collective.region_id,
            booked_on=day_in(months_ago(1)),
            voucher_number="负-1",
            summary="负数",
            subject_id="541",
            direction="expense",
            amount=-1,
            handler="王",
            approver="李",
            booked_by=money.accountant,
        )


def test_a_decision_must_be_of_the_village_and_resolved(money, geo, personas):
    from participation.models import Decision, DecisionStatus

    entry = book(money, amount=Decimal("80000"), decision=money.decision)
    assert entry.decision == money.decision
    pending = Decision.objects.create(
        unit=geo.village_committee,
        region=geo.village,
        created_by=personas.village_official,
        title="尚在议决",
        matter="……",
        category="project",
        status=DecisionStatus.IN_PROGRESS,
    )
    with pytest.raises(ValidationError) as caught:
        book(money, decision=pending)
    assert "decision" in caught.value.message_dict


# ---------------------------------------------------------------------------
# Append-only: corrections


def test_there_is_no_way_to_change_an_entry():
    assert not [name for name in dir(services) if name.startswith("entry_") and "update" in name]


def test_a_correction_reverses_and_replaces_without_touching_the_original(money):
    original = book(money, voucher_number="记-010", amount=Decimal("1000.00"), subject="541")
    before = {f: getattr(original, f) for f in ("amount", "summary", "voucher_number")}
    reversal, replacement = services.entry_correct(
        entry=original,
        actor=money.accountant,
        reason="金额录错",
        replacement={"voucher_number": "记-011", "amount": Decimal("100.00")},
    )
    original.refresh_from_db()
    assert {f: getattr(original, f) for f in before} == before
    assert reversal.amount == Decimal("-1000.00")
    assert reversal.corrects == original and replacement.corrects == original
    assert reversal.summary.startswith("更正：") and "金额录错" in reversal.summary
    assert reversal.subject_id == original.subject_id == replacement.subject_id
    assert replacement.amount == Decimal("100.00")
    assert replacement.summary == original.summary  # kept where not given
    assert reversal.booked_on == replacement.booked_on == timezone.localdate()
    # The three lines add up to the right amount.
    total = sum(e.amount for e in LedgerEntry.objects.filter(subject_id="541"))
    assert total == Decimal("100.00")


def test_an_entry_is_reversed_once_and_a_reversal_is_not_corrected(money):
    original = book(money)
    reversal, none = services.entry_correct(
        entry=original, actor=money.accountant, reason="重复记账"
    )
    assert none is None
    with pytest.raises(Conflict):
        services.entry_correct(entry=original, actor=money.accountant, reason="再次")
    with pytest.raises(Conflict):
        services.entry_correct(entry=reversal, actor=money.accountant, reason="冲销错了")


def test_a_correction_needs_a_reason_and_the_centre(money, personas):
    original = book(money)
    with pytest.raises(ValidationError) as caught:
        services.entry_correct(entry=original, actor=money.accountant, reason=" ")
    assert "reason" in caught.value.message_dict
    with pytest.raises(NotAllowed):
        services.entry_correct(entry=original, actor=personas.village_official, reason="错")
    assert not original.corrections.exists()


def test_a_bad_replacement_undoes_the_reversal_too(money):
    original = book(money, voucher_number="记-020")
    with pytest.raises(ValidationError) as caught:
        services.entry_correct(
            entry=original,
            actor=money.accountant,
            reason="科目错",
            replacement={"voucher_number": "记-020", "subject": "551"},
        )
    assert "voucher_number" in caught.value.message_dict
    assert LedgerEntry.objects.count() == 1


# ---------------------------------------------------------------------------
# Closed months


def test_a_published_month_and_those_before_it_are_closed(money, personas, catalog):
    last, before = months_ago(1), months_ago(2)
    entry = book(money, booked_on=day_in(last))
    publish(money, personas, last)
    for day in (day_in(last, 20), day_in(before)):
        with pytest.raises(Conflict) as caught:
            book(money, booked_on=day)
        assert "已经公开" in caught.value.messages[0]
    # The correction goes into the current month, which is open.
    reversal, _ = services.entry_correct(entry=entry, actor=money.accountant, reason="重复")
    assert selectors.month_start(reversal.booked_on) == months_ago(0)


# ---------------------------------------------------------------------------
# Vouchers


def test_a_scanned_voucher_is_stored_privately_with_its_digest(money, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = book(money)
    voucher = services.voucher_attach(
        entry=entry, name="发票.png", data=PNG, actor=money.accountant
    )
    assert voucher.content_type == "image/png"
    assert voucher.size == len(PNG)
    assert voucher.sha256 == hashlib.sha256(PNG).hexdigest()
    assert voucher.file.name == f"private/vouchers/{money.collective.pk}/{voucher.token}"
    assert "发票" not in voucher.file.name
    with voucher.file.open("rb") as stored:
        assert stored.read() == PNG
    pdf = services.voucher_attach(entry=entry, name="合同.pdf", data=PDF, actor=money.accountant)
    assert pdf.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("凭证.docx", docx()),
        ("凭证.pdf", docx()),  # named a PDF, is a Word document
        ("凭证.png", b"just some text"),
        ("空.pdf", b""),
    ],
)
def test_only_images_and_pdfs_by_content(money, settings, tmp_path, name, data):
    settings.MEDIA_ROOT = tmp_path
    entry = book(money)
    with pytest.raises(ValidationError) as caught:
        services.voucher_attach(entry=entry, name=name, data=data, actor=money.accountant)
    assert "file" in caught.value.message_dict
    assert not Voucher.objects.exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_voucher_size_limit_and_who_attaches(money, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.FUNDS_MAX_VOUCHER_BYTES = 1024 * 1024
    entry = book(money)
    with pytest.raises(ValidationError) as caught:
        services.voucher_attach(
            entry=entry, name="大.pdf", data=PDF + bytes(1024 * 1024), actor=money.accountant
        )
    assert "大小限制" in caught.value.message_dict["file"][0]
    with pytest.raises(NotAllowed):
        services.voucher_attach(
            entry=entry, name="a.png", data=PNG, actor=personas.village_official
        )


# ---------------------------------------------------------------------------
# Registers


def test_a_leased_asset_needs_its_lessee_and_term(money, personas):
    asset = services.asset_register(
        collective=money.collective,
        name="村集体厂房",
        category="房屋",
        value=Decimal("380000"),
        location="平岗社区3组",
        acquired_on=dt.date(2015, 6, 1),
        actor=money.accountant,
    )
    assert asset.status == AssetStatus.IN_USE
    with pytest.raises(ValidationError) as caught:
        services.asset_update(asset=asset, actor=money.accountant, status=AssetStatus.LEASED)
    assert set(caught.value.message_dict) == {"lessee", "lease_start", "lease_end"}
    asset = services.asset_update(
        asset=asset,
        actor=money.accountant,
        status=AssetStatus.LEASED,
        lessee="张三",
        lessee_is_person=True,
        lease_start=dt.date(2026, 1, 1),
        lease_end=dt.date(2028, 12, 31),
        annual_rent=Decimal("36000"),
    )
    assert asset.lessee == "张三"
    # Back to idle: the lease goes with the status.
    asset = services.asset_update(asset=asset, actor=money.accountant, status=AssetStatus.IDLE)
    assert (asset.lessee, asset.lease_start, asset.annual_rent) == ("", None, None)
    asset = services.asset_update(asset=asset, actor=money.accountant, status=AssetStatus.DISPOSED)
    with pytest.raises(Conflict):
        services.asset_update(asset=asset, actor=money.accountant, status=AssetStatus.IN_USE)
    with pytest.raises(NotAllowed):
        services.asset_register(
            collective=money.collective,
            name="x",
            category="x",
            value=1,
            location="x",
            acquired_on=dt.date(2020, 1, 1),
            actor=personas.village_official,
        )
    assert FixedAsset.objects.count() == 1


def test_resources_and_their_public_masks(money):
    services.resource_register(
        collective=money.collective,
        kind="water",
        name="大塘鱼塘",
        area=Decimal("12.5"),
        holder="王建国",
        holder_is_person=True,
        term_start=dt.date(2024, 1, 1),
        term_end=dt.date(2033, 12, 31),
        annual_rent=Decimal("6000"),
        actor=money.accountant,
    )
    services.resource_register(
        collective=money.collective,
        kind="forest",
        name="后山林地",
        area=Decimal("80"),
        holder="新津林业合作社",
        actor=money.accountant,
    )
    with pytest.raises(ValidationError) as caught:
        services.resource_register(
            collective=money.collective,
            kind="land",
            name="坝子",
            area=Decimal("0"),
            term_start=dt.date(2025, 1, 1),
            term_end=dt.date(2024, 1, 1),
            actor=money.accountant,
        )
    assert set(caught.value.message_dict) == {"area", "holder", "term_end"}
    shown = {row["name"]: row["holder"] for row in selectors.resources_public(money.collective)}
    assert shown == {"大塘鱼塘": "王**", "后山林地": "新津林业合作社"}
    resource = Resource.objects.get(name="大塘鱼塘")
    services.resource_update(resource=resource, actor=money.accountant, annual_rent=Decimal("6500"))
    resource.refresh_from_db()
    assert resource.annual_rent == Decimal("6500.00")


# ---------------------------------------------------------------------------
# Members and collectives


def test_a_member_is_kept_as_hash_and_mask(money, personas):
    member = services.member_register(
        collective=money.collective,
        real_name="赵大爷",
        id_number=OUTSIDER_ID,
        group_name="3组",
        registered_on=dt.date(2024, 1, 1),
        actor=money.accountant,
    )
    assert member.id_number_hash == identity.id_number_hash(OUTSIDER_ID)
    assert member.id_number_masked == identity.mask_id_number(OUTSIDER_ID)
    audit = AuditEntry.objects.get(object_id=str(member.pk), content_type__model="member")
    assert OUTSIDER_ID not in str(audit.changes) and "赵大爷" not in str(audit.changes)
    with pytest.raises(ValidationError) as caught:
        services.member_register(
            collective=money.collective,
            real_name="王建国",
            id_number=MEMBER_ID,
            group_name="",
            registered_on=dt.date(2024, 1, 1),
            actor=money.accountant,
        )
    assert "已经登记" in caught.value.message_dict["id_number"][0]
    with pytest.raises(ValidationError) as caught:
        services.member_register(
            collective=money.collective,
            real_name="钱某",
            id_number="51011819680517",
            group_name="",
            registered_on=dt.date(2024, 1, 1),
            actor=money.accountant,
        )
    assert "id_number" in caught.value.message_dict
    with pytest.raises(NotAllowed):
        services.member_register(
            collective=money.collective,
            real_name="孙某",
            id_number=OUTSIDER_ID,
            group_name="",
            registered_on=dt.date(2024, 1, 1),
            actor=personas.village_official,
        )
    assert Member.objects.count() == 3


def test_the_centres_admin_opens_a_collective_of_its_township(money, geo, personas):
    centre_admin = UserFactory(username="centre_admin")
    people.membership_grant(
        user=centre_admin,
        unit=money.centre,
        role=MembershipRole.ADMIN,
        actor=personas.platform_admin,
    )
    values = {
        "region": geo.village,
        "group_name": "3组",
        "name": "平岗社区3组经济合作社",
        "centre": money.centre,
        "opened_on": dt.date(2021, 1, 1),
        "cash_float": Decimal("2000"),
    }
    with pytest.raises(NotAllowed):
        services.collective_create(**values, actor=money.accountant)  # an editor, not admin
    group = services.collective_create(**values, actor=centre_admin)
    assert group.region == geo.village and group.group_name == "3组"
    with pytest.raises(ValidationError) as caught:
        services.collective_create(**values, actor=centre_admin)
    assert "group_name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.collective_create(
            **{**values, "region": geo.other_village, "group_name": ""}, actor=centre_admin
        )
    assert "region" in caught.value.message_dict
    assert Collective.objects.count() == 2


def test_a_replacement_is_never_negative(money):
    original = book(money, voucher_number="记-030")
    with pytest.raises(ValidationError) as caught:
        services.entry_correct(
            entry=original,
            actor=money.accountant,
            reason="金额错",
            replacement={"voucher_number": "记-031", "amount": Decimal("-100")},
        )
    assert "amount" in caught.value.message_dict
    assert LedgerEntry.objects.count() == 1
