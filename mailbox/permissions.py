"""Who may act on a letter. Officials of the handling unit handle it; supervisors of the
place read it and may extend its deadline once; the writer follows it with both codes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mailbox.models import Letter
from portal import codes
from portal import permissions as core
from portal.permissions import Action


def can_handle(user: Any, letter: Letter) -> bool:
    return core.can(user, Action.EDIT, letter.unit) or core.can(user, Action.MANAGE, letter.unit)


def can_supervise(user: Any, letter: Letter) -> bool:
    return core.is_platform_admin(user) or core.supervises(user, letter.region_id)


def can_read_back_office(user: Any, letter: Letter) -> bool:
    return can_handle(user, letter) or can_supervise(user, letter)


def letters_for(user: Any) -> QuerySet[Letter]:
    """The letters a person sees in the back office: their units' and their subtrees'."""
    return core.scope_queryset(Letter.objects.all(), user, Action.VIEW)


def codes_match(letter: Letter | None, query_code: str) -> bool:
    return letter is not None and codes.codes_match(letter.query_code, query_code)
