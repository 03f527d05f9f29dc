from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    CHANGE = "change", _("修改")
    PUBLISH = "publish", _("发布")
    WITHDRAW = "withdraw", _("撤回")
    DEACTIVATE = "deactivate", _("停用")
    GRANT = "grant", _("授权")
    REVOKE = "revoke", _("取消授权")
    VERIFY = "verify", _("核实")
    REJECT = "reject", _("驳回")
    IMPORT = "import", _("导入")
    LOCK = "lock", _("锁定")


class AuditEntry(models.Model):
    """Who did what to which object, when, and which fields changed. Append-only."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    unit = models.ForeignKey(
        "portal.Unit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The place the object belongs to, so supervisors can read their subtree with a range.
    region_code = models.CharField(_("所在区划"), max_length=12, blank=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
