"""API of votes; included by participation.api.urls."""

urlpatterns: list = []
