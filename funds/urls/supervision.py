"""The monitoring dashboard of village money (县级监控、镇乡监管); included by portal.urls
at "supervision/funds/"."""

from django.urls import path

from funds.views import monitoring

urlpatterns = [
    path("", monitoring.dashboard, name="funds-supervision"),
    path("alerts/<int:pk>/", monitoring.alert_detail, name="funds-alert"),
]
