from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("即将到期提醒")
    DUE = "due", _("到期提醒")
    OVERDUE = "overdue", _("超期督办")


class LetterReminder(models.Model):
    """The claim on one reminder of one letter: (letter, deadline, kind, tier) at most once.

    The row is written and committed *before* the notification goes out (claimed_at set,
    sent_at empty), so a second scan or a second worker sees it and skips. sent_at is set
    in the transaction right after the send returns; a failed send deletes the row so the
    next scan retries; a row left unsent by a worker that died is taken over by a scan
    once it is older than MAILBOX_REMINDER_RECLAIM_MINUTES (see mailbox.reminders).

    The deadline is part of the key: an extension (延期) or a reopened letter has a new
    due_at, and its reminders are a new round.
    """

    letter = models.ForeignKey(
        "mailbox.Letter",
        on_delete=models.CASCADE,
        related_name="reminders",
        db_index=False,  # served by the unique (letter, due_at, kind, tier) index
    )
    due_at = models.DateTimeField(_("答复期限"))
    kind = models.CharField(_("提醒类型"), max_length=16, choices=ReminderKind.choices)
    # 0 for the handling unit itself; 1 = supervisors of the nearest enclosing place that
    # has any, 2 = the next place above that has any, and so on.
    tier = models.PositiveSmallIntegerField(_("督办层级"), default=0)
    region = models.ForeignKey(
        "portal.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("督办地区"),
    )
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)
    claimed_at = models.DateTimeField(_("认领时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("来信提醒")
        verbose_name_plural = _("来信提醒")
        ordering = ["letter", "due_at", "tier", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "due_at", "kind", "tier"], name="letter_reminder_once"
            ),
            models.CheckConstraint(
                condition=Q(kind="overdue", tier__gte=1) | (~Q(kind="overdue") & Q(tier=0)),
                name="letter_reminder_tier_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.kind} {self.tier}"
