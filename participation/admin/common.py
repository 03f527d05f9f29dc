"""What the participation back-office modules share: the units an official may edit,
forms and formsets that validate through the services, inlines read with their parent.
(Forms run as the acting person and read-only inlines are portal.admin's.)"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.forms.models import construct_instance
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


class ServiceValidated:
    """ModelForm mixin: the services validate the object and name each bad field in words
    for officials; the model's own checks would only repeat that by constraint name, so
    the instance is built from the form without them."""

    def _post_clean(self) -> None:
        self.instance = construct_instance(
            self, self.instance, self._meta.fields, self._meta.exclude
        )


class ActorFormSet:
    """InlineModelAdmin mixin: the formset runs the services as the person asking, its
    `actor`."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"actor": request.user})


class ReadWithParent:
    """Inlines are read by whoever may read the parent object (the parent admin decides,
    through portal.permissions); Django's per-model permissions are not used here."""

    def has_view_permission(self, request, obj=None):
        return True
