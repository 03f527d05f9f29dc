"""Pages of voucher viewing, at /funds/vouchers/ (see funds.views.vouchers)."""

from django.urls import path

from funds.views import vouchers as views

urlpatterns = [
    path("access/<int:collective_id>/", views.voucher_access, name="voucher-access"),
    path("collective/<int:collective_id>/", views.voucher_list, name="voucher-list"),
    path("<int:voucher_id>/file/", views.voucher_file, name="voucher-file"),
]
