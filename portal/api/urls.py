from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.api import views
from portal.auth.views import ObtainToken

urlpatterns = [
    path("regions/", views.RegionList.as_view(), name="api-regions"),
    path("regions/<str:code>/", views.RegionDetail.as_view(), name="api-region"),
    path("units/", views.UnitList.as_view(), name="api-units"),
    path("units/<int:pk>/", views.UnitDetail.as_view(), name="api-unit"),
    path("workdays/add/", views.WorkdayAdd.as_view(), name="api-workdays-add"),
    path("me/", views.Me.as_view(), name="api-me"),
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("", include("disclosure.api.urls")),
    path("", include("mailbox.api.urls")),
    path("", include("participation.api.urls")),
    path("", include("funds.api.urls")),
    path("", include("services.api.urls")),
    path("", include("disclosure.requests.api")),
    path("", include("disclosure.annual.api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
