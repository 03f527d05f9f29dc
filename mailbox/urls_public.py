"""Published letters and the mailbox statistics; included at "letters/public/"."""

from django.urls import path

from mailbox import views_public

urlpatterns = [
    path("", views_public.letter_list, name="letters-public"),
    path("<int:pk>/", views_public.letter_detail, name="letter-public"),
    path("stats/", views_public.letter_stats, name="letters-stats"),
]
