from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("便民服务")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal import pagecache
        from services import models

        pagecache.watch(
            models.ServiceGuide,
            models.GuideMaterial,
            models.GuideStep,
            models.ApprovalMatter,
            models.CommitmentScheme,
            models.CommitmentProject,
        )
