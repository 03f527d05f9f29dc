"""The reply letter of a request for information, HTML and PDF. Included by
disclosure/requests/urls.py (mounted at "info-requests/"):

    path("", include("disclosure.requests.urls_letter")),
"""

from django.urls import path

from disclosure.requests import views_letter

urlpatterns = [
    path("<str:tracking_code>/letter/", views_letter.letter_html, name="info-request-letter"),
    path(
        "<str:tracking_code>/letter.pdf",
        views_letter.letter_pdf_download,
        name="info-request-letter-pdf",
    ),
]
