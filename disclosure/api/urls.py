from django.urls import path

from disclosure.api import views

urlpatterns = [
    path("catalogs/", views.CatalogList.as_view(), name="api-catalogs"),
    path("catalogs/<int:pk>/", views.CatalogDetail.as_view(), name="api-catalog"),
    path("records/", views.RecordList.as_view(), name="api-records"),
    path("records/<int:pk>/", views.RecordDetail.as_view(), name="api-record"),
]
