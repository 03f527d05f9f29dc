from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台基础")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal import pagecache
        from portal.models import Region, Unit

        # Place and unit pages list the places and units themselves.
        pagecache.watch(Region, Unit)
