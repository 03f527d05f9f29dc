"""The participation overview and its statistics; included at "participation/"."""

urlpatterns: list = []
