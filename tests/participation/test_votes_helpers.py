"""Helpers shared by the vote tests (no tests here): votes made through the services,
and a clock pinned for the code paths that read timezone.now()."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from participation.models import Eligibility, Vote
from participation.services import votes as services

TITLE = "是否同意修建平岗社区文化广场"


def make_vote(geo, personas, *, publish: bool = True, options=("同意", "不同意"), **fields) -> Vote:
    """A vote of 平岗社区居委会 for the verified residents of 平岗社区, open since an hour
    ago for three days (published unless publish=False)."""
    now = timezone.now()
    values = {
        "unit": geo.village_committee,
        "actor": personas.village_official,
        "title": TITLE,
        "options": list(options),
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=3),
        "eligibility": Eligibility.RESIDENTS,
        "electorate_region": geo.village,
        **fields,
    }
    vote = services.vote_create(**values)
    if publish:
        vote = services.vote_publish(vote=vote, actor=values["actor"])
    return vote


def option_ids(vote: Vote) -> list[int]:
    return list(vote.options.order_by("seq").values_list("pk", flat=True))


def cast(vote: Vote, user, *indexes: int, now: dt.datetime | None = None):
    ids = option_ids(vote)
    return services.ballot_cast(
        vote=vote, voter=user, option_ids=[ids[i] for i in indexes or (0,)], now=now
    )


def after_close(vote: Vote) -> dt.datetime:
    return vote.closes_at + dt.timedelta(minutes=1)


@contextmanager
def frozen(instant: dt.datetime):
    """Every timezone.now() in the block returns `instant` (the page and API paths)."""
    with mock.patch("django.utils.timezone.now", return_value=instant):
        yield
