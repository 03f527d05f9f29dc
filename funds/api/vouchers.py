"""API of funds: vouchers; included by funds.api.urls."""

urlpatterns: list = []
