"""Pages of funds: supervision; included by funds.urls or portal.urls."""

urlpatterns: list = []
