"""Public pages of mutual aid; included by participation.urls."""

urlpatterns: list = []
