"""Fixtures of the approval tests (the geography and personas come from tests/conftest.py):
新津区行政审批局 (a department of sector "approval" in 新津区) with an official, two of
新津区's departments whose matters it concentrates, and 锦江区行政审批局 with its own
official as the outsider. Use them in a test module by name:

    from tests.services import approvals_fixtures
    approvals = approvals_fixtures.approvals
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from portal.models import MembershipRole, Unit, UnitKind, User
from portal.services import people
from services.models import ApprovalMatter, CommitmentProject
from services.services import approvals as services
from tests.factories import UnitFactory, UserFactory


@dataclass
class Approvals:
    bureau: Unit  # 新津区行政审批局
    health: Unit  # 新津区卫生健康局
    market: Unit  # 新津区市场监督管理局
    official: User  # editor of 新津区行政审批局
    other_bureau: Unit  # 锦江区行政审批局
    other_official: User  # editor of 锦江区行政审批局


@pytest.fixture
def approvals(geo, personas) -> Approvals:
    admin = personas.platform_admin

    def department(name: str, sector: str, region) -> Unit:
        return UnitFactory(name=name, kind=UnitKind.DEPARTMENT, sector=sector, region=region)

    def official(username: str, full_name: str, unit: Unit) -> User:
        user = UserFactory(username=username, full_name=full_name)
        people.membership_grant(user=user, unit=unit, role=MembershipRole.EDITOR, actor=admin)
        user.refresh_from_db()
        return user

    bureau = department("新津区行政审批局", "approval", geo.county)
    other_bureau = department("锦江区行政审批局", "approval", geo.other_county)
    return Approvals(
        bureau=bureau,
        health=department("新津区卫生健康局", "health", geo.county),
        market=department("新津区市场监督管理局", "market", geo.county),
        official=official("approval_official", "何丽", bureau),
        other_bureau=other_bureau,
        other_official=official("other_approval_official", "孙强", other_bureau),
    )


def matter_fields(**overrides: Any) -> dict[str, Any]:
    """The fields of a valid matter (a health licence), without bureau and department."""
    fields = {
        "name": "公共场所卫生许可",
        "matter_type": "licensing",
        "legal_limit_days": 20,
        "promised_limit_days": 5,
        "fees": "不收费",
        "materials": "卫生许可证申请表\n营业执照复印件\n卫生管理制度",
        "code": "510118-WJ-0001",
    }
    fields.update(overrides)
    return fields


def make_matter(
    approvals: Approvals, department: Unit | None = None, *, bureau: Unit | None = None, **overrides
) -> ApprovalMatter:
    bureau = bureau or approvals.bureau
    actor = approvals.official if bureau == approvals.bureau else approvals.other_official
    return services.matter_create(
        bureau=bureau,
        department=department or approvals.health,
        actor=actor,
        **matter_fields(**overrides),
    )


def make_project(approvals: Approvals, region, **overrides: Any) -> CommitmentProject:
    fields = {
        "name": "新津区天府农博园冷链物流中心",
        "investor": "成都天府冷链物流有限公司",
        "investment": Decimal("12000.00"),
        "committed_on": dt.date(2026, 3, 2),
    }
    fields.update(overrides)
    return services.project_create(
        bureau=approvals.bureau, region=region, actor=approvals.official, **fields
    )
