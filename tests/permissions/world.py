"""The matrix's world: places, units, the people of every role, and one object of every
model for every target unit, built once per module (see conftest.py).

Targets are units named by a key; each role's relation to a target (own unit, another
unit at the same tier, a unit in a parent or child place, a unit in another county) is
worked out from the places, and shows in the test ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from portal.models import MembershipRole, Region, Residency, ResidencyStatus, Unit, UnitKind, User
from portal.services import people
from tests.factories import RegionFactory, UnitFactory, UserFactory

# Places: 成都市 › 新津区 › 五津街道 › 平岗社区 / 兴园社区, and 锦江区 › 春熙路街道 › 和平社区.
PLACES = {
    "city": ("510100000000", "成都市"),
    "county": ("510118000000", "新津区"),
    "township": ("510118001000", "五津街道"),
    "village": ("510118001001", "平岗社区"),
    "village2": ("510118001002", "兴园社区"),
    "other_county": ("510104000000", "锦江区"),
    "other_township": ("510104020000", "春熙路街道"),
    "other_village": ("510104020001", "和平社区"),
}

# Target units: key → (place, kind, name).
UNITS = {
    "V": ("village", UnitKind.VILLAGE_COMMITTEE, "平岗社区居民委员会"),
    "V2": ("village2", UnitKind.VILLAGE_COMMITTEE, "兴园社区居民委员会"),
    "T": ("township", UnitKind.TOWNSHIP_OFFICE, "新津区五津街道办事处"),
    "C": ("county", UnitKind.DEPARTMENT, "新津区教育局"),
    "X": ("other_village", UnitKind.VILLAGE_COMMITTEE, "和平社区居民委员会"),
}
TARGETS = tuple(UNITS)

# Roles, with what each may do where: the matrix's independent statement of the rules
# of portal/permissions.py (unit grants from Membership roles, supervisors read a place
# subtree and write nothing, platform admins do everything).
ROLES = (
    "village_editor",
    "village_admin",
    "township_editor",
    "county_dept_admin",
    "county_supervisor",
    "city_supervisor",
    "resident",
    "citizen",
    "anonymous",
    "platform_admin",
)
EDITOR = {"edit"}
ADMIN = {"edit", "review", "manage"}
GRANTS: dict[str, dict[str, set[str]]] = {
    "village_editor": {"V": EDITOR},
    "village_admin": {"V": ADMIN},
    "township_editor": {"T": EDITOR},
    "county_dept_admin": {"C": ADMIN},
}
SUPERVISES: dict[str, set[str]] = {
    "county_supervisor": {"V", "V2", "T", "C"},  # 新津区's subtree
    "city_supervisor": set(TARGETS),  # all of 成都市
}
# Mutual-aid moderators: people who edit for a village committee or a township office
# moderate the posts of its place and the places inside it.
MODERATES: dict[str, set[str]] = {
    "village_editor": {"V"},
    "village_admin": {"V"},
    "township_editor": {"T", "V", "V2"},
}
# The citizen wrote every mutual-aid post of the world (makers.aid_post).
AUTHOR = "citizen"
# Where each role sits, for the relation shown in test ids.
HOME = {
    "village_editor": "village",
    "village_admin": "village",
    "township_editor": "township",
    "county_dept_admin": "county",
    "county_supervisor": "county",
    "city_supervisor": "city",
    "resident": "village",
}
BACK_OFFICE = {*GRANTS, *SUPERVISES, "platform_admin"}


def sees(role: str, target: str) -> bool:
    """May this role read the target unit's objects in the back office?"""
    return (
        role == "platform_admin"
        or target in GRANTS.get(role, {})
        or target in SUPERVISES.get(role, set())
    )


def reads(role: str, read: str, target: str) -> bool:
    """May this role open the target unit's object in the back office? read: view (the
    unit's people and supervisors of its place), manage_or_supervise (personal data:
    the unit's admins and supervisors), monitor (funds: also the township office of a
    village's township, 镇乡监管), monitor_alerts (funds warnings: whoever monitors the
    place), moderate (mutual aid: the moderators of the place), public (everyone)."""
    if read == "public":
        return True
    if read in ("moderate", "monitor_alerts"):
        need = "moderate" if read == "moderate" else "monitor"
        return role == "platform_admin" or may(role, need, target)
    if read == "manage_or_supervise":
        return (
            role == "platform_admin"
            or may(role, "manage", target)
            or may(role, "supervise", target)
        )
    if read == "monitor" and "T" in GRANTS.get(role, {}) and target in ("V", "V2"):
        return True
    return sees(role, target)


def may(role: str, need: str, target: str) -> bool:
    """Is a write that needs `need` on the target unit allowed for this role?

    needs: edit / review / manage (a unit grant), edit_or_review, edit_or_supervise
    (letters: the handling unit or a supervisor of the place), edit_or_township,
    supervise, moderate (mutual aid), author (mutual aid), monitor (funds), platform,
    never."""
    if need == "never":
        return False
    if need == "author":  # only the author, not even the platform admin
        return role == AUTHOR
    if role == "platform_admin":
        return True
    grants = GRANTS.get(role, {}).get(target, set())
    if need == "platform":
        return False
    if need == "supervise":
        return target in SUPERVISES.get(role, set())
    if need == "moderate":
        return target in MODERATES.get(role, set())
    if need == "monitor":
        # Funds (县级监控、镇乡监管): supervisors of the place, and the township office's
        # people for their township.
        return target in SUPERVISES.get(role, set()) or (
            "T" in GRANTS.get(role, {}) and target in ("T", "V", "V2")
        )
    if need == "edit_or_review":
        return bool(grants & {"edit", "review"})
    if need == "edit_or_township":
        # Funds: the township office approves and accepts its villages' projects.
        return "edit" in grants or ("T" in GRANTS.get(role, {}) and target in ("V", "V2"))
    if need == "edit_or_supervise":
        return "edit" in grants or target in SUPERVISES.get(role, set())
    return need in grants


def relation(role: str, target: str) -> str:
    """own / same-tier / parent / child / other-county, or in/out of a supervised tree."""
    home = HOME.get(role)
    code = PLACES[UNITS[target][0]][0]
    if home is None:
        return target
    home_code = PLACES[home][0]
    if role in SUPERVISES:
        return f"{target}-{'inside' if target in SUPERVISES[role] else 'outside'}"
    if code[:6] != home_code[:6]:
        return f"{target}-other-county"
    if code == home_code:
        return f"{target}-own" if role != "resident" else f"{target}-own-place"
    home_depth, depth = _depth(home_code), _depth(code)
    if depth == home_depth:
        return f"{target}-same-tier"
    return f"{target}-{'parent' if depth < home_depth else 'child'}"


def _depth(code: str) -> int:
    return 4 if code[9:] != "000" else 3 if code[6:9] != "000" else 2 if code[4:6] != "00" else 1


@dataclass
class World:
    regions: dict[str, Region]
    units: dict[str, Unit]
    users: dict[str, Any]
    objects: dict[tuple[str, str], Any] = field(default_factory=dict)
    clients: dict[str, Any] = field(default_factory=dict)
    api_clients: dict[str, Any] = field(default_factory=dict)

    def sign_in_everyone(self) -> None:
        """One signed-in page client and one API client (token) per role."""
        from django.test import Client
        from rest_framework.authtoken.models import Token
        from rest_framework.test import APIClient

        for role in ROLES:
            client, api = Client(), APIClient()
            if role != "anonymous":
                client.force_login(self.users[role])
                token, _ = Token.objects.get_or_create(user=self.users[role])
                api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            self.clients[role], self.api_clients[role] = client, api

    def user(self, role: str) -> Any:
        if role == "anonymous":
            return AnonymousUser()
        # A fresh copy each time: permissions.py caches grants on the user object.
        return User.objects.get(pk=self.users[role].pk)


def build_world() -> World:
    regions = {}
    for key, (code, name) in PLACES.items():
        regions[key] = RegionFactory(code=code, name=name)
    units = {
        key: UnitFactory(
            name=name,
            kind=kind,
            sector="education" if kind == UnitKind.DEPARTMENT else "",
            region=regions[place],
        )
        for key, (place, kind, name) in UNITS.items()
    }
    admin = UserFactory(username="pm_platform_admin", is_superuser=True, is_staff=True)
    users: dict[str, Any] = {"platform_admin": admin}
    role_of = {"edit": MembershipRole.EDITOR}
    for role, grants in GRANTS.items():
        user = UserFactory(username=f"pm_{role}", full_name="王测试")
        for key, actions in grants.items():
            kind = MembershipRole.ADMIN if "manage" in actions else role_of["edit"]
            people.membership_grant(user=user, unit=units[key], role=kind, actor=admin)
        users[role] = user
    for role, place in (("county_supervisor", "county"), ("city_supervisor", "city")):
        user = UserFactory(username=f"pm_{role}", full_name="刘测试")
        people.supervisor_grant(user=user, region=regions[place], actor=admin)
        users[role] = user
    resident = UserFactory(username="pm_resident", full_name="杨测试")
    Residency.objects.create(
        user=resident,
        region=regions["village"],
        real_name="杨测试",
        id_number_hash="1" * 64,
        id_number_masked="510118********0027",
        status=ResidencyStatus.VERIFIED,
    )
    users["resident"] = resident
    users["citizen"] = UserFactory(username="pm_citizen", full_name="赵测试")
    return World(regions=regions, units=units, users=users)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def now() -> dt.datetime:
    return timezone.now()
