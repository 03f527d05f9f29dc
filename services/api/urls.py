"""The services app's API; included under /api/v1/ by portal.api.urls."""

from django.urls import include, path

urlpatterns = [
    path("", include("services.api.guides")),
    path("", include("services.api.approvals")),
    path("", include("services.api.proxy")),
]
