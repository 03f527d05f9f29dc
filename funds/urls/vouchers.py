"""Pages of funds: vouchers; included by funds.urls or portal.urls."""

urlpatterns: list = []
