"""The people of the participation demo, made once and shared by every part of it.

新津区 is the county where residents take part on the portal, in three of its townships
(two street offices and a town, so communities and villages both): each of their places
gets verified residents (平岗社区 120, the other places of 五津街道 30, the rest 12), a
third of them household representatives, and five village officials with portal
accounts (平岗社区's first is the `village_official` login). The first official of
each committee may edit its content, so decisions and meetings are recorded by someone
of the village. The people are synthetic (portal.demo.people): well-formed ID numbers,
kept only as keyed hash and mask, as the residency service keeps them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from participation.demo.texts import OFFICIAL_ROLES_COMMUNITY, OFFICIAL_ROLES_VILLAGE
from portal import hierarchy, identity
from portal.demo.geography import PINGGANG_CODE, WUJIN_CODE, XINJIN_CODE
from portal.demo.logins import DEMO_PASSWORD
from portal.demo.people import DemoPerson, make_person
from portal.models import (
    Membership,
    MembershipRole,
    Region,
    Residency,
    ResidencyStatus,
    Tier,
    Unit,
    UnitKind,
    User,
)
from portal.services import people as people_services

# 五津街道, 花源街道 and 安西镇: 46 villages and communities. Every place of the county
# would triple the load time of the demo and show nothing more.
TOWNSHIPS = ("510118001000", "510118002000", "510118102000")
RESIDENTS_PINGGANG = 120
RESIDENTS_WUJIN = 30
RESIDENTS_ELSEWHERE = 12
OFFICIALS_PER_VILLAGE = 5


@dataclass
class Village:
    region: Region
    committee: Unit
    residents: list[User] = field(default_factory=list)
    households: list[User] = field(default_factory=list)
    # (user, role) of the village officials; the first may edit the committee's content.
    officials: list[tuple[User, str]] = field(default_factory=list)
    # Adults and households on the village register, most of them not on the portal:
    # the electorate of its paper votes.
    register_adults: int = 0
    register_households: int = 0

    @property
    def code(self) -> str:
        return self.region.code

    @property
    def official(self) -> User:
        return self.officials[0][0]

    @property
    def is_community(self) -> bool:
        return self.region.name.endswith("社区")


@dataclass
class Context:
    rng: random.Random
    now: dt.datetime
    admin: User
    villages: list[Village]
    demo_resident: User

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    def village(self, code: str) -> Village:
        return next(v for v in self.villages if v.code == code)

    @property
    def pinggang(self) -> Village:
        return self.village(PINGGANG_CODE)

    def at(self, day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        """A moment of a day in the portal's time zone."""
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def spread_times(model, ids: list[int], field: str, start: dt.datetime, seconds: int) -> None:
    """Date rows written in bulk (auto_now_add stamped them with the load time) across
    `seconds` from `start`, in a fixed pseudo-random order: one UPDATE."""
    table = model._meta.db_table
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s + ((id * 7919) %% %s) * interval '1 second' "  # noqa: S608 - names from the model  # nosec B608
            "WHERE id = ANY(%s)",
            [start, max(seconds, 1), ids],
        )


def _resident_count(code: str) -> int:
    if code == PINGGANG_CODE:
        return RESIDENTS_PINGGANG
    if hierarchy.is_within(code, WUJIN_CODE):
        return RESIDENTS_WUJIN
    return RESIDENTS_ELSEWHERE


def _people(rng: random.Random, count: int) -> list[DemoPerson]:
    """`count` synthetic people of 新津区 with ID numbers unique among themselves and
    among the residents already registered (the demo logins)."""
    taken = set(Residency.objects.values_list("id_number_hash", flat=True))
    persons: list[DemoPerson] = []
    while len(persons) < count:
        person = make_person(rng, area_code=XINJIN_CODE[:6])
        digest = identity.id_number_hash(person.id_number)
        if digest not in taken:
            taken.add(digest)
            persons.append(person)
    return persons


def _users_create(rows: list[tuple[str, DemoPerson]], password: str) -> dict[str, User]:
    users = [
        User(username=username, full_name=person.full_name, phone=person.mobile, password=password)
        for username, person in rows
    ]
    User.objects.bulk_create(users, batch_size=2000)
    return {u.username: u for u in User.objects.filter(username__in=[n for n, _p in rows])}


def context_build(*, seed: int, now: dt.datetime) -> Context:
    """Create the demo's residents and officials of 新津区 and return who is who."""
    rng = random.Random(f"{seed}:participation")
    admin = User.objects.get(username="admin")
    village_official = User.objects.get(username="village_official")
    regions = list(
        hierarchy.in_any_subtree(hierarchy.regions(), list(TOWNSHIPS), "code")
        .filter(tier=Tier.VILLAGE, is_active=True)
        .order_by("code")
    )
    committees = {
        unit.region_id: unit
        for unit in hierarchy.in_subtree(
            Unit.objects.filter(kind=UnitKind.VILLAGE_COMMITTEE, is_active=True), XINJIN_CODE
        )
    }
    villages = [
        Village(region=r, committee=committees[r.code]) for r in regions if r.code in committees
    ]
    counts = [_resident_count(v.code) for v in villages]
    persons = _people(rng, sum(counts) + len(villages) * OFFICIALS_PER_VILLAGE)
    password = make_password(DEMO_PASSWORD)
    resident_rows, official_rows, plan = [], [], []
    cursor = 0
    for village, count in zip(villages, counts, strict=True):
        short = village.code[6:]
        names = [f"jm{short}{i:03d}" for i in range(1, count + 1)]
        resident_rows += list(zip(names, persons[cursor : cursor + count], strict=True))
        cursor += count
        cadres = [f"gb{short}{i}" for i in range(1, OFFICIALS_PER_VILLAGE + 1)]
        official_rows += list(
            zip(cadres, persons[cursor : cursor + OFFICIALS_PER_VILLAGE], strict=True)
        )
        cursor += OFFICIALS_PER_VILLAGE
        plan.append((village, names, cadres))
    users = _users_create(resident_rows + official_rows, password)
    person_of = dict(resident_rows)

    decided_at = now - dt.timedelta(days=400)
    residencies = []
    for village, names, cadres in plan:
        village.residents = [users[n] for n in names]
        village.households = village.residents[::3]
        heads = {u.pk for u in village.households}
        for index, user in enumerate(village.residents):
            person = person_of[user.username]
            residencies.append(
                Residency(
                    user=user,
                    region=village.region,
                    real_name=person.full_name,
                    id_number_hash=identity.id_number_hash(person.id_number),
                    id_number_masked=person.id_number_masked,
                    group_name=f"{index % 8 + 1}组",
                    is_household_head=user.pk in heads,
                    status=ResidencyStatus.VERIFIED,
                    decided_at=decided_at,
                    decided_by=village_official if village.code == PINGGANG_CODE else admin,
                )
            )
        roles = _roles(village)
        officials = [users[c] for c in cadres]
        if village.code == PINGGANG_CODE:
            officials[0] = village_official
        village.officials = list(zip(officials, roles, strict=True))
        village.register_adults = rng.randrange(900, 2600)
        village.register_households = village.register_adults // 3 + rng.randrange(-40, 40)
    Residency.objects.bulk_create(residencies, batch_size=2000)
    # The first official of each committee keeps its records (平岗社区's already does).
    granted = set(
        Membership.objects.filter(unit__in=[v.committee for v in villages]).values_list(
            "unit_id", flat=True
        )
    )
    for village in villages:
        if village.committee.pk not in granted:
            people_services.membership_grant(
                user=village.official,
                unit=village.committee,
                role=MembershipRole.EDITOR,
                actor=admin,
            )
    # The `resident` login (a household head of 平岗社区) is left to take part by hand.
    resident = User.objects.get(username="resident")
    return Context(rng=rng, now=now, admin=admin, villages=villages, demo_resident=resident)


def _roles(village: Village) -> tuple[str, ...]:
    return OFFICIAL_ROLES_COMMUNITY if village.is_community else OFFICIAL_ROLES_VILLAGE
