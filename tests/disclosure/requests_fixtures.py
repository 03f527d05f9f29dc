"""Fixtures of the tests of requests for information (依申请公开). A test module names
the fixture it uses:

    from tests.disclosure import requests_fixtures
    ogi = requests_fixtures.ogi

`ogi` adds to the shared geography and personas (tests/conftest.py) an editor and a
reviewer of 平岗社区居委会 (whose admin is personas.village_official) and clears the
rate-limit counters. Requests are filed through the services at chosen instants with
`submit(...)`; every call gets its own phone and text, so neither the hourly limit nor
the duplicate check gets in the way.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from disclosure.models import InfoRequest
from disclosure.requests import services
from portal.models import MembershipRole, Unit, User
from portal.services import people
from tests.factories import UserFactory

SH = ZoneInfo("Asia/Shanghai")
ID_NUMBER = "11010519491231002X"  # valid GB 11643 (DOMAIN.md §8)
ORG_CODE = "91510100MA61R6T76K"  # valid GB 32100 check character
_serial = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An instant in Asia/Shanghai."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


def person_fields(**overrides: Any) -> dict[str, Any]:
    n = next(_serial)
    fields = {
        "applicant_type": "natural_person",
        "applicant_name": "王小明",
        "id_number": ID_NUMBER,
        "phone": f"1390000{n % 10**4:04d}",
        "email": "wang@example.com",
        "address": "新津区五津街道平岗路88号",
        "description": f"2026年平岗社区低保对象名单及审批依据（第{n}件）",
        "delivery": "online",
    }
    fields.update(overrides)
    return fields


def org_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "applicant_type": "commercial",
        "applicant_name": "成都示例科技有限公司",
        "id_number": "",
        "org_code": ORG_CODE,
        "contact_person": "李四",
        **overrides,
    }
    return person_fields(**fields)


def submit(unit: Unit, when: dt.datetime, **overrides: Any) -> InfoRequest:
    """An online request received `when` (its date is the receipt date)."""
    return services.info_request_submit(unit=unit, now=when, **person_fields(**overrides))


@dataclass
class OgiWorld:
    geo: Any
    personas: Any
    unit: Unit  # 平岗社区居民委员会
    admin: User  # personas.village_official: unit admin (handles, approves)
    editor: User  # handles, may not approve an extension
    reviewer: User  # approves an extension, does not handle
    outsider: User  # personas.other_county_official: admin of 锦江区教育局
    supervisor: User  # personas.county_supervisor: reads 新津区, masked


@pytest.fixture
def ogi(geo, personas) -> OgiWorld:
    cache.clear()  # rate-limit counters live in the cache
    admin = personas.platform_admin
    editor = UserFactory(username="pinggang_ogi_editor", full_name="周敏")
    people.membership_grant(
        user=editor, unit=geo.village_committee, role=MembershipRole.EDITOR, actor=admin
    )
    reviewer = UserFactory(username="pinggang_ogi_reviewer", full_name="吴刚")
    people.membership_grant(
        user=reviewer, unit=geo.village_committee, role=MembershipRole.REVIEWER, actor=admin
    )
    editor.refresh_from_db()
    reviewer.refresh_from_db()
    return OgiWorld(
        geo=geo,
        personas=personas,
        unit=geo.village_committee,
        admin=personas.village_official,
        editor=editor,
        reviewer=reviewer,
        outsider=personas.other_county_official,
        supervisor=personas.county_supervisor,
    )
