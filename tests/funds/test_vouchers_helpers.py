"""What the voucher tests share: entries of 平岗社区's collective with real voucher files (a
PNG scan, a JPEG photo and a one-page PDF) made here, and a second collective (its 3组)
with a voucher of its own. Entries are created directly: the booking services are the
ledger's, and these tests do not depend on them."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw
from pypdf import PdfWriter

from funds.models import Collective, LedgerEntry, Voucher
from portal.uploads import new_token

# A member's name as registered in tests/funds/conftest.py, and the second member's.
MEMBER_NAME = "王建国"
SECOND_MEMBER_NAME = "李淑芬"


def png_bytes(size: tuple[int, int] = (240, 160)) -> bytes:
    """A small scan: white paper with a few dark lines of "text"."""
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for y in range(20, size[1] - 10, 24):
        draw.line((16, y, size[0] - 16, y), fill=(20, 20, 20), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(size: tuple[int, int] = (200, 150)) -> bytes:
    image = Image.new("RGB", size, (200, 180, 150))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_entry(
    collective: Collective,
    accountant,
    *,
    number: str,
    booked_on: dt.date,
    summary: str,
    amount: Decimal = Decimal("1280.00"),
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        collective=collective,
        region=collective.region,
        booked_on=booked_on,
        voucher_number=number,
        summary=summary,
        subject_id="502",
        direction="expense",
        amount=amount,
        counterparty="新津区五金店",
        handler="罗会计",
        approver="张主任",
        booked_by=accountant,
    )


def attach(entry: LedgerEntry, accountant, *, name: str, data: bytes, content_type: str):
    voucher = Voucher(
        entry=entry,
        token=new_token(),
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=accountant,
    )
    voucher.file.save(name, ContentFile(data), save=True)
    return voucher


@dataclass
class Books:
    collective: Collective
    entry: LedgerEntry
    image: Voucher  # PNG scan of the receipt
    photo: Voucher  # JPEG photo, same entry
    pdf: Voucher  # PDF invoice of an earlier entry
    other_collective: Collective  # 平岗社区3组, same village
    other_voucher: Voucher


@pytest.fixture
def books(money, settings, tmp_path) -> Books:
    settings.MEDIA_ROOT = tmp_path
    accountant = money.accountant
    collective = money.collective
    entry = make_entry(
        collective,
        accountant,
        number="记-2026-031",
        booked_on=dt.date(2026, 11, 12),
        summary="购买广场照明灯具",
    )
    image = attach(entry, accountant, name="发票.png", data=png_bytes(), content_type="image/png")
    photo = attach(
        entry, accountant, name="现场照片.jpg", data=jpeg_bytes(), content_type="image/jpeg"
    )
    earlier = make_entry(
        collective,
        accountant,
        number="记-2026-012",
        booked_on=dt.date(2026, 10, 8),
        summary="支付保洁服务费",
    )
    pdf = attach(
        earlier, accountant, name="保洁合同.pdf", data=pdf_bytes(2), content_type="application/pdf"
    )
    # An entry without a voucher is not listed among the vouchers.
    make_entry(
        collective,
        accountant,
        number="记-2026-013",
        booked_on=dt.date(2026, 10, 9),
        summary="暂未上传凭证的支出",
    )
    group = Collective.objects.create(
        region=collective.region,
        group_name="3组",
        name="平岗社区3组集体经济合作社",
        centre=money.centre,
        opened_on=dt.date(2020, 1, 1),
    )
    group_entry = make_entry(
        group,
        accountant,
        number="记-2026-001",
        booked_on=dt.date(2026, 11, 3),
        summary="3组水渠清淤",
    )
    other_voucher = attach(
        group_entry, accountant, name="清淤收据.png", data=png_bytes(), content_type="image/png"
    )
    return Books(
        collective=collective,
        entry=entry,
        image=image,
        photo=photo,
        pdf=pdf,
        other_collective=group,
        other_voucher=other_voucher,
    )
