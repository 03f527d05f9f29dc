"""Public pages of decisions; included by participation.urls."""

urlpatterns: list = []
