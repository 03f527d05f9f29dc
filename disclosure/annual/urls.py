"""Pages; mounted by portal.urls at /annual-reports/."""

from django.urls import path

from disclosure.annual import views

urlpatterns = [
    path("", views.report_list, name="annual-reports"),
    path("<int:unit_id>/<int:year>/", views.report_detail, name="annual-report"),
    path("<int:unit_id>/<int:year>.pdf", views.report_pdf, name="annual-report-pdf"),
    path("<int:unit_id>/<int:year>/edit/", views.report_edit, name="annual-report-edit"),
    path("<int:unit_id>/<int:year>/publish/", views.report_publish, name="annual-report-publish"),
    path("<int:unit_id>/<int:year>/review/", views.report_review, name="annual-report-review"),
]
