"""Service guides in the back office, through the real admin views: a unit's officials
write a guide with its materials and steps, publish, verify and withdraw it; a refusal is
a form error and nothing is written; each person sees only their units' guides (a
supervisor reads those inside their places); the list counts, filters and confirms the
guides not verified for a year."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import AuditEntry
from services.models import GuideStatus, ServiceGuide
from tests.services.conftest import make_guide, make_overdue

pytestmark = pytest.mark.django_db

ADMIN = "/admin/services/serviceguide/"
ADD = f"{ADMIN}add/"


def change_url(guide) -> str:
    return f"{ADMIN}{guide.pk}/change/"


def rows(prefix: str, items: list[dict], initial: int = 0) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for index, item in enumerate(items):
        for name, value in item.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def guide_form(unit, **overrides) -> dict:
    form = {
        "unit": unit.pk,
        "region": "",
        "name": "城乡居民最低生活保障申请",
        "category": "assistance",
        "lowest_tier": "township",
        "applicants": "家庭人均收入低于当地低保标准的居民家庭。",
        "conditions": "",
        "legal_limit_days": "30",
        "promised_limit_days": "15",
        "fees": "不收费",
        "office_address": "五津街道便民服务中心社会救助窗口",
        "office_hours": "周一至周五 9:00-17:30",
        "phone": "028-82512345",
        "online_url": "",
        "legal_basis": "《社会救助暂行办法》",
        "verified_on": "",
        "action": "",
        **rows(
            "materials",
            [
                {"position": "2", "name": "户口簿", "form": "copy", "copies": "1", "note": ""},
                {"position": "1", "name": "低保申请书", "form": "original", "copies": "1"},
            ],
        ),
        **rows("steps", [{"position": "1", "title": "提出申请", "description": "到窗口申请"}]),
    }
    form.update(overrides)
    return form


def existing_rows(guide) -> dict:
    """The inline management data of a guide's change page, its rows unchanged."""
    materials = [
        {
            "id": str(m.pk),
            "guide": str(guide.pk),
            "position": str(m.position),
            "name": m.name,
            "form": m.form,
            "copies": str(m.copies),
            "note": m.note,
        }
        for m in guide.materials.all()
    ]
    steps = [
        {
            "id": str(s.pk),
            "guide": str(guide.pk),
            "position": str(s.position),
            "title": s.title,
            "description": s.description,
        }
        for s in guide.steps.all()
    ]
    return {
        **rows("materials", materials, initial=len(materials)),
        **rows("steps", steps, initial=len(steps)),
    }


def change_form(guide, **overrides) -> dict:
    form = {
        name: getattr(guide, name) if getattr(guide, name) is not None else ""
        for name in (
            "name",
            "category",
            "lowest_tier",
            "applicants",
            "conditions",
            "legal_limit_days",
            "promised_limit_days",
            "fees",
            "office_address",
            "office_hours",
            "phone",
            "online_url",
            "legal_basis",
        )
    }
    form["region"] = guide.region_id
    form.update(existing_rows(guide))
    form["action"] = ""
    form.update(overrides)
    return form


def test_an_official_writes_a_guide_with_materials_and_steps(client, geo, personas):
    client.force_login(personas.township_official)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, guide_form(geo.township_office))
    assert response.status_code == 302, response.content.decode()[:3000]
    guide = ServiceGuide.objects.get()
    assert guide.status == GuideStatus.DRAFT and guide.unit == geo.township_office
    assert guide.region_id == geo.township.code and guide.verified_on == timezone.localdate()
    # In the order of their numbers, renumbered 1, 2.
    assert [(m.position, m.name) for m in guide.materials.all()] == [
        (1, "低保申请书"),
        (2, "户口簿"),
    ]
    assert [s.title for s in guide.steps.all()] == ["提出申请"]
    assert AuditEntry.objects.filter(object_id=str(guide.pk), action="create").exists()


def test_a_refusal_is_a_form_error_and_nothing_is_written(client, geo, personas):
    client.force_login(personas.township_official)
    response = client.post(
        ADD, guide_form(geo.township_office, promised_limit_days="40", phone="请来电")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "不能长于法定办结时限" in page and "咨询电话只能包含数字" in page
    response = client.post(ADD, guide_form(geo.township_office, region=geo.county.code))
    assert "适用地区应为五津街道或其下辖地区。" in response.content.decode()
    response = client.post(
        ADD, guide_form(geo.township_office, action="publish", **rows("steps", []))
    )
    assert "发布前请至少填写一个办理步骤。" in response.content.decode()
    assert not ServiceGuide.objects.exists()


def test_publish_verify_and_withdraw_from_the_form(client, geo, personas):
    client.force_login(personas.township_official)
    assert client.post(ADD, guide_form(geo.township_office, action="publish")).status_code == 302
    guide = ServiceGuide.objects.get()
    assert guide.status == GuideStatus.PUBLISHED
    page = client.get(change_url(guide)).content.decode()
    assert "确认已核验" in page and "撤回" in page and f"/services/guides/{guide.pk}/" in page

    make_overdue(guide)
    response = client.post(change_url(guide), change_form(guide, action="verify"))
    assert response.status_code == 302, response.content.decode()[:3000]
    guide.refresh_from_db()
    assert guide.verified_on == timezone.localdate()

    refused = client.post(change_url(guide), change_form(guide, action="withdraw", reason=""))
    assert refused.status_code == 200 and "请填写撤回原因。" in refused.content.decode()
    response = client.post(
        change_url(guide), change_form(guide, action="withdraw", reason="事项已取消")
    )
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.status == GuideStatus.WITHDRAWN and guide.withdraw_reason == "事项已取消"
    # Withdrawn: read only, nothing more to do.
    page = client.get(change_url(guide)).content.decode()
    assert 'name="name"' not in page and 'name="action"' not in page


def test_a_change_through_the_form_replaces_the_rows(client, geo, personas):
    guide = make_guide(geo.township_office, personas.township_official)
    client.force_login(personas.township_official)
    form = change_form(guide, name="城乡居民养老保险参保")
    form["materials-0-DELETE"] = "on"
    response = client.post(change_url(guide), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    guide.refresh_from_db()
    assert guide.name == "城乡居民养老保险参保"
    assert [m.name for m in guide.materials.all()] == ["户口簿", "近期一寸免冠彩色照片"]


def test_each_person_sees_only_their_units_guides(client, geo, personas, guides):
    client.force_login(personas.township_official)
    page = client.get(ADMIN).content.decode()
    assert "五津街道城乡居民最低生活保障申请" in page
    assert "城乡居民基本养老保险参保登记" not in page and "和平社区停车位申请" not in page
    assert client.get(change_url(guides.city_wide)).status_code in (302, 403, 404)

    client.force_login(personas.other_county_official)
    page = client.get(ADMIN).content.decode()
    assert "五津街道城乡居民最低生活保障申请" not in page
    assert client.get(change_url(guides.township)).status_code in (302, 403, 404)
    before = guides.township.name
    client.post(change_url(guides.township), change_form(guides.township, name="被改了"))
    guides.township.refresh_from_db()
    assert guides.township.name == before

    client.force_login(personas.resident)
    assert client.get(ADMIN).status_code == 302  # to the login page


def test_a_supervisor_reads_without_acting(client, geo, personas, guides):
    client.force_login(personas.county_supervisor)
    page = client.get(ADMIN).content.decode()
    assert "五津街道城乡居民最低生活保障申请" in page and "居住证明开具" in page
    assert "城乡居民基本养老保险参保登记" not in page  # the city's, above the county
    detail = client.get(change_url(guides.township))
    assert detail.status_code == 200
    assert 'name="name"' not in detail.content.decode()
    assert client.get(ADD).status_code == 403


def test_the_list_counts_filters_and_confirms_guides_to_verify(client, geo, personas, guides):
    other = make_guide(geo.township_office, personas.township_official, name="临时救助申请")
    make_overdue(guides.township)
    make_overdue(other)
    client.force_login(personas.township_official)
    page = client.get(ADMIN).content.decode()
    assert "本单位有 2 条办事指南超过一年未核验" in page
    assert "超过一年未核验" in page and "?verification=overdue" in page
    overdue = client.get(ADMIN, {"verification": "overdue"}).content.decode()
    assert "临时救助申请" in overdue and "五津街道城乡居民最低生活保障申请" in overdue
    response = client.post(
        ADMIN,
        {
            "action": "confirm_verified",
            "_selected_action": [guides.township.pk, other.pk],
            "index": "0",
        },
    )
    assert response.status_code == 302
    for guide in (guides.township, other):
        guide.refresh_from_db()
        assert guide.verified_on == timezone.localdate() and guide.stale_since is None
    page = client.get(ADMIN).content.decode()
    assert "超过一年未核验：请逐条核对" not in page
    assert AuditEntry.objects.filter(action="verify").count() == 2


def test_the_bulk_confirmation_skips_what_is_not_ones_own(client, geo, personas, guides):
    make_overdue(guides.township)
    client.force_login(personas.county_supervisor)
    response = client.post(
        ADMIN,
        {"action": "confirm_verified", "_selected_action": [guides.township.pk], "index": "0"},
        follow=True,
    )
    assert "1 条未处理" in response.content.decode()
    guides.township.refresh_from_db()
    assert guides.township.verified_on != timezone.localdate()


def test_the_list_costs_the_same_for_5_or_35_guides(client, geo, personas):
    """The page's queries do not grow with its rows (the sidebar's other apps set the
    base, so the test compares two sizes rather than a fixed number)."""
    client.force_login(personas.township_official)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(ADMIN).status_code == 200
        return len(context)

    for number in range(5):
        make_overdue(
            make_guide(geo.township_office, personas.township_official, name=f"甲{number}")
        )
    few = queries()
    for number in range(30):
        make_overdue(
            make_guide(geo.township_office, personas.township_official, name=f"乙{number}")
        )
    assert queries() == few
