"""Rate limits for public submissions: fixed one-hour windows counted in the cache, so
they need no database rows. Every app's public POST asks `rate_check`."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import identity
from portal.services.errors import DomainError

WINDOW_SECONDS = 3600


class RateLimited(DomainError):
    """Too many submissions from one person, phone or address in the current hour."""


def rate_check(checks: list[tuple[str, int]]) -> None:
    """Count one submission against each (key, hourly limit); raise RateLimited when any
    key is over its limit. Keys name what is counted, e.g. "mailbox:phone:<hash>"."""
    window = timezone.now().strftime("%Y%m%d%H")
    for key, limit in checks:
        counter = f"rate:{key}:{window}"
        cache.add(counter, 0, WINDOW_SECONDS)
        try:
            count = cache.incr(counter)
        except ValueError:  # evicted between add and incr
            cache.set(counter, 1, WINDOW_SECONDS)
            count = 1
        if count > limit:
            raise RateLimited(_("提交过于频繁，请一小时后再试。"))


def ip_key(ip: str) -> str:
    """Addresses are personal data too: counted under a keyed hash, never in the clear."""
    return identity.keyed_hash(ip, purpose="ip")
