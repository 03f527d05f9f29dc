"""Supervisors' pages of participation; included at "supervision/participation/"."""

from django.urls import path

from participation.views import supervision

urlpatterns = [
    path("", supervision.dashboard, name="participation-supervision"),
    path(
        "evaluation-flags/<int:pk>/handle/",
        supervision.flag_handle,
        name="evaluation-flag-handle",
    ),
]
