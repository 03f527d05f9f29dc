"""Pages of the three-asset ledgers; included by funds.urls at "funds/collectives/"."""

from django.urls import path

from funds.views import ledger

urlpatterns = [
    path("", ledger.collective_list, name="collectives"),
    path("<int:pk>/", ledger.collective_detail, name="collective"),
]
