from django.urls import path

from disclosure import feeds, views

urlpatterns = [
    path("records/", views.record_list, name="records"),
    path("search/", views.record_list, name="search"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/versions/<int:version>/", views.record_version, name="record-version"),
    path(
        "records/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="record-attachment",
    ),
    path("catalog-items/<int:item_id>/", views.catalog_item_records, name="catalog-item"),
    path("gazette/", views.gazette_archive, name="gazette"),
    path("gazette/<int:year>/<int:number>/", views.gazette_issue, name="gazette-issue"),
    path("gazette/<int:year>/<int:number>/pdf/", views.gazette_pdf, name="gazette-pdf"),
    path("feeds/units/<int:pk>/", feeds.UnitFeed(), name="feed-unit"),
    path("feeds/regions/<str:code>/", feeds.RegionFeed(), name="feed-region"),
    path("feeds/items/<int:pk>/", feeds.ItemFeed(), name="feed-item"),
]
