"""What the participation back-office modules share: the units an official may edit.
(Forms that run as the acting person, validate through the services and inlines read
with their parent are portal.admin's.)"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from portal import permissions
from portal.models import Unit
from portal.permissions import Action


def editable_units(user: Any) -> QuerySet[Unit]:
    """The units whose content this person edits (the choices of a `unit` field)."""
    return permissions.units_for(user, Action.EDIT).select_related("region")


def edits_any_unit(request: HttpRequest) -> bool:
    """Whether this person edits any unit's content; asked by several admin hooks per
    page, answered once per request."""
    if not hasattr(request, "_edits_any_unit"):
        request._edits_any_unit = editable_units(request.user).exists()
    return request._edits_any_unit
