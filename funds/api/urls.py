"""The funds API: /api/v1/fund-projects/, /ledger-entries/, /voucher-access/; included by
portal.api.urls."""

from django.urls import include, path

urlpatterns = [
    path("", include("funds.api.projects")),
    path("", include("funds.api.ledger")),
    path("", include("funds.api.vouchers")),
]
