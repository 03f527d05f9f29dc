"""Reads of neighbourhood mutual aid: one answer for the pages, the API and the admin.

Visibility is one rule (`aid_posts_visible`): a reader looking from place P sees the
posts whose scope place is P or encloses P, open ones until they expire, resolved ones
for good; hidden and removed posts never. Public doors receive `PublicAidPost` and
`PublicAidReply`, which hold the author's masked name (张*) and free text with phone,
ID and e-mail taken out (identity.public_text), never the model rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models import Value as V
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import AidCategory, AidKind, AidPost, AidReply, AidReport, AidScope
from participation.models import AidStatus as Status
from participation.permissions import aid_moderation_queryset, can_moderate_aid
from portal import hierarchy, identity
from portal.models import Region, Residency, ResidencyStatus


def _today() -> dt.date:
    return timezone.localdate()


def seen_from(code: str) -> list[str]:
    """The scope codes a reader at `code` sees: the place itself and every enclosing one."""
    return [hierarchy.normalize_code(code), *hierarchy.ancestor_codes(code)]


def verified_villages(user: Any) -> list[Region]:
    """The villages where this person is a verified resident, in code order."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    residencies = (
        Residency.objects.filter(user=user, status=ResidencyStatus.VERIFIED)
        .select_related("region")
        .order_by("region_id")
    )
    return [residency.region for residency in residencies]


def _reply_count() -> Subquery:
    replies = (
        AidReply.objects.filter(post=OuterRef("pk"), hidden_at__isnull=True)
        .order_by()
        .values("post")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Subquery(replies, output_field=IntegerField())


def aid_posts_visible(
    *,
    region: str,
    kind: str | None = None,
    category: str | None = None,
    status: str | None = None,
    today: dt.date | None = None,
) -> QuerySet[AidPost]:
    """The posts listed for a reader looking from `region`, newest first."""
    today = today or _today()
    live = Q(status=Status.OPEN, expires_on__gte=today)
    done = Q(status=Status.RESOLVED)
    if status == Status.OPEN:
        condition = live
    elif status == Status.RESOLVED:
        condition = done
    else:
        condition = live | done
    posts = AidPost.objects.filter(condition, scope_code__in=seen_from(region))
    if kind:
        posts = posts.filter(kind=kind)
    if category:
        posts = posts.filter(category=category)
    return (
        posts.select_related("region")
        .annotate(reply_count=_reply_count())
        .order_by("-created_at", "-id")
    )


def aid_post_for(user: Any, pk: int) -> AidPost | None:
    """One post for its own page: open or resolved for everyone (an expired one too, marked
    expired); hidden or removed only for its author and its moderators."""
    post = (
        AidPost.objects.select_related("region")
        .annotate(reply_count=_reply_count())
        .filter(pk=pk)
        .first()
    )
    if post is None:
        return None
    if post.status in (Status.OPEN, Status.RESOLVED):
        return post
    if user is not None and user.is_authenticated and post.author_id == user.pk:
        return post
    if can_moderate_aid(user, post):
        return post
    return None


def aid_replies(post: AidPost) -> list[PublicAidReply]:
    return [PublicAidReply.of(reply) for reply in post.replies.order_by("created_at", "id")]


def has_reported(user: Any, post: AidPost) -> bool:
    if not (user and user.is_authenticated):
        return False
    return AidReport.objects.filter(post=post, reporter=user).exists()


def aid_moderation_queue(user: Any) -> QuerySet[AidPost]:
    """The posts awaiting a moderator's decision in the places this person looks after:
    hidden posts first, then posts with reports, oldest first within each (the longest
    waiting); each with its reports not yet reviewed."""
    pending = AidReport.objects.filter(reviewed_at__isnull=True).order_by("created_at", "id")
    posts = AidPost.objects.filter(Q(status=Status.HIDDEN) | Q(report_count__gt=0))
    return (
        aid_moderation_queryset(posts, user)
        .select_related("region")
        .prefetch_related(Prefetch("reports", queryset=pending, to_attr="pending_reports"))
        .annotate(
            hidden_first=Case(
                When(status=Status.HIDDEN, then=V(0)), default=V(1), output_field=IntegerField()
            )
        )
        .order_by("hidden_first", "created_at", "id")
    )


def aid_posts_back_office(user: Any) -> QuerySet[AidPost]:
    """Every post in the places this person moderates (the admin list)."""
    return aid_moderation_queryset(AidPost.objects.all(), user).select_related("region")


# --- What the public sees ------------------------------------------------------------


def is_expired(post: AidPost, today: dt.date | None = None) -> bool:
    return post.status == Status.OPEN and post.expires_on < (today or _today())


@dataclass(frozen=True)
class PublicAidPost:
    """A post as the public reads it: masked author, contact data taken out of the text."""

    pk: int
    kind: str
    kind_label: str
    category: str
    category_label: str
    title: str
    text: str
    region_code: str
    region_name: str
    scope: str
    scope_label: str
    scope_code: str
    author: str
    created_at: dt.datetime
    expires_on: dt.date
    expired: bool
    status: str
    status_label: str
    resolved_at: dt.datetime | None
    reply_count: int
    # Only for a removed post, which only its author and moderators can open.
    moderation_note: str

    @classmethod
    def of(cls, post: AidPost, today: dt.date | None = None) -> PublicAidPost:
        return cls(
            pk=post.pk,
            kind=post.kind,
            kind_label=str(AidKind(post.kind).label),
            category=post.category,
            category_label=str(AidCategory(post.category).label),
            title=identity.public_text(post.title),
            text=identity.public_text(post.text),
            region_code=post.region_id,
            region_name=post.region.name,
            scope=post.scope,
            scope_label=str(AidScope(post.scope).label),
            scope_code=post.scope_code,
            author=identity.mask_name(post.author_name) or _("居民"),
            created_at=post.created_at,
            expires_on=post.expires_on,
            expired=is_expired(post, today),
            status=post.status,
            status_label=str(Status(post.status).label),
            resolved_at=post.resolved_at,
            reply_count=getattr(post, "reply_count", None) or 0,
            moderation_note=post.moderation_note if post.status == Status.REMOVED else "",
        )


@dataclass(frozen=True)
class PublicAidReply:
    """A reply as the public reads it; a hidden reply keeps its place but not its text."""

    pk: int
    author: str
    text: str
    created_at: dt.datetime
    hidden: bool

    @classmethod
    def of(cls, reply: AidReply) -> PublicAidReply:
        hidden = reply.hidden_at is not None
        return cls(
            pk=reply.pk,
            author=identity.mask_name(reply.author_name) or _("网友"),
            text="" if hidden else identity.public_text(reply.text),
            created_at=reply.created_at,
            hidden=hidden,
        )
