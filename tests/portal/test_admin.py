"""The back office through the real admin views: scoped lists, scoped edits, audit."""

import pytest

from portal.models import AuditEntry, Membership, Unit

pytestmark = pytest.mark.django_db


def changelist_names(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["cl"].result_list


def test_official_sees_only_own_units(geo, personas, client):
    client.force_login(personas.village_official)
    units = changelist_names(client, "/admin/portal/unit/")
    assert [u.name for u in units] == ["平岗社区居民委员会"]


def test_supervisor_sees_subtree_read_only(geo, personas, client):
    client.force_login(personas.county_supervisor)
    units = {u.name for u in changelist_names(client, "/admin/portal/unit/")}
    assert units == {"平岗社区居民委员会", "新津区五津街道办事处", "新津区教育局"}
    page = client.get(f"/admin/portal/unit/{geo.county_bureau.pk}/change/")
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    refused = client.post(
        f"/admin/portal/unit/{geo.county_bureau.pk}/change/", {"phone": "028-00000000"}
    )
    assert refused.status_code == 403
    assert Unit.objects.get(pk=geo.county_bureau.pk).phone == ""


def test_outsider_cannot_tell_a_unit_exists(geo, personas, client):
    client.force_login(personas.other_county_official)
    foreign = client.get(f"/admin/portal/unit/{geo.village_committee.pk}/change/")
    missing = client.get("/admin/portal/unit/99999999/change/")
    assert foreign.status_code == missing.status_code == 404
    refused = client.post(
        f"/admin/portal/unit/{geo.village_committee.pk}/change/", {"phone": "028-00000000"}
    )
    assert refused.status_code == 404  # a POST too, not the 403 that tells it exists
    assert Unit.objects.get(pk=geo.village_committee.pk).phone == ""


def test_unit_admin_edits_contact_details_and_the_change_is_audited(geo, personas, client):
    client.force_login(personas.village_official)
    url = f"/admin/portal/unit/{geo.village_committee.pk}/change/"
    response = client.post(
        url,
        {
            "address": "新津区五津街道平岗路88号",
            "phone": "028-82512345",
            "office_hours": "周一至周五 9:00-17:30",
            "introduction": "",
            # Read-only fields sent anyway must be ignored.
            "name": "改名企图",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(pk=geo.village_committee.pk)
    assert unit.phone == "028-82512345" and unit.name == "平岗社区居民委员会"
    entry = AuditEntry.objects.filter(action="change", object_id=str(unit.pk)).latest("at")
    assert entry.actor == personas.village_official
    assert entry.changes["phone"] == ["", "028-82512345"]
    assert "name" not in entry.changes


def test_no_delete_anywhere_for_units(geo, personas, client):
    client.force_login(personas.platform_admin)
    response = client.post(
        f"/admin/portal/unit/{geo.village_committee.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Unit.objects.filter(pk=geo.village_committee.pk).exists()


def test_unit_admin_grants_roles_in_own_unit_only(geo, personas, client):
    from tests.factories import UserFactory

    newcomer = UserFactory(username="newcomer")
    client.force_login(personas.village_official)
    ok = client.post(
        "/admin/portal/membership/add/",
        {"user": newcomer.pk, "unit": geo.village_committee.pk, "role": "editor"},
    )
    assert ok.status_code == 302
    assert Membership.objects.filter(user=newcomer, unit=geo.village_committee).exists()
    refused = client.post(
        "/admin/portal/membership/add/",
        {"user": newcomer.pk, "unit": geo.other_village_committee.pk, "role": "admin"},
    )
    assert refused.status_code == 200  # the form refuses a unit outside the choices
    assert not Membership.objects.filter(user=newcomer, unit=geo.other_village_committee).exists()


def test_audit_trail_visible_to_supervisor_of_the_place_only(geo, personas, client):
    client.force_login(personas.county_supervisor)
    entries = changelist_names(client, "/admin/portal/auditentry/")
    assert entries, "grants in 新津区 were audited"
    assert all(e.region_code.startswith("510118") for e in entries)
    client.force_login(personas.other_county_official)
    theirs = changelist_names(client, "/admin/portal/auditentry/")
    assert all(not e.region_code.startswith("510118") for e in theirs)


def test_citizen_has_no_admin(personas, client):
    client.force_login(personas.citizen)
    assert client.get("/admin/").status_code == 302  # to the admin login


def test_calendar_admin_warns_about_unloaded_years(personas, client, calendar_2026):
    client.force_login(personas.platform_admin)
    response = client.get("/admin/portal/calendarday/", follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("尚未载入" in m for m in messages)
