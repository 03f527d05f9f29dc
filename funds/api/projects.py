"""API of funds: projects; included by funds.api.urls."""

urlpatterns: list = []
