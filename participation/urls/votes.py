"""Public pages of votes; included by participation.urls at "votes/"."""

from django.urls import path

from participation.views import votes

urlpatterns = [
    path("", votes.vote_list, name="votes"),
    path("<int:pk>/", votes.vote_detail, name="vote"),
]
