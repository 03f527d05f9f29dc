"""Pages of the approval bureau; included by services.urls at "services/approvals/"."""

from django.urls import path

from services.views import approvals

urlpatterns = [
    path("", approvals.matter_list, name="approval-matters"),
    path("commitment/", approvals.commitment, name="commitment-projects"),
]
