"""Opinion solicitations through the services: the draft, the window, moderation, the
groups and the feedback report, with the allowed official and the outsiders.

The helpers and fixtures here are shared by the other test_solicitations_* modules."""

import datetime as dt
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from participation.models import (
    Opinion,
    OpinionGroup,
    OpinionStatus,
    Solicitation,
    SolicitationStatus,
)
from participation.services import solicitations as services
from portal.models import AuditEntry
from portal.ratelimit import RateLimited
from portal.services.errors import DomainError

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def make_draft(geo, personas, *, title="平岗社区停车管理办法（征求意见稿）", **extra):
    now = timezone.now()
    fields = {
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=14),
        "body": "<p>第一条 为规范小区停车秩序，制定本办法。</p>",
        **extra,
    }
    return services.solicitation_create(
        unit=geo.village_committee, title=title, actor=personas.village_official, **fields
    )


def make_open(geo, personas, **extra):
    """A published solicitation of 平岗社区居委会 taking opinions now."""
    draft = make_draft(geo, personas, **extra)
    return services.solicitation_publish(solicitation=draft, actor=personas.village_official)


def end_window(solicitation):
    """Move the window into the past, as if the days had gone by."""
    now = timezone.now()
    Solicitation.objects.filter(pk=solicitation.pk).update(
        opens_at=now - dt.timedelta(days=15), closes_at=now - dt.timedelta(minutes=1)
    )
    solicitation.refresh_from_db()
    return solicitation


def submit(solicitation, user, text="建议在东门增设临时停车位。", **extra):
    return services.opinion_submit(solicitation=solicitation, user=user, text=text, **extra)


def audit_of(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


def publish_all(solicitation, actor):
    for opinion in Opinion.objects.filter(solicitation=solicitation, status="pending"):
        services.opinion_moderate(opinion=opinion, actor=actor, publish=True)


pytestmark = pytest.mark.django_db


# --- the draft ---------------------------------------------------------------------------


def test_draft_is_created_sanitised_and_audited(geo, personas):
    draft = make_draft(geo, personas, body='<p onclick="x()">正文</p><script>alert(1)</script>')
    assert draft.status == SolicitationStatus.DRAFT and draft.region_id == geo.village.code
    assert "script" not in draft.body and "onclick" not in draft.body and "正文" in draft.body
    assert audit_of(draft).filter(action="create").exists()


@pytest.mark.parametrize(
    "outsider", ["other_county_official", "township_official", "county_supervisor", "citizen"]
)
def test_only_the_units_officials_create_and_publish(geo, personas, outsider):
    with pytest.raises(DomainError):
        services.solicitation_create(
            unit=geo.village_committee,
            title="x",
            body="<p>x</p>",
            opens_at=timezone.now(),
            closes_at=timezone.now() + dt.timedelta(days=1),
            actor=getattr(personas, outsider),
        )
    draft = make_draft(geo, personas)
    with pytest.raises(DomainError):
        services.solicitation_publish(solicitation=draft, actor=getattr(personas, outsider))
    assert Solicitation.objects.get(pk=draft.pk).status == SolicitationStatus.DRAFT


def test_draft_input_errors_name_every_field(geo, personas):
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        services.solicitation_create(
            unit=geo.village_committee,
            title="",
            body="<script>only a script</script>",
            opens_at=now,
            closes_at=now - dt.timedelta(hours=1),
            actor=personas.village_official,
        )
    assert set(caught.value.message_dict) == {"title", "body", "closes_at"}


def test_update_only_while_draft_and_publish_needs_a_future_close(geo, personas):
    past = timezone.now() - dt.timedelta(days=1)
    draft = make_draft(geo, personas, opens_at=past - dt.timedelta(days=3), closes_at=past)
    with pytest.raises(ValidationError) as caught:
        services.solicitation_publish(solicitation=draft, actor=personas.village_official)
    assert "closes_at" in caught.value.message_dict
    draft = services.solicitation_update(
        solicitation=draft,
        actor=personas.village_official,
        closes_at=timezone.now() + dt.timedelta(days=7),
        title="停车管理办法（第二稿）",
    )
    published = services.solicitation_publish(solicitation=draft, actor=personas.village_official)
    assert published.status == "published" and published.published_at is not None
    with pytest.raises(DomainError):
        services.solicitation_update(
            solicitation=published, actor=personas.village_official, title="改标题"
        )
    with pytest.raises(DomainError):
        services.solicitation_publish(solicitation=published, actor=personas.village_official)


def test_withdraw_needs_a_public_reason(geo, personas):
    solicitation = make_open(geo, personas)
    with pytest.raises(ValidationError) as caught:
        services.solicitation_withdraw(
            solicitation=solicitation, actor=personas.village_official, reason="  "
        )
    assert "reason" in caught.value.message_dict
    with pytest.raises(DomainError):
        services.solicitation_withdraw(
            solicitation=solicitation, actor=personas.other_county_official, reason="错发"
        )
    withdrawn = services.solicitation_withdraw(
        solicitation=solicitation, actor=personas.village_official, reason="上级政策调整，另行征集"
    )
    assert withdrawn.status == "withdrawn" and withdrawn.withdrawn_at is not None
    with pytest.raises(DomainError):
        services.solicitation_withdraw(
            solicitation=withdrawn, actor=personas.village_official, reason="再撤"
        )


def test_attachments_typed_by_content_limited_and_only_while_open_for_files(
    geo, personas, media, settings
):
    draft = make_draft(geo, personas)
    attachment = services.solicitation_attach(
        solicitation=draft, name="停车位示意图.pdf", data=PDF, actor=personas.village_official
    )
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.file.name.startswith(f"private/solicitations/{draft.pk}/")
    assert attachment.token not in ("", None) and len(attachment.token) == 32
    with pytest.raises(ValidationError) as caught:  # an executable renamed .pdf
        services.solicitation_attach(
            solicitation=draft,
            name="evil.pdf",
            data=b"MZ\x90\x00" + b"\x00" * 64,
            actor=personas.village_official,
        )
    assert "attachment" in caught.value.message_dict
    settings.PARTICIPATION_MAX_ATTACHMENT_BYTES = 10
    with pytest.raises(ValidationError):
        services.solicitation_attach(
            solicitation=draft, name="big.pdf", data=PDF, actor=personas.village_official
        )
    settings.PARTICIPATION_MAX_ATTACHMENT_BYTES = 1024 * 1024
    with pytest.raises(DomainError):
        services.solicitation_attach(
            solicitation=draft, name="a.pdf", data=PDF, actor=personas.other_county_official
        )
    published = services.solicitation_publish(solicitation=draft, actor=personas.village_official)
    services.solicitation_attach(
        solicitation=published, name="补充说明.pdf", data=PDF, actor=personas.village_official
    )
    services.solicitation_withdraw(
        solicitation=published, actor=personas.village_official, reason="另行征集"
    )
    with pytest.raises(DomainError):
        services.solicitation_attach(
            solicitation=published, name="late.pdf", data=PDF, actor=personas.village_official
        )
    assert draft.attachments.count() == 2


# --- opinions ----------------------------------------------------------------------------


def test_opinion_waits_for_moderation_and_signs_with_the_full_name(geo, personas):
    solicitation = make_open(geo, personas)
    opinion, created = submit(solicitation, personas.citizen)
    assert created and opinion.status == OpinionStatus.PENDING
    assert opinion.author_name == "赵磊" and opinion.region_id == geo.village.code
    other, _ = submit(solicitation, personas.resident, text="另一条意见", name="  杨阿姨 ")
    assert other.author_name == "杨阿姨"


def test_same_text_twice_returns_the_first(geo, personas):
    solicitation = make_open(geo, personas)
    first, created = submit(solicitation, personas.citizen, text="东门 增设 车位")
    again, created_again = submit(solicitation, personas.citizen, text=" 东门  增设\n车位 ")
    assert created and not created_again and again.pk == first.pk
    someone_else, created_else = submit(solicitation, personas.resident, text="东门 增设 车位")
    assert created_else and someone_else.pk != first.pk
    assert Opinion.objects.count() == 2


def test_empty_and_too_long_opinions_are_refused(geo, personas, settings):
    settings.PARTICIPATION_MAX_TEXT_CHARS = 20
    solicitation = make_open(geo, personas)
    with pytest.raises(ValidationError) as caught:
        submit(solicitation, personas.citizen, text="   ")
    assert "text" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        submit(solicitation, personas.citizen, text="很" * 21, name="名" * 41)
    assert set(caught.value.message_dict) == {"text", "name"}
    assert Opinion.objects.count() == 0


def test_opinions_only_while_the_window_is_open(geo, personas):
    now = timezone.now()
    upcoming = make_open(
        geo, personas, opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=8)
    )
    with pytest.raises(DomainError, match="尚未开始"):
        submit(upcoming, personas.citizen)
    ended = end_window(make_open(geo, personas, title="已截止的征集"))
    with pytest.raises(DomainError, match="已截止"):
        submit(ended, personas.citizen)
    withdrawn = services.solicitation_withdraw(
        solicitation=make_open(geo, personas, title="撤回的征集"),
        actor=personas.village_official,
        reason="另行征集",
    )
    with pytest.raises(DomainError, match="已撤回"):
        submit(withdrawn, personas.citizen)
    with pytest.raises(DomainError):
        submit(make_draft(geo, personas, title="草稿"), personas.citizen)
    assert Opinion.objects.count() == 0


def test_rate_limit_per_person_per_hour(geo, personas, settings):
    settings.PARTICIPATION_RATE_PER_USER = 2
    solicitation = make_open(geo, personas)
    submit(solicitation, personas.citizen, text="一")
    submit(solicitation, personas.citizen, text="二")
    with pytest.raises(RateLimited):
        submit(solicitation, personas.citizen, text="三")
    # A repeat of what was sent already is answered, not counted.
    assert submit(solicitation, personas.citizen, text="一")[1] is False
    assert submit(solicitation, personas.resident, text="三")[1] is True


@pytest.mark.django_db(transaction=True)
def test_two_identical_submissions_racing_return_one_opinion(geo, personas):
    """The second insert waits on the unique index until the first commits, then meets
    the constraint in its savepoint and returns the first one's row."""
    solicitation = make_open(geo, personas)
    inserted, release = threading.Event(), threading.Event()
    results = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = submit(solicitation, personas.citizen, text="并发的意见")
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            results["second"] = submit(solicitation, personas.citizen, text="并发的意见")
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    assert inserted.wait(10)
    b = threading.Thread(target=second)
    b.start()
    # Wait until the second session is blocked on the first one's row, then let go.
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.05)
    release.set()
    a.join(10)
    b.join(10)
    (opinion, created), (again, created_again) = results["first"], results["second"]
    assert created and not created_again and again.pk == opinion.pk
    assert Opinion.objects.count() == 1


# --- moderation --------------------------------------------------------------------------


def test_moderation_publish_hide_with_reason_and_hide_later(geo, personas):
    solicitation = make_open(geo, personas)
    opinion, _ = submit(solicitation, personas.citizen)
    with pytest.raises(ValidationError) as caught:
        services.opinion_moderate(opinion=opinion, actor=personas.village_official, publish=False)
    assert "reason" in caught.value.message_dict
    published = services.opinion_moderate(
        opinion=opinion, actor=personas.village_official, publish=True
    )
    assert published.status == "published" and published.moderated_by == personas.village_official
    with pytest.raises(DomainError):
        services.opinion_moderate(opinion=opinion, actor=personas.village_official, publish=True)
    hidden = services.opinion_moderate(
        opinion=opinion, actor=personas.village_official, publish=False, reason="含有他人隐私"
    )
    assert hidden.status == "hidden" and hidden.hidden_reason == "含有他人隐私"
    entries = audit_of(opinion).order_by("id")
    assert [e.action for e in entries] == ["publish", "reject"]
    assert entries[1].note == "含有他人隐私" and entries[1].unit == geo.village_committee


def test_hidden_needs_a_reason_in_the_database_too(geo, personas):
    opinion, _ = submit(make_open(geo, personas), personas.citizen)
    with pytest.raises(IntegrityError), transaction.atomic():
        Opinion.objects.filter(pk=opinion.pk).update(status="hidden", hidden_reason="")


@pytest.mark.parametrize(
    "outsider", ["other_county_official", "township_official", "county_supervisor", "resident"]
)
def test_officials_of_another_unit_cannot_moderate(geo, personas, outsider):
    opinion, _ = submit(make_open(geo, personas), personas.citizen)
    for publish in (True, False):
        with pytest.raises(DomainError):
            services.opinion_moderate(
                opinion=opinion, actor=getattr(personas, outsider), publish=publish, reason="无关"
            )
    assert Opinion.objects.get(pk=opinion.pk).status == "pending"


# --- groups and the report ---------------------------------------------------------------


@pytest.fixture
def ended_with_opinions(geo, personas):
    """An ended solicitation with three published opinions and one pending."""
    solicitation = make_open(geo, personas)
    for user, text in [
        (personas.citizen, "东门增设车位"),
        (personas.resident, "夜间禁止外来车辆"),
        (personas.township_official, "收费标准应公示"),
    ]:
        submit(solicitation, user, text=text)
    publish_all(solicitation, personas.village_official)
    submit(solicitation, personas.county_supervisor, text="还没审核的意见")
    return end_window(solicitation)


def test_groups_only_after_the_window_and_with_own_opinions(geo, personas):
    solicitation = make_open(geo, personas)
    opinion, _ = submit(solicitation, personas.citizen)
    publish_all(solicitation, personas.village_official)
    with pytest.raises(DomainError, match="截止后"):
        services.group_create(
            solicitation=solicitation,
            summary="增设车位",
            adoption="adopted",
            reason="",
            opinions=[opinion],
            actor=personas.village_official,
        )
    other = make_open(geo, personas, title="另一个征集")
    stranger, _ = submit(other, personas.citizen, text="别处的意见")
    publish_all(other, personas.village_official)
    end_window(solicitation)
    with pytest.raises(ValidationError) as caught:
        services.group_create(
            solicitation=solicitation,
            summary="增设车位",
            adoption="not_adopted",
            reason="",
            opinions=[opinion, stranger],
            actor=personas.village_official,
        )
    assert set(caught.value.message_dict) == {"reason", "opinions"}
    with pytest.raises(DomainError):
        services.group_create(
            solicitation=solicitation,
            summary="增设车位",
            adoption="adopted",
            reason="",
            opinions=[opinion],
            actor=personas.other_county_official,
        )
    group = services.group_create(
        solicitation=solicitation,
        summary="增设车位",
        adoption="adopted",
        reason="",
        opinions=[opinion],
        actor=personas.village_official,
    )
    assert group.seq == 1 and list(group.opinions.all()) == [opinion]
    with pytest.raises(ValidationError):
        services.group_update(group=group, actor=personas.village_official, opinions=[stranger])
    group = services.group_update(
        group=group, actor=personas.village_official, summary="增设临时车位", opinions=[]
    )
    assert group.summary == "增设临时车位" and not group.opinions.exists()
    change = audit_of(group).filter(action="change").get()
    assert change.changes["opinions"] == [[opinion.pk], []]


def test_refusal_needs_a_reason_in_the_database_too(geo, personas):
    solicitation = make_open(geo, personas)
    with pytest.raises(IntegrityError), transaction.atomic():
        OpinionGroup.objects.create(
            solicitation=solicitation, seq=1, summary="x", adoption="partly", reason=""
        )


def test_report_refused_before_the_window_ends(geo, personas):
    solicitation = make_open(geo, personas)
    with pytest.raises(DomainError, match="截止后"):
        services.report_publish(
            solicitation=solicitation, report="采纳情况", actor=personas.village_official
        )


def test_report_refused_while_opinions_are_pending_or_ungrouped(geo, personas, ended_with_opinions):
    solicitation = ended_with_opinions
    with pytest.raises(DomainError, match="待审核"):
        services.report_publish(
            solicitation=solicitation, report="采纳情况", actor=personas.village_official
        )
    pending = Opinion.objects.get(status="pending")
    services.opinion_moderate(
        opinion=pending, actor=personas.village_official, publish=False, reason="与本征集无关"
    )
    published = list(Opinion.objects.filter(status="published").order_by("id"))
    services.group_create(
        solicitation=solicitation,
        summary="关于车位",
        adoption="adopted",
        reason="",
        opinions=published[:2],
        actor=personas.village_official,
    )
    with pytest.raises(DomainError, match="1条已公开的意见未归类"):
        services.report_publish(
            solicitation=solicitation, report="采纳情况", actor=personas.village_official
        )
    with pytest.raises(ValidationError) as caught:
        services.report_publish(
            solicitation=solicitation, report="", actor=personas.village_official
        )
    assert "report" in caught.value.message_dict
    services.group_create(
        solicitation=solicitation,
        summary="收费公示",
        adoption="partly",
        reason="收费标准已公示，调整须经居民代表会议表决。",
        opinions=published[2:],
        actor=personas.village_official,
    )
    with pytest.raises(DomainError):
        services.report_publish(
            solicitation=solicitation, report="采纳情况", actor=personas.other_county_official
        )
    reported = services.report_publish(
        solicitation=solicitation,
        report="共收到意见4条，公开3条，采纳2条，部分采纳1条。",
        actor=personas.village_official,
    )
    assert reported.status == "reported" and reported.reported_by == personas.village_official
    assert audit_of(solicitation).filter(action="publish").count() == 2


def test_nothing_changes_in_the_groups_after_the_report(geo, personas, ended_with_opinions):
    solicitation = ended_with_opinions
    services.opinion_moderate(
        opinion=Opinion.objects.get(status="pending"),
        actor=personas.village_official,
        publish=False,
        reason="重复",
    )
    opinions = list(Opinion.objects.filter(solicitation=solicitation, status="published"))
    group = services.group_create(
        solicitation=solicitation,
        summary="全部意见",
        adoption="not_adopted",
        reason="不符合上级规定。",
        opinions=opinions,
        actor=personas.village_official,
    )
    services.report_publish(
        solicitation=solicitation, report="说明", actor=personas.village_official
    )
    with pytest.raises(DomainError):
        services.group_update(group=group, actor=personas.village_official, reason="改理由")
    with pytest.raises(DomainError):
        services.group_create(
            solicitation=solicitation,
            summary="新的一类",
            adoption="adopted",
            reason="",
            opinions=[],
            actor=personas.village_official,
        )
    with pytest.raises(DomainError):
        services.group_delete(group=group, actor=personas.village_official)
    with pytest.raises(DomainError):
        services.opinion_assign(opinion=opinions[0], group=None, actor=personas.village_official)
    with pytest.raises(DomainError):
        services.report_publish(
            solicitation=solicitation, report="再发一次", actor=personas.village_official
        )
    # Hiding stays possible (personal data found later); publishing a new one does not.
    hidden = services.opinion_moderate(
        opinion=opinions[0], actor=personas.village_official, publish=False, reason="含电话号码"
    )
    with pytest.raises(DomainError, match="反馈报告已发布"):
        services.opinion_moderate(opinion=hidden, actor=personas.village_official, publish=True)


def test_deleting_a_group_keeps_the_numbering(geo, personas, ended_with_opinions):
    solicitation = ended_with_opinions
    opinions = list(Opinion.objects.filter(status="published").order_by("id"))
    groups = [
        services.group_create(
            solicitation=solicitation,
            summary=f"第{i}类",
            adoption="adopted",
            reason="",
            opinions=[opinion],
            actor=personas.village_official,
        )
        for i, opinion in enumerate(opinions, start=1)
    ]
    services.opinion_moderate(
        opinion=opinions[0], actor=personas.village_official, publish=False, reason="重复"
    )
    services.opinion_moderate(
        opinion=Opinion.objects.get(status="pending"),
        actor=personas.village_official,
        publish=False,
        reason="无关",
    )
    with pytest.raises(DomainError, match="第1项意见归类中没有公开的意见"):
        services.report_publish(
            solicitation=solicitation, report="说明", actor=personas.village_official
        )
    services.group_delete(group=groups[0], actor=personas.village_official)
    assert list(solicitation.groups.values_list("seq", "summary")) == [(1, "第2类"), (2, "第3类")]
    assert Opinion.objects.get(pk=opinions[0].pk).group is None
    with pytest.raises(ValidationError):  # hidden: nothing to answer publicly
        services.opinion_assign(
            opinion=opinions[0], group=groups[1], actor=personas.village_official
        )
    services.opinion_assign(opinion=opinions[1], group=groups[2], actor=personas.village_official)
    assert Opinion.objects.get(pk=opinions[1].pk).group_id == groups[2].pk
    with pytest.raises(DomainError, match="第1项意见归类中没有公开的意见"):
        services.report_publish(
            solicitation=solicitation, report="说明", actor=personas.village_official
        )
    services.group_delete(group=groups[1], actor=personas.village_official)
    reported = services.report_publish(
        solicitation=solicitation, report="说明", actor=personas.village_official
    )
    assert reported.status == "reported"
    assert list(solicitation.groups.values_list("seq", "summary")) == [(1, "第3类")]
