"""Public pages of solicitations; included by participation.urls."""

urlpatterns: list = []
