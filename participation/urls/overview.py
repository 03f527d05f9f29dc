"""The participation overview and its statistics; included at "participation/"."""

from django.urls import path

from participation.views import overview

urlpatterns = [
    path("", overview.participation_overview, name="participation"),
    path("stats/", overview.participation_stats, name="participation-stats"),
]
