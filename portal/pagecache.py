"""Whole-page cache of the public pages for anonymous visitors, dropped on every publish.

What is cached: GET/HEAD of an allow-listed public page (CACHED_VIEWS, by URL name) by a
visitor with no session, answered 200 with HTML and nothing private about it (no cookie
set by the view, no private/no-store Cache-Control, no session change). Forms, accounts,
the admin, supervision, the API, exports and the kiosk are not on the list.

Key: scheme, host, path, the sorted query, the active language and the display mode
(large type, high contrast); the same entry answers GET and HEAD.

Invalidation is a content generation: one random value in the cache, replaced
(`invalidate()`, on transaction commit) whenever public content changes. An entry (one
per address, so old generations take no room) carries the generation read *before* its
page was rendered and is served only while that is still the current one: a page
rendered from data older than a withdrawal is never served after the withdrawal's
commit, even if it is stored after it. A hit costs one MGET (generation and entry). The
value is random rather than a counter, so a generation key lost to eviction or a restart
cannot come back as an old value that stale entries still carry. The only window is the
instant between COMMIT and the change (on_commit, before the writer's response returns).
With a read replica, pages rendered in the first seconds after a change
(settle_seconds()) are served but not stored: the replica may not have replayed it yet.
PORTAL_PAGE_CACHE_SECONDS bounds whatever a hook misses (bulk writes, nightly jobs);
0 switches the cache off.

The pages carry the header forms' CSRF token, which belongs to one visitor: it is
replaced by a placeholder before storing and by the visitor's own token on every hit
(and CsrfViewMiddleware then sets their cookie as usual). A page that shows the token
anywhere else is not stored.

A cache outage never breaks a page: errors are logged (class name only) and pages skip
the cache in this process for OUTAGE_RETRY_SECONDS. A generation change that could not
be written is owed, and written first by this process's next page or change.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model, signals
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _unmask_cipher_token, get_token
from django.utils.cache import patch_vary_headers
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode
from django.utils.translation import get_language

from portal.context_processors import display_mode

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 300
GENERATION_KEY = "pagecache:generation"
PAGE_KEY = "pagecache:page:{}"
OUTAGE_RETRY_SECONDS = 30
MAX_PAGE_BYTES = 2 * 1024 * 1024
HEADER = "X-Cache"

# Public pages by URL name: what every visitor sees alike once signed-out.
CACHED_VIEWS = frozenset(
    {
        # portal
        "home",
        "region",
        "units",
        "unit",
        # disclosure
        "records",
        "search",
        "record",
        "record-version",
        "catalog-item",
        "gazette",
        "gazette-issue",
        "annual-reports",
        "annual-report",
        # mailbox: published letters and their statistics
        "letters-public",
        "letter-public",
        "letters-stats",
        # participation
        "participation",
        "participation-stats",
        "votes",
        "vote",
        "evaluations",
        "evaluation",
        "solicitations",
        "solicitation",
        "decisions",
        "decision",
        "meetings",
        "meeting",
        "mutual-aid",
        "mutual-aid-post",
        # funds
        "fund-projects",
        "fund-project",
        "collectives",
        "collective",
        # services
        "service-guides",
        "service-guide",
        "service-guide-print",
        "approval-matters",
        "commitment-projects",
    }
)

_CSRF_INPUT = re.compile(
    rb'<input type="hidden" name="csrfmiddlewaretoken" value="[A-Za-z0-9]{%d}">' % CSRF_TOKEN_LENGTH
)
_CSRF_INPUT_START = b'<input type="hidden" name="csrfmiddlewaretoken" value="'
# '@' is never part of a token, and escaped page text cannot hold a raw <input> tag.
_CSRF_PLACEHOLDER = _CSRF_INPUT_START + b'@@pagecache-csrf@@">'
_TOKEN_LIKE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)
_UNCACHEABLE_CONTROL = ("private", "no-store", "no-cache", "max-age=0")


# --- The cache, guarded --------------------------------------------------------------


class _Health:
    """Per process: whether the cache may be tried now, and a generation change owed."""

    unavailable_until = 0.0
    bump_owed = False


def _available() -> bool:
    return time.monotonic() >= _Health.unavailable_until


def _failed(exc: Exception, doing: str) -> None:
    # The class name only: a message could echo a key, and keys hold addresses.
    logger.warning("page cache unavailable (%s): %s", doing, type(exc).__name__)
    _Health.unavailable_until = time.monotonic() + OUTAGE_RETRY_SECONDS


def seconds() -> int:
    return getattr(settings, "PORTAL_PAGE_CACHE_SECONDS", DEFAULT_SECONDS)


def cached_views() -> frozenset[str]:
    return frozenset(getattr(settings, "PORTAL_PAGE_CACHE_VIEWS", CACHED_VIEWS))


# --- Invalidation --------------------------------------------------------------------


def settle_seconds() -> int:
    """After a change, pages are served but not stored this long: long enough for a read
    replica (portal.dbrouter) to have replayed the change, so that a page read from a
    replica that lags cannot be stored under the new generation. None = the replica pin
    when a replica is configured, else 0."""
    value = getattr(settings, "PORTAL_PAGE_CACHE_SETTLE_SECONDS", None)
    if value is None:
        if "replica" not in settings.DATABASES:
            return 0
        value = getattr(settings, "PORTAL_REPLICA_PIN_SECONDS", 15)
    return value


def _new_generation() -> str:
    """A random value and, after a slash, the epoch second before which it is settling."""
    window = settle_seconds()
    settled_at = math.ceil(time.time() + window) if window > 0 else 0
    return f"{secrets.token_hex(8)}/{settled_at}"


def _settled(generation: str) -> bool:
    return time.time() >= int(generation.rpartition("/")[2])


def _bump() -> None:
    # Tried even while reads skip the cache: a withdrawal must not wait out the retry
    # interval of a process that saw one error (writes are rare, a failure costs ≤ 1 s).
    try:
        cache.set(GENERATION_KEY, _new_generation(), None)
    except Exception as exc:  # any cache failure: owe the change
        _Health.bump_owed = True
        _failed(exc, "invalidate")
    else:
        _Health.bump_owed = False


class _BumpOnCommit:
    """The generation change of one commit. The first change of a transaction leads; the
    later ones follow it and write only if it has not run (rolled back with a savepoint),
    so a transaction costs one cache write however many watched rows it saves."""

    def __init__(self, leader: _BumpOnCommit | None = None) -> None:
        self.leader = leader
        self.done = False

    def __call__(self) -> None:
        self.done = True
        if self.leader is not None:
            if self.leader.done:
                return
            self.leader.done = True  # its stand-in for the followers after this one
        _bump()


def invalidate(using: str = DEFAULT_DB_ALIAS) -> None:
    """Make every cached page unreachable once the current transaction commits (at
    once outside a transaction)."""
    if seconds() <= 0:
        return
    connection = connections[using]
    if not connection.in_atomic_block:
        _bump()
        return
    leader = getattr(connection, "_pagecache_leader", None)
    if leader is not None and leader.done:
        leader = None
    bump = _BumpOnCommit(leader)
    if leader is None:
        connection._pagecache_leader = bump
    transaction.on_commit(bump, using=using)


def watch(*models: type[Model], when: Callable[[Any], bool] | None = None) -> None:
    """Invalidate on every save and delete of these models (that `when` accepts):
    called from each app's ready() with the models its public pages show."""

    def changed(sender: type[Model], instance: Any, using: str, **kwargs: Any) -> None:
        if when is None or when(instance):
            invalidate(using)

    for model in models:
        uid = f"pagecache:{model._meta.label}"
        signals.post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
        signals.post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)


# --- The middleware ------------------------------------------------------------------


@dataclass
class _Lookup:
    key: str = ""
    generation: str | None = None
    hit: bool = False


def _key(request: HttpRequest) -> str:
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    language = getattr(request, "LANGUAGE_CODE", None) or get_language()
    parts = [
        request.scheme,
        request.get_host(),
        request.path,
        query,
        language,
        display_mode(request),
    ]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return PAGE_KEY.format(digest[:40])


def _well_formed(generation: Any) -> bool:
    return isinstance(generation, str) and generation.rpartition("/")[2].isdigit()


def _current_generation(found: dict[str, Any]) -> str | None:
    generation = found.get(GENERATION_KEY)
    if not _well_formed(generation):
        if generation is None:
            # After a flush or an eviction; concurrent first requests agree on one value.
            cache.add(GENERATION_KEY, _new_generation(), None)
        else:
            cache.set(GENERATION_KEY, _new_generation(), None)  # not ours: replaced
        generation = cache.get(GENERATION_KEY)
    return generation if _well_formed(generation) else None


def _without_tokens(request: HttpRequest, content: bytes) -> bytes | None:
    """The page with the visitor's CSRF token taken out, or None if it cannot be."""
    # Set once the request has a secret (its cookie, or get_token() while rendering):
    # without one no token can be on the page.
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content
    content = _CSRF_INPUT.sub(_CSRF_PLACEHOLDER, content)
    for candidate in _TOKEN_LIKE.findall(content):
        token = candidate.decode("ascii")
        if constant_time_compare(token, secret) or constant_time_compare(
            _unmask_cipher_token(token), secret
        ):
            return None  # the token shown some other way: not ours to rewrite
    return content


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in _UNCACHEABLE_CONTROL):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    return len(response.content) <= MAX_PAGE_BYTES


class PageCacheMiddleware:
    """Last in MIDDLEWARE: the language and the CSRF secret are known by then, and a hit
    still passes out through every other middleware (cookies, headers, Vary)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._candidate(request):
            return self.get_response(request)
        lookup = request._page_cache = _Lookup()
        response = self.get_response(request)
        if lookup.hit or lookup.generation is None:
            return response
        response[HEADER] = "MISS"
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        if _settled(lookup.generation) and _storable(request, response):
            self._store(request, response, lookup)
        return response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        lookup: _Lookup | None = getattr(request, "_page_cache", None)
        if lookup is None or request.resolver_match.view_name not in cached_views():
            return None
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            return None
        if not _available():
            return None
        try:
            if _Health.bump_owed:
                _bump()
            lookup.key = _key(request)
            found = cache.get_many([GENERATION_KEY, lookup.key])
            # Read before the page is rendered: see the module's docstring.
            lookup.generation = _current_generation(found)
        except Exception as exc:  # an outage must not break the page
            _failed(exc, "read")
            lookup.generation = None
            return None
        entry = found.get(lookup.key)
        if not isinstance(entry, tuple) or len(entry) != 3 or entry[0] != lookup.generation:
            return None
        lookup.hit = True
        return self._replay(request, entry)

    @staticmethod
    def _candidate(request: HttpRequest) -> bool:
        if request.method not in ("GET", "HEAD") or seconds() <= 0:
            return False
        cookies = request.COOKIES
        # A session may hold a signed-in user; a pending message is one visitor's.
        return (
            settings.SESSION_COOKIE_NAME not in cookies
            and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in cookies
        )

    @staticmethod
    def _store(request: HttpRequest, response: HttpResponse, lookup: _Lookup) -> None:
        content = _without_tokens(request, response.content)
        if content is None:
            return
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in ("content-length", "vary", HEADER.lower())
        ]
        try:
            cache.set(lookup.key, (lookup.generation, headers, content), seconds())
        except Exception as exc:  # an outage must not break the page
            _failed(exc, "store")

    @staticmethod
    def _replay(request: HttpRequest, entry: tuple[str, list, bytes]) -> HttpResponse:
        _generation, headers, content = entry
        if _CSRF_PLACEHOLDER in content:
            token = get_token(request).encode("ascii")
            content = content.replace(_CSRF_PLACEHOLDER, _CSRF_INPUT_START + token + b'">')
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        response[HEADER] = "HIT"
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response
