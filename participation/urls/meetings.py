"""Public pages of meeting records; included by participation.urls."""

urlpatterns: list = []
