"""The supervisors' dashboard of citizen letters; included at "supervision/letters/"."""

from django.urls import path

from mailbox import supervision

urlpatterns = [
    path("", supervision.dashboard, name="letters-supervision"),
]
