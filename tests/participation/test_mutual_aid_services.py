"""The writes of mutual aid: who may post (verified residents, in their own villages), the
expiry and length rules, replies, author-only close, reports that hide a post at the
threshold (also when sent at the same moment), moderation by the officials of the place
and nobody else, hiding replies, and the hourly limit."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from participation.models import AidPost, AidReply, AidReport, AidStatus
from participation.services import mutual_aid as services
from participation.services.mutual_aid import AidConflict, AidRefused
from portal.models import AuditEntry, Residency, ResidencyStatus
from portal.ratelimit import RateLimited
from tests.factories import UserFactory
from tests.participation import test_mutual_aid_support as support
from tests.participation.test_mutual_aid_support import post, report_by

# The shared fixtures, made visible to pytest in this module.
aid_places = support.aid_places
aid_people = support.aid_people
fresh_rate_counters = support.fresh_rate_counters

pytestmark = pytest.mark.django_db


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- Posting ---------------------------------------------------------------------------


def test_a_verified_resident_posts_in_their_village(aid_people, aid_places):
    created = post(aid_people.author, aid_places.village.code, scope="township")
    created.refresh_from_db()
    assert created.status == AidStatus.OPEN
    assert created.author_name == "杨桂芳"  # the verified name, masked wherever shown
    assert created.region_id == "510118001001"
    assert created.scope_code == "510118001000"


@pytest.mark.parametrize(
    ("scope", "code"),
    [
        ("village", "510118001001"),
        ("township", "510118001000"),
        ("county", "510118000000"),
        ("city", "510100000000"),
    ],
)
def test_the_scope_code_is_the_place_at_that_tier_around_the_village(
    aid_people, aid_places, scope, code
):
    assert post(aid_people.author, aid_places.village, scope=scope).scope_code == code


def test_someone_without_a_verified_residency_is_refused_and_told_where_to_apply(
    geo, personas, aid_places
):
    with pytest.raises(AidRefused, match="/accounts/residency/"):
        post(personas.citizen, aid_places.village.code)
    pending = UserFactory(username="pending_resident")
    Residency.objects.create(
        user=pending,
        region=geo.village,
        real_name="钱多多",
        id_number_hash="1" * 64,
        id_number_masked="510118********0011",
        status=ResidencyStatus.PENDING,
    )
    with pytest.raises(AidRefused):
        post(pending, geo.village.code)
    assert not AidPost.objects.exists()


def test_the_place_must_be_one_of_the_authors_verified_villages(aid_people, aid_places):
    with pytest.raises(ValidationError) as exc:
        post(aid_people.author, aid_places.sibling_village.code)
    assert set(_errors(exc)) == {"region"}


def test_every_bad_field_is_named(aid_people, aid_places, settings):
    with pytest.raises(ValidationError) as exc:
        services.aid_post_create(
            user=aid_people.author,
            region=aid_places.village.code,
            kind="gift",
            category="",
            title="标" * 101,
            text="字" * (settings.PARTICIPATION_MAX_TEXT_CHARS + 1),
            scope="province",
            expires_on=None,
        )
    assert set(_errors(exc)) == {"kind", "category", "title", "text", "scope", "expires_on"}


@pytest.mark.parametrize(
    ("days", "ok"), [(-1, False), (0, False), (1, True), (90, True), (91, False)]
)
def test_expiry_is_after_today_and_at_most_90_days_ahead(aid_people, aid_places, days, ok):
    if ok:
        assert post(aid_people.author, aid_places.village, expires_in=days).pk
    else:
        with pytest.raises(ValidationError) as exc:
            post(aid_people.author, aid_places.village, expires_in=days)
        assert set(_errors(exc)) == {"expires_on"}


def test_the_text_limit_is_the_setting(aid_people, aid_places, settings):
    settings.PARTICIPATION_MAX_TEXT_CHARS = 20
    assert post(aid_people.author, aid_places.village, text="字" * 20).pk
    with pytest.raises(ValidationError) as exc:
        post(aid_people.author, aid_places.village, text="字" * 21)
    assert set(_errors(exc)) == {"text"}


def test_signed_out_is_refused(aid_places):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AidRefused):
        post(AnonymousUser(), aid_places.village)


# --- Replies and closing -----------------------------------------------------------------


def test_anyone_signed_in_replies_to_an_open_post(aid_people, aid_places, personas):
    created = post(aid_people.author, aid_places.village)
    reply = services.aid_reply_create(post=created, user=personas.citizen, text="我周三有空。")
    assert reply.author_name == "赵磊"
    with pytest.raises(ValidationError) as exc:
        services.aid_reply_create(post=created, user=personas.citizen, text="  ")
    assert set(_errors(exc)) == {"text"}


def test_no_reply_once_expired_or_resolved(aid_people, aid_places, personas):
    past = timezone.now() - dt.timedelta(days=10)
    expired = post(aid_people.author, aid_places.village, expires_in=3, now=past)
    with pytest.raises(AidConflict, match="有效期"):
        services.aid_reply_create(post=expired, user=personas.citizen, text="还需要吗？")
    # The last day still counts.
    last_day = post(aid_people.author, aid_places.village, expires_in=10, now=past)
    assert services.aid_reply_create(post=last_day, user=personas.citizen, text="我能帮忙。")
    resolved = post(aid_people.author, aid_places.village)
    services.aid_post_close(post=resolved, user=aid_people.author)
    with pytest.raises(AidConflict):
        services.aid_reply_create(post=resolved, user=personas.citizen, text="还需要吗？")


def test_only_the_author_closes_and_only_once(aid_people, aid_places):
    created = post(aid_people.author, aid_places.village)
    with pytest.raises(AidRefused):
        services.aid_post_close(post=created, user=aid_people.neighbours[0])
    closed = services.aid_post_close(post=created, user=aid_people.author)
    assert closed.status == AidStatus.RESOLVED and closed.resolved_at is not None
    with pytest.raises(AidConflict):
        services.aid_post_close(post=created, user=aid_people.author)


# --- Reports ---------------------------------------------------------------------------


def test_three_reports_from_different_people_hide_the_post(aid_people, aid_places):
    created = post(aid_people.author, aid_places.village)
    report_by(created, aid_people.neighbours[:2])
    created.refresh_from_db()
    assert (created.status, created.report_count) == (AidStatus.OPEN, 2)
    report_by(created, aid_people.neighbours[2:3])
    created.refresh_from_db()
    assert (created.status, created.report_count) == (AidStatus.HIDDEN, 3)
    # Hidden already: a fourth person has nothing left to report.
    with pytest.raises(AidConflict):
        report_by(created, aid_people.neighbours[3:4])


def test_three_reports_from_one_person_do_not(aid_people, aid_places):
    created = post(aid_people.author, aid_places.village)
    reporter = aid_people.neighbours[0]
    report_by(created, [reporter])
    for _ in range(2):
        with pytest.raises(AidConflict, match="已举报"):
            report_by(created, [reporter])
    created.refresh_from_db()
    assert (created.status, created.report_count) == (AidStatus.OPEN, 1)
    assert AidReport.objects.filter(post=created).count() == 1


def test_the_threshold_is_the_setting(aid_people, aid_places, settings):
    settings.PARTICIPATION_AID_REPORT_THRESHOLD = 2
    created = post(aid_people.author, aid_places.village)
    report_by(created, aid_people.neighbours[:2])
    created.refresh_from_db()
    assert created.status == AidStatus.HIDDEN


def test_authors_cannot_report_their_own_post(aid_people, aid_places):
    created = post(aid_people.author, aid_places.village)
    with pytest.raises(AidRefused):
        report_by(created, [aid_people.author])
    with pytest.raises(ValidationError) as exc:
        services.aid_report(post=created, user=aid_people.neighbours[0], reason=" ")
    assert set(_errors(exc)) == {"reason"}


def test_a_resolved_post_can_be_reported_and_hidden_too(aid_people, aid_places):
    created = post(aid_people.author, aid_places.village)
    services.aid_post_close(post=created, user=aid_people.author)
    report_by(created, aid_people.neighbours[:3])
    created.refresh_from_db()
    assert created.status == AidStatus.HIDDEN


def _run_together(calls) -> list:
    """Run each call in its own thread and database connection, all released at once."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what is asserted
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_reports_sent_at_the_same_moment_reach_exactly_the_threshold(aid_people, aid_places):
    created = post(aid_people.author, aid_places.village)
    results = _run_together(
        [
            lambda user=user: services.aid_report(post=created, user=user, reason="骗钱")
            for user in aid_people.neighbours
        ]
    )
    reports = [r for r in results if isinstance(r, AidReport)]
    refused = [r for r in results if isinstance(r, AidConflict)]
    assert (len(reports), len(refused)) == (3, 2), results
    created.refresh_from_db()
    assert (created.status, created.report_count) == (AidStatus.HIDDEN, 3)
    assert AidReport.objects.filter(post=created).count() == 3


@pytest.mark.django_db(transaction=True)
def test_one_person_reporting_twice_at_once_counts_once(aid_people, aid_places):
    created = post(aid_people.author, aid_places.village)
    reporter = aid_people.neighbours[0]
    results = _run_together(
        [lambda: services.aid_report(post=created, user=reporter, reason="广告")] * 2
    )
    assert sorted(type(r).__name__ for r in results) == ["AidConflict", "AidReport"]
    created.refresh_from_db()
    assert created.report_count == 1


# --- Moderation --------------------------------------------------------------------------


@pytest.fixture
def hidden(aid_people, aid_places) -> AidPost:
    created = post(aid_people.author, aid_places.village, text="出售保健品，包治百病。")
    report_by(created, aid_people.neighbours[:3], reason="广告")
    created.refresh_from_db()
    assert created.status == AidStatus.HIDDEN
    return created


@pytest.mark.parametrize("who", ["village_official", "township_official", "platform_admin"])
def test_officials_of_the_place_restore_a_hidden_post(hidden, personas, who):
    actor = getattr(personas, who)
    restored = services.aid_moderate(post=hidden, actor=actor, remove=False, note="")
    assert restored.status == AidStatus.OPEN
    assert restored.report_count == 0 and restored.moderated_by == actor
    # The reports stay, marked reviewed.
    assert AidReport.objects.filter(post=hidden, reviewed_at__isnull=False).count() == 3
    entry = AuditEntry.objects.get(object_id=str(hidden.pk), actor=actor)
    assert entry.changes == {"status": ["hidden", "open"]}
    assert entry.region_code == "510118001001"


@pytest.mark.parametrize(
    "who", ["other_county_official", "county_supervisor", "resident", "citizen"]
)
def test_nobody_else_moderates(hidden, personas, who):
    with pytest.raises(AidRefused):
        services.aid_moderate(post=hidden, actor=getattr(personas, who), remove=True, note="x")
    hidden.refresh_from_db()
    assert hidden.status == AidStatus.HIDDEN


def test_an_official_of_a_village_elsewhere_does_not_moderate(hidden, aid_people):
    with pytest.raises(AidRefused):
        services.aid_moderate(
            post=hidden, actor=aid_people.other_village_official, remove=True, note="广告"
        )


def test_restoring_a_post_that_had_been_resolved_keeps_it_resolved(
    aid_people, aid_places, personas
):
    created = post(aid_people.author, aid_places.village)
    services.aid_post_close(post=created, user=aid_people.author)
    report_by(created, aid_people.neighbours[:3])
    restored = services.aid_moderate(
        post=created, actor=personas.village_official, remove=False, note="经核实无问题"
    )
    assert restored.status == AidStatus.RESOLVED


def test_after_a_restore_it_takes_three_new_reporters_to_hide_again(hidden, aid_people, personas):
    services.aid_moderate(post=hidden, actor=personas.village_official, remove=False)
    report_by(hidden, aid_people.neighbours[3:5])
    hidden.refresh_from_db()
    assert (hidden.status, hidden.report_count) == (AidStatus.OPEN, 2)
    report_by(hidden, [aid_people.far_resident])
    hidden.refresh_from_db()
    assert hidden.status == AidStatus.HIDDEN


def test_remove_needs_a_note_and_is_final(hidden, personas):
    with pytest.raises(ValidationError) as exc:
        services.aid_moderate(post=hidden, actor=personas.township_official, remove=True, note="")
    assert set(_errors(exc)) == {"note"}
    removed = services.aid_moderate(
        post=hidden, actor=personas.township_official, remove=True, note="商业广告，不属于互助。"
    )
    assert removed.status == AidStatus.REMOVED
    assert removed.moderation_note == "商业广告，不属于互助。"
    entry = AuditEntry.objects.get(object_id=str(hidden.pk), action="withdraw")
    assert entry.note == "商业广告，不属于互助。"
    with pytest.raises(AidConflict):
        services.aid_moderate(post=hidden, actor=personas.township_official, remove=False)


def test_a_post_with_some_reports_can_be_cleared_and_one_without_cannot(
    aid_people, aid_places, personas
):
    created = post(aid_people.author, aid_places.village)
    with pytest.raises(AidConflict):
        services.aid_moderate(post=created, actor=personas.village_official, remove=False)
    report_by(created, aid_people.neighbours[:1])
    cleared = services.aid_moderate(post=created, actor=personas.village_official, remove=False)
    assert (cleared.status, cleared.report_count) == (AidStatus.OPEN, 0)


def test_moderators_hide_a_reply_with_a_reason(aid_people, aid_places, personas):
    created = post(aid_people.author, aid_places.village)
    reply = services.aid_reply_create(post=created, user=personas.citizen, text="加我微信。")
    with pytest.raises(AidRefused):
        services.aid_reply_hide(reply=reply, actor=personas.other_county_official, reason="广告")
    with pytest.raises(ValidationError):
        services.aid_reply_hide(reply=reply, actor=personas.village_official, reason="")
    hidden_reply = services.aid_reply_hide(
        reply=reply, actor=personas.village_official, reason="广告"
    )
    assert hidden_reply.hidden_at is not None
    assert AuditEntry.objects.filter(object_id=str(created.pk), note="广告").exists()
    with pytest.raises(AidConflict):
        services.aid_reply_hide(reply=reply, actor=personas.village_official, reason="广告")


# --- The hourly limit --------------------------------------------------------------------


def test_posts_replies_and_reports_share_an_hourly_limit(aid_people, aid_places, settings):
    settings.PARTICIPATION_RATE_PER_USER = 3
    author, neighbour = aid_people.author, aid_people.neighbours[0]
    first = post(author, aid_places.village)
    second = post(author, aid_places.village)
    services.aid_reply_create(post=first, user=author, text="补充：下午也可以。")
    with pytest.raises(RateLimited):
        post(author, aid_places.village)
    with pytest.raises(RateLimited):
        services.aid_reply_create(post=second, user=author, text="还有人吗？")
    assert AidPost.objects.count() == 2 and AidReply.objects.count() == 1
    # Another person has their own allowance.
    assert services.aid_report(post=first, user=neighbour, reason="重复发布").pk
