"""Democratic evaluations (民主评议): yearly rounds in which people rate officials, units,
fund projects or services 满意 / 基本满意 / 不满意. One evaluation per person per subject
per round; a subject rated unsatisfactory by a majority in two consecutive years is
flagged to the supervisors of its place."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from participation.models.common import Electorate, OwnedByUnit, Window


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class SubjectKind(models.TextChoices):
    OFFICIAL = "official", _("村（社区）干部")
    UNIT = "unit", _("单位")
    PROJECT = "project", _("专项资金项目")
    SERVICE = "service", _("服务事项")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class EvaluationRound(OwnedByUnit, Window, Electorate):
    """One cycle (a year) of evaluation organised by a unit."""

    title = models.CharField(_("评议名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("评议年度"))
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)
    eligible_count = models.PositiveIntegerField(_("有评议资格人数"), null=True, blank=True)

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        ordering = ["-year", "-opens_at", "-id"]
        indexes = [models.Index(fields=["region", "-opens_at"], name="eval_round_region_opens")]
        constraints = [
            *Electorate.electorate_constraints("eval_round"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="eval_round_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="eval_round_cancel_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="eval_round_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EvaluationSubject(models.Model):
    """Who or what is evaluated in a round. `subject_key` names the same subject across
    years ("official:<user id>", "unit:<id>", "project:<id>", "service:<id>"), which is
    how two consecutive unsatisfactory years are found. A subject is in at most one round
    a year, not counting cancelled rounds."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="subjects")
    kind = models.CharField(_("评议对象类型"), max_length=16, choices=SubjectKind.choices)
    subject_key = models.CharField(_("对象标识"), max_length=64)
    name = models.CharField(_("评议对象"), max_length=100)
    role = models.CharField(_("职务或说明"), max_length=100, blank=True)
    seq = models.PositiveSmallIntegerField(_("序号"))
    # Copied from the round: one round per subject per year is a database rule.
    year = models.PositiveSmallIntegerField(_("评议年度"))
    # Frozen when the round closes.
    satisfied = models.PositiveIntegerField(_("满意"), default=0)
    basic = models.PositiveIntegerField(_("基本满意"), default=0)
    unsatisfied = models.PositiveIntegerField(_("不满意"), default=0)
    # Set when its round is cancelled: a cancelled round did not take place, so the
    # subject may be evaluated again in a new round of the same year.
    cancelled = models.BooleanField(_("所在评议已取消"), default=False, editable=False)

    class Meta:
        verbose_name = _("评议对象")
        verbose_name_plural = _("评议对象")
        ordering = ["round", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["round", "seq"], name="eval_subject_seq"),
            models.UniqueConstraint(
                fields=["subject_key", "year"],
                condition=Q(cancelled=False),
                name="eval_subject_once_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.role}）" if self.role else self.name

    @property
    def total(self) -> int:
        """Evaluations counted when the round closed."""
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def majority_unsatisfied(self) -> bool:
        """More than half of its evaluations (at least one) were 不满意."""
        return self.unsatisfied * 2 > self.total


class Evaluation(models.Model):
    """One person's rating of one subject. `evaluator_key` is a keyed hash of (subject,
    person); evaluations are anonymous, so no row names the evaluator."""

    subject = models.ForeignKey(
        EvaluationSubject, on_delete=models.PROTECT, related_name="evaluations"
    )
    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+")
    evaluator_key = models.CharField(max_length=64, editable=False)
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices)
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("评议时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评议意见")
        verbose_name_plural = _("评议意见")
        ordering = ["subject", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "evaluator_key"], name="evaluation_one_per_person"
            )
        ]
        indexes = [models.Index(fields=["region", "created_at"], name="evaluation_region_time")]

    def __str__(self) -> str:
        return f"{self.subject} · {self.get_rating_display()}"


class EvaluationFlag(models.Model):
    """A subject rated unsatisfactory by a majority in this year's round and last year's,
    raised when the round closes, for the supervisors of its place."""

    subject = models.OneToOneField(
        EvaluationSubject, on_delete=models.PROTECT, related_name="flag", verbose_name=_("评议对象")
    )
    previous = models.ForeignKey(
        EvaluationSubject,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上一年度评议"),
    )
    unit = models.ForeignKey("portal.Unit", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("提示时间"), auto_now_add=True)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("处理人"),
    )
    handling_note = models.CharField(_("处理情况"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("连续不满意提示")
        verbose_name_plural = _("连续不满意提示")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True) | ~Q(handling_note=""),
                name="eval_flag_handling_has_note",
            )
        ]

    def __str__(self) -> str:
        return str(self.subject)
