"""Pages of the proxy service (代办); included by services.urls at "services/proxy/"."""

from django.urls import path

from services.views import proxy

urlpatterns = [
    path("new/", proxy.request_new, name="proxy-request-new"),
    path("receipt/", proxy.request_receipt, name="proxy-receipt"),
    path("track/", proxy.request_track, name="proxy-track"),
    path("mine/", proxy.my_requests, name="proxy-mine"),
    path("mine/<str:tracking_code>/", proxy.my_request, name="proxy-mine-detail"),
    path("queue/", proxy.queue, name="proxy-queue"),
    path("requests/<int:pk>/", proxy.request_detail, name="proxy-request"),
    path("requests/<int:pk>/take/", proxy.request_take, name="proxy-request-take"),
    path("requests/<int:pk>/finish/", proxy.request_finish, name="proxy-request-finish"),
    path("requests/<int:pk>/return/", proxy.request_return, name="proxy-request-return"),
]
