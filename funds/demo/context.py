"""What the funds demo knows of the city, read once: every village with its committee,
its township's office and accounting centre, who keeps the books, and the demo's clock.

新津区's books cover the whole year, the rest of the city's the last three months
(`Context.books_from`). Each township's accounting agency centre gets an accountant
(the 五津街道 one is the `accountant` login); the books of every village are theirs.
平岗社区 also keeps the accounts of two of its groups (1组, 2组).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from portal.demo.geography import PINGGANG_CODE, WUJIN_CODE, XINJIN_CODE
from portal.demo.logins import DEMO_PASSWORD
from portal.demo.people import make_people
from portal.models import Membership, MembershipRole, Region, Tier, Unit, UnitKind, User
from portal.services import people as people_services


@dataclass
class Village:
    code: str
    name: str
    committee: Unit
    centre: Unit
    office: Unit | None
    # The official who proposes projects: the village's demo official where there is one.
    official: User

    @property
    def in_xinjin(self) -> bool:
        return self.code.startswith(XINJIN_CODE[:6])


@dataclass
class Context:
    seed: int
    now: dt.datetime
    admin: User
    villages: list[Village]
    accountants: dict[int, User]  # centre unit id → its accountant
    township_official: User
    # village code → (handler, approver, supervisory reviewer) of its books, as the ledger
    # named them; the projects' payments are signed by the same people.
    signers: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}:funds")

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    def at(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    def months(self, year: int) -> list[dt.date]:
        """The months of `year` that are over."""
        this_month = self.today.replace(day=1)
        return [dt.date(year, m, 1) for m in range(1, 13) if dt.date(year, m, 1) < this_month]

    def books_from(self, village: Village) -> dt.date:
        """The first day the village's books are kept on the platform: 新津区, the pilot,
        since the start of the year; the rest of the city joined three months ago (their
        earlier books stay in the centres' old software)."""
        start = dt.date(self.today.year, 1, 1)
        if village.in_xinjin:
            return start
        joined = self.today.replace(day=1)
        for _ in range(3):
            joined = (joined - dt.timedelta(days=1)).replace(day=1)
        return max(start, joined)

    def book_months(self, village: Village) -> list[dt.date]:
        """The months over this year that the village's books on the platform cover."""
        first = self.books_from(village)
        return [month for month in self.months(self.today.year) if month >= first]


def _accountants(seed: int, centres: list[Unit], admin: User) -> dict[int, User]:
    """One accountant per accounting centre, with the editor's role there (what books)."""
    persons = make_people(len(centres), seed=seed, area_code="510100")
    password = make_password(DEMO_PASSWORD)
    wujin = next(c for c in centres if c.region_id == WUJIN_CODE)
    names = {c.pk: ("accountant" if c is wujin else f"kj{c.region_id[:9]}") for c in centres}
    existing = {u.username: u for u in User.objects.filter(username__in=names.values())}
    User.objects.bulk_create(
        [
            User(username=names[c.pk], full_name=p.full_name, phone=p.mobile, password=password)
            for c, p in zip(centres, persons, strict=True)
            if names[c.pk] not in existing
        ]
    )
    users = {u.username: u for u in User.objects.filter(username__in=names.values())}
    granted = set(
        Membership.objects.filter(unit__in=centres, role=MembershipRole.EDITOR).values_list(
            "unit_id", flat=True
        )
    )
    for centre in centres:
        if centre.pk not in granted:
            people_services.membership_grant(
                user=users[names[centre.pk]], unit=centre, role=MembershipRole.EDITOR, actor=admin
            )
    return {c.pk: users[names[c.pk]] for c in centres}


def context_build(*, seed: int, now: dt.datetime) -> Context:
    admin = User.objects.get(username="admin")
    units = Unit.objects.filter(
        kind__in=[
            UnitKind.VILLAGE_COMMITTEE,
            UnitKind.ACCOUNTING_CENTRE,
            UnitKind.TOWNSHIP_OFFICE,
        ],
        is_active=True,
    )
    committees, centres, offices = {}, {}, {}
    for unit in units:
        {
            UnitKind.VILLAGE_COMMITTEE: committees,
            UnitKind.ACCOUNTING_CENTRE: centres,
            UnitKind.TOWNSHIP_OFFICE: offices,
        }[unit.kind][unit.region_id] = unit
    # The first editor (or admin) of each committee proposes its projects.
    officials: dict[int, User] = {}
    for membership in (
        Membership.objects.filter(
            unit__in=committees.values(), role__in=[MembershipRole.EDITOR, MembershipRole.ADMIN]
        )
        .select_related("user")
        .order_by("id")
    ):
        officials.setdefault(membership.unit_id, membership.user)
    names = dict(Region.objects.filter(tier=Tier.VILLAGE).values_list("code", "name"))
    villages = []
    for code in sorted(committees):
        township = code[:9] + "000"
        if township not in centres:
            continue
        committee = committees[code]
        villages.append(
            Village(
                code=code,
                name=names[code],
                committee=committee,
                centre=centres[township],
                office=offices.get(township),
                official=officials.get(committee.pk, admin),
            )
        )
    accountants = _accountants(seed, sorted(centres.values(), key=lambda u: u.region_id), admin)
    return Context(
        seed=seed,
        now=now,
        admin=admin,
        villages=villages,
        accountants=accountants,
        township_official=User.objects.get(username="township_official"),
    )


def is_pinggang(village: Village) -> bool:
    return village.code == PINGGANG_CODE
