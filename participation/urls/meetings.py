"""Public pages of meeting records; included by participation.urls."""

from django.urls import path

from participation.views import decisions as views

urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
]
