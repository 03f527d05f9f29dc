"""What votes, evaluations and solicitations share: the organising unit and its place, a
window of time, and (for votes and evaluations) who may take part."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    """Where a published window stands now; derived from the clock, never stored."""

    UPCOMING = "upcoming", _("未开始")
    OPEN = "open", _("进行中")
    ENDED = "ended", _("已截止")


class OwnedByUnit(models.Model):
    """Belongs to a publishing unit. The unit's place is copied so that "everything inside
    新津区" is a code range on this table alone (see portal.hierarchy)."""

    unit = models.ForeignKey(
        "portal.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    region = models.ForeignKey(
        "portal.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在区划"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        abstract = True


class Window(models.Model):
    """A period during which citizens take part (vote, evaluate, comment)."""

    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))

    class Meta:
        abstract = True

    def phase(self, now=None) -> Phase:
        now = now or timezone.now()
        if now < self.opens_at:
            return Phase.UPCOMING
        if now < self.closes_at:
            return Phase.OPEN
        return Phase.ENDED


class Eligibility(models.TextChoices):
    RESIDENTS = "residents", _("本地区已核实的村（居）民")
    HOUSEHOLDS = "households", _("本地区户代表")
    BODY = "body", _("指定组织的成员")
    CITIZENS = "citizens", _("所有注册用户")


class Electorate(models.Model):
    """Who may take part. The rule is read by participation.eligibility, the one place
    that answers "may this person vote / evaluate here?" and "how many may?"."""

    eligibility = models.CharField(
        _("参与范围"), max_length=16, choices=Eligibility.choices, default=Eligibility.RESIDENTS
    )
    electorate_region = models.ForeignKey(
        "portal.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("参与地区"),
        help_text=_("村（居）民或户代表参与时，该地区（含下辖地区）的已核实居民可参与。"),
    )
    body = models.ForeignKey(
        "participation.VotingBody",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("参与组织"),
        help_text=_("指定组织参与时，该组织的现任成员可参与，例如居民代表会议。"),
    )

    class Meta:
        abstract = True

    @staticmethod
    def electorate_constraints(prefix: str) -> list[models.CheckConstraint]:
        return [
            models.CheckConstraint(
                condition=~Q(eligibility__in=["residents", "households"])
                | Q(electorate_region__isnull=False),
                name=f"{prefix}_residents_have_place",
            ),
            models.CheckConstraint(
                condition=~Q(eligibility="body") | Q(body__isnull=False),
                name=f"{prefix}_body_rule_has_body",
            ),
        ]


class BodyKind(models.TextChoices):
    REPRESENTATIVES = "representatives", _("村（居）民代表会议")
    PARTY_MEMBERS = "party_members", _("党员大会")
    COMMITTEES = "committees", _("村（社区）“两委”")
    COUNCIL = "council", _("议事会")
    SUPERVISORY = "supervisory", _("村务监督委员会")
    OTHER = "other", _("其他")


class VotingBody(models.Model):
    """A named body whose members vote or meet: the representatives' meeting, the
    council, the supervisory committee …"""

    unit = models.ForeignKey(
        "portal.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属单位")
    )
    region = models.ForeignKey(
        "portal.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在区划"),
    )
    name = models.CharField(_("组织名称"), max_length=100)
    kind = models.CharField(_("组织类型"), max_length=20, choices=BodyKind.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("议事组织")
        verbose_name_plural = _("议事组织")
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="voting_body_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class BodyMember(models.Model):
    """A current or former member of a body. Leaving keeps the row (ended_on set)."""

    body = models.ForeignKey(VotingBody, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="body_memberships",
        verbose_name=_("用户"),
    )
    name = models.CharField(_("姓名"), max_length=40)
    role = models.CharField(_("职务"), max_length=40, blank=True)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("组织成员")
        verbose_name_plural = _("组织成员")
        ordering = ["body", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "user"],
                condition=Q(ended_on__isnull=True),
                name="body_member_once_current",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="body_member_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} · {self.name}"
