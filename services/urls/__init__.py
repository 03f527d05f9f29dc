"""Public pages of the services app; included at the site root by portal.urls."""

from django.urls import include, path

urlpatterns = [
    path("services/guides/", include("services.urls.guides")),
    path("services/approvals/", include("services.urls.approvals")),
    path("services/proxy/", include("services.urls.proxy")),
    path("kiosk/", include("services.urls.kiosk")),
]
