"""Information processing fees (信息处理费) of requests for information.

The 2020 measures: 国务院办公厅《政府信息公开信息处理费管理办法》(国办函〔2020〕109号,
17 Nov 2020). A request is free by default; a unit may charge an applicant whose requests
exceed a number or a volume, under one of two scales per request, never both (Art. 3),
each progressive (超额累进: every band is charged at its own rate):

- per request (按件计收, Art. 4; any kind of reply; a request with several matters may be
  split into the smallest reasonable units, 一事一申请), counted over the same
  applicant's requests in one natural month:
    1–10th request: free;
    11th–30th: 100 yuan each;
    31st and later: in bands of 10, each band 100 yuan a request more than the one
    before (31st–40th 200, 41st–50th 300, …).
- per volume (按量计收, Art. 5; where the information is provided on paper, by e-mail or
  as a copy of electronic data), by the pages of one request:
    up to 30 pages: free;
    pages 31–100: 10 yuan a page;
    pages 101–200: 20 yuan a page;
    from page 201: 40 yuan a page.

The unit sends a fee notice within the reply period; the applicant pays within 20
working days from the day after receiving it, otherwise the request counts as abandoned
(Outcome.OTHER_UNPAID): 四川省财政厅、四川省发展和改革委员会《关于政府信息公开信息处理费
有关事项的通知》(18 Jan 2021), which also makes the fee a non-tax administrative charge paid
into the treasury of the unit's level.

The functions here are pure: they return Fee(amount, basis), the basis being the text
for InfoRequest.fee_basis (at most 200 characters) and the reply letter. The reply form
calls fee_for(); applicant_month_position() counts a request's place in its applicant's
month.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disclosure.models.requests import InfoRequest
from portal.workdays import local_date

MEASURES = "国办函〔2020〕109号"
FREE = Decimal("0.00")

# (first request of the band, yuan per request) for the per-request scale up to 30; from
# the 31st the rate rises by STEP_RATE every STEP_SIZE requests.
FREE_REQUESTS = 10
FIRST_BAND_LAST = 30
FIRST_BAND_RATE = Decimal("100")
STEP_SIZE = 10
STEP_RATE = Decimal("100")

# (last page of the band, yuan per page; None: no upper end) for the per-volume scale.
FREE_PAGES = 30
PAGE_BANDS: tuple[tuple[int | None, Decimal], ...] = (
    (100, Decimal("10")),
    (200, Decimal("20")),
    (None, Decimal("40")),
)


class FeeScale(models.TextChoices):
    FREE = "", _("不收取费用")
    PER_REQUEST = "per_request", _("按件计收")
    PER_VOLUME = "per_volume", _("按量计收")


class Fee(NamedTuple):
    amount: Decimal
    basis: str


NO_FEE = Fee(FREE, "")


def _yuan(value: Decimal) -> str:
    return f"{value.quantize(Decimal('1'))}" if value == value.to_integral() else f"{value:.2f}"


def per_request_rate(position: int) -> Decimal:
    """The fee of the applicant's `position`-th request (1-based) in a natural month."""
    if position < 1:
        raise ValueError("a request's position in the month starts at 1")
    if position <= FREE_REQUESTS:
        return FREE
    if position <= FIRST_BAND_LAST:
        return FIRST_BAND_RATE.quantize(FREE)
    steps = 1 + (position - FIRST_BAND_LAST - 1) // STEP_SIZE
    return (FIRST_BAND_RATE + STEP_RATE * steps).quantize(FREE)


def _band_of(position: int) -> str:
    if position <= FREE_REQUESTS:
        return f"{FREE_REQUESTS}件以下（含{FREE_REQUESTS}件）不收费"
    if position <= FIRST_BAND_LAST:
        return f"第{FREE_REQUESTS + 1}—{FIRST_BAND_LAST}件每件{_yuan(FIRST_BAND_RATE)}元"
    first = FIRST_BAND_LAST + 1 + (position - FIRST_BAND_LAST - 1) // STEP_SIZE * STEP_SIZE
    return f"第{first}—{first + STEP_SIZE - 1}件每件{_yuan(per_request_rate(position))}元"


def per_request_fee(position: int) -> Fee:
    """按件计收 for a request that is its applicant's `position`-th in the natural month."""
    amount = per_request_rate(position)
    basis = f"按件计收（{MEASURES}第四条）：本自然月第{position}件申请，{_band_of(position)}"
    return Fee(amount, basis)


def per_volume_fee(pages: int) -> Fee:
    """按量计收 for a request of `pages` pages, each band at its own rate."""
    if pages < 0:
        raise ValueError("pages cannot be negative")
    total, parts, previous = FREE, [], FREE_PAGES
    for last, rate in PAGE_BANDS:
        if pages <= previous:
            break
        upper = pages if last is None else min(pages, last)
        count = upper - previous
        total += rate * count
        parts.append(f"第{previous + 1}—{upper}页{count}页×{_yuan(rate)}元")
        previous = upper
    total = total.quantize(FREE)
    if not parts:
        return Fee(FREE, f"按量计收（{MEASURES}第五条）：共{pages}页，{FREE_PAGES}页以下不收费")
    return Fee(
        total,
        f"按量计收（{MEASURES}第五条）：共{pages}页，{FREE_PAGES}页以下不收费，"
        + "，".join(parts)
        + f"，合计{_yuan(total)}元",
    )


def fee_for(
    scale: str = FeeScale.FREE, *, position: int | None = None, pages: int | None = None
) -> Fee:
    """The fee of one request under the scale the unit chose: free by default; per
    request from the request's place in its applicant's month; per volume from its
    pages. Raises ValidationError (in Chinese, for the reply form) when the figure the
    scale needs is missing or not a positive whole number."""
    if scale in (FeeScale.FREE, None):
        return NO_FEE
    if scale == FeeScale.PER_REQUEST:
        if not isinstance(position, int) or isinstance(position, bool) or position < 1:
            raise ValidationError(_("按件计收须知道该申请是申请人本月第几件申请。"))
        return per_request_fee(position)
    if scale == FeeScale.PER_VOLUME:
        if not isinstance(pages, int) or isinstance(pages, bool) or pages < 0:
            raise ValidationError(_("按量计收须填写提供信息的页数（不小于0的整数）。"))
        return per_volume_fee(pages)
    raise ValidationError(_("请选择收费方式：不收费、按件计收或按量计收。"))


def _month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def same_applicant(info_request: InfoRequest) -> Q:
    """Requests by the same applicant: the same ID number (by its keyed hash) for a
    person, the same credit code for an organisation, else the same phone number."""
    if info_request.id_number_hash:
        return Q(id_number_hash=info_request.id_number_hash)
    if info_request.org_code:
        return Q(org_code=info_request.org_code)
    return Q(phone_hash=info_request.phone_hash)


def application_date(info_request: InfoRequest) -> dt.date:
    """The day the request counts in: its receipt date, else the day it was submitted."""
    return info_request.received_on or local_date(info_request.submitted_at)


def applicant_month_position(info_request: InfoRequest) -> int:
    """This request's place (1-based) among the requests its applicant made to the same
    unit in the same natural month, by receipt date (or submission day), submission
    time and id. Withdrawn and closed requests count: they were applications all the
    same (the measure counts 累计申请)."""
    day = application_date(info_request)
    first, last = _month_bounds(day)
    candidates = InfoRequest.objects.filter(
        same_applicant(info_request), unit_id=info_request.unit_id
    ).filter(
        Q(received_on__range=(first, last))
        | Q(received_on__isnull=True, submitted_at__date__range=(first, last))
    )
    key = (day, info_request.submitted_at, info_request.pk)
    return sum(
        1
        for other in candidates.only("pk", "received_on", "submitted_at")
        if (application_date(other), other.submitted_at, other.pk) <= key
    )


def request_fee(
    info_request: InfoRequest, scale: str = FeeScale.FREE, *, pages: int | None = None
) -> Fee:
    """fee_for() with the request's place in its applicant's month looked up."""
    position = applicant_month_position(info_request) if scale == FeeScale.PER_REQUEST else None
    return fee_for(scale, position=position, pages=pages)
