"""Public pages of village special-fund projects; included by funds.urls at
"funds/projects/"."""

from django.urls import path

from funds.views import projects

urlpatterns = [
    path("", projects.project_list, name="fund-projects"),
    path("<int:pk>/", projects.project_detail, name="fund-project"),
    path("documents/<str:token>/", projects.document_download, name="fund-project-document"),
]
