"""Who may take part in a vote or an evaluation: the one place that answers it.

An electorate (participation.models.common.Electorate) is one of:

- residents: verified residents (portal Residency) of a place and everything inside it;
- households: the same, household representatives (户代表) only;
- body: the current members of a named body (the representatives' meeting …);
- citizens: every registered, active user.

`refusal()` says in the user's language why a person may not take part, or None;
`eligible_count()` says how many may (None for "every registered user", where a turnout
has no denominator). Both read the same conditions, so the count and the check agree.

`participant_key()` is the keyed hash stored on a ballot or an evaluation in place of
the person: a unique constraint on it makes "one person, one ballot" a database rule
while a secret ballot stays secret.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import BodyMember, Eligibility
from participation.models.common import Electorate
from portal import hierarchy, identity
from portal.models import Residency, ResidencyStatus, User


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _residencies(electorate: Electorate) -> QuerySet[Residency]:
    residencies = hierarchy.in_subtree(
        Residency.objects.filter(status=ResidencyStatus.VERIFIED, user__is_active=True),
        electorate.electorate_region_id,
    )
    if electorate.eligibility == Eligibility.HOUSEHOLDS:
        residencies = residencies.filter(is_household_head=True)
    return residencies


def _members(electorate: Electorate) -> QuerySet[BodyMember]:
    today = timezone.localdate()
    return BodyMember.objects.filter(body_id=electorate.body_id, user__is_active=True).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today), started_on__lte=today
    )


def eligible_users(electorate: Electorate) -> QuerySet[User] | None:
    """The people who may take part, or None when every registered user may."""
    if electorate.eligibility == Eligibility.CITIZENS:
        return None
    if electorate.eligibility == Eligibility.BODY:
        return User.objects.filter(pk__in=_members(electorate).values("user_id"))
    return User.objects.filter(pk__in=_residencies(electorate).values("user_id"))


def eligible_count(electorate: Electorate) -> int | None:
    users = eligible_users(electorate)
    return None if users is None else users.count()


def refusal(user: Any, electorate: Electorate) -> str | None:
    """Why `user` may not take part, in words for them; None when they may."""
    if not _active(user):
        return _("请先登录。")
    rule = electorate.eligibility
    if rule == Eligibility.CITIZENS:
        return None
    if rule == Eligibility.BODY:
        if _members(electorate).filter(user=user).exists():
            return None
        return _("本次仅限%(body)s成员参与，您不在成员名单中。") % {"body": electorate.body.name}
    place = electorate.electorate_region.name
    if _residencies(electorate).filter(user=user).exists():
        return None
    if rule == Eligibility.HOUSEHOLDS:
        return _("本次仅限%(place)s已核实的户代表参与。") % {"place": place}
    pending = hierarchy.in_subtree(
        Residency.objects.filter(user=user, status=ResidencyStatus.PENDING),
        electorate.electorate_region_id,
    ).exists()
    if pending:
        return _("您的村（居）民身份正在核实中，核实通过后即可参与。")
    return _("本次仅限%(place)s已核实的村（居）民参与。") % {"place": place}


def may_take_part(user: Any, electorate: Electorate) -> bool:
    return refusal(user, electorate) is None


def electorate_errors(electorate: Electorate, unit: Any) -> dict[str, list[str]]:
    """What is wrong with an electorate set by an official of `unit`: the place must lie
    inside the unit's own place, the body must be the unit's."""
    errors: dict[str, list[str]] = {}
    rule = electorate.eligibility
    if rule in (Eligibility.RESIDENTS, Eligibility.HOUSEHOLDS):
        code = electorate.electorate_region_id
        if not code:
            errors["electorate_region"] = [_("请选择参与地区。")]
        elif not hierarchy.is_within(code, unit.region_id):
            errors["electorate_region"] = [_("参与地区应在本单位所在地区范围内。")]
    elif rule == Eligibility.BODY:
        if electorate.body_id is None:
            errors["body"] = [_("请选择参与组织。")]
        elif electorate.body.unit_id != unit.pk:
            errors["body"] = [_("只能选择本单位的议事组织。")]
    return errors


def participant_key(kind: str, object_id: int, user: Any) -> str:
    """A keyed hash of (what, which, who): the same person gets the same key for the same
    vote or subject, and the key tells nobody who they are."""
    return identity.keyed_hash(f"{kind}:{object_id}:{user.pk}", purpose="participation")
