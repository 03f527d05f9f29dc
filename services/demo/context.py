"""What every part of the services demo shares: the random generator, the moment, the
author of the guides, and a few small helpers for dates and phones."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from portal.models import User

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Context:
    rng: random.Random
    now: dt.datetime
    today: dt.date
    # Who "wrote" the guides: the demo's platform administrator.
    author: User | None


def context_build(*, seed: int, now: dt.datetime) -> Context:
    author = (
        User.objects.filter(username="admin").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    return Context(
        rng=random.Random(f"{seed}:services"),
        now=now,
        today=timezone.localdate(now),
        author=author,
    )


def office_moment(ctx: Context, day: dt.date) -> dt.datetime:
    """A moment in office hours (8:30–17:30, Shanghai) on `day`."""
    minutes = ctx.rng.randint(8 * 60 + 30, 17 * 60 + 30)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=SHANGHAI)


def office_phone(ctx: Context) -> str:
    """A synthetic Chengdu office landline (028-8xxxxxxx)."""
    return f"028-8{ctx.rng.randrange(10**7):07d}"


def not_after(moment: dt.datetime, limit: dt.datetime) -> dt.datetime:
    return min(moment, limit)
