"""The supervisors' dashboard of the proxy service (代办督办): a place's requests by
status, overdue ones, the residents' ratings, a row per child place, the list of
requests with drill-down to each (read-only), and an XLSX export.

Who may look: supervisors of the place or of a place around it, and platform admins
(portal.permissions.supervised_place_or_404, as /supervision/letters/); to anyone else
the page does not exist. Exports carry the applicant masked (张*, 138****1234) and no
request text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import hierarchy, identity
from portal.charts import xlsx_response
from portal.models import Region
from portal.permissions import supervised_place_or_404, supervision_trail
from services.models import ProxyRating, ProxyStatus
from services.selectors import proxy as selectors

PAGE_SIZE = 20
EXPORT_MAX_ROWS = 20_000
EXPORT_CHUNK = 2000
LISTS = ("overdue", "all")


def _status_filter(raw: str | None) -> str:
    return raw if raw in ProxyStatus.values else ""


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    region = supervised_place_or_404(request.user, request.GET.get("region"))
    now = timezone.now()
    status = _status_filter(request.GET.get("status"))
    if request.GET.get("format") == "xlsx":
        which = request.GET.get("list")
        return _export(request, region, which if which in LISTS else "all", status, now)
    total, places = selectors.stats_by_child(region, now)
    overdue_page = Paginator(selectors.overdue_requests(region.code, now), PAGE_SIZE).get_page(
        request.GET.get("overdue_page")
    )
    listed = (
        selectors.supervised_requests(region.code, status or None)
        .select_related("guide", "region", "agent_unit")
        .order_by("-received_at", "-id")
    )
    list_page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in [*overdue_page.object_list, *list_page.object_list]:
        item.name_masked = identity.mask_name(item.name)
        item.is_overdue = item.status in selectors.OPEN_STATUSES and item.due_at < now
        item.overdue_days = (now - item.due_at).days if item.is_overdue else None
    return render(
        request,
        "services/proxy/supervision.html",
        {
            "region": region,
            "trail": supervision_trail(request.user, region),
            "child_tier": hierarchy.child_tier(region.tier),
            "total": total,
            "places": places,
            "overdue_page": overdue_page,
            "list_page": list_page,
            "status": status,
            "statuses": ProxyStatus.choices,
            "now": now,
            "export_max_rows": EXPORT_MAX_ROWS,
        },
    )


# --- Export -----------------------------------------------------------------------------

EXPORT_HEADERS = [
    gettext_lazy("查询编号"),
    gettext_lazy("办理事项"),
    gettext_lazy("村（社区）"),
    gettext_lazy("区划代码"),
    gettext_lazy("代办单位"),
    gettext_lazy("状态"),
    gettext_lazy("受理时间"),
    gettext_lazy("办结期限"),
    gettext_lazy("期限暂定"),
    gettext_lazy("办结（退回）时间"),
    gettext_lazy("是否超期"),
    gettext_lazy("退回原因"),
    gettext_lazy("评价"),
    gettext_lazy("申请人"),
    gettext_lazy("手机号码"),
]


def _export(
    request: HttpRequest, region: Region, which: str, status: str, now: dt.datetime
) -> HttpResponse:
    if which == "overdue":
        chosen = selectors.overdue_requests(region.code, now)
        title = _("超期未办结代办申请")
    else:
        chosen = selectors.supervised_requests(region.code, status or None).order_by(
            "-received_at", "-id"
        )
        title = _("代办申请办理情况")
    if chosen.count() > EXPORT_MAX_ROWS:
        # A workbook is built in memory: a wider filter would hold a worker too long.
        messages.warning(
            request,
            _("超过 %(limit)d 条申请，无法导出。请选择下辖地区或按状态缩小范围后再导出。")
            % {"limit": EXPORT_MAX_ROWS},
        )
        query = request.GET.copy()
        query.pop("format", None)
        query.pop("list", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    return xlsx_response(
        filename=f"{title}_{region.name}_{timezone.localdate():%Y%m%d}.xlsx",
        sheet_title=title,
        headers=[str(header) for header in EXPORT_HEADERS],
        rows=_export_rows(chosen, now),
    )


def _export_rows(requests: QuerySet, now: dt.datetime) -> Iterator[list[Any]]:
    statuses = {value: str(label) for value, label in ProxyStatus.choices}
    ratings = {"": "", **{value: str(label) for value, label in ProxyRating.choices}}
    yes = {True: _("是"), False: ""}
    tz = timezone.get_current_timezone()

    def local(value: dt.datetime | None) -> dt.datetime | None:
        """A naive local time: spreadsheets have no time zones."""
        return value.astimezone(tz).replace(tzinfo=None, microsecond=0) if value else None

    rows = requests.values_list(
        "tracking_code",
        "guide__name",
        "region__name",
        "region_id",
        "agent_unit__name",
        "status",
        "received_at",
        "due_at",
        "due_is_provisional",
        "finished_at",
        "return_reason",
        "rating",
        "name",
        "phone",
    )
    for (
        code,
        guide,
        place,
        region_code,
        unit,
        status,
        received_at,
        due_at,
        provisional,
        finished_at,
        reason,
        rating,
        name,
        phone,
    ) in rows.iterator(chunk_size=EXPORT_CHUNK):
        late = (finished_at or now) > due_at
        yield [
            code,
            guide,
            place,
            region_code,
            unit,
            statuses.get(status, status),
            local(received_at),
            local(due_at),
            yes[provisional],
            local(finished_at),
            yes[late],
            identity.public_text(reason),
            ratings.get(rating, rating),
            identity.mask_name(name),
            identity.mask_phone(phone),
        ]
