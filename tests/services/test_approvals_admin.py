"""The bureau's catalog, scheme and projects in the back office, through the real admin
views: only the bureau's officials change them, a supervisor of its place reads them,
other officials do not see them; every save goes through the services, and a refusal is
a form error beside its field with nothing saved."""

import datetime as dt

import pytest

from portal.models import AuditAction, AuditEntry
from services.models import ApprovalMatter, CommitmentProject, CommitmentScheme
from tests.services import approvals_fixtures
from tests.services.approvals_fixtures import make_matter, make_project

approvals = approvals_fixtures.approvals

pytestmark = pytest.mark.django_db

MATTERS = "/admin/services/approvalmatter/"
SCHEMES = "/admin/services/commitmentscheme/"
PROJECTS = "/admin/services/commitmentproject/"


def _matter_form(approvals, **overrides) -> dict:
    form = {
        "bureau": approvals.bureau.pk,
        "department": approvals.health.pk,
        "code": "",
        "name": "放射诊疗许可",
        "matter_type": "licensing",
        "legal_limit_days": "20",
        "promised_limit_days": "10",
        "fees": "不收费",
        "materials": "申请表\n放射诊疗设备清单",
        "guide": "",
    }
    form.update(overrides)
    return form


def test_the_bureau_official_adds_a_matter_and_a_refusal_is_a_form_error(client, approvals):
    client.force_login(approvals.official)
    assert client.get(f"{MATTERS}add/").status_code == 200
    refused = client.post(f"{MATTERS}add/", _matter_form(approvals, promised_limit_days="30"))
    assert refused.status_code == 200
    assert "承诺时限（30个工作日）不能长于法定时限（20个工作日）。" in refused.content.decode()
    assert not ApprovalMatter.objects.exists()
    done = client.post(f"{MATTERS}add/", _matter_form(approvals))
    assert done.status_code == 302
    matter = ApprovalMatter.objects.get()
    assert matter.bureau == approvals.bureau and matter.region_id == approvals.bureau.region_id
    assert AuditEntry.objects.filter(object_id=str(matter.pk), action=AuditAction.CREATE).exists()


def test_a_department_of_another_county_is_not_offered(client, approvals):
    client.force_login(approvals.official)
    page = client.get(f"{MATTERS}add/").content.decode()
    assert "新津区卫生健康局" in page and "锦江区行政审批局" not in page
    refused = client.post(
        f"{MATTERS}add/", _matter_form(approvals, department=approvals.other_bureau.pk)
    )
    assert refused.status_code == 200 and not ApprovalMatter.objects.exists()


def test_a_change_and_a_deactivation_go_through_the_services(client, approvals):
    matter = make_matter(approvals)
    client.force_login(approvals.official)
    url = f"{MATTERS}{matter.pk}/change/"
    form = _matter_form(approvals, name=matter.name, promised_limit_days="3")
    assert client.post(url, form).status_code == 302
    matter.refresh_from_db()
    assert matter.promised_limit_days == 3
    change = AuditEntry.objects.get(object_id=str(matter.pk), action=AuditAction.CHANGE)
    assert change.changes["promised_limit_days"] == [5, 3]
    done = client.post(url, {**form, "action": "deactivate", "note": "划转至区市场监管局"})
    assert done.status_code == 302
    matter.refresh_from_db()
    assert not matter.is_active
    assert AuditEntry.objects.get(action=AuditAction.DEACTIVATE).note == "划转至区市场监管局"
    page = client.get(url).content.decode()
    assert 'value="reactivate"' in page and 'value="deactivate"' not in page


def test_each_sees_only_their_bureau_and_outsiders_see_nothing(client, geo, approvals, personas):
    ours = make_matter(approvals)
    theirs = make_matter(
        approvals, bureau=approvals.other_bureau, department=approvals.other_bureau
    )
    client.force_login(approvals.official)
    listing = client.get(MATTERS).content.decode()
    assert "公共场所卫生许可" in listing and f"/{theirs.pk}/change/" not in listing
    assert client.get(f"{MATTERS}{theirs.pk}/change/").status_code == 404  # as if missing

    # A supervisor of 新津区 reads the catalog and changes nothing.
    client.force_login(personas.county_supervisor)
    page = client.get(f"{MATTERS}{ours.pk}/change/")
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()
    assert client.get(f"{MATTERS}add/").status_code == 403
    client.post(f"{MATTERS}{ours.pk}/change/", _matter_form(approvals, name="改名"))
    assert ApprovalMatter.objects.get(pk=ours.pk).name == "公共场所卫生许可"

    # An official of a village does not see the bureau's pages at all.
    client.force_login(personas.village_official)
    assert "approvalmatter" not in client.get("/admin/").content.decode()
    assert client.get(MATTERS).status_code == 403
    assert client.get(f"{MATTERS}{ours.pk}/change/").status_code == 404


def test_the_scheme_is_published_from_the_admin(client, approvals):
    client.force_login(approvals.official)
    form = {
        "bureau": approvals.bureau.pk,
        "title": "新津区企业投资项目承诺制实施办法",
        "standards": "先建后验。",
        "steps": "承诺\n" + "长" * 301,
    }
    refused = client.post(f"{SCHEMES}add/", form)
    assert "办理流程第2项不能超过300个字。" in refused.content.decode()
    assert not CommitmentScheme.objects.exists()
    assert client.post(f"{SCHEMES}add/", {**form, "steps": "承诺\n开工\n验收"}).status_code == 302
    scheme = CommitmentScheme.objects.get()
    assert scheme.published_at is not None
    # One scheme per bureau: no second one is offered.
    assert client.get(f"{SCHEMES}add/").status_code == 403
    url = f"{SCHEMES}{scheme.pk}/change/"
    assert client.post(url, {**form, "steps": "承诺\n验收"}).status_code == 302
    scheme.refresh_from_db()
    assert scheme.steps == "承诺\n验收"
    client.force_login(approvals.other_official)
    assert client.get(url).status_code == 404  # not in their list


def test_a_project_is_added_and_advanced_with_its_dates(client, geo, approvals):
    client.force_login(approvals.official)
    form = {
        "bureau": approvals.bureau.pk,
        "region": geo.township.code,
        "name": "五津街道农产品冷链仓储中心",
        "investor": "成都五津冷链有限公司",
        "investment": "8600.50",
        "committed_on": "2026-02-10",
        "is_public": "on",
    }
    assert client.post(f"{PROJECTS}add/", form).status_code == 302
    project = CommitmentProject.objects.get()
    assert project.stage == "committed"
    url = f"{PROJECTS}{project.pk}/change/"
    refused = client.post(url, {**form, "advance_to": "building", "advance_on": "2026-02-01"})
    assert refused.status_code == 200
    assert "开工建设的日期不能早于已承诺的日期（2026-02-10）。" in refused.content.decode()
    assert CommitmentProject.objects.get().stage == "committed"
    done = client.post(url, {**form, "advance_to": "building", "advance_on": "2026-03-15"})
    assert done.status_code == 302
    project.refresh_from_db()
    assert project.stage == "building" and project.building_on == dt.date(2026, 3, 15)
    page = client.get(url).content.decode()
    assert 'value="inspected"' in page and 'value="building"' not in page


def test_a_project_outside_the_county_is_refused_and_outsiders_cannot_change(
    client, geo, approvals
):
    project = make_project(approvals, geo.county)
    client.force_login(approvals.other_official)
    assert client.get(f"{PROJECTS}{project.pk}/change/").status_code == 404
    assert client.get(f"{PROJECTS}add/").status_code == 200  # for their own bureau
    refused = client.post(
        f"{PROJECTS}add/",
        {
            "bureau": approvals.bureau.pk,  # not theirs: not a choice
            "region": geo.county.code,
            "name": "越权项目",
            "investor": "某公司",
            "investment": "100",
            "committed_on": "2026-02-10",
        },
    )
    assert refused.status_code == 200
    assert CommitmentProject.objects.count() == 1


def test_the_platform_admin_opens_every_page(client, geo, approvals, personas, guides):
    matter = make_matter(approvals, guide=guides.city_wide)
    project = make_project(approvals, geo.county)
    client.force_login(personas.platform_admin)
    for url in (
        MATTERS,
        f"{MATTERS}add/",
        f"{MATTERS}{matter.pk}/change/",
        f"{MATTERS}?department__id__exact={approvals.health.pk}",
        SCHEMES,
        f"{SCHEMES}add/",
        PROJECTS,
        f"{PROJECTS}add/",
        f"{PROJECTS}{project.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
