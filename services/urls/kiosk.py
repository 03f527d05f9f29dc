"""Kiosk pages of a village or community; included by services.urls at "kiosk/"."""

from django.urls import path, register_converter

from services.views import kiosk


class DivisionCode:
    """Exactly twelve digits: anything else is not a kiosk address at all."""

    regex = "[0-9]{12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DivisionCode, "kiosk_place")

urlpatterns = [
    path("<kiosk_place:code>/", kiosk.kiosk_start, name="kiosk"),
    path("<kiosk_place:code>/guides/", kiosk.kiosk_categories, name="kiosk-guides"),
    path(
        "<kiosk_place:code>/guides/<slug:category>/",
        kiosk.kiosk_category,
        name="kiosk-category",
    ),
    path("<kiosk_place:code>/guide/<int:pk>/", kiosk.kiosk_guide, name="kiosk-guide"),
    path("<kiosk_place:code>/records/", kiosk.kiosk_records, name="kiosk-records"),
    path("<kiosk_place:code>/records/<int:pk>/", kiosk.kiosk_record, name="kiosk-record"),
    path("<kiosk_place:code>/stats/", kiosk.kiosk_stats, name="kiosk-stats"),
]
