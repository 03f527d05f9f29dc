"""Public pages of decisions; included by participation.urls."""

from django.urls import path

from participation.views import decisions as views

urlpatterns = [
    path("", views.decision_list, name="decisions"),
    path("<int:pk>/", views.decision_detail, name="decision"),
]
