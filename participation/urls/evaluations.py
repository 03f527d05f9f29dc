"""Public pages of evaluations; included by participation.urls."""

urlpatterns: list = []
