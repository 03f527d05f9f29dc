"""Writes of the approval bureau: its matters, its commitment scheme and the projects
under it. Only the bureau's officials write; each field is checked in words; a project
moves one stage at a time with dates in order; every write leaves an audit row."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.models import AuditAction, AuditEntry
from portal.services.errors import Conflict, NotAllowed
from services.models import ApprovalMatter, CommitmentProject, CommitmentScheme
from services.services import approvals as services
from services.services import guides as guide_services
from tests.services import approvals_fixtures
from tests.services.approvals_fixtures import make_matter, make_project, matter_fields

# The bureau and its departments, a fixture used here by name.
approvals = approvals_fixtures.approvals

pytestmark = pytest.mark.django_db


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


def _audit(obj, action) -> AuditEntry:
    return AuditEntry.objects.get(object_id=str(obj.pk), action=action, object_repr=str(obj))


# --- Matters ------------------------------------------------------------------------------


def test_the_bureau_adds_a_matter_of_a_department(geo, approvals):
    matter = make_matter(approvals, materials="  申请表 \n\n营业执照复印件\n")
    assert matter.bureau == approvals.bureau and matter.department == approvals.health
    assert matter.region_id == geo.county.code  # the bureau's place, copied
    assert matter.materials == "申请表\n营业执照复印件"
    assert matter.is_active
    entry = _audit(matter, AuditAction.CREATE)
    assert entry.actor == approvals.official and entry.unit == approvals.bureau
    assert entry.changes["name"] == [None, "公共场所卫生许可"]


def test_materials_may_be_given_as_a_list_and_fees_default(approvals):
    matter = make_matter(approvals, materials=["申请书", " ", "身份证"], fees="")
    assert matter.materials == "申请书\n身份证" and matter.fees == "不收费"


@pytest.mark.parametrize("who", ["other_official", "village_official", "county_supervisor"])
def test_only_the_bureau_officials_add_matters(approvals, personas, who):
    actor = getattr(approvals, who, None) or getattr(personas, who)
    with pytest.raises(NotAllowed, match="只有本行政审批局的工作人员"):
        services.matter_create(
            bureau=approvals.bureau, department=approvals.health, actor=actor, **matter_fields()
        )
    assert not ApprovalMatter.objects.exists()


def test_the_platform_admin_may(approvals, personas):
    services.matter_create(
        bureau=approvals.bureau,
        department=approvals.market,
        actor=personas.platform_admin,
        **matter_fields(name="食品经营许可"),
    )
    assert ApprovalMatter.objects.get().name == "食品经营许可"


def test_only_an_approval_bureau_holds_matters(approvals, personas):
    with pytest.raises(ValidationError) as refused:
        services.matter_create(
            bureau=approvals.health,
            department=approvals.health,
            actor=personas.platform_admin,
            **matter_fields(),
        )
    assert "请选择行政审批局" in _errors(refused)["bureau"][0]


def test_every_bad_field_is_named_in_words(geo, approvals):
    elsewhere = approvals.other_bureau  # a department of 锦江区, not of 新津区
    with pytest.raises(ValidationError) as refused:
        services.matter_create(
            bureau=approvals.bureau,
            department=elsewhere,
            actor=approvals.official,
            name="",
            matter_type="permit",
            legal_limit_days=5,
            promised_limit_days=10,
            materials="\n \n",
            code="x" * 41,
        )
    errors = _errors(refused)
    assert errors["department"] == ["原职能部门应为新津区在用的政府工作部门。"]
    assert errors["name"] == ["请填写事项名称。"]
    assert errors["matter_type"] == ["请选择事项类型。"]
    assert errors["promised_limit_days"] == [
        "承诺时限（10个工作日）不能长于法定时限（5个工作日）。"
    ]
    assert errors["materials"] == ["请填写申请材料，每行一项。"]
    assert errors["code"] == ["事项编码不能超过40个字。"]
    assert not ApprovalMatter.objects.exists()


@pytest.mark.parametrize("days", [-1, 366, "二十", True, None])
def test_limits_are_working_days_up_to_a_year(approvals, days):
    with pytest.raises(ValidationError) as refused:
        make_matter(approvals, legal_limit_days=days)
    assert "法定时限应为0到365之间的整数" in _errors(refused)["legal_limit_days"][0]


def test_zero_means_done_on_the_spot(approvals):
    matter = make_matter(approvals, legal_limit_days="0", promised_limit_days=0)
    assert (matter.legal_limit_days, matter.promised_limit_days) == (0, 0)


def test_a_department_does_not_repeat_a_name(approvals):
    make_matter(approvals)
    with pytest.raises(ValidationError) as refused:
        make_matter(approvals)
    assert _errors(refused)["name"] == ["新津区卫生健康局已有名为“公共场所卫生许可”的事项。"]
    make_matter(approvals, approvals.market)  # another department may use it


def test_a_matter_links_only_a_published_guide(approvals, guides):
    with pytest.raises(ValidationError) as refused:
        make_matter(approvals, guide=guides.draft)
    assert _errors(refused)["guide"] == ["只能关联已发布的办事指南。"]
    assert make_matter(approvals, guide=guides.city_wide).guide == guides.city_wide


def test_the_database_keeps_the_promise_within_the_legal_limit(geo, approvals):
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalMatter.objects.create(
            bureau=approvals.bureau,
            department=approvals.health,
            region=geo.county,
            name="越界事项",
            matter_type="licensing",
            legal_limit_days=5,
            promised_limit_days=6,
            materials="申请表",
        )


def test_an_update_is_checked_and_audited(approvals):
    matter = make_matter(approvals)
    changed = services.matter_update(
        matter=matter, actor=approvals.official, promised_limit_days=3, department=approvals.market
    )
    assert changed.promised_limit_days == 3 and changed.department == approvals.market
    entry = _audit(matter, AuditAction.CHANGE)
    assert entry.changes["promised_limit_days"] == [5, 3]
    assert "updated_at" not in entry.changes
    with pytest.raises(ValidationError) as refused:
        services.matter_update(matter=matter, actor=approvals.official, legal_limit_days=2)
    assert "不能长于法定时限" in _errors(refused)["promised_limit_days"][0]
    with pytest.raises(NotAllowed):
        services.matter_update(matter=matter, actor=approvals.other_official, name="改名")
    matter.refresh_from_db()
    assert matter.legal_limit_days == 20 and matter.name == "公共场所卫生许可"


def test_a_matter_is_deactivated_not_deleted_and_comes_back(approvals):
    matter = make_matter(approvals)
    services.matter_deactivate(matter=matter, actor=approvals.official, note="下放至街道办理")
    matter.refresh_from_db()
    assert not matter.is_active
    entry = _audit(matter, AuditAction.DEACTIVATE)
    assert entry.note == "下放至街道办理"
    with pytest.raises(Conflict, match="该事项已经停用"):
        services.matter_deactivate(matter=matter, actor=approvals.official)
    with pytest.raises(Conflict, match="请先恢复在办"):
        services.matter_update(matter=matter, actor=approvals.official, name="新名称")
    with pytest.raises(NotAllowed):
        services.matter_reactivate(matter=matter, actor=approvals.other_official)
    services.matter_reactivate(matter=matter, actor=approvals.official)
    matter.refresh_from_db()
    assert matter.is_active
    with pytest.raises(Conflict, match="无需恢复"):
        services.matter_reactivate(matter=matter, actor=approvals.official)


def test_a_reactivated_matter_drops_a_guide_withdrawn_meanwhile(approvals, guides):
    matter = make_matter(approvals, guide=guides.city_wide)
    services.matter_deactivate(matter=matter, actor=approvals.official)
    guide_services.guide_withdraw(
        guide=guides.city_wide, actor=guides.city_official, reason="政策调整，重新编写。"
    )
    matter = services.matter_reactivate(matter=matter, actor=approvals.official)
    assert matter.is_active and matter.guide is None


# --- The commitment scheme ----------------------------------------------------------------


SCHEME = {
    "title": "新津区企业投资项目承诺制实施办法",
    "standards": "符合国土空间规划和产业政策。\n企业书面承诺达到环保、安全、节能等标准。",
    "steps": "企业提交承诺书\n审批局审查承诺材料\n企业开工建设\n竣工后联合验收",
}


def test_the_scheme_is_published_and_republished(approvals):
    scheme = services.scheme_publish(bureau=approvals.bureau, actor=approvals.official, **SCHEME)
    assert scheme.published_at is not None and scheme.steps.count("\n") == 3
    first = scheme.published_at
    again = services.scheme_publish(
        bureau=approvals.bureau,
        actor=approvals.official,
        **{**SCHEME, "steps": ["企业提交承诺书", "开工建设", "联合验收"]},
    )
    assert again.pk == scheme.pk and CommitmentScheme.objects.count() == 1
    assert again.steps == "企业提交承诺书\n开工建设\n联合验收" and again.published_at > first
    entries = AuditEntry.objects.filter(object_id=str(scheme.pk), action=AuditAction.PUBLISH)
    assert entries.count() == 2
    assert entries.order_by("-id").first().changes["steps"][0] == SCHEME["steps"]


def test_the_scheme_needs_its_parts_and_its_bureau(approvals):
    with pytest.raises(ValidationError) as refused:
        services.scheme_publish(
            bureau=approvals.bureau, actor=approvals.official, title="", standards="", steps=""
        )
    assert set(_errors(refused)) == {"title", "standards", "steps"}
    with pytest.raises(NotAllowed):
        services.scheme_publish(bureau=approvals.bureau, actor=approvals.other_official, **SCHEME)
    assert not CommitmentScheme.objects.exists()


# --- Projects -------------------------------------------------------------------------------


def test_a_project_starts_committed_and_advances_in_order(geo, approvals):
    project = make_project(approvals, geo.township)
    assert project.stage == "committed" and project.building_on is None
    assert _audit(project, AuditAction.CREATE).unit == approvals.bureau

    with pytest.raises(Conflict, match="下一步只能是“开工建设”"):
        services.project_advance(
            project=project, stage="inspected", on=dt.date(2026, 6, 1), actor=approvals.official
        )
    with pytest.raises(ValidationError) as early:
        services.project_advance(
            project=project, stage="building", on=dt.date(2026, 3, 1), actor=approvals.official
        )
    assert _errors(early)["on"] == ["开工建设的日期不能早于已承诺的日期（2026-03-02）。"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as future:
        services.project_advance(
            project=project, stage="building", on=tomorrow, actor=approvals.official
        )
    assert _errors(future)["on"] == ["开工建设的日期不能晚于今天。"]

    project = services.project_advance(
        project=project, stage="building", on=dt.date(2026, 3, 2), actor=approvals.official
    )
    assert project.stage == "building" and project.building_on == dt.date(2026, 3, 2)
    with pytest.raises(Conflict):  # a second click on the same page
        services.project_advance(
            project=project, stage="building", on=dt.date(2026, 3, 5), actor=approvals.official
        )
    with pytest.raises(ValidationError) as before_start:
        services.project_advance(
            project=project, stage="inspected", on=dt.date(2026, 3, 1), actor=approvals.official
        )
    assert _errors(before_start)["on"] == ["竣工验收的日期不能早于开工建设的日期（2026-03-02）。"]
    project = services.project_advance(
        project=project, stage="inspected", on=dt.date(2026, 10, 20), actor=approvals.official
    )
    assert project.stage == "inspected" and project.inspected_on == dt.date(2026, 10, 20)
    with pytest.raises(Conflict, match="进度已经完结"):
        services.project_advance(
            project=project, stage="inspected", on=dt.date(2026, 10, 21), actor=approvals.official
        )
    changes = [
        entry.changes
        for entry in AuditEntry.objects.filter(
            object_id=str(project.pk), action=AuditAction.CHANGE
        ).order_by("id")
    ]
    assert changes == [
        {"stage": ["committed", "building"], "building_on": [None, "2026-03-02"]},
        {"stage": ["building", "inspected"], "inspected_on": [None, "2026-10-20"]},
    ]


def test_only_the_bureau_advances_its_projects(geo, approvals, personas):
    project = make_project(approvals, geo.county)
    for outsider in (approvals.other_official, personas.county_supervisor, personas.citizen):
        with pytest.raises(NotAllowed):
            services.project_advance(
                project=project, stage="building", on=dt.date(2026, 4, 1), actor=outsider
            )
    assert CommitmentProject.objects.get().stage == "committed"


def test_a_project_is_checked_field_by_field(geo, approvals):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.project_create(
            bureau=approvals.bureau,
            region=geo.other_township,
            name="",
            investor="",
            investment="-5",
            committed_on=tomorrow,
            actor=approvals.official,
        )
    errors = _errors(refused)
    assert errors["region"] == ["项目所在地应在新津区范围内。"]
    assert errors["name"] == ["请填写项目名称。"] and errors["investor"] == ["请填写建设单位。"]
    assert errors["investment"] == ["总投资应为大于0的金额（万元），最多两位小数。"]
    assert errors["committed_on"] == ["承诺日期不能晚于今天。"]
    with pytest.raises(ValidationError):
        make_project(approvals, geo.county, investment="1.234")
    assert not CommitmentProject.objects.exists()


def test_a_project_is_corrected_without_breaking_its_dates(geo, approvals):
    project = make_project(approvals, geo.county)
    project = services.project_update(
        project=project, actor=approvals.official, investment="15000.5", is_public=False
    )
    assert project.investment == Decimal("15000.50") and not project.is_public
    services.project_advance(
        project=project, stage="building", on=dt.date(2026, 4, 1), actor=approvals.official
    )
    with pytest.raises(ValidationError) as refused:
        services.project_update(
            project=project, actor=approvals.official, committed_on=dt.date(2026, 5, 1)
        )
    assert _errors(refused)["committed_on"] == ["承诺日期不能晚于开工日期（2026-04-01）。"]


def test_the_database_keeps_the_dates_in_order(geo, approvals):
    project = make_project(approvals, geo.county)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentProject.objects.filter(pk=project.pk).update(
            stage="building", building_on=dt.date(2026, 1, 1)
        )
