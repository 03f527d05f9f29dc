from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("村级资金和“三资”")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from funds import models
        from portal import pagecache

        # Projects over their whole lifecycle, and the ledgers' published parts. Ledger
        # entries are public through their month's statement (watched); entries booked
        # into an already published month show within PORTAL_PAGE_CACHE_SECONDS.
        pagecache.watch(
            models.FundProject,
            models.FundingLine,
            models.ProjectStage,
            models.StageDocument,
            models.Disbursement,
            models.Acceptance,
            models.Rectification,
            models.VillageAllocation,
            models.Collective,
            models.MonthlyStatement,
            models.FixedAsset,
            models.Resource,
        )
