"""Public pages of solicitations; included by participation.urls at "solicitations/"."""

from django.urls import path

from participation.views import solicitations as views

urlpatterns = [
    path("", views.solicitation_list, name="solicitations"),
    path("<int:pk>/", views.solicitation_detail, name="solicitation"),
    path(
        "<int:pk>/attachments/<str:token>/",
        views.attachment_download,
        name="solicitation-attachment",
    ),
]
