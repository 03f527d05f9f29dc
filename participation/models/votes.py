"""Democratic votes (民主投票): online ballots, one per person by a unique key, and paper
ballots counted at a meeting and entered by officials in audited batches."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from participation.models.common import Electorate, OwnedByUnit, Window


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class Quorum(models.TextChoices):
    NONE = "none", _("不设参与率要求")
    HALF = "half", _("过半数参与")
    TWO_THIRDS = "two_thirds", _("三分之二以上参与")
    COUNT = "count", _("不少于规定人数参与")


class Vote(OwnedByUnit, Window, Electorate):
    title = models.CharField(_("表决事项"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    multiple = models.BooleanField(_("可多选"), default=False)
    max_choices = models.PositiveSmallIntegerField(_("最多可选"), default=1)
    secret = models.BooleanField(
        _("无记名投票"), default=True, help_text=_("无记名投票不保存投票人与所投选项的对应关系。")
    )
    results_live = models.BooleanField(
        _("实时公布结果"), default=False, help_text=_("关闭时，结果在投票截止后才公布。")
    )
    allow_change = models.BooleanField(_("截止前可改票"), default=False)
    quorum = models.CharField(
        _("参与率要求"), max_length=16, choices=Quorum.choices, default=Quorum.HALF
    )
    quorum_count = models.PositiveIntegerField(_("规定人数"), null=True, blank=True)
    # Most villagers are not on the portal: a vote counted at a meeting needs the size of
    # the whole electorate, from the village register, to measure turnout and quorum.
    registered_count = models.PositiveIntegerField(
        _("名册人数"),
        null=True,
        blank=True,
        help_text=_(
            "按村（居）民名册统计的有投票资格人数（户代表投票填户数），用于计算参与率；"
            "不填则按平台上已核实的人数计算。"
        ),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=VoteStatus.choices, default=VoteStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)
    # Frozen when the vote closes: how many could vote, and the final tally.
    eligible_count = models.PositiveIntegerField(_("有投票资格人数"), null=True, blank=True)
    result = models.JSONField(_("投票结果"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("民主投票")
        verbose_name_plural = _("民主投票")
        ordering = ["-opens_at", "-id"]
        indexes = [
            models.Index(fields=["region", "-opens_at"], name="vote_region_opens"),
            models.Index(
                fields=["closes_at"], condition=Q(status="published"), name="vote_open_closes"
            ),
        ]
        constraints = [
            *Electorate.electorate_constraints("vote"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="vote_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(max_choices__gte=1) & (Q(multiple=True) | Q(max_choices=1)),
                name="vote_choice_count",
            ),
            models.CheckConstraint(
                condition=~Q(quorum="count") | Q(quorum_count__gte=1),
                name="vote_quorum_count_given",
            ),
            models.CheckConstraint(
                condition=Q(registered_count__isnull=True)
                | Q(registered_count__gte=1, eligibility__in=["residents", "households"]),
                name="vote_register_for_residents",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="vote_cancel_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="vote_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class VoteOption(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="options")
    seq = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("选项"), max_length=200)

    class Meta:
        verbose_name = _("投票选项")
        verbose_name_plural = _("投票选项")
        ordering = ["vote", "seq"]
        constraints = [models.UniqueConstraint(fields=["vote", "seq"], name="vote_option_seq")]

    def __str__(self) -> str:
        return self.text


class Ballot(models.Model):
    """One person's online ballot. `voter_key` is a keyed hash of (vote, person): the
    unique constraint on it is what makes one person one ballot, under any concurrency.
    For a secret vote `voter` stays empty, so no row ties a person to their choices."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    voter_key = models.CharField(max_length=64, editable=False)
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("投票人"),
    )
    cast_at = models.DateTimeField(_("投票时间"), auto_now_add=True)
    changed_at = models.DateTimeField(_("改票时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("网上选票")
        verbose_name_plural = _("网上选票")
        ordering = ["vote", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "voter_key"], name="ballot_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.vote_id} · {self.pk}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(VoteOption, on_delete=models.PROTECT, related_name="+")
    # Copied from the ballot so a tally is one GROUP BY on this table.
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("所选选项")
        verbose_name_plural = _("所选选项")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "option"], name="ballot_choice_once")
        ]
        indexes = [models.Index(fields=["vote", "option"], name="ballot_choice_tally")]

    def __str__(self) -> str:
        return f"{self.ballot_id} → {self.option_id}"


class PaperBatch(models.Model):
    """Paper ballots counted at a meeting, entered by an official. A mistaken batch is
    voided with a reason, never edited or deleted."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="paper_batches")
    counted_on = models.DateField(_("计票日期"))
    ballots = models.PositiveIntegerField(_("收回选票数"))
    invalid = models.PositiveIntegerField(_("无效票数"), default=0)
    note = models.CharField(_("说明"), max_length=300, help_text=_("例如：居民代表会议现场计票"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("录入人"),
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("作废人"),
    )
    void_reason = models.CharField(_("作废原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("纸质选票计票")
        verbose_name_plural = _("纸质选票计票")
        ordering = ["vote", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(invalid__lte=F("ballots")), name="paper_invalid_within_ballots"
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="paper_void_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vote} · {self.counted_on} · {self.ballots}"


class PaperCount(models.Model):
    batch = models.ForeignKey(PaperBatch, on_delete=models.CASCADE, related_name="counts")
    option = models.ForeignKey(VoteOption, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(_("得票数"))

    class Meta:
        verbose_name = _("纸质选票得票")
        verbose_name_plural = _("纸质选票得票")
        constraints = [models.UniqueConstraint(fields=["batch", "option"], name="paper_count_once")]

    def __str__(self) -> str:
        return f"{self.option} {self.count}"
