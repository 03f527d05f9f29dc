"""Public pages of the funds app; included at the site root by portal.urls."""

from django.urls import include, path

urlpatterns = [
    path("funds/projects/", include("funds.urls.projects")),
    path("funds/collectives/", include("funds.urls.ledger")),
    path("funds/vouchers/", include("funds.urls.vouchers")),
]
