"""The cache as an optimisation only: figures and counters read through here are computed
without it when the cache (Redis) is down, so a cache outage slows public pages but never
breaks them (issue 10, "Redis stopped for a minute").

After a failure this process skips the cache for OUTAGE_RETRY_SECONDS: a Redis that is
unreachable rather than refusing would otherwise cost the socket timeout on every call.
Each failure logs one warning with the class name of the error only (a message could echo
a key, and keys hold hashed phones and addresses). portal.pagecache guards the page cache
the same way on its own; portal.ratelimit uses available()/failed() from here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

logger = logging.getLogger(__name__)

OUTAGE_RETRY_SECONDS = 30
T = TypeVar("T")
_MISSING = object()


class _Health:
    """Per process: the monotonic time before which the cache is not tried."""

    unavailable_until = 0.0


def available() -> bool:
    return time.monotonic() >= _Health.unavailable_until


def failed(exc: Exception, doing: str) -> None:
    """Note a cache failure: one warning, and no cache in this process for a while."""
    logger.warning(
        "cache unavailable (%s): %s; working without it for %d s",
        doing,
        type(exc).__name__,
        OUTAGE_RETRY_SECONDS,
    )
    _Health.unavailable_until = time.monotonic() + OUTAGE_RETRY_SECONDS


def reset() -> None:
    """Try the cache again at once (tests, and after a known recovery)."""
    _Health.unavailable_until = 0.0


def get_or_compute(key: str, compute: Callable[[], T], seconds: int) -> T:
    """The cached value of `key`, else compute() stored for `seconds`. Without a cache
    (seconds <= 0, or the cache failing) compute() is simply returned; an error raised by
    compute() itself is not the cache's and propagates."""
    if seconds <= 0 or not available():
        return compute()
    try:
        value = cache.get(key, _MISSING)
    except Exception as exc:  # any cache failure: the figures come from the database
        failed(exc, "read")
        return compute()
    if value is not _MISSING:
        return value
    value = compute()
    try:
        cache.set(key, value, seconds)
    except Exception as exc:  # stored next time
        failed(exc, "store")
    return value
