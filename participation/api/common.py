"""What the participation API's endpoints share: how a caller signs in for a write, the
public lists narrowed by query parameters, and 404 for what a selector does not return."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from rest_framework import generics, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

T = TypeVar("T")

# Token first: its WWW-Authenticate header makes "not signed in" a 401, not a 403.
AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


def or_404(found: T | None) -> T:
    """What a public selector found, or 404: hidden and missing look the same."""
    if found is None:
        raise Http404
    return found


class FilteredList(generics.ListAPIView):
    """A public list narrowed by the query parameters that `query_class` checks (400 when
    one is wrong). `now` is one instant for the filter and for every row's phase."""

    query_class: type[serializers.Serializer]

    def filters(self) -> dict[str, Any]:
        query = self.query_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    @cached_property
    def now(self) -> dt.datetime:
        return timezone.now()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": self.now}
