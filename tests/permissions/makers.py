"""One object of a model for one target unit, written straight to the database.

These are targets for the matrix, not the subject under test: the services' own rules
are tested in each app. A maker returns None where the model has no object for such a
unit (a residency belongs to a village, not to a bureau).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from portal.models import Membership, MembershipRole, Residency, ResidencyStatus, Unit, UnitKind
from tests.factories import UserFactory
from tests.permissions.world import World, digest

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def _now() -> dt.datetime:
    return timezone.now()


def _catalog_item():
    from disclosure.models import CatalogItem, CatalogTemplate

    # Under the first key catalogs.template_for tries, for every kind and tier: each
    # target unit publishes under it.
    template, _ = CatalogTemplate.objects.get_or_create(
        key="education_bureau",
        version=1,
        defaults={
            "is_current": True,
            "sector": "",
            "name": "矩阵测试目录",
            "unit_kinds": [k.value for k in UnitKind],
            "region_tiers": ["village", "township", "county", "city"],
            "source_digest": "0" * 64,
        },
    )
    item, _ = CatalogItem.objects.get_or_create(
        template=template,
        seq=1,
        defaults={
            "level1": "村务",
            "level2": "公开栏",
            "elements": "内容",
            "basis": "依据",
            "time_limit": "20个工作日",
            "responsible": "村委会",
            "channels": ["政府网站"],
            "audience": "全社会",
            "scope": "public",
            "mode": "主动",
            "level": "村级",
            "schedule_kind": "on_change",
        },
    )
    return item


def unit(w: World, u: Unit) -> Unit:
    return u


def membership(w: World, u: Unit) -> Membership:
    member = UserFactory(username=f"pm_member_{_n()}")
    return Membership.objects.create(user=member, unit=u, role=MembershipRole.EDITOR)


def residency(w: World, u: Unit) -> Residency | None:
    if u.kind != UnitKind.VILLAGE_COMMITTEE:
        return None
    applicant = UserFactory(username=f"pm_applicant_{_n()}")
    return Residency.objects.create(
        user=applicant,
        region=u.region,
        real_name="孙测试",
        id_number_hash=digest(f"residency{_n()}"),
        id_number_masked="510118********0035",
        status=ResidencyStatus.PENDING,
    )


def record(w: World, u: Unit):
    from disclosure.models import Record

    return Record.objects.create(
        unit=u,
        region=u.region,
        unit_kind=u.kind,
        item=_catalog_item(),
        title=f"{u.name}草稿{_n()}",
        info_date=dt.date(2026, 11, 2),
        author=w.users["platform_admin"],
    )


def publishing_setting(w: World, u: Unit):
    from disclosure.models import PublishingSetting

    return PublishingSetting.objects.create(unit=u, requires_review=True)


def gazette_issue(w: World, u: Unit):
    from disclosure.models import GazetteIssue

    n = _n()
    return GazetteIssue.objects.create(
        publisher=u, year=2026, number=n, cumulative=n, published_on=dt.date(2026, 10, 1)
    )


def annual_report(w: World, u: Unit):
    from disclosure.models import AnnualReport

    return AnnualReport.objects.create(unit=u, year=2025)


def info_request(w: World, u: Unit):
    from disclosure.models import InfoRequest

    n = _n()
    return InfoRequest.objects.create(
        tracking_code=f"PMIR{n:06d}",
        query_code="123456",
        unit=u,
        region=u.region,
        applicant_type="natural_person",
        applicant_name="钱测试",
        phone="13800000000",
        phone_hash=digest(f"phone{n}"),
        description="申请公开某项目的预算。",
        delivery="online",
        channel="online",
        submitted_at=_now(),
    )


def letter(w: World, u: Unit):
    from mailbox.models import Letter

    n = _n()
    return Letter.objects.create(
        tracking_code=f"PML{n:06d}",
        query_code="123456",
        unit=u,
        first_unit=u,
        region=u.region,
        type="consult",
        subject=f"咨询{n}",
        body="请问办理时间？",
        writer_name="周测试",
        phone="13900000000",
        phone_hash=digest(f"letter-phone{n}"),
        content_hash=digest(f"letter{n}"),
        received_at=_now(),
        due_at=_now() + dt.timedelta(days=7),
    )


def decision(w: World, u: Unit):
    from participation.models import Decision

    return Decision.objects.create(
        unit=u,
        region=u.region,
        created_by=w.users["platform_admin"],
        title=f"决议{_n()}",
        matter="修缮村道",
        category="project",
    )


def meeting(w: World, u: Unit):
    from participation.models import Meeting

    return Meeting.objects.create(
        unit=u,
        region=u.region,
        created_by=w.users["platform_admin"],
        kind="representatives",
        title=f"会议{_n()}",
        held_on=dt.date(2026, 10, 9),
        attendees="甲、乙、丙",
        attendee_count=3,
    )


def vote(w: World, u: Unit):
    from participation.models import Vote

    return Vote.objects.create(
        unit=u,
        region=u.region,
        created_by=w.users["platform_admin"],
        opens_at=_now() + dt.timedelta(days=1),
        closes_at=_now() + dt.timedelta(days=8),
        title=f"投票{_n()}",
        electorate_region=u.region,
    )


def solicitation(w: World, u: Unit):
    from participation.models import Solicitation

    return Solicitation.objects.create(
        unit=u,
        region=u.region,
        created_by=w.users["platform_admin"],
        opens_at=_now() + dt.timedelta(days=1),
        closes_at=_now() + dt.timedelta(days=8),
        title=f"征集{_n()}",
        body="征求意见稿",
    )


def evaluation_round(w: World, u: Unit):
    from participation.models import EvaluationRound

    return EvaluationRound.objects.create(
        unit=u,
        region=u.region,
        created_by=w.users["platform_admin"],
        opens_at=_now() + dt.timedelta(days=1),
        closes_at=_now() + dt.timedelta(days=8),
        title=f"评议{_n()}",
        year=2026,
        electorate_region=u.region,
    )


def voting_body(w: World, u: Unit):
    from participation.models import VotingBody

    return VotingBody.objects.create(
        unit=u, region=u.region, name=f"村民代表会议{_n()}", kind="representatives"
    )


def fund_project(w: World, u: Unit):
    from funds.models import FundProject

    return FundProject.objects.create(
        unit=u,
        region=u.region,
        year=2026,
        name=f"项目{_n()}",
        category="culture",
        budget=Decimal("10000.00"),
        stage_since=_now(),
        created_by=w.users["platform_admin"],
    )


def service_guide(w: World, u: Unit):
    from services.models import ServiceGuide

    return ServiceGuide.objects.create(
        unit=u,
        region=u.region,
        name=f"办事指南{_n()}",
        category="certificates",
        lowest_tier="village",
        applicants="本地居民",
        office_address="便民服务中心",
        office_hours="工作日",
        phone="028-80000000",
        verified_on=dt.date(2026, 9, 1),
        created_by=w.users["platform_admin"],
    )


def proxy_request(w: World, u: Unit):
    from services.models import ProxyRequest

    n = _n()
    return ProxyRequest.objects.create(
        tracking_code=f"PMP{n:06d}",
        query_code="123456",
        guide=service_guide(w, u),
        region=u.region,
        agent_unit=u,
        name="吴测试",
        phone="13700000000",
        phone_hash=digest(f"proxy{n}"),
        detail="代办社保卡",
        received_at=_now(),
        due_at=_now() + dt.timedelta(days=5),
    )


def aid_post(w: World, u: Unit):
    """A neighbour's request for help in the target's place, written by the citizen."""
    from participation.models import AidPost

    return AidPost.objects.create(
        author=w.users["citizen"],
        author_name="赵*",
        kind="need",
        category="errands",
        title=f"求助{_n()}",
        text="需要帮忙取快递。",
        region=u.region,
        scope="village",
        scope_code=u.region_id,
        expires_on=dt.date(2027, 1, 31),
    )


def aid_reply(w: World, u: Unit):
    """A reply under a post in the target's place, by the resident."""
    from participation.models import AidReply

    return AidReply.objects.create(
        post=aid_post(w, u), author=w.users["resident"], author_name="杨*", text="我可以帮忙。"
    )


def evaluation_flag(w: World, u: Unit):
    """The target's subject rated unfit two years running (DOMAIN.md §5)."""
    from participation.models import EvaluationFlag, EvaluationSubject

    subjects = [
        EvaluationSubject.objects.create(
            round=evaluation_round(w, u),
            kind="unit",
            subject_key=f"unit-{u.pk}",
            name=u.name,
            seq=1,
            year=year,
            unsatisfied=10,
        )
        for year in (2025, 2026)
    ]
    return EvaluationFlag.objects.create(
        subject=subjects[1], previous=subjects[0], unit=u, region=u.region
    )


def alert(w: World, u: Unit):
    """A funds warning raised about the target's place."""
    from funds.models import Alert

    return Alert.objects.create(
        kind="no_voucher",
        region=u.region,
        key=f"pm-alert-{_n()}",
        detail="一笔支出没有原始凭证。",
        raised_at=_now(),
    )


MAKERS: dict[str, Callable[[World, Unit], Any]] = {
    "portal.Unit": unit,
    "portal.Membership": membership,
    "portal.Residency": residency,
    "disclosure.Record": record,
    "disclosure.PublishingSetting": publishing_setting,
    "disclosure.GazetteIssue": gazette_issue,
    "disclosure.AnnualReport": annual_report,
    "disclosure.InfoRequest": info_request,
    "mailbox.Letter": letter,
    "participation.Decision": decision,
    "participation.Meeting": meeting,
    "participation.Vote": vote,
    "participation.Solicitation": solicitation,
    "participation.EvaluationRound": evaluation_round,
    "participation.VotingBody": voting_body,
    "funds.FundProject": fund_project,
    "services.ServiceGuide": service_guide,
    "services.ProxyRequest": proxy_request,
    "participation.AidPost": aid_post,
    "funds.Alert": alert,
    "participation.AidReply": aid_reply,
    "participation.EvaluationFlag": evaluation_flag,
}
