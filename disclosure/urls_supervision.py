"""Supervision of disclosure timeliness; included at "supervision/disclosure/"."""

from django.urls import path

from disclosure import supervision

urlpatterns = [
    path("", supervision.overview, name="disclosure-supervision"),
    path("units/<int:unit_id>/", supervision.unit_detail, name="disclosure-supervision-unit"),
]
