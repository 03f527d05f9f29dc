"""Public reads on a PostgreSQL streaming replica (DATABASE_REPLICA_URL).

settings.DATABASES["replica"] exists only when DATABASE_REPLICA_URL is set. Then an
anonymous visitor's GET or HEAD reads from the replica; everything else reads from the
primary ("default"):

- no request at all: Celery tasks, management commands, the shell;
- signed-in people (officials, supervisors, residents) and API clients that send an
  Authorization header;
- every method but GET and HEAD; after a POST, PUT, PATCH or DELETE (or a GET that
  wrote) also the visitor's requests of the next PORTAL_REPLICA_PIN_SECONDS (a signed
  cookie), so that someone who has just submitted a letter sees it whatever the lag;
- the rest of a request once it has written anything;
- reads inside transaction.atomic, which must see the block's own writes;
- a replica that does not accept connections: the request reads from the primary and the
  process does not try the replica again for REPLICA_RETRY_SECONDS.

Writes always go to the primary; migrations run on the primary only.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "portal_primary"
PIN_SALT = "portal.dbrouter.pin"
DEFAULT_PIN_SECONDS = 15
# After a failed connection the replica is left alone this long (per process).
REPLICA_RETRY_SECONDS = 30
READ_METHODS = frozenset({"GET", "HEAD"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class _Reads:
    """What the current request may still read from the replica."""

    wrote: bool = False
    replica_checked: bool = False  # connected once in this request
    replica_failed: bool = False
    replica_used: bool = False


_reads: ContextVar[_Reads | None] = ContextVar("portal_replica_reads", default=None)


class _ReplicaHealth:
    down_until = 0.0  # time.monotonic() before which the replica is not tried

    @classmethod
    def usable(cls) -> bool:
        """Connect to the replica if not yet connected. A refused or timed-out connection
        is the cheap signal (DATABASE_REPLICA_CONNECT_TIMEOUT bounds it); the health check
        of a kept connection is the one Django would run on its first query anyway."""
        if time.monotonic() < cls.down_until or not replica_configured():
            return False
        try:
            replica = connections[REPLICA]
            replica.close_if_health_check_failed()
            replica.ensure_connection()
        except DatabaseError as exc:
            cls.down_until = time.monotonic() + REPLICA_RETRY_SECONDS
            logger.warning(
                "replica unreachable (%s); reading from the primary for %s s",
                exc.__class__.__name__,
                REPLICA_RETRY_SECONDS,
            )
            return False
        return True

    @classmethod
    def reset(cls) -> None:
        cls.down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads() -> Iterator[_Reads]:
    """Let the reads of this block go to the replica (under the rules above)."""
    state = _Reads()
    token = _reads.set(state)
    try:
        yield state
    finally:
        _reads.reset(token)


def replica_used() -> bool:
    """Whether the current request has read from the replica so far: what it rendered may
    be as old as the replica's lag (a page cache keyed on a content generation needs to
    know)."""
    state = _reads.get()
    return state is not None and state.replica_used


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        state = _reads.get()
        if state is None or state.wrote or state.replica_failed:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if not state.replica_checked:
            state.replica_checked = True
            state.replica_failed = not _ReplicaHealth.usable()
            if state.replica_failed:
                return DEFAULT_DB_ALIAS
        state.replica_used = True
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        state = _reads.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, REPLICA} else None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


def _pin_seconds() -> int:
    return getattr(settings, "PORTAL_REPLICA_PIN_SECONDS", DEFAULT_PIN_SECONDS)


def _pinned(request: HttpRequest) -> bool:
    value = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=PIN_SALT, max_age=_pin_seconds()
    )
    return value is not None


class ReplicaReadsMiddleware:
    """Decides per request whether reads may use the replica; place it after
    AuthenticationMiddleware. Not used at all without DATABASES["replica"]."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Session and user are loaded here, before the request may use the replica: a
        # session written a moment ago on the primary is found.
        eligible = (
            request.method in READ_METHODS
            and not _pinned(request)
            and "authorization" not in request.headers
            and not request.user.is_authenticated
        )
        if not eligible:
            response = self.get_response(request)
            wrote = False
        else:
            with replica_reads() as state:
                response = self.get_response(request)
            wrote = state.wrote
        if wrote or request.method in WRITE_METHODS:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=_pin_seconds(),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
