"""API of neighbourhood mutual aid; included by participation.api.urls.

GET  /api/v1/mutual-aid/?region=&kind=&category=&status=   posts seen from a place
POST /api/v1/mutual-aid/                                   a verified resident posts (201)
GET  /api/v1/mutual-aid/<id>/                              a post with its replies
POST /api/v1/mutual-aid/<id>/replies/  {"text"}            201
POST /api/v1/mutual-aid/<id>/reports/  {"reason"}          201; the same person again 409
POST /api/v1/mutual-aid/<id>/close/                        the author only (403); closed 409

Writes: 401 signed out, 400 field errors, 403 not allowed, 409 wrong state or done
already, 429 over PARTICIPATION_RATE_PER_USER an hour. Hidden or removed posts are 404
to everyone but their author and moderators, as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from participation.api.common import AUTHENTICATION, FilteredList, or_404
from participation.models import AidCategory, AidKind, AidPost, AidScope, AidStatus
from participation.selectors import mutual_aid as selectors
from participation.selectors.mutual_aid import PublicAidPost
from participation.services import mutual_aid as services
from portal.api.errors import refusal_response
from portal.api.serializers import RegionCodeField

NOT_RESIDENT = "not a verified resident of the place"
ENDED = "the post is resolved or has expired"


def _signed_in(request: Request) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))


# --- Serializers ------------------------------------------------------------------------


class PlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AidPostSerializer(serializers.Serializer):
    """A post as the public reads it (author 张*, contact data taken out of the text)."""

    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=AidKind.choices)
    kind_label = serializers.CharField()
    category = serializers.ChoiceField(choices=AidCategory.choices)
    category_label = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    region = serializers.SerializerMethodField(help_text="The author's village or community.")
    scope = serializers.ChoiceField(choices=AidScope.choices)
    scope_label = serializers.CharField()
    scope_code = serializers.CharField(help_text="The place the post is listed in.")
    author = serializers.CharField(help_text="Masked: 张*.")
    created_at = serializers.DateTimeField()
    expires_on = serializers.DateField()
    expired = serializers.BooleanField(help_text="Open but past expires_on: no longer listed.")
    status = serializers.ChoiceField(choices=AidStatus.choices)
    status_label = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    reply_count = serializers.IntegerField()

    def to_representation(self, instance: Any) -> dict:
        if isinstance(instance, AidPost):
            instance = PublicAidPost.of(instance)
        return super().to_representation(instance)

    @extend_schema_field(PlaceSerializer)
    def get_region(self, post: PublicAidPost) -> dict:
        return {"code": post.region_code, "name": post.region_name}


class AidReplySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    author = serializers.CharField(help_text="Masked: 张*.")
    text = serializers.CharField(help_text="Empty when hidden by a moderator.")
    created_at = serializers.DateTimeField()
    hidden = serializers.BooleanField()


class AidPostDetailSerializer(AidPostSerializer):
    moderation_note = serializers.CharField(
        help_text="Why a moderator removed it (seen only by its author and moderators)."
    )
    replies = serializers.SerializerMethodField()

    @extend_schema_field(AidReplySerializer(many=True))
    def get_replies(self, post: PublicAidPost) -> list[dict]:
        return AidReplySerializer(self.context["replies"], many=True).data


class AidPostWriteSerializer(serializers.Serializer):
    region = serializers.CharField(
        max_length=12, help_text="12-digit code of one of your verified villages."
    )
    kind = serializers.ChoiceField(choices=AidKind.choices)
    category = serializers.ChoiceField(choices=AidCategory.choices)
    title = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)
    scope = serializers.ChoiceField(choices=AidScope.choices)
    expires_on = serializers.DateField(help_text="After today, at most 90 days ahead.")


class AidListQuery(serializers.Serializer):
    region = RegionCodeField(
        required=False,
        help_text="12-digit code of the place the reader looks from (default: the city)",
    )
    kind = serializers.ChoiceField(
        choices=AidKind.choices, required=False, help_text="need or offer"
    )
    category = serializers.ChoiceField(
        choices=AidCategory.choices, required=False, help_text="elderly, errands, …"
    )
    status = serializers.ChoiceField(
        choices=[
            (AidStatus.OPEN, AidStatus.OPEN.label),
            (AidStatus.RESOLVED, AidStatus.RESOLVED.label),
        ],
        required=False,
        help_text="open or resolved",
    )


class AidReplyWriteSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


class AidReportWriteSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class AidReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


# --- Views ----------------------------------------------------------------------------


def _detail(request: Request, post: AidPost) -> dict:
    post = selectors.aid_post_for(request.user, post.pk)
    return AidPostDetailSerializer(
        PublicAidPost.of(post), context={"replies": selectors.aid_replies(post)}
    ).data


def _post_or_404(request: Request, pk: int) -> AidPost:
    return or_404(selectors.aid_post_for(request.user, pk))


class AidPostList(FilteredList):
    """Mutual-aid posts seen from a place: those scoped to it or to a place around it; open
    ones until they expire. POST: a verified resident posts in one of their villages."""

    authentication_classes = AUTHENTICATION
    serializer_class = AidPostSerializer
    query_class = AidListQuery

    def get_queryset(self):
        params = self.filters()
        return selectors.aid_posts_visible(
            region=params.get("region") or settings.PORTAL_ROOT_REGION,
            kind=params.get("kind"),
            category=params.get("category"),
            status=params.get("status"),
        )

    @extend_schema(parameters=[AidListQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=AidPostWriteSerializer,
        responses={201: AidPostDetailSerializer, 403: OpenApiResponse(description=NOT_RESIDENT)},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _signed_in(request)
        incoming = AidPostWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            post = services.aid_post_create(user=request.user, **incoming.validated_data)
        except ValidationError as exc:
            return refusal_response(exc)
        return Response(_detail(request, post), status=status.HTTP_201_CREATED)


class AidPostDetail(APIView):
    """One post with its replies (a hidden reply keeps its place, not its text)."""

    authentication_classes = AUTHENTICATION

    @extend_schema(responses=AidPostDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, _post_or_404(request, pk)))


class AidReplyCreate(APIView):
    """Reply to an open post that has not expired; anyone signed in."""

    authentication_classes = AUTHENTICATION

    @extend_schema(
        request=AidReplyWriteSerializer,
        responses={201: AidReplySerializer, 409: OpenApiResponse(description=ENDED)},
    )
    def post(self, request: Request, pk: int) -> Response:
        _signed_in(request)
        post = _post_or_404(request, pk)
        incoming = AidReplyWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            reply = services.aid_reply_create(
                post=post, user=request.user, text=incoming.validated_data["text"]
            )
        except ValidationError as exc:
            return refusal_response(exc)
        data = AidReplySerializer(selectors.PublicAidReply.of(reply)).data
        return Response(data, status=status.HTTP_201_CREATED)


class AidReportCreate(APIView):
    """Report a post, once per person (again: 409). Reports from THRESHOLD people hide it
    until a moderator decides; authors cannot report their own post (403)."""

    authentication_classes = AUTHENTICATION

    @extend_schema(
        request=AidReportWriteSerializer,
        responses={
            201: AidReportSerializer,
            403: OpenApiResponse(description="one's own post"),
            409: OpenApiResponse(description="reported already, or under review"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        _signed_in(request)
        post = _post_or_404(request, pk)
        incoming = AidReportWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            report = services.aid_report(
                post=post, user=request.user, reason=incoming.validated_data["reason"]
            )
        except ValidationError as exc:
            return refusal_response(exc)
        return Response(AidReportSerializer(report).data, status=status.HTTP_201_CREATED)


class AidPostClose(APIView):
    """The author marks the post resolved."""

    authentication_classes = AUTHENTICATION

    @extend_schema(
        request=None,
        responses={
            200: AidPostDetailSerializer,
            403: OpenApiResponse(description="not the author"),
            409: OpenApiResponse(description="resolved already, or under review or hidden"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        _signed_in(request)
        post = _post_or_404(request, pk)
        try:
            post = services.aid_post_close(post=post, user=request.user)
        except ValidationError as exc:
            return refusal_response(exc)
        return Response(_detail(request, post))


urlpatterns = [
    path("mutual-aid/", AidPostList.as_view(), name="api-mutual-aid"),
    path("mutual-aid/<int:pk>/", AidPostDetail.as_view(), name="api-mutual-aid-post"),
    path("mutual-aid/<int:pk>/replies/", AidReplyCreate.as_view(), name="api-mutual-aid-replies"),
    path("mutual-aid/<int:pk>/reports/", AidReportCreate.as_view(), name="api-mutual-aid-reports"),
    path("mutual-aid/<int:pk>/close/", AidPostClose.as_view(), name="api-mutual-aid-close"),
]
