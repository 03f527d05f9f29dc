"""sitemap.xml: public places, units and published records. Only what an anonymous
visitor may read is listed (restricted-scope records never appear)."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from disclosure.permissions import visible_records
from portal.models import Region, Unit


class RecordSitemap(Sitemap):
    changefreq = "monthly"
    limit = 10_000

    def items(self):
        return visible_records(AnonymousUser()).only("pk", "updated_at").order_by("pk")

    def location(self, record) -> str:
        return reverse("record", args=[record.pk])

    def lastmod(self, record):
        return record.updated_at


class RegionSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10_000

    def items(self):
        return Region.objects.filter(is_active=True).only("code").order_by("code")

    def location(self, region) -> str:
        return reverse("region", args=[region.code])


class UnitSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10_000

    def items(self):
        return Unit.objects.filter(is_active=True).only("pk").order_by("pk")

    def location(self, unit) -> str:
        return reverse("unit", args=[unit.pk])


SITEMAPS = {"places": RegionSitemap, "units": UnitSitemap, "records": RecordSitemap}
