"""Mutual-aid posts of the demo: residents of 新津区 asking for and offering help over
the last two months, most seen in their village or township, some across the county or
the city; about a third resolved, some expired; replies from neighbours. In 平岗社区 two
posts have three reports each and wait in the moderation queue of the village official.

Written in bulk with the rules of the mutual-aid services: scope codes from
scope_code_for, a resolved post has its time, a post with three reports is hidden.
"""

from __future__ import annotations

import datetime as dt

from participation.demo.context import Context
from participation.demo.texts import AID_POSTS, NEED_REPLIES, OFFER_REPLIES, THANKS_REPLY
from participation.models import AidPost, AidReply, AidReport, AidScope, AidStatus
from participation.services.mutual_aid import scope_code_for

POSTS_PER_VILLAGE = 4
DAYS = 60
REPORT_REASONS = ("疑似广告信息", "内容与互助无关", "重复发布")


def aid_create(ctx: Context) -> int:
    """The demo's posts with their replies and reports; returns how many posts."""
    posts, plans = [], []
    for village in ctx.villages:
        count = POSTS_PER_VILLAGE * (4 if village is ctx.pinggang else 1)
        for _post in range(count):
            kind, category, title, text = ctx.rng.choice(AID_POSTS)
            scope = ctx.rng.choices(list(AidScope), weights=[5, 3, 1.5, 0.5])[0]
            created = ctx.now - dt.timedelta(minutes=ctx.rng.randrange(DAYS * 24 * 60))
            expires_on = created.date() + dt.timedelta(days=ctx.rng.randrange(7, 45))
            author = ctx.rng.choice(village.residents)
            resolved = ctx.rng.random() < 0.33
            posts.append(
                AidPost(
                    author=author,
                    author_name=author.full_name,
                    kind=kind,
                    category=category,
                    title=title,
                    text=text,
                    region=village.region,
                    scope=scope,
                    scope_code=scope_code_for(village.code, scope),
                    expires_on=expires_on,
                    status=AidStatus.RESOLVED if resolved else AidStatus.OPEN,
                    resolved_at=created + dt.timedelta(days=ctx.rng.randrange(1, 6))
                    if resolved
                    else None,
                )
            )
            plans.append((village, created))
    AidPost.objects.bulk_create(posts, batch_size=2000)
    replies, reply_times = [], []
    for post, (village, created) in zip(posts, plans, strict=True):
        post.created_at = created
        neighbours = [user for user in village.residents if user.pk != post.author_id]
        answers = NEED_REPLIES if post.kind == "need" else OFFER_REPLIES
        thread = [
            (ctx.rng.choice(neighbours), ctx.rng.choice(answers))
            for _reply in range(ctx.rng.choice((0, 0, 1, 1, 2, 3)))
        ]
        if thread and post.status == AidStatus.RESOLVED:
            thread.append((post.author, THANKS_REPLY))
        for number, (author, text) in enumerate(thread):
            replies.append(
                AidReply(post=post, author=author, author_name=author.full_name, text=text)
            )
            reply_times.append(min(created + dt.timedelta(hours=3 + 7 * number), ctx.now))
        if post.resolved_at and post.resolved_at > ctx.now:
            post.resolved_at = ctx.now
    AidPost.objects.bulk_update(posts, ["created_at", "resolved_at"], batch_size=2000)
    # auto_now_add stamps the load time: the replies' own times are set afterwards.
    AidReply.objects.bulk_create(replies, batch_size=2000)
    for reply, moment in zip(replies, reply_times, strict=True):
        reply.created_at = moment
    AidReply.objects.bulk_update(replies, ["created_at"], batch_size=2000)
    _reported(ctx)
    return len(posts)


def _reported(ctx: Context) -> None:
    """Two open posts of 平岗社区, each reported by three neighbours: hidden, waiting."""
    village = ctx.pinggang
    posts = list(
        AidPost.objects.filter(region=village.region, status=AidStatus.OPEN).order_by("id")[:2]
    )
    reports = []
    for post in posts:
        reporters = [u for u in village.residents if u.pk != post.author_id][:3]
        reports += [
            AidReport(post=post, reporter=user, reason=ctx.rng.choice(REPORT_REASONS))
            for user in reporters
        ]
        post.status, post.report_count = AidStatus.HIDDEN, len(reporters)
    AidReport.objects.bulk_create(reports)
    AidPost.objects.bulk_update(posts, ["status", "report_count"])
