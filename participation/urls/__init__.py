"""Public pages of participation; included at the site root by portal.urls."""

from django.urls import include, path

urlpatterns = [
    path("participation/", include("participation.urls.overview")),
    path("votes/", include("participation.urls.votes")),
    path("evaluations/", include("participation.urls.evaluations")),
    path("solicitations/", include("participation.urls.solicitations")),
    path("decisions/", include("participation.urls.decisions")),
    path("meetings/", include("participation.urls.meetings")),
    path("mutual-aid/", include("participation.urls.mutual_aid")),
]
