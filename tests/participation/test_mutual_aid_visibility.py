"""Who sees a post where: the scope matrix, expiry, hidden and removed posts, and the same
answer from the selector, the API and the page."""

import datetime as dt

import pytest
from django.utils import timezone

from participation.models import AidPost
from participation.selectors.mutual_aid import aid_posts_visible
from participation.services import mutual_aid as services
from tests.participation import test_mutual_aid_support as support
from tests.participation.test_mutual_aid_support import post, report_by

aid_places = support.aid_places
aid_people = support.aid_people
fresh_rate_counters = support.fresh_rate_counters

pytestmark = pytest.mark.django_db

SCOPES = ["village", "township", "county", "city"]

# Where 平岗社区's posts at each scope are listed (True) and where not.
MATRIX = {
    "village": {"village": True, "township": True, "county": True, "city": True},
    "sibling_village": {"village": False, "township": True, "county": True, "city": True},
    "township": {"village": False, "township": True, "county": True, "city": True},
    "far_village": {"village": False, "township": False, "county": True, "city": True},
    "other_township": {"village": False, "township": False, "county": True, "city": True},
    "county": {"village": False, "township": False, "county": True, "city": True},
    "city": {"village": False, "township": False, "county": False, "city": True},
    "other_county": {"village": False, "township": False, "county": False, "city": True},
    "other_village": {"village": False, "township": False, "county": False, "city": True},
}


@pytest.fixture
def scoped(aid_people, aid_places) -> dict[str, AidPost]:
    """One post from 平岗社区 at each scope."""
    return {
        scope: post(aid_people.author, aid_places.village, scope=scope, title=f"{scope}范围")
        for scope in SCOPES
    }


def _listed_scopes(posts, scoped) -> set[str]:
    ids = {p.pk if isinstance(p, AidPost) else p for p in posts}
    return {scope for scope, item in scoped.items() if item.pk in ids}


@pytest.mark.parametrize("reader", sorted(MATRIX))
def test_the_scope_matrix(aid_places, scoped, reader):
    code = getattr(aid_places, reader).code
    expected = {scope for scope, seen in MATRIX[reader].items() if seen}
    assert _listed_scopes(aid_posts_visible(region=code), scoped) == expected


@pytest.mark.parametrize("reader", ["village", "sibling_village", "county", "city", "far_village"])
def test_the_api_and_the_page_give_the_same_answer(client, aid_places, scoped, reader):
    code = getattr(aid_places, reader).code
    expected = {scope for scope, seen in MATRIX[reader].items() if seen}
    api = client.get(f"/api/v1/mutual-aid/?region={code}")
    assert api.status_code == 200
    assert _listed_scopes([row["id"] for row in api.json()["results"]], scoped) == expected
    page = client.get(f"/mutual-aid/?region={code}").content.decode()
    assert {scope for scope in SCOPES if f"{scope}范围" in page} == expected


def test_a_township_post_from_elsewhere_is_not_seen_here(aid_people, aid_places):
    far = post(aid_people.far_resident, aid_places.far_village, scope="township")
    assert far not in aid_posts_visible(region=aid_places.village.code)
    assert far in aid_posts_visible(region=aid_places.far_village.code)
    assert far in aid_posts_visible(region=aid_places.other_township.code)


def test_without_a_region_the_city_is_the_reader(client, scoped, settings):
    assert settings.PORTAL_ROOT_REGION == "510100000000"
    rows = client.get("/api/v1/mutual-aid/").json()["results"]
    assert _listed_scopes([row["id"] for row in rows], scoped) == {"city"}
    page = client.get("/mutual-aid/").content.decode()
    assert "city范围" in page and "county范围" not in page


def test_open_posts_drop_out_when_they_expire_resolved_ones_stay(aid_people, aid_places):
    village = aid_places.village.code
    past = timezone.now() - dt.timedelta(days=10)
    expired = post(aid_people.author, village, expires_in=9, now=past)  # ended yesterday
    last_day = post(aid_people.author, village, expires_in=10, now=past)  # ends today
    resolved_long_ago = post(aid_people.author, village, expires_in=3, now=past)
    services.aid_post_close(post=resolved_long_ago, user=aid_people.author)
    listed = set(aid_posts_visible(region=village))
    assert expired not in listed
    assert last_day in listed and resolved_long_ago in listed
    assert set(aid_posts_visible(region=village, status="open")) == {last_day}
    assert set(aid_posts_visible(region=village, status="resolved")) == {resolved_long_ago}


def test_an_expired_post_still_has_its_page_marked_expired(client, aid_people, aid_places):
    past = timezone.now() - dt.timedelta(days=10)
    expired = post(aid_people.author, aid_places.village, expires_in=3, now=past)
    html = client.get(f"/mutual-aid/{expired.pk}/").content.decode()
    assert "已过期" in html
    data = client.get(f"/api/v1/mutual-aid/{expired.pk}/").json()
    assert data["expired"] is True and data["status"] == "open"


def test_hidden_and_removed_posts_are_not_listed_and_404_to_the_public(
    client, api, aid_people, aid_places, personas
):
    village = aid_places.village.code
    hidden = post(aid_people.author, village, title="被举报的信息")
    report_by(hidden, aid_people.neighbours[:3])
    removed = post(aid_people.author, village, title="被屏蔽的信息")
    report_by(removed, aid_people.neighbours[:3])
    services.aid_moderate(post=removed, actor=personas.village_official, remove=True, note="广告")
    assert not aid_posts_visible(region=village).exists()
    for item in (hidden, removed):
        assert client.get(f"/mutual-aid/{item.pk}/").status_code == 404
        assert client.get(f"/api/v1/mutual-aid/{item.pk}/").status_code == 404
        # A neighbour (even one who reported it) does not see it either.
        client.force_login(aid_people.neighbours[0])
        assert client.get(f"/mutual-aid/{item.pk}/").status_code == 404
        assert (
            api.as_user(aid_people.neighbours[0]).get(f"/api/v1/mutual-aid/{item.pk}/").status_code
            == 404
        )
        client.logout()


def test_the_author_sees_why_their_post_was_removed(client, aid_people, aid_places, personas):
    removed = post(aid_people.author, aid_places.village)
    report_by(removed, aid_people.neighbours[:3])
    services.aid_moderate(
        post=removed, actor=personas.village_official, remove=True, note="含有商业广告。"
    )
    client.force_login(aid_people.author)
    html = client.get(f"/mutual-aid/{removed.pk}/").content.decode()
    assert "已被屏蔽" in html and "含有商业广告。" in html


def test_filters_by_kind_and_category(aid_people, aid_places):
    village = aid_places.village.code
    need = post(aid_people.author, village, kind="need", category="errands")
    offer = post(aid_people.author, village, kind="offer", category="repairs")
    assert list(aid_posts_visible(region=village, kind="offer")) == [offer]
    assert list(aid_posts_visible(region=village, category="errands")) == [need]
