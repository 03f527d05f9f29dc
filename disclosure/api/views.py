from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from disclosure import search, selectors, services
from disclosure.api import serializers as s
from disclosure.models import CatalogItem, CatalogTemplate, Record
from disclosure.selectors import RecordFilter
from disclosure.views import SearchPaginator
from portal.models import Unit
from portal.services.errors import DomainError

Q_PARAM = {"type": OpenApiTypes.STR, "location": OpenApiParameter.QUERY}


class CatalogList(generics.ListAPIView):
    """Standard catalogs, each with its tier, unit kinds and number of items."""

    serializer_class = s.CatalogTemplateSerializer

    def get_queryset(self):
        return CatalogTemplate.objects.annotate(item_count=Count("items")).order_by(
            "key", "-version"
        )


class CatalogDetail(generics.RetrieveAPIView):
    serializer_class = s.CatalogTemplateDetailSerializer

    def get_queryset(self):
        return CatalogTemplate.objects.annotate(item_count=Count("items")).prefetch_related("items")


class RecordList(generics.ListCreateAPIView):
    """Published records the caller may read; POST (officials, token) drafts or submits one."""

    def get_serializer_class(self):
        return s.RecordWriteSerializer if self.request.method == "POST" else s.RecordSerializer

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    def get_queryset(self):
        query = s.RecordListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        self.search_terms = params.get("q")
        return selectors.records_public(
            self.request.user,
            RecordFilter(
                region=params.get("region"),
                item=params.get("item"),
                unit=params.get("unit"),
                since=params.get("since"),
                query=params.get("q"),
                order=params.get("order", "recent"),
            ),
        )

    def paginate_queryset(self, queryset):
        if self.search_terms:
            # "count" stops at search.COUNT_CAP + 1, as on the search page.
            self.paginator.django_paginator_class = SearchPaginator
        page = super().paginate_queryset(queryset)
        if page is not None and self.search_terms:
            for record in page:
                record.excerpt = search.highlight(search.plain_text(record.body), self.search_terms)
        return page

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "region", description="12-digit code: records inside this place", **Q_PARAM
            ),
            OpenApiParameter(
                "item", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Catalog item id"
            ),
            OpenApiParameter(
                "unit", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Unit id"
            ),
            OpenApiParameter("q", description="Chinese full-text search", **Q_PARAM),
            OpenApiParameter(
                "order", description="With q: recent (default) or relevance", **Q_PARAM
            ),
            OpenApiParameter(
                "since",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                description="Published on or after",
            ),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.RecordWriteSerializer, responses={201: s.RecordDetailSerializer})
    def post(self, request, *args, **kwargs):
        incoming = s.RecordWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        unit = (
            Unit.objects.filter(pk=data.pop("unit"), is_active=True)
            .select_related("region")
            .first()
        )
        item = CatalogItem.objects.filter(pk=data.pop("item")).first()
        policy_id = data.pop("policy", None)
        submit = data.pop("submit")
        errors = {}
        if unit is None:
            errors["unit"] = [_("没有这个单位。")]
        if item is None:
            errors["item"] = [_("没有这个目录事项。")]
        policy = Record.objects.filter(pk=policy_id).first() if policy_id else None
        if policy_id and policy is None:
            errors["policy"] = [_("没有这份政策文件。")]
        if errors:
            raise serializers.ValidationError(errors)
        try:
            with transaction.atomic():
                record = services.record_create(
                    unit=unit, item=item, policy=policy, actor=request.user, **data
                )
                if submit:
                    record = services.record_submit(record=record, actor=request.user)
        except DomainError as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_403_FORBIDDEN)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        record = Record.objects.select_related("unit", "region", "item").get(pk=record.pk)
        return Response(s.RecordDetailSerializer(record).data, status=status.HTTP_201_CREATED)


class RecordDetail(generics.RetrieveAPIView):
    serializer_class = s.RecordDetailSerializer

    def get_object(self):
        record = selectors.record_detail(self.request.user, self.kwargs["pk"])
        if record is None:
            raise Http404
        return record
