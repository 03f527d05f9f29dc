"""Public pages of mutual aid; included by participation.urls at "mutual-aid/"."""

from django.urls import path

from participation.views import mutual_aid as views

urlpatterns = [
    path("", views.aid_list, name="mutual-aid"),
    path("new/", views.aid_new, name="mutual-aid-new"),
    path("<int:pk>/", views.aid_detail, name="mutual-aid-post"),
    path("<int:pk>/reply/", views.aid_reply, name="mutual-aid-reply"),
    path("<int:pk>/report/", views.aid_report, name="mutual-aid-report"),
    path("<int:pk>/close/", views.aid_close, name="mutual-aid-close"),
    path("replies/<int:pk>/hide/", views.aid_reply_hide, name="mutual-aid-reply-hide"),
    path("moderation/", views.aid_moderation, name="mutual-aid-moderation"),
    path("moderation/<int:pk>/", views.aid_moderate, name="mutual-aid-moderate"),
]
