"""API of meeting records; included by participation.api.urls."""

urlpatterns: list = []
