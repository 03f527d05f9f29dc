from django.urls import path

from mailbox.api import views

urlpatterns = [
    path("letters/", views.LetterCreate.as_view(), name="api-letters"),
    path("letters/<str:tracking_code>/", views.LetterTrack.as_view(), name="api-letter"),
]
