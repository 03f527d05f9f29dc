"""Supervision of access and changes (查阅与操作记录督查): who looked at which original
voucher, and who changed which record, in a place and every place inside it.

Two tabs on one page, /supervision/audit/:

- voucher views (funds.VoucherView): a resident's view under an ID-number grant, named by
  masked name and masked ID number, or an official's view in the back office, named by
  full name and unit; the voucher, its collective and village, the time;
- record changes (portal.AuditEntry): who, what was done, to which object, the fields that
  changed (values scrubbed of ID and mobile numbers), the time.

Both filter by date range, unit and person (and the change's action), and are paginated.
Who may look: supervisors of the place or of a place around it, and platform admins
(portal.permissions.supervised_place_or_404); to anyone else the page does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funds.models import VoucherView
from portal import hierarchy, identity
from portal.forms import DateRangeMixin
from portal.models import AuditAction, AuditEntry, Region, Residency, Unit
from portal.permissions import supervised_place_or_404, supervision_trail

TABS = {"views": gettext_lazy("凭证查阅记录"), "changes": gettext_lazy("数据修改记录")}
# How long a changed value may be on the page; the rest is in the back office.
VALUE_CHARS = 60


def page_size() -> int:
    return settings.PORTAL_AUDIT_PAGE_SIZE


class AuditFilterForm(DateRangeMixin, forms.Form):
    region = forms.CharField(widget=forms.HiddenInput, required=False)
    tab = forms.CharField(widget=forms.HiddenInput, required=False)
    since = forms.DateField(
        label=gettext_lazy("日期自"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("日期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    unit = forms.TypedChoiceField(
        label=gettext_lazy("单位"), required=False, coerce=int, empty_value=None
    )
    person = forms.CharField(
        label=gettext_lazy("人员"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("工作人员姓名或账号；居民按遮挡后的姓名查找，如“王*”"),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("操作"),
        required=False,
        choices=[("", gettext_lazy("全部操作")), *AuditAction.choices],
    )

    def __init__(self, data: Any, *, units: list[Unit], tab: str) -> None:
        super().__init__(data)
        self.fields["unit"].choices = [
            ("", gettext_lazy("全部单位")),
            *((unit.pk, unit.name) for unit in units),
        ]
        if tab != "changes":
            del self.fields["action"]

    def value(self, name: str) -> Any:
        """The valid value of a field (a wrong one is reported and left out)."""
        return getattr(self, "cleaned_data", {}).get(name) or None


def _unit_choices(region: Region, raw_unit: str | None) -> list[Unit]:
    """The units at the place itself, plus one of its subtree chosen by a row's link: a
    county has tens of own-level units, not the thousands inside it."""
    condition = Q(region=region, is_active=True)
    if raw_unit and raw_unit.isdigit():
        condition |= Q(pk=int(raw_unit))
    units = hierarchy.in_subtree(Unit.objects.filter(condition), region.code)
    return list(units.only("id", "name").order_by("kind", "name"))


def _day_bounds(form: AuditFilterForm) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The local days chosen, as instants: from the start of `since` to before the day
    after `until`."""
    tz = timezone.get_current_timezone()
    since, until = form.value("since"), form.value("until")
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz) if since else None
    end = (
        dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if until else None
    )
    return start, end


def voucher_views_in(region: Region, form: AuditFilterForm) -> QuerySet[VoucherView]:
    views = hierarchy.in_subtree(VoucherView.objects.all(), region.code)
    start, end = _day_bounds(form)
    if start:
        views = views.filter(viewed_at__gte=start)
    if end:
        views = views.filter(viewed_at__lt=end)
    if unit := form.value("unit"):
        # The official's unit, or the accounting centre that keeps the voucher's books.
        views = views.filter(Q(unit_id=unit) | Q(voucher__entry__collective__centre_id=unit))
    if person := form.value("person"):
        views = views.filter(
            Q(viewer__icontains=person)
            | Q(official__full_name__icontains=person)
            | Q(official__username=person)
        )
    return views.select_related(
        "voucher__entry__collective", "region", "unit", "official"
    ).order_by("-viewed_at", "-id")


def changes_in(region: Region, form: AuditFilterForm) -> QuerySet[AuditEntry]:
    entries = hierarchy.in_subtree(AuditEntry.objects.all(), region.code, "region_code")
    start, end = _day_bounds(form)
    if start:
        entries = entries.filter(at__gte=start)
    if end:
        entries = entries.filter(at__lt=end)
    if unit := form.value("unit"):
        entries = entries.filter(unit_id=unit)
    if person := form.value("person"):
        entries = entries.filter(Q(actor__full_name__icontains=person) | Q(actor__username=person))
    if action := form.value("action"):
        entries = entries.filter(action=action)
    return entries.select_related("actor", "unit", "content_type").order_by("-at", "-id")


def _shown(value: Any) -> str:
    """A changed value as the page shows it: no ID or mobile number, not too long."""
    if value in (None, ""):
        return "—"
    text = identity.scrub_text(value if isinstance(value, str) else str(value))
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _field_label(model: Any, name: str) -> str:
    if model is not None:
        try:
            return str(getattr(model._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            pass
    return name


def _mark_changes(entries: list[AuditEntry]) -> list[AuditEntry]:
    for entry in entries:
        model = entry.content_type.model_class()
        entry.kind = model._meta.verbose_name if model else entry.content_type.model
        entry.fields = []
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        for name, change in changes.items():
            old, new = change if isinstance(change, list) and len(change) == 2 else (None, change)
            entry.fields.append((_field_label(model, name), _shown(old), _shown(new)))
        entry.who = _person(entry.actor)
        entry.object_label = _object_label(entry, model)
    return entries


def _object_label(entry: AuditEntry, model: Any) -> str:
    """The object as the log named it, scrubbed of numbers; a resident's residency is
    named "real name · place" by its __str__: the page shows the name masked (张*)."""
    label = identity.scrub_text(entry.object_repr)
    if model is Residency:
        name, sep, rest = label.partition(" · ")
        label = identity.mask_name(name) + sep + rest
    return label


def _person(user: Any) -> str:
    if user is None:
        return _("系统")
    return user.full_name or user.get_username()


def _query(form: AuditFilterForm, tab: str, region: Region | None = None) -> str:
    """The page's filters for tab, pager and breadcrumb links (those add the place)."""
    query = QueryDict(mutable=True)
    if region is not None:
        query["region"] = region.code
    query["tab"] = tab
    for name in ("since", "until", "unit", "person", "action"):
        if name in form.fields and (value := form.value(name)):
            query[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return query.urlencode()


@login_required
def audit_supervision(request: HttpRequest) -> HttpResponse:
    region = supervised_place_or_404(request.user, request.GET.get("region"))
    tab = request.GET.get("tab")
    tab = tab if tab in TABS else "views"
    data = request.GET.copy()
    data["region"], data["tab"] = region.code, tab
    form = AuditFilterForm(data, units=_unit_choices(region, request.GET.get("unit")), tab=tab)
    form.is_valid()
    if tab == "views":
        page = Paginator(voucher_views_in(region, form), page_size()).get_page(
            request.GET.get("page")
        )
    else:
        page = Paginator(changes_in(region, form), page_size()).get_page(request.GET.get("page"))
        page.object_list = _mark_changes(list(page.object_list))
    filters = _query(form, tab, region)
    return render(
        request,
        "portal/supervision_audit.html",
        {
            "region": region,
            "trail": supervision_trail(request.user, region),
            "form": form,
            "tab": tab,
            "tabs": [(key, label, _query(form, key, region)) for key, label in TABS.items()],
            "page": page,
            "filters": filters,
            "trail_query": _query(form, tab),
        },
    )
