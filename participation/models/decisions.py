"""Village decisions under 四议两公开, and the meeting records of villages and communities.

A decision walks four steps in order: 党支部提议 → 两委商议 → 党员大会审议 (two thirds of
the party members present) → 村民（代表）会议决议 (which may be a portal vote). Then two
disclosures, each a record of the village's standard catalog: the decision with how it
was made, and later the result of carrying it out.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from participation.models.common import OwnedByUnit


class DecisionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("议决中")
    RESOLVED = "resolved", _("已决议")
    REJECTED = "rejected", _("未通过")
    PUBLISHED = "published", _("决议已公开")
    DONE = "done", _("实施结果已公开")


class DecisionCategory(models.TextChoices):
    PROJECT = "project", _("村级集体项目")
    FUNDS = "funds", _("专项资金使用")
    ASSETS = "assets", _("集体资产资源处置")
    LAND = "land", _("土地承包和宅基地")
    FUNDRAISING = "fundraising", _("一事一议筹资筹劳")
    RULES = "rules", _("村规民约和制度")
    OTHER = "other", _("其他重大事项")


class Decision(OwnedByUnit):
    title = models.CharField(_("决策事项"), max_length=200)
    matter = models.TextField(_("事项内容"))
    category = models.CharField(_("事项类别"), max_length=16, choices=DecisionCategory.choices)
    amount = models.DecimalField(
        _("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=DecisionStatus.choices, default="in_progress"
    )
    # The two disclosures (两公开): records of the village's standard catalog.
    decision_record = models.ForeignKey(
        "disclosure.Record",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("决议公开"),
    )
    result_record = models.ForeignKey(
        "disclosure.Record",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("实施结果公开"),
    )

    class Meta:
        verbose_name = _("四议两公开")
        verbose_name_plural = _("四议两公开")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "-created_at"], name="decision_region_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="decision_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "done"]) | Q(decision_record__isnull=False),
                name="decision_published_has_record",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(result_record__isnull=False),
                name="decision_done_has_result",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class StepKind(models.TextChoices):
    PROPOSAL = "proposal", _("党支部提议")
    CONSULTATION = "consultation", _("两委商议")
    PARTY_REVIEW = "party_review", _("党员大会审议")
    RESOLUTION = "resolution", _("村民（代表）会议决议")


STEP_ORDER = [StepKind.PROPOSAL, StepKind.CONSULTATION, StepKind.PARTY_REVIEW, StepKind.RESOLUTION]


class ResolutionMeeting(models.TextChoices):
    VILLAGERS = "villagers", _("村（居）民会议")
    REPRESENTATIVES = "representatives", _("村（居）民代表会议")


class Outcome(models.TextChoices):
    PASSED = "passed", _("通过")
    REJECTED = "rejected", _("未通过")


class DecisionStep(models.Model):
    """One of the four steps, with its date, who was expected and who came, the votes
    where there were any, and the outcome."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("环节"), max_length=16, choices=StepKind.choices)
    held_on = models.DateField(_("会议日期"))
    expected = models.PositiveIntegerField(_("应到人数"))
    attended = models.PositiveIntegerField(_("实到人数"))
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    abstained = models.PositiveIntegerField(_("弃权"), null=True, blank=True)
    meeting = models.CharField(
        _("决议会议"), max_length=16, choices=ResolutionMeeting.choices, blank=True
    )
    vote = models.ForeignKey(
        "participation.Vote",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("关联投票"),
    )
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    note = models.TextField(_("会议情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("决策环节")
        verbose_name_plural = _("决策环节")
        ordering = ["decision", "held_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "kind"], name="decision_step_once"),
            models.CheckConstraint(
                condition=Q(expected__gte=1) & Q(attended__lte=F("expected")),
                name="decision_step_attendance",
            ),
            # 党员大会: two thirds of the party members present.
            models.CheckConstraint(
                condition=~Q(kind="party_review") | Q(attended__gte=F("expected") * 2.0 / 3),
                name="decision_party_review_two_thirds",
            ),
            # 村民会议: more than half; 村民代表会议: two thirds.
            models.CheckConstraint(
                condition=~Q(kind="resolution")
                | Q(meeting="villagers", attended__gt=F("expected") / 2.0)
                | Q(meeting="representatives", attended__gte=F("expected") * 2.0 / 3),
                name="decision_resolution_quorum",
            ),
            models.CheckConstraint(
                condition=Q(kind="resolution") | Q(meeting=""),
                name="decision_meeting_only_for_resolution",
            ),
            # A passed vote had more than half of those present in favour.
            models.CheckConstraint(
                condition=~Q(outcome="passed")
                | Q(votes_for__isnull=True)
                | Q(votes_for__gt=F("attended") / 2.0),
                name="decision_step_passed_by_majority",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["proposal", "consultation"])
                | Q(votes_for__isnull=False, votes_against__isnull=False, abstained__isnull=False),
                name="decision_step_votes_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} · {self.get_kind_display()}"


class MeetingKind(models.TextChoices):
    REPRESENTATIVES = "representatives", _("村（居）民代表会议")
    COUNCIL = "council", _("议事会")
    SUPERVISORY = "supervisory", _("村务监督委员会会议")
    EVENING_TALK = "evening_talk", _("聊天夜谈")


class Meeting(OwnedByUnit):
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("会议日期"))
    location = models.CharField(_("地点"), max_length=100, blank=True)
    # Names as the minutes list them; public pages show them masked.
    attendees = models.TextField(_("参会人员"), help_text=_("每行一人，或用顿号分隔。"))
    attendee_count = models.PositiveIntegerField(_("参会人数"))
    summary = models.TextField(_("会议纪要"), blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["region", "-held_on"], name="meeting_region_held")]
        constraints = [
            models.CheckConstraint(condition=Q(attendee_count__gte=1), name="meeting_has_attendees")
        ]

    def __str__(self) -> str:
        return self.title


class MeetingIssue(models.Model):
    """An issue raised at a meeting, who follows it up, and when it was resolved."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="issues")
    seq = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("反映的问题"))
    raised_by = models.CharField(_("反映人"), max_length=40, blank=True)
    follow_up = models.CharField(_("跟进人"), max_length=60)
    due_on = models.DateField(_("计划解决日期"), null=True, blank=True)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    resolution = models.TextField(_("解决情况"), blank=True)

    class Meta:
        verbose_name = _("会议议题")
        verbose_name_plural = _("会议议题")
        ordering = ["meeting", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seq"], name="meeting_issue_seq"),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | ~Q(resolution=""),
                name="meeting_issue_resolution_said",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]
