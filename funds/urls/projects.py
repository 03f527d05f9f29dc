"""Pages of funds: projects; included by funds.urls or portal.urls."""

urlpatterns: list = []
