from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("村级资金和“三资”")
    default_auto_field = "django.db.models.BigAutoField"
