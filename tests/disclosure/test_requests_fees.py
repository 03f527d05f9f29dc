"""Information processing fees (国办函〔2020〕109号): the boundaries of both scales, free by
default, and a request's place in its applicant's natural month."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from disclosure.models.requests import ApplicantType
from disclosure.requests.fees import (
    NO_FEE,
    FeeScale,
    applicant_month_position,
    fee_for,
    per_request_fee,
    per_request_rate,
    per_volume_fee,
    request_fee,
)
from tests.disclosure.requests_letter_fixtures import make_request


@pytest.mark.parametrize(
    ("position", "yuan"),
    [
        (1, 0),
        (10, 0),  # 10件以下（含10件）不收费
        (11, 100),
        (30, 100),  # 11—30件（含30件）100元/件
        (31, 200),  # 31件以上：以10件为一档，每增加一档提高100元/件
        (40, 200),
        (41, 300),
        (50, 300),
        (51, 400),
        (95, 800),
    ],
)
def test_per_request_scale(position, yuan):
    assert per_request_rate(position) == Decimal(yuan)
    assert fee_for(FeeScale.PER_REQUEST, position=position).amount == Decimal(yuan)


@pytest.mark.parametrize(
    ("pages", "yuan"),
    [
        (0, 0),
        (30, 0),  # 30页以下（含30页）不收费
        (31, 10),  # 31—100页 10元/页
        (100, 700),
        (101, 720),  # 101—200页 20元/页
        (200, 2700),
        (201, 2740),  # 201页以上 40元/页
        (250, 4700),
    ],
)
def test_per_volume_scale_is_progressive(pages, yuan):
    assert per_volume_fee(pages).amount == Decimal(yuan)
    assert fee_for(FeeScale.PER_VOLUME, pages=pages).amount == Decimal(yuan)


def test_the_basis_says_how_it_was_computed():
    assert per_request_fee(3).basis == (
        "按件计收（国办函〔2020〕109号第四条）：本自然月第3件申请，10件以下（含10件）不收费"
    )
    assert per_request_fee(12).basis.endswith("本自然月第12件申请，第11—30件每件100元")
    assert per_request_fee(43).basis.endswith("本自然月第43件申请，第41—50件每件300元")
    fee = per_volume_fee(150)
    assert fee.amount == Decimal("1700.00")
    assert fee.basis == (
        "按量计收（国办函〔2020〕109号第五条）：共150页，30页以下不收费，"
        "第31—100页70页×10元，第101—150页50页×20元，合计1700元"
    )
    assert per_volume_fee(20).basis.endswith("共20页，30页以下不收费")
    # InfoRequest.fee_basis holds 200 characters.
    assert len(per_volume_fee(99999).basis) <= 200
    assert len(per_request_fee(9999).basis) <= 200


def test_free_by_default():
    assert fee_for() == NO_FEE == (Decimal("0.00"), "")
    assert fee_for(FeeScale.FREE, position=50, pages=500) == NO_FEE


@pytest.mark.parametrize(
    ("scale", "figures"),
    [
        (FeeScale.PER_REQUEST, {}),
        (FeeScale.PER_REQUEST, {"position": 0}),
        (FeeScale.PER_REQUEST, {"position": True}),
        (FeeScale.PER_VOLUME, {}),
        (FeeScale.PER_VOLUME, {"pages": -1}),
        (FeeScale.PER_VOLUME, {"pages": 3.5}),
        ("both", {"position": 12, "pages": 40}),
    ],
)
def test_missing_figures_are_told_in_chinese(scale, figures):
    with pytest.raises(ValidationError) as error:
        fee_for(scale, **figures)
    assert any("计收" in message or "收费方式" in message for message in error.value.messages)


@pytest.mark.django_db
def test_position_in_the_applicants_natural_month(geo, calendar_2026):
    unit = geo.township_office
    september = [make_request(unit, received_on=dt.date(2026, 9, 1 + n)) for n in range(12)]
    october = make_request(unit, received_on=dt.date(2026, 10, 9))
    # Another applicant, and the same applicant at another unit: counted apart.
    other = make_request(
        unit, received_on=dt.date(2026, 9, 20), id_number_hash="f" * 64, phone="13700000000"
    )
    elsewhere = make_request(geo.county_bureau, received_on=dt.date(2026, 9, 20))
    assert [applicant_month_position(r) for r in september] == list(range(1, 13))
    assert applicant_month_position(october) == 1
    assert applicant_month_position(other) == 1
    assert applicant_month_position(elsewhere) == 1
    assert request_fee(september[9], FeeScale.PER_REQUEST).amount == 0
    assert request_fee(september[10], FeeScale.PER_REQUEST) == (
        Decimal("100.00"),
        "按件计收（国办函〔2020〕109号第四条）：本自然月第11件申请，第11—30件每件100元",
    )
    assert request_fee(september[11], FeeScale.PER_VOLUME, pages=31).amount == 10
    assert request_fee(september[11]) == NO_FEE


@pytest.mark.django_db
def test_an_organisation_is_counted_by_its_credit_code(geo, calendar_2026):
    unit = geo.township_office

    def company(day, phone):
        return make_request(
            unit,
            received_on=dt.date(2026, 9, day),
            applicant_type=ApplicantType.COMMERCIAL,
            applicant_name="成都某某建设有限公司",
            id_number_hash="",
            id_number_masked="",
            org_code="91510100MA61234567",
            phone=phone,
        )

    first, second = company(2, "13800000001"), company(3, "13800000002")
    assert (applicant_month_position(first), applicant_month_position(second)) == (1, 2)
