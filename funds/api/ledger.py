"""API of funds: ledger; included by funds.api.urls."""

urlpatterns: list = []
