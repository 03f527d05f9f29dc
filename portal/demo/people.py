"""Synthetic people for the demo, and one login per role.

The persons are made up: common surnames and given names, ID numbers that are
well-formed under GB 11643 (area code of their county, a plausible birth date, odd
sequence for men, correct check character) and random mobile numbers. Their repr
masks the ID and mobile numbers, so printing one by mistake leaks nothing that
looks real.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from portal import identity
from portal.demo.geography import (
    CITY_CODE,
    DEFAULT_SEED,
    PINGGANG_CODE,
    WUJIN_CODE,
    XINJIN_CODE,
)
from portal.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from portal.models import MembershipRole, Region, Residency, ResidencyStatus, Unit, User
from portal.services import people as people_services

# Applications left pending, so the village official has something to verify.
PENDING_APPLICANTS = 4

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严武戴孔向汤"
)
# Common surnames come up more often, roughly as in the population.
_SURNAME_WEIGHTS = [12 if i < 10 else 4 if i < 30 else 1 for i in range(len(SURNAMES))]
_GIVEN_FIRST = "建志文国明永德春晓秀玉海军成兴小子家思欣雨宏晨俊梓佳世学光红金天"
_GIVEN_MALE = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林洋成东海峰亮川"
_GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英玲燕琳婷雪慧丹萍红梅兰桂莉洁倩颖琴云萱怡璐"
# A made-up person should not share the name of someone everybody knows.
_FAMOUS = ("刘德华", "李小龙", "马云", "姚明", "李宁", "雷军", "赵子龙", "王菲", "周杰", "成龙")
# Prefixes of the three mainland carriers' mobile ranges (13x–19x).
_MOBILE_PREFIXES = (
    *range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, 166, 173, 175, 176, 177,
    178, *range(180, 190), 191, 198, 199,
)  # fmt: skip


@dataclass(frozen=True)
class DemoPerson:
    full_name: str
    male: bool
    birth_date: dt.date
    id_number: str = field(repr=False)
    mobile: str = field(repr=False)

    @property
    def id_number_masked(self) -> str:
        return identity.mask_id_number(self.id_number)

    @property
    def mobile_masked(self) -> str:
        return identity.mask_phone(self.mobile)

    def __repr__(self) -> str:
        return f"DemoPerson({self.full_name!r}, {self.id_number_masked}, {self.mobile_masked})"


def id_number_for(area_code: str, birth_date: dt.date, sequence: int) -> str:
    """A GB 11643 number: area code, birth date, 3-digit sequence, check character."""
    first17 = f"{area_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + identity.check_character(first17)


def _given_name(rng: random.Random, male: bool) -> str:
    ending = rng.choice(_GIVEN_MALE if male else _GIVEN_FEMALE)
    first = rng.choice(_GIVEN_FIRST)
    # About a third of given names are one character; 明明-style doubles are avoided.
    return ending if rng.random() < 0.3 or first == ending else first + ending


def make_person(rng: random.Random, *, area_code: str, male: bool | None = None) -> DemoPerson:
    """One synthetic person registered in `area_code` (a county's 6-digit code)."""
    male = rng.random() < 0.5 if male is None else male
    full_name = _FAMOUS[0]
    while full_name in _FAMOUS:
        full_name = rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0] + _given_name(rng, male)
    # Adults between about 20 and 75 in 2026.
    birth = dt.date(1951, 1, 1) + dt.timedelta(days=rng.randrange(55 * 365))
    # The sequence is odd for men and even for women; 000 is never issued.
    sequence = rng.randrange(1, 1000, 2) if male else rng.randrange(2, 1000, 2)
    return DemoPerson(
        full_name=full_name,
        male=male,
        birth_date=birth,
        id_number=id_number_for(area_code, birth, sequence),
        mobile=f"{rng.choice(_MOBILE_PREFIXES)}{rng.randrange(10**8):08d}",
    )


def make_people(
    count: int, *, seed: int = DEFAULT_SEED, area_code: str = XINJIN_CODE[:6]
) -> list[DemoPerson]:
    rng = random.Random(f"{seed}:people:{area_code}")
    return [make_person(rng, area_code=area_code) for _ in range(count)]


def demo_persons(seed: int = DEFAULT_SEED) -> dict[str, DemoPerson]:
    """The synthetic person behind each demo login and pending applicant, by username."""
    usernames = [username for username, _role, _can in DEMO_LOGINS]
    usernames += [f"applicant{number}" for number in range(1, PENDING_APPLICANTS + 1)]
    return dict(zip(usernames, make_people(len(usernames), seed=seed), strict=True))


def _user(username: str, person: DemoPerson, password_hash: str, **flags: Any) -> User:
    """The demo login `username`; an existing account is left as it is (its password
    may have been changed on purpose)."""
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "full_name": person.full_name,
            "phone": person.mobile,
            "password": password_hash,
            **flags,
        },
    )
    return user


@transaction.atomic
def demo_logins_create(*, seed: int = DEFAULT_SEED) -> dict[str, User]:
    """The logins of DEMO_LOGINS with their roles, and a few pending residency
    applications for 平岗社区. Safe to run again: grants and applications already
    present are kept."""
    # One hash for every login: hashing is deliberately slow, and the password is the
    # same documented one for all of them anyway.
    password_hash = make_password(DEMO_PASSWORD)
    persons = demo_persons(seed)
    superuser = {"is_superuser": True, "is_staff": True}
    users = {
        username: _user(
            username, person, password_hash, **(superuser if username == "admin" else {})
        )
        for username, person in persons.items()
    }
    admin = users["admin"]

    grants = [
        ("village_official", PINGGANG_CODE, "平岗社区居民委员会", MembershipRole.ADMIN),
        ("township_official", WUJIN_CODE, "新津区五津街道办事处", MembershipRole.EDITOR),
        ("county_official", XINJIN_CODE, "新津区教育局", MembershipRole.REVIEWER),
        ("accountant", WUJIN_CODE, "五津街道农村集体经济组织代理记账中心", MembershipRole.EDITOR),
    ]
    for username, region_code, unit_name, role in grants:
        unit = Unit.objects.get(region_id=region_code, name=unit_name)
        people_services.membership_grant(user=users[username], unit=unit, role=role, actor=admin)
    for username, region_code in (("supervisor", XINJIN_CODE), ("city_supervisor", CITY_CODE)):
        people_services.supervisor_grant(
            user=users[username], region=Region.objects.get(code=region_code), actor=admin
        )

    village = Region.objects.get(code=PINGGANG_CODE)
    for username, person in persons.items():
        if username != "resident" and not username.startswith("applicant"):
            continue
        user = users[username]
        residency = Residency.objects.filter(user=user, region=village).first()
        if residency is None:
            residency = people_services.residency_apply(
                user=user,
                region=village,
                real_name=person.full_name,
                id_number=person.id_number,
                group_name=f"{person.birth_date.day % 8 + 1}组",
                is_household_head=username == "resident",
            )
        # The resident is verified by the village official, as a real one would be; the
        # applicants stay pending for the demo's verification step.
        if username == "resident" and residency.status == ResidencyStatus.PENDING:
            people_services.residency_decide(
                residency=residency, actor=users["village_official"], approve=True
            )
    return users
