"""Public pages of evaluations; included by participation.urls at "evaluations/"."""

from django.urls import path

from participation.views import evaluations

urlpatterns = [
    path("", evaluations.evaluation_list, name="evaluations"),
    path("<int:pk>/", evaluations.evaluation_detail, name="evaluation"),
]
