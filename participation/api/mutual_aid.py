"""API of mutual aid; included by participation.api.urls."""

urlpatterns: list = []
