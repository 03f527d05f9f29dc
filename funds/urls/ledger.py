"""Pages of funds: ledger; included by funds.urls or portal.urls."""

urlpatterns: list = []
