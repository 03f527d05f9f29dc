from django.db import models
from django.utils.translation import gettext_lazy as _


class GazetteIssue(models.Model):
    """An issue of the government gazette (政府公报): 2026年第3期（总第4期）."""

    publisher = models.ForeignKey(
        "portal.Unit",
        on_delete=models.PROTECT,
        related_name="gazette_issues",
        verbose_name=_("编印单位"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("期号"))
    cumulative = models.PositiveIntegerField(_("总期号"))
    published_on = models.DateField(_("出版日期"))
    pdf = models.FileField(_("PDF版"), upload_to="gazette/", blank=True)
    is_published = models.BooleanField(_("已发布"), default=False)

    class Meta:
        verbose_name = _("政府公报")
        verbose_name_plural = _("政府公报")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["publisher", "year", "number"], name="gazette_number"),
            models.UniqueConstraint(fields=["publisher", "cumulative"], name="gazette_cumulative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.number}期（总第{self.cumulative}期）"


class GazetteEntry(models.Model):
    issue = models.ForeignKey(GazetteIssue, on_delete=models.CASCADE, related_name="entries")
    record = models.ForeignKey(
        "disclosure.Record", on_delete=models.PROTECT, related_name="gazette_entries"
    )
    section = models.CharField(_("栏目"), max_length=40, default="市政府文件")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("公报目录条目")
        verbose_name_plural = _("公报目录条目")
        ordering = ["issue", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "record"], name="gazette_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issue} · {self.record}"
