"""The participation API: /api/v1/votes/, /evaluations/, /solicitations/, /decisions/,
/mutual-aid/, /meetings/ and /participation/stats/; included by portal.api.urls."""

from django.urls import include, path

urlpatterns = [
    path("", include("participation.api.votes")),
    path("", include("participation.api.evaluations")),
    path("", include("participation.api.solicitations")),
    path("", include("participation.api.decisions")),
    path("", include("participation.api.meetings")),
    path("", include("participation.api.mutual_aid")),
    path("", include("participation.api.stats")),
]
