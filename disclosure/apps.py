from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("主动公开")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from disclosure import models
        from portal import pagecache

        # A record matters to the public pages from its publication on: a withdrawal or
        # a change of audience must reach them at once, a draft's edits never do.
        pagecache.watch(
            models.Record,
            when=lambda record: (
                record.published_at is not None
                or record.status in (models.RecordStatus.PUBLISHED, models.RecordStatus.WITHDRAWN)
            ),
        )
        pagecache.watch(
            models.RecordVersion,
            models.Attachment,
            models.CatalogTemplate,
            models.CatalogItem,
            models.GazetteIssue,
            models.GazetteEntry,
            models.AnnualReport,
        )
