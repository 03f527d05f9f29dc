"""Looking at original vouchers with an ID number (凭身份证号查阅原始凭证).

A person gives a name and an ID number for a collective. When they are those of a
registered member (the ID number matched by its keyed hash, the name by its letters), the
person receives a short-lived grant: a random token, of which only a keyed hash is kept.
Every voucher opened under a grant is logged with the member's masked identity and served
marked with it (funds.watermark).

Wrong tries are counted under two keys, a keyed hash of (client address, collective) and
one of the ID number given, so neither one address trying many numbers nor many
addresses trying one number gets far: at FUNDS_ACCESS_MAX_FAILURES failures a key locks
for FUNDS_ACCESS_LOCK_MINUTES, doubled at each further lockout. A wrong name, a person who
is not a member and a malformed ID number are one and the same failure with one message,
so the answer never tells which it was, and the check character cannot be used to probe
for free. Nothing here logs a name or an ID number.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _

from funds import watermark
from funds.models import AccessLock, Collective, Member, Voucher, VoucherGrant, VoucherView
from portal import hierarchy, identity, lockout
from portal.models import AuditAction, Unit
from portal.ratelimit import ip_key
from portal.services.audit import audit_record
from portal.services.errors import Conflict, NotAllowed

logger = logging.getLogger(__name__)

# Purposes of the keyed hashes, so a hash of one kind never stands for another.
CLIENT_PURPOSE = "voucher_access_client"
ID_NUMBER_PURPOSE = "voucher_access_id"
GRANT_PURPOSE = "voucher_grant"
# Middle dots that people type in names of ethnic minorities (阿依古丽·买买提).
_NAME_DOTS = str.maketrans({"•": "·", "・": "·", "．": "·", ".": "·"})


class NoMatch(NotAllowed):
    """Name and ID number are not those of a member of the collective (HTTP 403)."""


class Locked(Conflict):
    """Too many wrong tries: no try is checked until `until` (HTTP 429 with Retry-After)."""

    def __init__(self, until: dt.datetime) -> None:
        self.until = until
        super().__init__(
            _("姓名或身份证号码输错次数过多，查阅已暂时锁定，请于 %(time)s 以后再试。")
            % {"time": lockout.until_text(until)}
        )

    def retry_after(self, now: dt.datetime | None = None) -> int:
        """Seconds until the lock ends, for the Retry-After header."""
        return lockout.seconds_left(self.until, now)


class VoucherUnavailable(Conflict):
    """The voucher's file cannot be served marked now (unreadable or missing)."""


def no_match_message() -> str:
    return _(
        "姓名或身份证号码与本集体登记的成员信息不符，不能查阅原始凭证。"
        "请核对后重试；连续输错 %(n)d 次将暂时锁定。"
    ) % {"n": settings.FUNDS_ACCESS_MAX_FAILURES}


def plain_name(value: str) -> str:
    """A name as typed, compared without spaces (half- or full-width) and with any middle
    dot written the same way."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(text.split()).translate(_NAME_DOTS)


def token_hash(token: str) -> str:
    return identity.keyed_hash(token, purpose=GRANT_PURPOSE)


def viewer_label(member: Member) -> str:
    """How the log and the watermark name a viewer: 王* 510118********0131."""
    return f"{identity.mask_name(member.real_name)} {member.id_number_masked}"


def _locks(keys: list[str]) -> list[AccessLock]:
    """The counters of `keys`, created when new and locked FOR UPDATE in key order, so
    simultaneous tries under one key are counted one after the other (a burst cannot get
    more tries than the limit) and two keys never deadlock."""
    AccessLock.objects.bulk_create([AccessLock(key=key) for key in keys], ignore_conflicts=True)
    return list(AccessLock.objects.select_for_update().filter(key__in=keys).order_by("key"))


def _count_failure(lock: AccessLock, now: dt.datetime) -> None:
    # The doubling rule is shared with sign-in lockouts (portal.lockout).
    lockout.count_failure(
        lock,
        now=now,
        max_failures=settings.FUNDS_ACCESS_MAX_FAILURES,
        base_minutes=settings.FUNDS_ACCESS_LOCK_MINUTES,
    )
    lock.save(update_fields=["failures", "lockouts", "locked_until", "last_failure_at"])


def _member_matching(collective: Collective, name: str, number: str) -> Member | None:
    member = Member.objects.filter(
        collective=collective, id_number_hash=identity.id_number_hash(number)
    ).first()
    if member is None or plain_name(member.real_name) != name:
        return None
    return member


def voucher_access_request(
    *,
    collective: Collective | None,
    name: str,
    id_number: str,
    client: str | None,
    user: Any = None,
    now: dt.datetime | None = None,
) -> tuple[VoucherGrant, str]:
    """A grant to `collective`'s vouchers for the member named by `name` and `id_number`,
    and its token (given once: only its hash is stored). `client` is the address asking.

    Raises ValidationError for missing input (not counted), NoMatch (403) for a wrong try,
    Locked (429) while either key is locked or when this try locks it.

    Deliberately not one atomic block around the refusal: the counters are written in a
    transaction that commits, then the refusal is raised, so a caller's rollback on the
    exception can never undo the count."""
    now = now or timezone.now()
    name = plain_name(name)
    number = identity.normalize_id_number(id_number)
    errors: dict[str, list[str]] = {}
    if collective is None:
        errors["collective"] = [_("请选择要查阅的集体经济组织。")]
    if not name:
        errors["name"] = [_("请填写姓名。")]
    if not number:
        errors["id_number"] = [_("请填写身份证号码。")]
    if errors or collective is None:
        raise ValidationError(errors)
    user = user if getattr(user, "is_authenticated", False) else None
    client_key = identity.keyed_hash(f"{client or ''}|{collective.pk}", purpose=CLIENT_PURPOSE)
    keys = [client_key]
    well_formed = identity.is_valid_id_number(number)
    # A malformed number is nobody's: counting it under its own key would lock nobody out.
    if well_formed:
        keys.append(identity.keyed_hash(number, purpose=ID_NUMBER_PURPOSE))

    with transaction.atomic():
        locks = _locks(keys)
        until = max(
            (lock.locked_until for lock in locks if lockout.is_locked(lock, now)), default=None
        )
        if until is not None:
            refusal: Conflict | NotAllowed = Locked(until)
        else:
            member = _member_matching(collective, name, number) if well_formed else None
            if member is not None:
                return _grant(
                    collective=collective,
                    member=member,
                    client=client,
                    user=user,
                    locks=locks,
                    client_key=client_key,
                    now=now,
                )
            for lock in locks:
                _count_failure(lock, now)
            locked = [lock.locked_until for lock in locks if lockout.is_locked(lock, now)]
            refusal = Locked(max(locked)) if locked else NoMatch(no_match_message())
    logger.info(
        "voucher access refused for collective %s: %s",
        collective.pk,
        "locked" if isinstance(refusal, Locked) else "no match",
    )
    raise refusal


def _grant(
    *,
    collective: Collective,
    member: Member,
    client: str | None,
    user: Any,
    locks: list[AccessLock],
    client_key: str,
    now: dt.datetime,
) -> tuple[VoucherGrant, str]:
    # Success clears the address's wrong tries (a family shares a phone); the ID number's
    # count stays, as tries on it may have come from elsewhere.
    for lock in locks:
        if lock.key == client_key and lock.failures:
            lock.failures = 0
            lock.save(update_fields=["failures"])
    token = secrets.token_urlsafe(32)
    grant = VoucherGrant.objects.create(
        token_hash=token_hash(token),
        member=member,
        collective=collective,
        user=user,
        expires_at=now + dt.timedelta(minutes=settings.FUNDS_VOUCHER_GRANT_MINUTES),
        client_hash=ip_key(client or ""),
    )
    audit_record(
        actor=user,
        action=AuditAction.GRANT,
        obj=grant,
        unit=collective.centre,
        changes={
            "collective": [None, collective.pk],
            "member": [None, member.id_number_masked],
            "expires_at": [None, str(grant.expires_at)],
        },
        note=_("凭身份证号查阅原始凭证"),
    )
    logger.info("voucher access granted for collective %s: grant %s", collective.pk, grant.pk)
    return grant, token


def grant_for(
    token: str | None, collective: Collective | int, *, now: dt.datetime | None = None
) -> VoucherGrant | None:
    """The unexpired grant `token` opens for `collective`, or None."""
    if not token:
        return None
    collective_id = collective.pk if isinstance(collective, Collective) else collective
    return (
        VoucherGrant.objects.select_related("member")
        .filter(
            token_hash=token_hash(token),
            collective_id=collective_id,
            expires_at__gt=now or timezone.now(),
        )
        .first()
    )


@transaction.atomic
def voucher_view(
    *, voucher: Voucher, grant: VoucherGrant, now: dt.datetime | None = None
) -> VoucherView:
    """Log that the grant's member looked at `voucher`. Refused unless the grant is
    unexpired and for the voucher's collective."""
    entry = voucher.entry
    if grant.collective_id != entry.collective_id or grant.expires_at <= (now or timezone.now()):
        raise NotAllowed(_("查阅授权已过期或不适用于该凭证，请重新核验身份。"))
    view = VoucherView.objects.create(
        voucher=voucher,
        grant=grant,
        region_id=entry.region_id,
        viewer=viewer_label(grant.member),
    )
    logger.info("voucher %s viewed under grant %s", voucher.pk, grant.pk)
    return view


def official_label(user: Any) -> str:
    """How the log names an official: their full name (officials act in their own name)."""
    return (user.full_name or user.get_username())[:80]


@transaction.atomic
def voucher_view_by_official(*, voucher: Voucher, official: Any) -> VoucherView:
    """Log that an official opened `voucher` in the back office. The caller has already
    decided they may (the entry is in their scoped list); the log names the unit of
    theirs that reads this collective (its centre, or a unit of the village or township),
    none for a supervisor or platform admin."""
    entry = voucher.entry
    collective = entry.collective
    places = [collective.region_id, *hierarchy.ancestor_codes(collective.region_id)[-1:]]
    unit = (
        Unit.objects.filter(memberships__user=official)
        .filter(Q(pk=collective.centre_id) | Q(region_id__in=places))
        .order_by(Case(When(pk=collective.centre_id, then=0), default=1), "pk")
        .first()
    )
    view = VoucherView.objects.create(
        voucher=voucher,
        official=official,
        unit=unit,
        region_id=entry.region_id,
        viewer=official_label(official),
    )
    logger.info("voucher %s viewed by official %s", voucher.pk, official.pk)
    return view


def watermark_text(view: VoucherView) -> str:
    """ASCII only: 510118********0131 2026-12-01 10:31 #42."""
    member = view.grant.member
    when = timezone.localtime(view.viewed_at).strftime("%Y-%m-%d %H:%M")
    return f"{member.id_number_masked} {when} #{view.grant_id}"


@transaction.atomic
def voucher_file(
    *, voucher: Voucher, grant: VoucherGrant, now: dt.datetime | None = None
) -> tuple[VoucherView, watermark.Stamped]:
    """Open `voucher` under `grant`: the view logged and the file marked with the viewer.
    A file that cannot be marked is refused (VoucherUnavailable) and, as it was not seen,
    the view is not logged: the transaction rolls back."""
    view = voucher_view(voucher=voucher, grant=grant, now=now)
    unavailable = VoucherUnavailable(_("该凭证文件暂时无法显示，请联系代理记账中心核对原件。"))
    try:
        with voucher.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        logger.warning("voucher %s: file missing from storage", voucher.pk)
        raise unavailable from None
    try:
        stamped = watermark.stamp(data, text=watermark_text(view), filename=voucher.original_name)
    except watermark.WatermarkError as exc:
        logger.warning("voucher %s: cannot be marked (%s)", voucher.pk, exc)
        raise unavailable from None
    return view, stamped
