"""Pages of service guides; included by services.urls at "services/guides/"."""

from django.urls import path

from services.views import guides

urlpatterns = [
    path("", guides.guide_list, name="service-guides"),
    path("<int:pk>/", guides.guide_detail, name="service-guide"),
    path("<int:pk>/print/", guides.guide_print, name="service-guide-print"),
]
