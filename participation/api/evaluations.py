"""API of evaluations; included by participation.api.urls."""

urlpatterns: list = []
