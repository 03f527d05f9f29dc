"""Audience scope through every door: pages, API, feeds, search, sitemap, attachments."""

import pytest
from django.test import Client

from disclosure.models import AudienceMembership, Scope
from disclosure.services import record_withdraw
from tests.disclosure.conftest import item_of, publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(catalog, geo, personas, school):
    from portal.models import MembershipRole
    from portal.services import people

    principal = UserFactory(username="principal")
    people.membership_grant(
        user=principal, unit=school, role=MembershipRole.ADMIN, actor=personas.platform_admin
    )
    return {
        "public": publish(
            geo.village_committee, personas.village_official, title="平岗社区公开栏更新通知"
        ),
        "residents": publish(
            geo.village_committee,
            personas.village_official,
            title="平岗社区集体收益分配明细",
            scope=Scope.RESIDENTS,
        ),
        "parents": publish(
            school,
            principal,
            title="五津小学课后服务收费明细",
            scope=Scope.PARENTS,
            item=item_of(school, scope=Scope.PARENTS),
        ),
        "staff": publish(
            school,
            principal,
            title="五津小学教师绩效考核结果",
            scope=Scope.STAFF,
            item=item_of(school, scope=Scope.STAFF),
        ),
    }


def doors(client: Client, record) -> dict[str, bool]:
    """Can this client see the record through each door?"""
    title = record.title
    return {
        "detail": client.get(f"/records/{record.pk}/").status_code == 200,
        "list": title in client.get("/records/", {"region": "510100000000"}).content.decode(),
        "place_page": title in client.get(f"/regions/{record.region_id}/").content.decode(),
        "search": f"/records/{record.pk}/"
        in client.get("/search/", {"q": title[2:8]}).content.decode(),
        "api_list": any(
            r["id"] == record.pk
            for r in client.get("/api/v1/records/", {"region": "510118000000"}).json()["results"]
        ),
        "api_detail": client.get(f"/api/v1/records/{record.pk}/").status_code == 200,
        "feed_unit": title in client.get(f"/feeds/units/{record.unit_id}/").content.decode(),
        "feed_region": title in client.get("/feeds/regions/510118000000/").content.decode(),
        "feed_item": title in client.get(f"/feeds/items/{record.item_id}/").content.decode(),
    }


def sitemap_lists(client: Client, record) -> bool:
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-records.xml" in index
    return f"/records/{record.pk}/" in client.get("/sitemap-records.xml").content.decode()


def test_public_record_is_everywhere(records, client):
    assert all(doors(client, records["public"]).values())
    assert sitemap_lists(client, records["public"])


@pytest.mark.parametrize("scope", ["residents", "parents", "staff"])
def test_restricted_records_are_hidden_from_outsiders_at_every_door(
    records, client, personas, scope
):
    record = records[scope]
    assert not any(doors(client, record).values()), "anonymous"
    client.force_login(personas.citizen)
    assert not any(doors(client, record).values()), "registered citizen"
    assert not sitemap_lists(Client(), record)


def test_residents_see_their_villages_records(records, client, personas):
    client.force_login(personas.resident)
    assert all(doors(client, records["residents"]).values())
    assert not any(doors(client, records["parents"]).values())


def test_parents_and_staff_see_only_their_own_scope(records, client, school):
    parent, teacher = UserFactory(username="parent"), UserFactory(username="teacher")
    AudienceMembership.objects.create(user=parent, unit=school, scope=Scope.PARENTS)
    AudienceMembership.objects.create(user=teacher, unit=school, scope=Scope.STAFF)
    client.force_login(parent)
    assert all(doors(client, records["parents"]).values())
    assert not any(doors(client, records["staff"]).values())
    client.force_login(teacher)
    assert all(doors(client, records["staff"]).values())
    assert not any(doors(client, records["parents"]).values())


def test_withdrawn_record_shows_its_reason_and_leaves_the_lists(records, client, personas):
    record = record_withdraw(
        record=records["public"], actor=personas.village_official, reason="公示期已满，依规撤回"
    )
    page = client.get(f"/records/{record.pk}/").content.decode()
    assert "该信息已撤回" in page and "公示期已满，依规撤回" in page
    assert record.title not in client.get("/records/", {"region": "510100000000"}).content.decode()
    api = client.get(f"/api/v1/records/{record.pk}/").json()
    assert (
        api["status"] == "withdrawn"
        and api["withdraw_reason"] == "公示期已满，依规撤回"
        and api["body"] == ""
    )


def test_private_attachment_of_a_restricted_record(records, client, personas, settings, tmp_path):
    from disclosure.services import attachment_add

    settings.MEDIA_ROOT = tmp_path
    record = records["residents"]
    attachment = attachment_add(
        record=record, name="分配明细.pdf", data=b"%PDF-1.4\n%%EOF", actor=personas.village_official
    )
    url = f"/records/{record.pk}/attachments/{attachment.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(personas.resident)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
