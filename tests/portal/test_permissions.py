"""The one permission answer, checked for the allowed person and the outsider alike."""

import pytest
from django.http import Http404

from portal import permissions
from portal.models import Membership, MembershipRole, Unit
from portal.permissions import Action
from portal.services import people

pytestmark = pytest.mark.django_db


def test_unit_admin_acts_for_own_unit_only(geo, personas):
    official = personas.village_official
    for action in (Action.VIEW, Action.EDIT, Action.REVIEW, Action.MANAGE):
        assert permissions.can(official, action, geo.village_committee)
        assert not permissions.can(official, action, geo.other_village_committee)
    # Not upwards either: a village official has no say over the township.
    assert not permissions.can(official, Action.EDIT, geo.township_office)


def test_editor_edits_but_does_not_review(geo, personas):
    editor = personas.township_official
    assert permissions.can(editor, Action.EDIT, geo.township_office)
    assert not permissions.can(editor, Action.REVIEW, geo.township_office)
    assert not permissions.can(editor, Action.MANAGE, geo.township_office)
    # A township official does not act for the villages below it.
    assert not permissions.can(editor, Action.EDIT, geo.village_committee)


def test_supervisor_reads_subtree_and_writes_nothing(geo, personas):
    supervisor = personas.county_supervisor
    assert permissions.can(supervisor, Action.VIEW, geo.village_committee)
    assert permissions.can(supervisor, Action.VIEW, geo.county_bureau)
    assert not permissions.can(supervisor, Action.VIEW, geo.other_county_bureau)
    assert not permissions.can(supervisor, Action.EDIT, geo.village_committee)
    visible = set(permissions.units_for(supervisor, Action.VIEW).values_list("name", flat=True))
    assert visible == {"平岗社区居民委员会", "新津区五津街道办事处", "新津区教育局"}


def test_citizens_residents_and_anonymous_have_no_back_office(geo, personas):
    from django.contrib.auth.models import AnonymousUser

    for user in (personas.citizen, personas.resident, AnonymousUser()):
        assert not permissions.can(user, Action.VIEW, geo.village_committee)
        assert not permissions.units_for(user, Action.VIEW).exists()
        assert not permissions.is_back_office_user(user)


def test_platform_admin_may_do_everything(geo, personas):
    assert permissions.can(personas.platform_admin, Action.MANAGE, geo.other_county_bureau)
    assert (
        permissions.units_for(personas.platform_admin, Action.EDIT).count() == Unit.objects.count()
    )


def test_outsider_gets_404_not_403(geo, personas):
    with pytest.raises(Http404):
        permissions.get_or_404(
            Unit.objects.all(),
            personas.other_county_official,
            Action.EDIT,
            pk=geo.village_committee.pk,
        )
    with pytest.raises(Http404):
        permissions.get_or_404(
            Unit.objects.all(), personas.village_official, Action.EDIT, pk=999999
        )
    unit = permissions.get_or_404(
        Unit.objects.all(), personas.village_official, Action.EDIT, pk=geo.village_committee.pk
    )
    assert unit == geo.village_committee


def test_revoking_a_role_removes_the_grant_and_is_audited(geo, personas):
    from portal.models import AuditEntry

    membership = Membership.objects.get(user=personas.township_official)
    people.membership_revoke(membership=membership, actor=personas.platform_admin)
    official = type(personas.township_official).objects.get(pk=personas.township_official.pk)
    assert not permissions.can(official, Action.EDIT, geo.township_office)
    assert not official.is_staff
    entry = AuditEntry.objects.filter(action="revoke").latest("at")
    assert entry.actor == personas.platform_admin and entry.unit == geo.township_office
    assert entry.region_code == "510118001000"


def test_roles_add_up(geo, personas):
    people.membership_grant(
        user=personas.township_official,
        unit=geo.township_office,
        role=MembershipRole.REVIEWER,
        actor=personas.platform_admin,
    )
    official = type(personas.township_official).objects.get(pk=personas.township_official.pk)
    assert permissions.can(official, Action.REVIEW, geo.township_office)
    assert permissions.can(official, Action.EDIT, geo.township_office)


def test_residents_are_verified_by_their_own_committee_only(geo, personas):
    from portal.models import ResidencyStatus
    from portal.services.errors import DomainError

    residency = people.residency_apply(
        user=personas.citizen, region=geo.village, real_name="赵磊", id_number="11010519491231002X"
    )
    with pytest.raises(DomainError):
        people.residency_decide(
            residency=residency, actor=personas.other_county_official, approve=True
        )
    decided = people.residency_decide(
        residency=residency, actor=personas.village_official, approve=True
    )
    assert decided.status == ResidencyStatus.VERIFIED
    with pytest.raises(DomainError):
        people.residency_decide(
            residency=residency, actor=personas.village_official, approve=False, reason="x"
        )
