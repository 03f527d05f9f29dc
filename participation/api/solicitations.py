"""API of solicitations; included by participation.api.urls."""

urlpatterns: list = []
