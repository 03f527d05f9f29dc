"""Supervisors' pages of the services app; included by portal.urls at "supervision/services/"."""

from django.urls import path

from services.views import proxy_supervision

urlpatterns = [
    path("", proxy_supervision.dashboard, name="proxy-supervision"),
]
