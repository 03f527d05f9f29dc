"""API of decisions; included by participation.api.urls."""

urlpatterns: list = []
