"""Rate limits for public submissions: fixed one-hour windows counted in the cache, so
they need no database rows. Every app's public POST asks `rate_check`.

When the cache (Redis) is down, counting goes on in a counter of this process with the
same keys and windows (portal.cachesafe notes the outage and logs one warning): a limit
then holds per web process instead of across all of them, and a submission is neither
refused with a 500 nor let through uncounted. The counts made during an outage are not
carried back into Redis when it returns: the window restarts there at what Redis held.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import cachesafe, identity
from portal.services.errors import DomainError

WINDOW_SECONDS = 3600
# Per process; big enough for an hour of one process's submitters.
_local = LocMemCache("portal-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


class RateLimited(DomainError):
    """Too many submissions from one person, phone or address in the current hour."""


def _count(store: BaseCache, counter: str) -> int:
    store.add(counter, 0, WINDOW_SECONDS)
    try:
        return store.incr(counter)
    except ValueError:  # evicted between add and incr
        store.set(counter, 1, WINDOW_SECONDS)
        return 1


def _count_anywhere(counter: str) -> int:
    if cachesafe.available():
        try:
            return _count(cache, counter)
        except Exception as exc:  # any cache failure: count in this process instead
            cachesafe.failed(exc, "rate limit")
    return _count(_local, counter)


def rate_check(checks: list[tuple[str, int]]) -> None:
    """Count one submission against each (key, hourly limit); raise RateLimited when any
    key is over its limit. Keys name what is counted, e.g. "mailbox:phone:<hash>"."""
    window = timezone.now().strftime("%Y%m%d%H")
    for key, limit in checks:
        if _count_anywhere(f"rate:{key}:{window}") > limit:
            raise RateLimited(_("提交过于频繁，请一小时后再试。"))


def ip_key(ip: str) -> str:
    """Addresses are personal data too: counted under a keyed hash, never in the clear."""
    return identity.keyed_hash(ip, purpose="ip")
