"""Rate limits on every public POST (issue 10).

Every URL pattern of the site (the admin's aside: it answers visitors and citizens with
the login page) is walked with get_resolver(). Each one, unless it is in the commented
exclusion list below, must refuse the POST after the limit, for a visitor per address and
for a signed-in citizen per person, with HTTP 429 and the Chinese reason, and the refused
request must write nothing to the database. A pattern added later is limited by the same
middleware (portal/auth/middleware.py) without anyone remembering to: this test fails if
it is not. ID numbers are also limited per number (residency applications).
"""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from portal.auth import middleware
from portal.models import Residency
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 2
MESSAGE = "提交过于频繁，请一小时后再试。"

# POSTs never refused, and why (the middleware's EXEMPT_VIEWS must say the same).
EXCLUDED = {
    # Signing out only ends the caller's own session and must always work.
    "logout",
    # Language and display mode (large type, high contrast) only set the caller's cookie;
    # refusing them would keep a reader out of the accessible layout.
    "set_language",
    "display-mode",
}
# Endpoints that must be among those walked: the public forms and API writes known today.
KNOWN_PUBLIC_POSTS = {
    "login",
    "login-second-step",
    "register",
    "residency-apply",
    "admin-login",
    "letter-write",
    "letter-track",
    "info-request-new",
    "info-request-track",
    "proxy-request-new",
    "proxy-track",
    "voucher-access",
    "mutual-aid-new",
    "mutual-aid-reply",
    "mutual-aid-report",
    "vote",
    "evaluation",
    "solicitation",
    "api-token",
    "api-letters",
    "api-info-requests",
    "api-proxy-requests",
    "api-proxy-request-rating",
    "api-voucher-access",
    "api-vote-ballots",
    "api-evaluation-ratings",
    "api-solicitation-opinions",
    "api-mutual-aid",
    "api-mutual-aid-replies",
    "api-mutual-aid-reports",
}
_SAMPLES = ("999999", "510118001001", "nothing")
_WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _walk(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            ns = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from _walk(item, prefix + str(item.pattern), ns)
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern), f"{namespace}{item.name or ''}"


def _concrete(route: str) -> str:
    """A URL for the route, every parameter filled with a value its converter accepts."""
    from django.urls.converters import get_converters

    converters = get_converters()

    def fill(match):
        kind = match.group(1) or "str"
        regex = converters[kind].regex
        return next(value for value in _SAMPLES if re.fullmatch(regex, value))

    path = re.sub(r"<(?:(\w+):)?\w+>", fill, route)
    return "/" + path.lstrip("^").rstrip("$")


def _site_patterns() -> list[tuple[str, str]]:
    seen = {}
    for route, name in _walk():
        if route.startswith("admin/") and name != "admin-login":
            continue
        seen.setdefault(name or route, _concrete(route))
    return sorted(seen.items())


PATTERNS = _site_patterns()
LIMITED = [(name, url) for name, url in PATTERNS if name not in EXCLUDED]


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.PORTAL_POST_RATE_PER_IP = LIMIT
    settings.PORTAL_POST_RATE_PER_USER = LIMIT
    settings.PORTAL_POST_RATE_LIMITS = {}
    cache.clear()


def _refused_without_writes(post) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = post()
    assert response.status_code == 429, response.status_code
    body = response.content.decode()
    assert MESSAGE in (
        response.json()["detail"]
        if response["Content-Type"].startswith("application/json")
        else body
    )
    assert int(response["Retry-After"]) > 0
    writes = [q["sql"] for q in queries.captured_queries if _WRITES.match(q["sql"])]
    assert writes == []


def test_the_walk_finds_every_known_public_post():
    names = {name for name, _url in PATTERNS}
    assert names >= KNOWN_PUBLIC_POSTS
    assert len(PATTERNS) > 100


def test_the_exclusions_are_the_middlewares():
    assert middleware.EXEMPT_VIEWS == EXCLUDED


@pytest.mark.parametrize(("name", "url"), LIMITED, ids=[name for name, _url in LIMITED])
def test_a_visitor_is_limited_per_address(client, geo, name, url):
    ip = f"10.20.{len(name)}.{sum(map(ord, name)) % 250 + 1}"
    for _i in range(LIMIT):
        response = client.post(url, {}, REMOTE_ADDR=ip)
        assert response.status_code != 429, f"{name} refused before the limit"
    _refused_without_writes(lambda: client.post(url, {}, REMOTE_ADDR=ip))
    # Another address is counted on its own.
    assert client.post(url, {}, REMOTE_ADDR="10.99.0.1").status_code != 429


@pytest.mark.parametrize(("name", "url"), LIMITED, ids=[name for name, _url in LIMITED])
def test_a_citizen_is_limited_per_person(client, personas, settings, name, url):
    settings.PORTAL_POST_RATE_PER_IP = 1000
    client.force_login(personas.citizen)
    for i in range(LIMIT):
        client.post(url, {}, REMOTE_ADDR=f"10.30.0.{i + 1}")
    if not client.session.get("_auth_user_id"):  # the view signed them out (login pages)
        client.force_login(personas.citizen)
    _refused_without_writes(lambda: client.post(url, {}, REMOTE_ADDR="10.30.1.1"))


@pytest.mark.parametrize("name", sorted(EXCLUDED))
def test_excluded_posts_are_never_refused(client, personas, name):
    url = dict(PATTERNS)[name]
    client.force_login(personas.citizen)
    for _i in range(LIMIT + 3):
        assert client.post(url, {"mode": "large"}).status_code != 429
        client.force_login(personas.citizen)


def test_an_api_citizen_with_a_token_is_counted_per_person(api, personas, settings):
    settings.PORTAL_POST_RATE_PER_IP = 1000
    api.as_user(personas.citizen)
    for i in range(LIMIT):
        api.post("/api/v1/letters/", {}, format="json", REMOTE_ADDR=f"10.40.0.{i + 1}")
    refused = api.post("/api/v1/letters/", {}, format="json", REMOTE_ADDR="10.40.1.1")
    assert refused.status_code == 429 and refused.json()["detail"] == MESSAGE


def test_officials_back_office_posts_are_not_counted(client, personas):
    client.force_login(personas.village_official)
    for _i in range(LIMIT + 2):
        assert client.post("/mutual-aid/moderation/", {}).status_code != 429


def test_one_id_number_is_limited_wherever_it_comes_from(client, geo, personas, settings):
    settings.PORTAL_POST_RATE_PER_IP = 1000
    settings.PORTAL_ID_CHECK_RATE_PER_TARGET = 2
    form = {"region": geo.village.code, "real_name": "王芳", "id_number": "11010519491231002X"}
    for i, user in enumerate((personas.citizen, personas.resident)):
        client.force_login(user)
        client.post("/accounts/residency/", form, REMOTE_ADDR=f"10.50.0.{i + 1}")
    before = Residency.objects.count()
    client.force_login(personas.township_official)  # a third person, a third address
    page = client.post("/accounts/residency/", form, REMOTE_ADDR="10.50.0.9")
    assert MESSAGE in page.content.decode()
    assert Residency.objects.count() == before
    # Another number from the same person is still checked.
    other = {**form, "id_number": "510118199001010011"}
    assert MESSAGE not in client.post("/accounts/residency/", other).content.decode()


def test_past_the_limit_even_the_right_password_is_refused(client, personas, settings):
    """The limit on the login page counts tries, not only failures: a visitor past it is
    refused even with the right password, with the reason, and is not signed in."""
    for _i in range(LIMIT):
        client.post("/accounts/login/", {"username": "citizen", "password": "wrong"})
    refused = client.post("/accounts/login/", {"username": "citizen", "password": PASSWORD})
    assert refused.status_code == 429 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_residents_sharing_an_address_are_counted_as_people(client, settings):
    """A village votes in one evening from the hall's Wi-Fi: past the per-address limit,
    a signed-in resident is still let through, until their address reaches the looser
    signed-in limit; a visitor from that address is refused at the plain one."""
    settings.PORTAL_POST_RATE_SIGNED_IN_ADDRESS_FACTOR = 3
    hall = "10.60.0.1"
    residents = [UserFactory(username=f"resident_{n}") for n in range(LIMIT * 3 + 1)]
    answers = []
    for resident in residents:
        client.force_login(resident)
        answers.append(client.post("/accounts/residency/", {}, REMOTE_ADDR=hall).status_code)
    assert 429 not in answers[: LIMIT * 3]
    assert answers[LIMIT * 3] == 429
    client.logout()
    assert client.post("/accounts/residency/", {}, REMOTE_ADDR="10.60.0.2").status_code != 429
    for _ in range(LIMIT):
        client.post("/accounts/residency/", {}, REMOTE_ADDR="10.60.0.3")
    assert client.post("/accounts/residency/", {}, REMOTE_ADDR="10.60.0.3").status_code == 429
