"""Public pages of votes; included by participation.urls."""

urlpatterns: list = []
