"""Writes of service guides: a unit's officials create, change, publish, verify and
withdraw its guides; everything is checked with a Chinese message per field, rows come in
order, search follows every write, each write leaves an audit row, and the daily scan
flags guides not verified for a year."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.models import AuditEntry
from portal.services.errors import Conflict, NotAllowed
from services import tasks
from services.models import GuideStatus, ServiceGuide
from services.selectors import guides as selectors
from services.services import guides as services
from tests.services.conftest import guide_fields, make_guide, make_overdue

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_guide_is_created_as_a_draft_with_its_rows_in_order(geo, personas):
    guide = make_guide(geo.township_office, personas.township_official, publish=False)
    assert guide.status == GuideStatus.DRAFT and guide.published_at is None
    assert guide.region_id == geo.township.code  # the unit's place by default
    assert guide.verified_on == timezone.localdate()
    assert guide.created_by == personas.township_official
    assert [(m.position, m.name, m.form, m.copies) for m in guide.materials.all()] == [
        (1, "居民身份证", "original", 1),
        (2, "户口簿", "copy", 2),
        (3, "近期一寸免冠彩色照片", "original", 2),
    ]
    assert [s.title for s in guide.steps.all()] == ["申请", "受理审核", "办结领取"]
    entry = AuditEntry.objects.get(object_id=str(guide.pk), action="create")
    assert entry.actor == personas.township_official
    assert entry.changes["name"][1] == "城乡居民基本养老保险参保登记"
    assert entry.changes["materials"][1][1][0] == "户口簿"


def test_every_problem_is_named_in_chinese_and_nothing_is_written(geo, personas):
    fields = guide_fields(
        name=" ",
        category="sports",
        lowest_tier="province",
        applicants="",
        legal_limit_days=10,
        promised_limit_days=15,
        office_address="",
        office_hours="",
        phone="请打电话",
        online_url="ftp://example.org/",
        materials=[{"name": "", "form": "paper", "copies": 0}],
        steps=[{"title": ""}],
    )
    with pytest.raises(ValidationError) as excinfo:
        services.guide_create(unit=geo.township_office, actor=personas.township_official, **fields)
    errors = errors_of(excinfo)
    assert errors["name"] == ["请填写事项名称。"]
    assert errors["category"] == ["请选择服务类别。"]
    assert errors["lowest_tier"] == ["请选择最低可办层级。"]
    assert errors["applicants"] == ["请填写申请对象。"]
    assert "不能长于法定办结时限" in errors["promised_limit_days"][0]
    assert errors["office_address"] == ["请填写办理地点。"]
    assert errors["office_hours"] == ["请填写办理时间。"]
    assert "咨询电话只能包含数字" in errors["phone"][0]
    assert "http://" in errors["online_url"][0]
    assert errors["materials"] == [
        "第1项材料：请填写材料名称。",
        "第1项材料：请选择材料形式。",
        "第1项材料：份数应为1到99之间的整数。",
    ]
    assert errors["steps"] == ["第1步：请填写环节名称。"]
    assert not ServiceGuide.objects.exists()
    assert not AuditEntry.objects.filter(action="create", object_repr__contains="养老").exists()


def test_limits_must_be_working_day_counts(geo, personas):
    with pytest.raises(ValidationError) as excinfo:
        services.guide_create(
            unit=geo.township_office,
            actor=personas.township_official,
            **guide_fields(legal_limit_days="二十", promised_limit_days=-1),
        )
    errors = errors_of(excinfo)
    assert errors["legal_limit_days"] == ["法定办结时限应为0到365之间的整数（工作日）。"]
    assert errors["promised_limit_days"] == ["承诺办结时限应为0到365之间的整数（工作日）。"]


def test_a_guide_applies_only_in_its_units_place_or_inside_it(geo, personas):
    village = make_guide(
        geo.township_office, personas.township_official, publish=False, region=geo.village
    )
    assert village.region_id == geo.village.code
    with pytest.raises(ValidationError) as excinfo:
        make_guide(
            geo.township_office, personas.township_official, publish=False, region=geo.county
        )
    assert errors_of(excinfo)["region"] == ["适用地区应为五津街道或其下辖地区。"]
    with pytest.raises(ValidationError) as excinfo:
        make_guide(
            geo.township_office,
            personas.township_official,
            publish=False,
            region="510118001999",
        )
    assert errors_of(excinfo)["region"] == ["没有这个行政区划。"]


def test_only_the_units_editors_write_its_guides(geo, personas):
    with pytest.raises(NotAllowed):
        make_guide(geo.township_office, personas.other_county_official, publish=False)
    with pytest.raises(NotAllowed):
        make_guide(geo.township_office, personas.county_supervisor, publish=False)
    guide = make_guide(geo.township_office, personas.township_official)
    for outsider in (personas.village_official, personas.resident, personas.county_supervisor):
        with pytest.raises(NotAllowed):
            services.guide_update(guide=guide, actor=outsider, name="改名")
        with pytest.raises(NotAllowed):
            services.guide_verify(guide=guide, actor=outsider)
        with pytest.raises(NotAllowed):
            services.guide_withdraw(guide=guide, reason="不再办理", actor=outsider)


def test_an_update_replaces_the_rows_and_the_search_follows(geo, personas):
    guide = make_guide(geo.township_office, personas.township_official)
    assert selectors.guides_found(query="户口簿").filter(pk=guide.pk).exists()
    services.guide_update(
        guide=guide,
        actor=personas.township_official,
        name="城乡居民养老保险参保",
        materials=[{"name": "社会保障卡", "form": "original", "copies": 1}],
    )
    guide.refresh_from_db()
    assert guide.name == "城乡居民养老保险参保"
    assert [m.name for m in guide.materials.all()] == ["社会保障卡"]
    assert [s.title for s in guide.steps.all()] == ["申请", "受理审核", "办结领取"]  # kept
    assert not selectors.guides_found(query="户口簿").filter(pk=guide.pk).exists()
    assert selectors.guides_found(query="社会保障卡").filter(pk=guide.pk).exists()
    change = AuditEntry.objects.get(object_id=str(guide.pk), action="change")
    assert set(change.changes) == {"name", "materials"}


def test_search_reads_name_applicants_conditions_materials_steps_and_legal_basis(geo, personas):
    guide = make_guide(geo.township_office, personas.township_official)
    for words in ("参保登记", "在校学生", "养老保障待遇", "免冠彩色照片", "当场受理", "社会保险法"):
        assert list(selectors.guides_found(query=words)) == [guide], words
    assert not selectors.guides_found(query="准生证").exists()
    assert not selectors.guides_found(query="!!").exists()
    # A match in the name ranks first.
    other = make_guide(
        geo.township_office,
        personas.township_official,
        name="失业登记",
        applicants="参保登记后失业的人员。",
    )
    assert list(selectors.guides_found(query="参保登记")) == [guide, other]


def test_publish_needs_a_draft_with_steps(geo, personas):
    actor = personas.township_official
    empty = make_guide(geo.township_office, actor, publish=False, steps=[])
    with pytest.raises(ValidationError) as excinfo:
        services.guide_publish(guide=empty, actor=actor)
    assert errors_of(excinfo)["steps"] == ["发布前请至少填写一个办理步骤。"]
    guide = make_guide(geo.township_office, actor)
    assert guide.status == GuideStatus.PUBLISHED and guide.published_at is not None
    with pytest.raises(Conflict, match="只有草稿可以发布"):
        services.guide_publish(guide=guide, actor=actor)
    with pytest.raises(ValidationError) as excinfo:
        services.guide_update(guide=guide, actor=actor, steps=[])
    assert errors_of(excinfo)["steps"] == ["已发布的办事指南至少要有一个办理步骤。"]
    assert AuditEntry.objects.filter(object_id=str(guide.pk), action="publish").count() == 1


def test_withdraw_needs_a_reason_and_ends_changes(geo, personas):
    actor = personas.township_official
    draft = make_guide(geo.township_office, actor, publish=False)
    with pytest.raises(Conflict, match="只有已发布的办事指南可以撤回"):
        services.guide_withdraw(guide=draft, reason="不再办理", actor=actor)
    guide = make_guide(geo.township_office, actor)
    with pytest.raises(ValidationError) as excinfo:
        services.guide_withdraw(guide=guide, reason="  ", actor=actor)
    assert errors_of(excinfo)["withdraw_reason"] == ["请填写撤回原因。"]
    guide = services.guide_withdraw(guide=guide, reason="事项已划转区政务服务中心办理", actor=actor)
    assert guide.status == GuideStatus.WITHDRAWN and guide.withdrawn_at is not None
    assert selectors.guide_public(guide.pk) is None
    entry = AuditEntry.objects.get(object_id=str(guide.pk), action="withdraw")
    assert entry.note == "事项已划转区政务服务中心办理"
    with pytest.raises(Conflict):
        services.guide_update(guide=guide, actor=actor, name="再改")
    with pytest.raises(Conflict):
        services.guide_verify(guide=guide, actor=actor)
    assert ServiceGuide.objects.filter(pk=guide.pk).exists()  # never deleted


def test_verify_sets_today_and_clears_the_flag(geo, personas):
    actor = personas.township_official
    guide = make_overdue(make_guide(geo.township_office, actor))
    assert selectors.verification_overdue(guide)
    assert services.guides_flag_stale() == (1, 0)
    guide.refresh_from_db()
    assert guide.stale_since is not None
    guide = services.guide_verify(guide=guide, actor=actor)
    assert guide.verified_on == timezone.localdate() and guide.stale_since is None
    assert not selectors.verification_overdue(guide)
    entry = AuditEntry.objects.get(object_id=str(guide.pk), action="verify")
    assert entry.changes["verified_on"][1] == str(timezone.localdate())


def test_the_daily_scan_is_idempotent(geo, personas):
    actor = personas.township_official
    old = make_overdue(make_guide(geo.township_office, actor, name="甲"))
    fresh = make_guide(geo.township_office, actor, name="乙")
    old_draft = make_overdue(make_guide(geo.township_office, actor, name="丙", publish=False))
    first = timezone.now() - dt.timedelta(hours=1)
    assert services.guides_flag_stale(now=first) == (1, 0)
    assert services.guides_flag_stale() == (0, 0)  # again: nothing more
    old.refresh_from_db()
    assert old.stale_since == first  # the first flag's time is kept
    for guide in (fresh, old_draft):
        guide.refresh_from_db()
        assert guide.stale_since is None
    # Verified in the meantime (or written straight to the table): cleared by the scan.
    ServiceGuide.objects.filter(pk=old.pk).update(verified_on=timezone.localdate())
    assert services.guides_flag_stale() == (0, 1)
    tasks.guides_flag_stale.apply()
    old.refresh_from_db()
    assert old.stale_since is None


def test_exactly_a_year_is_not_yet_overdue(geo, personas):
    actor = personas.township_official
    guide = make_overdue(make_guide(geo.township_office, actor), days=365)
    assert not selectors.verification_overdue(guide)
    assert services.guides_flag_stale() == (0, 0)
    guide = make_overdue(guide, days=366)
    assert selectors.verification_overdue(guide)
    assert services.guides_flag_stale() == (1, 0)


def test_a_guide_published_with_an_old_verification_is_flagged_at_once(geo, personas):
    actor = personas.township_official
    guide = make_guide(
        geo.township_office,
        actor,
        verified_on=timezone.localdate() - dt.timedelta(days=500),
    )
    assert guide.stale_since is not None
    with pytest.raises(ValidationError) as excinfo:
        make_guide(
            geo.township_office, actor, verified_on=timezone.localdate() + dt.timedelta(days=1)
        )
    assert errors_of(excinfo)["verified_on"] == ["核验日期不能晚于今天。"]
