"""Atom feeds per unit, per place subtree and per catalog item. A feed reader sees what
the person behind it may see: the same visible_records() as the pages."""

from __future__ import annotations

from abc import ABC, abstractmethod

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from disclosure import search, selectors
from disclosure.models import CatalogItem, Record
from disclosure.selectors import RecordFilter
from portal import hierarchy
from portal.models import Region, Unit

FEED_SIZE = 30


class _RecordFeed(Feed, ABC):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    @abstractmethod
    def criteria(self, obj) -> RecordFilter:
        """What this feed narrows the visible records to."""

    def items(self, obj) -> list[Record]:
        return list(selectors.records_public(self.request.user, self.criteria(obj))[:FEED_SIZE])

    def item_title(self, record: Record) -> str:
        return record.title

    def item_description(self, record: Record) -> str:
        return search.plain_text(record.body)[:300]

    def item_link(self, record: Record) -> str:
        return reverse("record", args=[record.pk])

    def item_pubdate(self, record: Record):
        return record.published_at

    def item_author_name(self, record: Record) -> str:
        return record.unit.name


class UnitFeed(_RecordFeed):
    def get_object(self, request: HttpRequest, pk: int) -> Unit:
        return get_object_or_404(Unit, pk=pk, is_active=True)

    def title(self, unit: Unit) -> str:
        return _("%(unit)s · 公开信息") % {"unit": unit.name}

    def link(self, unit: Unit) -> str:
        return reverse("unit", args=[unit.pk])

    def criteria(self, unit: Unit) -> RecordFilter:
        return RecordFilter(unit=unit.pk)


class RegionFeed(_RecordFeed):
    def get_object(self, request: HttpRequest, code: str) -> Region:
        if not hierarchy.is_valid_code(code):
            raise Http404
        return get_object_or_404(Region, code=code)

    def title(self, region: Region) -> str:
        return _("%(place)s · 全部公开信息") % {"place": region.name}

    def link(self, region: Region) -> str:
        return reverse("region", args=[region.code])

    def criteria(self, region: Region) -> RecordFilter:
        return RecordFilter(region=region.code)


class ItemFeed(_RecordFeed):
    def get_object(self, request: HttpRequest, pk: int) -> CatalogItem:
        return get_object_or_404(CatalogItem.objects.select_related("template"), pk=pk)

    def title(self, item: CatalogItem) -> str:
        return _("%(item)s · 公开信息") % {"item": item.level2}

    def link(self, item: CatalogItem) -> str:
        return reverse("catalog-item", args=[item.pk])

    def criteria(self, item: CatalogItem) -> RecordFilter:
        return RecordFilter(item_family=selectors.item_family(item))
