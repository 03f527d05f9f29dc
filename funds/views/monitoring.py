"""The monitoring dashboard of village money (县级监控、镇乡监管): a place's open alerts by
kind, its child places as a chart and a table, the list of alerts with filters (kind,
open or cleared, child place, date raised) and drill-down to the project or the
collective, an XLSX export of the filtered list, and one alert's page where an official
notes what was done.

Who may look: supervisors of the place or of a place around it, platform admins, and the
officials of the township office and accounting centre for the places of their township
(funds.permissions.can_monitor); to anyone else the pages do not exist (404).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from funds.forms.monitoring import AlertFilterForm, AlertHandleForm
from funds.models import Alert, AlertKind
from funds.permissions import can_monitor, monitored_place_or_404, monitoring_trail
from funds.selectors import monitoring as selectors
from funds.selectors.monitoring import AlertFilter
from funds.services import monitoring as services
from portal import identity
from portal.charts import column_chart, xlsx_response
from portal.models import Region
from portal.pages import add_service_errors, query_without_page

PAGE_SIZE = 20
# A workbook is built in memory; a filter wide enough to pass this is narrowed first.
EXPORT_MAX_ROWS = 20_000
EXPORT_CHUNK = 2000
CHART_LABEL_LENGTH = 4


def _filters_query(criteria: AlertFilter) -> str:
    """The filters a link to another place keeps (not the place, the child or the page)."""
    query = QueryDict(mutable=True)
    for name in ("kind", "status", "since", "until"):
        value = getattr(criteria, name)
        if value:
            query[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return query.urlencode()


def _chart_label(name: str) -> str:
    # A column is about four characters wide; the table below names the place in full.
    if len(name) <= CHART_LABEL_LENGTH:
        return name
    return name[: CHART_LABEL_LENGTH - 1] + "…"


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    region = monitored_place_or_404(request.user, request.GET.get("region"))
    children = selectors.child_places(region)
    data = request.GET.copy()
    data["region"] = region.code
    form = AlertFilterForm(data, children=children)
    form.is_valid()
    criteria = form.criteria(region)
    alerts = selectors.alerts_filtered(criteria)
    if request.GET.get("format") == "xlsx":
        return _export(request, region, alerts)

    by_kind = selectors.open_by_kind(region.code)
    places = selectors.open_by_child(region, children)
    own_label = _("本级")
    chart = None
    if places:
        chart = column_chart(
            [(own_label if p.is_own_level else _chart_label(p.name), p.total) for p in places],
            title=_("%(place)s各地未消除的预警") % {"place": region.name},
            description=_("柱高表示各下辖地区未消除的预警数，数据同下表。"),
        )
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = _filters_query(criteria)
    return render(
        request,
        "funds/monitoring/dashboard.html",
        {
            "region": region,
            "trail": monitoring_trail(request.user, region),
            "form": form,
            "kinds": [(kind, label, by_kind[kind]) for kind, label in AlertKind.choices],
            "open_total": sum(by_kind.values()),
            "places": places,
            "kind_labels": AlertKind.labels,
            "own_label": own_label,
            "chart": chart,
            "page": page,
            "filters": filters,
            "page_query": query_without_page(request),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One alert with its drill-down, and the note of what was done about it."""
    alert = get_object_or_404(
        Alert.objects.select_related("region", "project", "collective", "entry", "handled_by"),
        pk=pk,
    )
    if not can_monitor(request.user, alert.region_id):
        raise Http404
    form = AlertHandleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_handle(alert=alert, note=form.cleaned_data["note"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已记录处理情况。预警将在原因消除后自动消除。"))
            return redirect("funds-alert", pk=alert.pk)
    return render(
        request,
        "funds/monitoring/alert.html",
        {
            "alert": alert,
            "region": alert.region,
            "trail": monitoring_trail(request.user, alert.region),
            "form": form,
            "back": f"{reverse('funds-supervision')}?{urlencode({'region': alert.region_id})}",
        },
    )


# --- Export ----------------------------------------------------------------------------

EXPORT_HEADERS = [
    gettext_lazy("预警类型"),
    gettext_lazy("状态"),
    gettext_lazy("说明"),
    gettext_lazy("村（社区）"),
    gettext_lazy("区划代码"),
    gettext_lazy("项目"),
    gettext_lazy("集体经济组织"),
    gettext_lazy("发现时间"),
    gettext_lazy("消除时间"),
    gettext_lazy("处理情况"),
    gettext_lazy("处理时间"),
]


def _export(request: HttpRequest, region: Region, alerts: QuerySet[Alert]) -> HttpResponse:
    if alerts.count() > EXPORT_MAX_ROWS:
        messages.warning(
            request,
            _("超过 %(limit)d 条预警，无法导出。请按类型、地区或日期缩小范围后再导出。")
            % {"limit": EXPORT_MAX_ROWS},
        )
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    title = _("资金监管预警")
    return xlsx_response(
        filename=f"{title}_{region.name}_{timezone.localdate():%Y%m%d}.xlsx",
        sheet_title=title,
        headers=[str(header) for header in EXPORT_HEADERS],
        rows=_export_rows(alerts),
    )


def _export_rows(alerts: QuerySet[Alert]) -> Iterator[list[Any]]:
    """No person in it: no handler's name, and the note stripped of phone and ID numbers."""
    labels = dict(AlertKind.choices)
    states = {True: _("已消除"), False: _("未消除")}
    tz = timezone.get_current_timezone()

    def local(value):
        """A naive local time: spreadsheets have no time zones."""
        return value.astimezone(tz).replace(tzinfo=None, microsecond=0) if value else None

    rows = alerts.order_by("-raised_at", "-id").values_list(
        "kind",
        "cleared_at",
        "detail",
        "region__name",
        "region_id",
        "project__name",
        "collective__name",
        "raised_at",
        "handling_note",
        "handled_at",
    )
    for (
        kind,
        cleared_at,
        detail,
        place,
        code,
        project,
        collective,
        raised_at,
        note,
        handled_at,
    ) in rows.iterator(chunk_size=EXPORT_CHUNK):
        yield [
            str(labels.get(kind, kind)),
            states[cleared_at is not None],
            detail,
            place,
            code,
            project or "",
            collective or "",
            local(raised_at),
            local(cleared_at),
            identity.public_text(note),
            local(handled_at),
        ]
