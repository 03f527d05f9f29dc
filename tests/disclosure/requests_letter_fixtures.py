"""Fixtures of the reminder, reply-letter and fee tests of requests for information.

Requests are written as rows here (the fields the core's services would set): these
tests are about what happens to a request in a given state, not about how it got there.
The people who hear about a request to 平岗社区居委会 are the letters' (tests.mailbox):
the same engine reminds the same officials and supervisors.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from disclosure.models.requests import (
    ApplicantType,
    Delivery,
    InfoRequest,
    InfoRequestStatus,
    RequestChannel,
)
from portal import identity
from portal.codes import DIGITS, new_code
from portal.models import Unit
from portal.workdays import add_working_days

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
ID_NUMBER = "11010519491231002X"


def make_request(
    unit: Unit,
    *,
    received_on: dt.date,
    status: str = InfoRequestStatus.PROCESSING,
    due_on: dt.date | None = None,
    applicant_name: str = "王小芳",
    phone: str = "13912345678",
    **fields,
) -> InfoRequest:
    """A request received (online) on `received_on`, due 20 working days later unless
    `due_on` is given."""
    due = add_working_days(received_on, 20)
    submitted = dt.datetime.combine(received_on, dt.time(9, 30), tzinfo=SH)
    values = {
        "tracking_code": new_code(10),
        "query_code": new_code(6, DIGITS),
        "unit": unit,
        "region": unit.region,
        "applicant_type": ApplicantType.NATURAL_PERSON,
        "applicant_name": applicant_name,
        "id_number_hash": identity.id_number_hash(ID_NUMBER),
        "id_number_masked": identity.mask_id_number(ID_NUMBER),
        "phone": phone,
        "phone_hash": identity.phone_hash(phone),
        "address": "新津区五津街道平岗路88号",
        "description": "2026年平岗社区道路硬化项目的预算和验收报告",
        "delivery": Delivery.EMAIL,
        "email": "wang@example.com",
        "channel": RequestChannel.ONLINE,
        "submitted_at": submitted,
        "received_on": received_on,
        "due_on": due_on or due.date,
        "due_is_provisional": due.provisional if due_on is None else False,
        "status": status,
        "fee_amount": Decimal("0"),
    }
    values.update(fields)
    if values["status"] == InfoRequestStatus.REPLIED and "replied_at" not in fields:
        values["replied_at"] = timezone.now()
    return InfoRequest.objects.create(**values)
