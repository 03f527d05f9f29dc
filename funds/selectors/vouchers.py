"""Reads of voucher viewing: a collective's entries that carry vouchers (what a member with
a grant looks through), a voucher to serve, and the logs of who looked, scoped by
funds.permissions for the supervisory committee, the township and supervisors.

Vouchers of every booked entry are shown to a member, not only of months already
published: checking the originals against the books is the point of looking.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from funds.models import Collective, LedgerEntry, Voucher, VoucherGrant, VoucherView
from funds.permissions import voucher_logs_visible


def collective_public(pk: int) -> Collective | None:
    return Collective.objects.select_related("region").filter(pk=pk).first()


def entries_with_vouchers(
    collective: Collective | int, *, year: int | None = None
) -> QuerySet[LedgerEntry]:
    """The collective's entries that have at least one voucher, newest first, with their
    subject and vouchers loaded (three queries however many rows)."""
    entries = (
        LedgerEntry.objects.filter(collective=collective)
        .filter(Exists(Voucher.objects.filter(entry=OuterRef("pk"))))
        .select_related("subject")
        .prefetch_related(Prefetch("vouchers", queryset=Voucher.objects.order_by("id")))
        .order_by("-booked_on", "-id")
    )
    if year is not None:
        entries = entries.filter(booked_on__year=year)
    return entries


def voucher_years(collective: Collective | int) -> list[int]:
    """The years in which the collective booked entries with vouchers, newest first."""
    days = (
        LedgerEntry.objects.filter(collective=collective)
        .filter(Exists(Voucher.objects.filter(entry=OuterRef("pk"))))
        .dates("booked_on", "year", order="DESC")
    )
    return [day.year for day in days]


@dataclass
class Month:
    first_day: dt.date
    entries: list[LedgerEntry] = field(default_factory=list)


def by_month(entries: Any) -> list[Month]:
    """Entries (newest first) grouped under the month they were booked in."""
    months: list[Month] = []
    for entry in entries:
        first = entry.booked_on.replace(day=1)
        if not months or months[-1].first_day != first:
            months.append(Month(first_day=first))
        months[-1].entries.append(entry)
    return months


def voucher_public(pk: int) -> Voucher | None:
    """A voucher with its entry: whether it may be served is the grant's question."""
    return Voucher.objects.select_related("entry").filter(pk=pk).first()


def voucher_views_for(user: Any) -> QuerySet[VoucherView]:
    """The views of vouchers `user` may read the log of (funds.permissions)."""
    views = VoucherView.objects.select_related(
        "voucher__entry__collective", "grant__collective", "region", "official", "unit"
    ).order_by("-viewed_at", "-id")
    return voucher_logs_visible(views, user)


def voucher_grants_for(user: Any) -> QuerySet[VoucherGrant]:
    """The grants given for collectives whose voucher log `user` reads."""
    grants = VoucherGrant.objects.select_related("member", "collective", "user").order_by(
        "-granted_at", "-id"
    )
    return voucher_logs_visible(grants, user, field="collective__region")
