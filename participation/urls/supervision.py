"""Supervisors' pages of participation; included at "supervision/participation/"."""

urlpatterns: list = []
