"""The page cache of anonymous public pages (portal.pagecache).

Real Redis when REDIS_URL is set (each test under its own key prefix), locmem otherwise.
Content changes go through the apps' services; their on-commit generation change is run
with django_capture_on_commit_callbacks(execute=True), as a real commit would.
"""

import datetime as dt
import re
import time
import uuid

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, TestCase
from django.urls import path

from disclosure import services as disclosure
from disclosure import views as disclosure_views
from disclosure.models import Record, RecordStatus, ScheduleKind
from mailbox.models import Letter
from portal import pagecache
from portal.models import Unit
from portal.urls import urlpatterns as portal_urlpatterns
from tests.disclosure.conftest import item_of, publish
from tests.mailbox.helpers import accept, at, reply, submit

pytestmark = pytest.mark.django_db

CITY = "/regions/510100000000/"
MIDDLEWARE = "portal.pagecache.PageCacheMiddleware"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


# --- Test-only pages, mounted beside the project's own ---------------------------------


def sets_a_cookie(request):
    response = disclosure_views.gazette_archive(request)
    response.set_cookie("seen", "1")
    return response


def token_in_a_meta_tag(request):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    return HttpResponse(f'<html><meta name="csrf" content="{get_token(request)}"></html>')


RACE_TITLE = "平岗社区低保对象名单（第三季度）"


def withdrawn_while_rendering(request):
    """Renders the records of the city, then the record is withdrawn and committed
    before the response leaves: the page in hand is already stale."""
    response = disclosure_views.record_list(request)
    record = Record.objects.filter(title=RACE_TITLE, status=RecordStatus.PUBLISHED).first()
    if record is not None:
        with committed():
            disclosure.record_withdraw(
                record=record, actor=record.author, reason="名单有误，更正后重新公布"
            )
    return response


urlpatterns = [
    path("test/cookie/", sets_a_cookie, name="test-cookie"),
    path("test/meta-token/", token_in_a_meta_tag, name="test-meta-token"),
    path("test/race/", withdrawn_while_rendering, name="test-race"),
    *portal_urlpatterns,
]


# --- Fixtures ------------------------------------------------------------------------


def _reset_health():
    pagecache._Health.unavailable_until = 0.0
    pagecache._Health.bump_owed = False


@pytest.fixture
def page_cache(settings):
    """The middleware switched on, over a cache of this test's own."""
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    settings.PORTAL_PAGE_CACHE_SETTLE_SECONDS = 0  # no replica to wait for
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE] + [MIDDLEWARE]
    settings.ROOT_URLCONF = __name__
    settings.PORTAL_PAGE_CACHE_VIEWS = pagecache.CACHED_VIEWS | {
        "test-cookie",
        "test-meta-token",
        "test-race",
    }
    prefix = f"test-pagecache-{uuid.uuid4().hex}"
    if settings.REDIS_URL:
        settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": prefix,
            }
        }
    _reset_health()
    yield settings
    from django.core.cache import cache

    try:
        cache.delete(pagecache.GENERATION_KEY)
    finally:
        _reset_health()


@pytest.fixture
def official(personas):
    return personas.village_official


def committed():
    """Run what a commit runs: each service call is its own transaction in real life."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def published(catalog, geo, official):
    with committed():
        return publish(
            geo.village_committee,
            official,
            title=RACE_TITLE,
            body="<p>本季度低保对象共12户，名单见附件。</p>",
        )


def html(response) -> str:
    return response.content.decode()


def without_tokens(content: bytes) -> str:
    return TOKEN.sub("", content.decode())


# --- Hits and misses -----------------------------------------------------------------


def test_second_anonymous_request_is_a_hit_without_queries(
    page_cache, published, client, django_assert_num_queries
):
    first = client.get(CITY)
    assert first.status_code == 200 and first["X-Cache"] == "MISS"
    assert RACE_TITLE in html(first)
    with django_assert_num_queries(0):
        second = client.get(CITY)
        head = client.head(CITY)
    assert second["X-Cache"] == "HIT" and head["X-Cache"] == "HIT"
    assert without_tokens(second.content) == without_tokens(first.content)
    assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"]
    assert second["Content-Language"] == "zh-hans"
    # The query string is part of the key, in any order.
    assert client.get("/records/", {"region": "510100000000", "page": 1})["X-Cache"] == "MISS"
    assert client.get("/records/?page=1&region=510100000000")["X-Cache"] == "HIT"
    # ... and escaped: one parameter holding "&page=2" is not two parameters.
    client.get("/records/?region=510100000000%26page%3D2")
    assert client.get("/records/?region=510100000000&page=2")["X-Cache"] == "MISS"


def test_signed_in_people_never_get_or_fill_the_cache(page_cache, published, geo, personas):
    with committed():
        residents_only = publish(
            geo.village_committee,
            personas.village_official,
            title="本村居民议事记录",
            scope="residents",
        )
    resident = Client()
    resident.force_login(personas.resident)
    seen = resident.get(CITY)
    assert "X-Cache" not in seen and residents_only.title in html(seen)

    anonymous = Client()
    first = anonymous.get(CITY)
    assert first["X-Cache"] == "MISS"  # the resident's visit filled nothing
    assert residents_only.title not in html(first)
    assert anonymous.get(CITY)["X-Cache"] == "HIT"

    again = resident.get(CITY)
    assert "X-Cache" not in again
    assert residents_only.title in html(again) and "我的账户" in html(again)


def test_a_session_cookie_or_a_pending_message_bypasses_the_cache(page_cache, published, client):
    client.get(CITY)
    client.cookies["sessionid"] = "not-a-session"
    assert "X-Cache" not in client.get(CITY)
    del client.cookies["sessionid"]
    client.cookies["messages"] = "something"
    assert "X-Cache" not in client.get(CITY)


def test_only_public_pages_on_the_list_are_cached(page_cache, published, geo, client):
    for address in (
        f"/letters/write/{geo.village_committee.pk}/",
        "/accounts/login/",
        "/letters/track/",
        "/tools/workdays/",
        "/api/v1/regions/",
        "/supervision/letters/",
    ):
        client.get(address)
        assert "X-Cache" not in client.get(address), address
    assert client.get("/records/does-not-exist/").status_code == 404
    missing = client.get("/records/999999999/")
    assert missing.status_code == 404 and missing["X-Cache"] == "MISS"
    assert client.get("/records/999999999/")["X-Cache"] == "MISS"  # errors are not kept


def test_switched_off_with_zero_seconds(page_cache, published, client):
    page_cache.PORTAL_PAGE_CACHE_SECONDS = 0
    client.get(CITY)
    assert "X-Cache" not in client.get(CITY)


# --- Invalidation --------------------------------------------------------------------


def test_a_withdrawn_record_is_gone_from_cached_pages(
    page_cache, published, official, client, django_capture_on_commit_callbacks
):
    detail = f"/records/{published.pk}/"
    for address in (detail, CITY, "/records/"):
        client.get(address)
        hit = client.get(address)
        assert hit["X-Cache"] == "HIT" and RACE_TITLE in html(hit)

    with django_capture_on_commit_callbacks(execute=True):
        disclosure.record_withdraw(record=published, actor=official, reason="名单有误")

    page = client.get(detail)
    assert page["X-Cache"] == "MISS"
    assert "该信息已撤回" in html(page) and "本季度低保对象共12户" not in html(page)
    for address in (CITY, "/records/"):
        page = client.get(address)
        assert page["X-Cache"] == "MISS" and RACE_TITLE not in html(page)


def test_a_record_restricted_to_residents_leaves_the_anonymous_pages(
    page_cache, published, official, client, django_capture_on_commit_callbacks
):
    listing = "/records/?region=510118000000"
    for address in (CITY, listing, f"/records/{published.pk}/"):
        client.get(address)
        assert client.get(address)["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        disclosure.record_update(
            record=published, actor=official, scope="residents", change_note="仅限本村居民查看"
        )

    assert RACE_TITLE not in html(client.get(CITY))
    assert RACE_TITLE not in html(client.get(listing))
    assert client.get(f"/records/{published.pk}/").status_code == 404


def test_a_new_record_shows_on_the_cached_city_page(
    page_cache, published, geo, official, client, django_capture_on_commit_callbacks
):
    client.get(CITY)
    assert client.get(CITY)["X-Cache"] == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        publish(geo.village_committee, official, title="平岗社区2026年第三季度财务收支公开")
    page = client.get(CITY)
    assert page["X-Cache"] == "MISS" and "平岗社区2026年第三季度财务收支公开" in html(page)


@pytest.fixture
def bumps(monkeypatch):
    """How many times the generation was changed."""
    calls = []
    real = pagecache._bump
    monkeypatch.setattr(pagecache, "_bump", lambda: (calls.append(1), real()))
    return calls


def test_a_draft_changes_nothing_cached(page_cache, catalog, geo, official, bumps):
    item = item_of(geo.village_committee, kind=ScheduleKind.ON_CHANGE)
    with committed():
        draft = disclosure.record_create(
            unit=geo.village_committee,
            item=item,
            title="草稿",
            info_date=dt.date(2026, 7, 1),
            actor=official,
        )
        disclosure.record_update(record=draft, actor=official, title="草稿（二）")
    assert bumps == []


def test_one_generation_change_per_commit(page_cache, catalog, geo, official, bumps):
    with committed():
        record = publish(geo.village_committee, official, title="一次提交")
        disclosure.record_update(
            record=record, actor=official, title="一次提交（更正）", change_note="更正标题"
        )
    assert len(bumps) == 1
    with committed():
        disclosure.record_withdraw(record=record, actor=official, reason="重复发布")
    assert len(bumps) == 2


def test_a_change_rolled_back_with_its_savepoint_leaves_the_others_due(
    page_cache, catalog, geo, official, bumps
):
    from django.db import transaction

    with committed():  # what the fixtures' writes left due
        geo.village_committee.save()
    bumps.clear()
    with committed():
        with pytest.raises(RuntimeError), transaction.atomic():
            geo.township_office.save()  # leads, then goes with its savepoint
            raise RuntimeError
        publish(geo.village_committee, official, title="回滚之后")
    assert len(bumps) == 1


def test_a_unit_renamed_shows_on_its_cached_place_page(
    page_cache, geo, client, django_capture_on_commit_callbacks
):
    county = "/regions/510118000000/"
    client.get(county)
    assert client.get(county)["X-Cache"] == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        unit = Unit.objects.get(pk=geo.county_bureau.pk)
        unit.name = "新津区教育和体育局"
        unit.save(update_fields=["name"])
    assert "新津区教育和体育局" in html(client.get(county))


def test_letters_invalidate_once_answered_not_when_written(
    page_cache, geo, personas, client, bumps, django_capture_on_commit_callbacks
):
    listing = "/letters/public/"
    client.get(listing)
    with committed():
        letter = submit(geo.village_committee, when=at(2026, 3, 2), subject="平岗路路灯不亮")
        accept(letter, personas.village_official, at(2026, 3, 2, 11))
    assert bumps == []
    assert client.get(listing)["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        reply(letter, personas.village_official, at(2026, 3, 3))
    page = client.get(listing)
    assert page["X-Cache"] == "MISS" and "平岗路路灯不亮" in html(page)
    assert Letter.objects.get(pk=letter.pk).replied_at is not None


def test_every_app_watches_its_public_models():
    from django.db.models.signals import post_delete, post_save

    from disclosure.models import AnnualReport, GazetteEntry
    from funds.models import Disbursement, FundProject, ProjectStage
    from participation.models import AidPost, Decision, Solicitation, Vote
    from portal.models import Region
    from services.models import ServiceGuide

    for model in (
        Record,
        GazetteEntry,
        AnnualReport,
        Letter,
        Vote,
        Decision,
        Solicitation,
        AidPost,
        FundProject,
        ProjectStage,
        Disbursement,
        ServiceGuide,
        Unit,
        Region,
    ):
        assert post_save.has_listeners(model) and post_delete.has_listeners(model), model


# --- Ordering: the generation is read before rendering --------------------------------


def test_a_page_rendered_before_a_withdrawal_is_never_served_after_it(
    page_cache, published, client
):
    stale = client.get("/test/race/")
    assert stale["X-Cache"] == "MISS" and RACE_TITLE in html(stale)  # rendered before
    assert Record.objects.get(pk=published.pk).status == RecordStatus.WITHDRAWN
    fresh = client.get("/test/race/")
    assert fresh["X-Cache"] == "MISS" and RACE_TITLE not in html(fresh)
    again = client.get("/test/race/")
    assert again["X-Cache"] == "HIT" and RACE_TITLE not in html(again)


def test_pages_read_while_a_replica_may_lag_are_not_stored(page_cache, published, official, client):
    from django.core.cache import cache

    page_cache.PORTAL_PAGE_CACHE_SETTLE_SECONDS = 60
    with committed():
        disclosure.record_withdraw(record=published, actor=official, reason="名单有误")
    assert client.get(CITY)["X-Cache"] == "MISS"
    assert client.get(CITY)["X-Cache"] == "MISS"  # served, not stored
    token = cache.get(pagecache.GENERATION_KEY).partition("/")[0]
    cache.set(pagecache.GENERATION_KEY, f"{token}/{int(time.time()) - 1}", None)  # 60 s on
    assert client.get(CITY)["X-Cache"] == "MISS"
    assert client.get(CITY)["X-Cache"] == "HIT"


# --- Key: language and display mode ---------------------------------------------------


def test_language_is_part_of_the_key(page_cache, published):
    chinese, english = Client(), Client(HTTP_ACCEPT_LANGUAGE="en")
    assert chinese.get(CITY)["X-Cache"] == "MISS"
    page = english.get(CITY)
    assert page["X-Cache"] == "MISS" and '<html lang="en"' in html(page)
    assert page["Content-Language"] == "en"
    page = english.get(CITY)
    assert page["X-Cache"] == "HIT" and '<html lang="en"' in html(page)
    page = chinese.get(CITY)
    assert page["X-Cache"] == "HIT" and '<html lang="zh-CN"' in html(page)
    by_cookie = Client()
    by_cookie.cookies["django_language"] = "en"
    page = by_cookie.get(CITY)
    assert page["X-Cache"] == "HIT" and '<html lang="en"' in html(page)


def test_display_mode_is_part_of_the_key(page_cache, published, client):
    client.get(CITY)
    large = Client()
    large.cookies["display"] = "large"
    page = large.get(CITY)
    assert page["X-Cache"] == "MISS" and "large-type" in html(page)
    assert large.get(CITY)["X-Cache"] == "HIT"
    assert "large-type" not in html(client.get(CITY))


# --- CSRF tokens and cookies ----------------------------------------------------------


def test_a_hit_carries_the_visitors_own_csrf_token(page_cache, published):
    first = Client(enforce_csrf_checks=True)
    page = first.get(CITY)
    first_secret = first.cookies["csrftoken"].value
    assert page["X-Cache"] == "MISS"

    second = Client(enforce_csrf_checks=True)
    page = second.get(CITY)
    assert page["X-Cache"] == "HIT"
    secret = page.cookies["csrftoken"].value  # set for this visitor, not stored
    tokens = TOKEN.findall(html(page))
    assert tokens and all(_unmask_cipher_token(t) == secret for t in tokens)
    assert secret != first_secret and first_secret not in html(page)
    assert "@@pagecache" not in html(page)
    # The forms of a cached page work for the visitor who got it.
    switched = second.post("/display/", {"mode": "large", "csrfmiddlewaretoken": tokens[0]})
    assert switched.status_code == 302


def test_a_page_that_sets_a_cookie_is_not_stored(page_cache, client):
    assert client.get("/test/cookie/")["X-Cache"] == "MISS"
    assert client.get("/test/cookie/")["X-Cache"] == "MISS"


def test_a_page_showing_the_token_elsewhere_is_not_stored(page_cache, client):
    first = client.get("/test/meta-token/")
    assert first["X-Cache"] == "MISS"
    assert client.get("/test/meta-token/")["X-Cache"] == "MISS"


# --- Outage ---------------------------------------------------------------------------


def test_a_cache_outage_does_not_break_pages_and_is_made_good_after(
    page_cache, published, official, client, caplog
):
    # The record pages: the place pages' counters (participation, mailbox) read the
    # cache themselves and do not survive an outage yet.
    listing, detail = "/records/?region=510100000000", f"/records/{published.pk}/"
    working = page_cache.CACHES
    page_cache.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    page = client.get(listing)
    assert page.status_code == 200 and RACE_TITLE in html(page)
    assert "X-Cache" not in page
    assert "page cache unavailable (read): ConnectionError" in caplog.text
    # While down, a withdrawal still commits; the change it owes the cache is kept.
    with committed():
        disclosure.record_withdraw(record=published, actor=official, reason="名单有误")
    assert pagecache._Health.bump_owed
    assert client.get(detail).status_code == 200

    page_cache.CACHES = working
    from django.core.cache import cache

    cache.set(pagecache.GENERATION_KEY, "before-the-outage/0", None)
    pagecache._Health.unavailable_until = 0.0  # the retry interval is over
    page = client.get(listing)
    assert page["X-Cache"] == "MISS" and RACE_TITLE not in html(page)
    assert not pagecache._Health.bump_owed
    assert cache.get(pagecache.GENERATION_KEY) != "before-the-outage/0"


def test_a_generation_key_lost_or_not_ours_is_replaced(page_cache, published, client):
    from django.core.cache import cache

    for foreign in (None, 42, "no-settle-time"):
        if foreign is None:
            cache.delete(pagecache.GENERATION_KEY)
        else:
            cache.set(pagecache.GENERATION_KEY, foreign, None)
        assert client.get(CITY)["X-Cache"] == "MISS"
        assert client.get(CITY)["X-Cache"] == "HIT"
