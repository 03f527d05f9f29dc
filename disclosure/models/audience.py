from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from disclosure.models.catalog import Scope


class AudienceMembership(models.Model):
    """A parent or a member of staff of one school, confirmed by the school.

    Residents of a village are not here: they are portal Residency rows.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audiences"
    )
    unit = models.ForeignKey(
        "portal.Unit", on_delete=models.CASCADE, related_name="audiences", verbose_name=_("学校")
    )
    scope = models.CharField(
        _("身份"),
        max_length=16,
        choices=[(Scope.PARENTS, Scope.PARENTS.label), (Scope.STAFF, Scope.STAFF.label)],
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("家长与教职工")
        verbose_name_plural = _("家长与教职工")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "scope"], name="audience_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_scope_display()}"
