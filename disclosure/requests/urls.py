"""Pages of requests for information; mounted by portal.urls at "info-requests/"."""

from django.urls import include, path

from disclosure.requests import views

urlpatterns = [
    path("new/<int:unit_id>/", views.info_request_new, name="info-request-new"),
    path("receipt/", views.info_request_receipt, name="info-request-receipt"),
    path("track/", views.info_request_track, name="info-request-track"),
    path(
        "<str:tracking_code>/files/<str:token>/",
        views.info_request_file,
        name="info-request-file",
    ),
    # The reply letter, HTML and PDF (disclosure.requests.views_letter).
    path("", include("disclosure.requests.urls_letter")),
]
