from django.urls import path

from mailbox import views

urlpatterns = [
    path("letters/write/<int:unit_id>/", views.letter_write, name="letter-write"),
    path("letters/receipt/", views.letter_receipt, name="letter-receipt"),
    path("letters/track/", views.letter_track, name="letter-track"),
    path("letters/mine/", views.my_letters, name="letters-mine"),
]
