"""The supervisors' dashboard of citizen letters (信箱督办): a place's figures, its child
places as a chart and a table, the overdue and the due-soon letters, filters by tier,
unit, type and date of receipt, and exports to XLSX and CSV.

Who may look: supervisors of the place or of a place around it, and platform admins; to
anyone else the page does not exist (404), as with disclosure's supervision page.

Definitions: a letter is *overdue* when it is still open (received, accepted or
transferred) and its deadline has passed; it is *due soon* when it is open and due
between now and the end of the next working day (selectors.due_soon_cutoff). Exports
carry no ID number and no e-mail; the writer's name and phone are masked.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mailbox import selectors, stats
from mailbox.models import Letter, LetterStatus, LetterType, Rating
from mailbox.models.letters import OPEN_STATUSES
from mailbox.selectors import LetterFilter
from portal import hierarchy, identity
from portal.charts import band_of, bar_chart, xlsx_response
from portal.forms import DateRangeMixin
from portal.models import Region, Tier, Unit
from portal.permissions import (
    supervised_place_or_404,
    supervision_trail,
)

PAGE_SIZE = 20
EXPORT_CHUNK = 2000
LISTS = ("overdue", "due_soon", "all")


class DashboardFilterForm(DateRangeMixin, forms.Form):
    region = forms.CharField(widget=forms.HiddenInput, required=False)
    tier = forms.ChoiceField(
        label=gettext_lazy("办理单位层级"),
        required=False,
        choices=[("", gettext_lazy("全部层级"))]
        + [(t.value, t.label) for t in Tier if t != Tier.PROVINCE],
    )
    unit = forms.TypedChoiceField(
        label=gettext_lazy("办理单位"), required=False, coerce=int, empty_value=None
    )
    type = forms.ChoiceField(
        label=gettext_lazy("来信类型"),
        required=False,
        choices=[("", gettext_lazy("全部类型")), *LetterType.choices],
    )
    since = forms.DateField(
        label=gettext_lazy("收信日期自"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("收信日期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data: Any, *, units: list[Unit]) -> None:
        super().__init__(data)
        self.fields["unit"].choices = [
            ("", gettext_lazy("全部单位")),
            *((unit.pk, unit.name) for unit in units),
        ]

    def criteria(self, region: Region) -> LetterFilter:
        """The valid part of the filter: a wrong field is reported and left out."""
        data = getattr(self, "cleaned_data", {})
        return LetterFilter(
            region=region.code,
            tier=data.get("tier") or None,
            unit=data.get("unit"),
            type=data.get("type") or None,
            since=data.get("since"),
            until=data.get("until"),
        )


def _unit_choices(region: Region, raw_unit: str | None) -> list[Unit]:
    """The units at the place itself, plus a unit of its subtree chosen by a link (a
    row's unit): a city has tens of own-level units, not the 10,000 inside it."""
    condition = Q(region=region, is_active=True)
    if raw_unit and raw_unit.isdigit():
        condition |= Q(pk=int(raw_unit))
    units = hierarchy.in_subtree(Unit.objects.filter(condition), region.code)
    return list(units.only("id", "name").order_by("kind", "name"))


def _filters_query(criteria: LetterFilter, *, unit: bool = False) -> str:
    """The filters other than the place (and the unit), for drill-down links."""
    query = QueryDict(mutable=True)
    for name in ("tier", "type", "since", "until", *(("unit",) if unit else ())):
        value = getattr(criteria, name)
        if value:
            query[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return query.urlencode()


def _mark_rows(letters: list[Letter], now: dt.datetime) -> list[Letter]:
    for letter in letters:
        letter.writer_masked = identity.mask_name(letter.writer_name)
        letter.overdue_days = (now - letter.due_at).days if letter.due_at < now else None
    return letters


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    region = supervised_place_or_404(request.user, request.GET.get("region"))
    data = request.GET.copy()
    data["region"] = region.code
    form = DashboardFilterForm(data, units=_unit_choices(region, request.GET.get("unit")))
    form.is_valid()
    criteria = form.criteria(region)
    now = timezone.now()
    cutoff = selectors.due_soon_cutoff(now)
    letters = selectors.letters_supervised(criteria)
    export = request.GET.get("format")
    if export in ("xlsx", "csv"):
        which = request.GET.get("list")
        which = which if which in LISTS else "all"
        chosen = _export_letters(letters, which, now, cutoff)
        limit = xlsx_max_rows()
        if export == "xlsx" and limit and chosen.count() > limit:
            # A workbook is built in memory at ~6,000 rows a second (bench/letters.py);
            # a city's year of letters would hold a worker for longer than it may run.
            messages.warning(
                request,
                _(
                    "超过 %(limit)d 封来信，无法导出 Excel 表格。请缩小筛选范围，或导出 CSV 文件"
                    "（可用 Excel 打开）。"
                )
                % {"limit": limit},
            )
            query = request.GET.copy()
            query.pop("format", None)
            query.pop("list", None)
            return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
        return _export(export, region, _export_rows(chosen, now), which)

    total, places = stats.child_stats(region, criteria, now)
    own_label = _("本级单位")
    chart = None
    if len(places) > 1 or (places and not places[0].is_own_level):
        chart = bar_chart(
            [(own_label if p.is_own_level else p.name, p.stats.on_time_rate) for p in places],
            title=_("%(place)s各地来信按期答复率") % {"place": region.name},
            description=_("横条长度表示按期答复率（0–100%），数据同下表。"),
        )
    for place in places:
        place.band = band_of(place.stats.on_time_rate)

    rows = selectors.with_row_fields
    overdue_page = Paginator(rows(selectors.overdue(letters, now)), PAGE_SIZE).get_page(
        request.GET.get("overdue_page")
    )
    overdue_page.object_list = _mark_rows(list(overdue_page.object_list), now)
    soon_page = Paginator(rows(selectors.due_soon(letters, now, cutoff)), PAGE_SIZE).get_page(
        request.GET.get("soon_page")
    )
    soon_page.object_list = _mark_rows(list(soon_page.object_list), now)
    filters = _filters_query(criteria)
    return render(
        request,
        "mailbox/supervision.html",
        {
            "region": region,
            "trail": supervision_trail(request.user, region),
            "form": form,
            "criteria": criteria,
            "total": total,
            "total_band": band_of(total.on_time_rate),
            "places": places,
            "own_label": own_label,
            "chart": chart,
            "overdue_page": overdue_page,
            "soon_page": soon_page,
            "cutoff": cutoff,
            "filters": filters,
            "filters_with_unit": _filters_query(criteria, unit=True),
            "now": now,
            "xlsx_max_rows": xlsx_max_rows(),
        },
    )


# --- Exports -------------------------------------------------------------------------

EXPORT_HEADERS = [
    "查询编号",
    "标题",
    "类型",
    "办理单位",
    "所在区划",
    "区划代码",
    "状态",
    "收信时间",
    "答复期限",
    "期限暂定",
    "答复时间",
    "办理时效",
    "评价",
    "来信人",
    "手机号码",
]
EXPORT_TITLES = {"overdue": "超期未答复来信", "due_soon": "即将到期来信", "all": "来信办理情况"}


def _labels() -> dict[str, dict[str, str]]:
    """Every label an export row uses, translated once per export, not once per cell."""
    return {
        "type": {value: str(label) for value, label in LetterType.choices},
        "status": {value: str(label) for value, label in LetterStatus.choices},
        "rating": {"": "", **{value: str(label) for value, label in Rating.choices}},
        "timeliness": {
            "on_time": _("按期答复"),
            "late": _("超期答复"),
            "overdue": _("超期未答复"),
            "pending": _("未到期"),
            "rejected": _("不予受理"),
        },
        "yes": {True: _("是"), False: ""},
    }


def _timeliness(status: str, due_at: dt.datetime, replied_at: dt.datetime | None, now) -> str:
    if status in (LetterStatus.REPLIED, LetterStatus.CLOSED):
        return "on_time" if replied_at <= due_at else "late"
    if status in OPEN_STATUSES:
        return "overdue" if due_at < now else "pending"
    return "rejected"


def xlsx_max_rows() -> int:
    """The most letters an XLSX export holds (local choice; 0 = no limit). CSV has none:
    it is streamed row by row."""
    return int(getattr(settings, "MAILBOX_EXPORT_XLSX_MAX_ROWS", 20_000))


def _export_letters(
    letters: QuerySet[Letter], which: str, now: dt.datetime, cutoff: dt.datetime
) -> QuerySet[Letter]:
    if which == "overdue":
        return selectors.overdue(letters, now)
    if which == "due_soon":
        return selectors.due_soon(letters, now, cutoff)
    return letters.order_by("-received_at", "-id")


def _export_rows(letters: QuerySet[Letter], now: dt.datetime) -> Iterator[list[Any]]:
    labels = _labels()
    tz = timezone.get_current_timezone()

    def local(value: dt.datetime | None) -> dt.datetime | None:
        """A naive local time: spreadsheets have no time zones."""
        return value.astimezone(tz).replace(tzinfo=None, microsecond=0) if value else None

    values = letters.values_list(
        "tracking_code",
        "subject",
        "type",
        "unit__name",
        "region__name",
        "region_id",
        "status",
        "received_at",
        "due_at",
        "due_is_provisional",
        "replied_at",
        "rating",
        "writer_name",
        "phone",
    )
    for (
        code,
        subject,
        type_,
        unit,
        place,
        region_code,
        status,
        received_at,
        due_at,
        provisional,
        replied_at,
        rating,
        writer,
        phone,
    ) in values.iterator(chunk_size=EXPORT_CHUNK):
        yield [
            code,
            identity.public_text(subject),
            labels["type"].get(type_, type_),
            unit,
            place,
            region_code,
            labels["status"].get(status, status),
            local(received_at),
            local(due_at),
            labels["yes"][provisional],
            local(replied_at),
            labels["timeliness"][_timeliness(status, due_at, replied_at, now)],
            labels["rating"].get(rating, rating),
            identity.mask_name(writer),
            identity.mask_phone(phone),
        ]


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte-order mark makes Excel read the file as UTF-8 (the headers are Chinese).
    yield "\ufeff" + writer.writerow(EXPORT_HEADERS)
    for row in rows:
        yield writer.writerow(
            [
                value.strftime("%Y-%m-%d %H:%M") if isinstance(value, dt.datetime) else value
                for value in row
            ]
        )


def _export(kind: str, region: Region, rows: Iterator[list[Any]], which: str) -> HttpResponse:
    title = EXPORT_TITLES[which]
    filename = f"{title}_{region.name}_{timezone.localdate():%Y%m%d}.{kind}"
    if kind == "xlsx":
        return xlsx_response(
            filename=filename, sheet_title=title, headers=EXPORT_HEADERS, rows=rows
        )
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
