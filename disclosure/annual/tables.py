"""The figures of the annual report on government information disclosure (政府信息公开工作
年度报告) in the format of 2021 (国办公开办函〔2021〕30号): tables 二, 三 and 四 of one unit
for one calendar year, computed in SQL (a handful of aggregate queries, however many
records and requests the unit has). `report_tables` returns them as JSON-ready data; that
data is what a published report freezes and what the API returns.

How the portal's data fill the 2021 format (the page repeats these notes):

二、主动公开政府信息情况 (the unit's disclosure records; "in the year" is Beijing time)
- 规章 / 行政规范性文件: records of kind 政策文件. A policy whose 文号 contains "政府令"
  (成都市人民政府令第215号) is a 规章, since rules are issued by government order; every
  other policy is a 行政规范性文件. 本年制发件数: published in the year (withdrawn later or
  not); 本年废止件数: withdrawn in the year; 现行有效件数: published by 31 December and
  not withdrawn by then.
- 行政许可 / 行政处罚 / 行政强制 (本年处理决定数量): records published in the year and not
  withdrawn by its end, under a catalog item whose 一级 or 二级事项 names 许可 / 处罚 /
  强制 (the catalogs also name licences by their own name: 乡村建设规划许可, 校车使用许可).
  An item naming several kinds (行政许可、行政处罚、行政强制事项及结果) counts a record under
  the one kind its title names; a title naming none or several is counted apart
  (`unclassified_decisions`) and shown under the table so that officials name the kind.
  One record is one decision: the portal cannot see how many decisions a list holds.
- 行政事业性收费 (本年收费金额，万元): the information-processing fees (信息处理费, 2020
  measures) of the unit's replies made in the year, except replies whose fee was not paid
  (其他处理 2). The portal records no other fees; officials report those under part 六.

三、收到和处理政府信息公开申请情况 (the unit's requests, by applicant type)
- A request counts from its first receipt, even when a correction (补正) later moved its
  receipt date (`received_on`) into the next year: the first receipt is the earliest of
  `received_on`, the day its receipt was registered (the RECEIVED event: the submission
  itself online, the registration of a paper one) and the day the correction notice went
  out. The day a paper application was posted is not a receipt and is not used. (For a
  corrected paper application the registration day stands in for the day it was signed
  for, which the portal no longer keeps once `received_on` moved.) Requests still waiting
  to be registered (待登记) do not count.
- 一、本年新收: first received in the year. 二、上年结转: first received before the year and
  not finished before it began. 三、本年度办理结果: finished in the year (the reply, or the
  close for a request closed without one), in the row of its outcome; 予以公开 includes
  "already public, told where". A request closed without an outcome (withdrawn by the
  applicant) counts as 其他处理 3.其他. 四、结转下年度继续办理: received by 31 December and
  not finished by then.
- The check of every column: 一 + 二 = 三（七）总计 + 四.

四、政府信息公开行政复议、行政诉讼情况 (the unit's Challenge rows)
- Cases filed in the year, by the result as it stood on 31 December: a case decided later
  counts as 尚未审结.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.models import (
    ApplicantType,
    Challenge,
    ChallengeKind,
    ChallengeResult,
    InfoRequest,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestStatus,
    Outcome,
    Record,
    RecordKind,
    RecordStatus,
)
from portal.models import Unit

# The OGI Regulations took effect on 1 May 2008: no report before that year.
FIRST_YEAR = 2008
FORMAT_VERSION = 2021

# ---------------------------------------------------------------------------- labels ---

PARTS = {
    "overall": _("一、总体情况"),
    "table2": _("二、主动公开政府信息情况"),
    "table3": _("三、收到和处理政府信息公开申请情况"),
    "table4": _("四、政府信息公开行政复议、行政诉讼情况"),
    "problems": _("五、存在的主要问题及改进情况"),
    "other": _("六、其他需要报告的事项"),
}

# Table 2: (section key, article, columns, rows)
POLICY_COLUMNS = [
    ("issued", _("本年制发件数")),
    ("repealed", _("本年废止件数")),
    ("in_force", _("现行有效件数")),
]
DECISION_COLUMNS = [("decisions", _("本年处理决定数量"))]
FEE_COLUMNS = [("amount", _("本年收费金额（单位：万元）"))]
TABLE2_SECTIONS = [
    (
        "policies",
        _("第二十条第（一）项"),
        POLICY_COLUMNS,
        [("regulations", _("规章")), ("normative_documents", _("行政规范性文件"))],
    ),
    ("licensing", _("第二十条第（五）项"), DECISION_COLUMNS, [("licensing", _("行政许可"))]),
    (
        "penalties_enforcement",
        _("第二十条第（六）项"),
        DECISION_COLUMNS,
        [("penalties", _("行政处罚")), ("enforcement", _("行政强制"))],
    ),
    ("fees", _("第二十条第（八）项"), FEE_COLUMNS, [("administrative_fees", _("行政事业性收费"))]),
]
CONTENT_LABEL = _("信息内容")
# What a catalog item's name and a record's title say about the kind of decision.
DECISION_WORDS = {"licensing": "许可", "penalties": "处罚", "enforcement": "强制"}
# 规章 are issued by government order (人民政府令第N号).
REGULATION_NUMBER_MARK = "政府令"

# Table 3
APPLICANT_COLUMNS = [
    (ApplicantType.NATURAL_PERSON.value, _("自然人")),
    (ApplicantType.COMMERCIAL.value, _("商业企业")),
    (ApplicantType.RESEARCH.value, _("科研机构")),
    (ApplicantType.PUBLIC_INTEREST.value, _("社会公益组织")),
    (ApplicantType.LEGAL_SERVICE.value, _("法律服务机构")),
    (ApplicantType.OTHER.value, _("其他")),
    ("total", _("总计")),
]
ORGANISATION_COLUMNS = APPLICANT_COLUMNS[1:6]
APPLICANT_HEADER = _("申请人情况")
NATURAL_PERSON_HEADER = _("自然人")
ORGANISATION_HEADER = _("法人或其他组织")
TOTAL_HEADER = _("总计")
CHECK_NOTE = _("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")


@dataclass(frozen=True)
class Leaf:
    key: str
    label: Any  # None: the group's own row
    outcomes: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    key: str
    label: Any
    leaves: tuple[Leaf, ...]


def _leaf(outcome: Outcome, label: Any) -> Leaf:
    return Leaf(outcome.value, label, (outcome.value,))


RESULTS_LABEL = _("三、本年度办理结果")
RESULT_GROUPS: tuple[Group, ...] = (
    Group(
        "public",
        _("（一）予以公开"),
        (Leaf("public", None, (Outcome.PUBLIC.value, Outcome.ALREADY_PUBLIC.value)),),
    ),
    Group(
        "partial",
        _("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        (Leaf("partial", None, (Outcome.PARTIAL.value,)),),
    ),
    Group(
        "refused",
        _("（三）不予公开"),
        (
            _leaf(Outcome.REFUSED_STATE_SECRET, _("1.属于国家秘密")),
            _leaf(Outcome.REFUSED_LAW, _("2.其他法律行政法规禁止公开")),
            _leaf(Outcome.REFUSED_SAFETY, _("3.危及“三安全一稳定”")),
            _leaf(Outcome.REFUSED_THIRD_PARTY, _("4.保护第三方合法权益")),
            _leaf(Outcome.REFUSED_INTERNAL, _("5.属于三类内部事务信息")),
            _leaf(Outcome.REFUSED_PROCESS, _("6.属于四类过程性信息")),
            _leaf(Outcome.REFUSED_ENFORCEMENT, _("7.属于行政执法案卷")),
            _leaf(Outcome.REFUSED_QUERY, _("8.属于行政查询事项")),
        ),
    ),
    Group(
        "unable",
        _("（四）无法提供"),
        (
            _leaf(Outcome.UNABLE_NOT_HELD, _("1.本机关不掌握相关政府信息")),
            _leaf(Outcome.UNABLE_NEEDS_CREATION, _("2.没有现成信息需要另行制作")),
            _leaf(Outcome.UNABLE_UNCLEAR, _("3.补正后申请内容仍不明确")),
        ),
    ),
    Group(
        "not_processed",
        _("（五）不予处理"),
        (
            _leaf(Outcome.NOT_PROCESSED_COMPLAINT, _("1.信访举报投诉类申请")),
            _leaf(Outcome.NOT_PROCESSED_REPEAT, _("2.重复申请")),
            _leaf(Outcome.NOT_PROCESSED_PUBLICATION, _("3.要求提供公开出版物")),
            _leaf(Outcome.NOT_PROCESSED_MASS, _("4.无正当理由大量反复申请")),
            _leaf(Outcome.NOT_PROCESSED_CONFIRM, _("5.要求行政机关确认或重新出具已获取信息")),
        ),
    ),
    Group(
        "other_processing",
        _("（六）其他处理"),
        (
            _leaf(
                Outcome.OTHER_UNCORRECTED,
                _("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
            ),
            _leaf(
                Outcome.OTHER_UNPAID,
                _("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
            ),
            _leaf(Outcome.OTHER, _("3.其他")),
        ),
    ),
)
ROW_LABELS = {
    "new": _("一、本年新收政府信息公开申请数量"),
    "carried_over": _("二、上年结转政府信息公开申请数量"),
    "total": _("（七）总计"),
    "carried_forward": _("四、结转下年度继续办理"),
}
LEAVES = [leaf for group in RESULT_GROUPS for leaf in group.leaves]
# Closed without an outcome (withdrawn by the applicant): 其他处理 3.其他.
NO_OUTCOME = Outcome.OTHER.value

# Table 4
CHALLENGE_RESULTS = [
    (ChallengeResult.UPHELD.value, _("结果维持")),
    (ChallengeResult.CORRECTED.value, _("结果纠正")),
    (ChallengeResult.OTHER.value, _("其他结果")),
    (ChallengeResult.PENDING.value, _("尚未审结")),
    ("total", _("总计")),
]
CHALLENGE_KINDS = [
    (ChallengeKind.RECONSIDERATION.value, _("行政复议"), None),
    (ChallengeKind.LITIGATION.value, _("行政诉讼"), _("未经复议直接起诉")),
    (ChallengeKind.LITIGATION_AFTER_RECONSIDERATION.value, _("行政诉讼"), _("复议后起诉")),
]


# ------------------------------------------------------------------------- the year ---


@dataclass(frozen=True)
class Year:
    """A calendar year as dates and as instants in the portal's time zone."""

    year: int

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, 1, 1, tzinfo=timezone.get_default_timezone())

    @property
    def end(self) -> dt.datetime:
        """The first instant of the next year (exclusive bound)."""
        return dt.datetime(self.year + 1, 1, 1, tzinfo=timezone.get_default_timezone())


def is_reportable_year(year: int, today: dt.date | None = None) -> bool:
    """A year the portal can report on: from 2008 to the current year (a draft of the
    current year shows the figures so far)."""
    today = today or timezone.localdate()
    return FIRST_YEAR <= year <= today.year


# --------------------------------------------------------------------------- table 2 ---


def _in_year(field: str, year: Year) -> Q:
    return Q(**{f"{field}__gte": year.start, f"{field}__lt": year.end})


def _not_withdrawn_by_end(year: Year) -> Q:
    return Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=year.end)


def _policy_counts(unit: Unit, year: Year) -> dict[str, dict[str, int]]:
    rows = (
        Record.objects.filter(
            unit=unit,
            kind=RecordKind.POLICY,
            status__in=[RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN],
            published_at__lt=year.end,
        )
        .annotate(
            is_regulation=ExpressionWrapper(
                Q(document_number__contains=REGULATION_NUMBER_MARK), output_field=BooleanField()
            )
        )
        .values("is_regulation")
        .annotate(
            issued=Count("pk", filter=_in_year("published_at", year)),
            repealed=Count(
                "pk",
                filter=Q(status=RecordStatus.WITHDRAWN) & _in_year("withdrawn_at", year),
            ),
            in_force=Count("pk", filter=_not_withdrawn_by_end(year)),
        )
        .order_by()
    )
    zero = {"issued": 0, "repealed": 0, "in_force": 0}
    counts = {"regulations": dict(zero), "normative_documents": dict(zero)}
    for row in rows:
        key = "regulations" if row["is_regulation"] else "normative_documents"
        counts[key] = {name: row[name] for name in zero}
    return counts


def _names(word: str) -> Q:
    return Q(item__level1__contains=word) | Q(item__level2__contains=word)


def decision_kind(item_names: dict[str, bool], title_names: dict[str, bool]) -> str | None:
    """The kind of decision a record publishes: the one kind its catalog item names, or,
    for an item naming several, the one of those its title names; None if that is not
    one kind."""
    kinds = [kind for kind, named in item_names.items() if named]
    if len(kinds) == 1:
        return kinds[0]
    titled = [kind for kind in kinds if title_names.get(kind)]
    return titled[0] if len(titled) == 1 else None


def _decision_counts(unit: Unit, year: Year) -> tuple[dict[str, int], int]:
    any_kind = Q()
    flags: dict[str, ExpressionWrapper] = {}
    for kind, word in DECISION_WORDS.items():
        any_kind |= _names(word)
        flags[f"item_{kind}"] = ExpressionWrapper(_names(word), output_field=BooleanField())
        flags[f"title_{kind}"] = ExpressionWrapper(
            Q(title__contains=word), output_field=BooleanField()
        )
    rows = (
        Record.objects.filter(
            unit=unit,
            status__in=[RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN],
        )
        .filter(_in_year("published_at", year), _not_withdrawn_by_end(year), any_kind)
        .annotate(**flags)
        .values(*flags)
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(DECISION_WORDS, 0)
    unclassified = 0
    for row in rows:
        kind = decision_kind(
            {k: row[f"item_{k}"] for k in DECISION_WORDS},
            {k: row[f"title_{k}"] for k in DECISION_WORDS},
        )
        if kind is None:
            unclassified += row["n"]
        else:
            counts[kind] += row["n"]
    return counts, unclassified


def wan_yuan(yuan: Decimal) -> str:
    """An amount in 元 as 万元, to the yuan (four decimals), without trailing zeros."""
    amount = (Decimal(yuan) / 10000).quantize(Decimal("0.0001"))
    text = format(amount, "f").rstrip("0").rstrip(".")
    return text or "0"


def _fees(unit: Unit, year: Year) -> Decimal:
    total = (
        InfoRequest.objects.filter(unit=unit, fee_amount__gt=0)
        .filter(_in_year("replied_at", year))
        .exclude(outcome=Outcome.OTHER_UNPAID)
        .aggregate(total=Sum("fee_amount"))["total"]
    )
    return total or Decimal("0")


def table2(unit: Unit, year: Year) -> dict[str, Any]:
    policies = _policy_counts(unit, year)
    decisions, unclassified = _decision_counts(unit, year)
    fees = _fees(unit, year)
    values = {
        **policies,
        **{kind: {"decisions": n} for kind, n in decisions.items()},
        "administrative_fees": {"amount": wan_yuan(fees)},
    }
    return {
        "sections": [
            {
                "key": key,
                "article": str(article),
                "columns": [{"key": c, "label": str(label)} for c, label in columns],
                "rows": [
                    {"key": row, "label": str(label), "values": values[row]} for row, label in rows
                ],
            }
            for key, article, columns, rows in TABLE2_SECTIONS
        ],
        "unclassified_decisions": unclassified,
        "fees_yuan": f"{fees:.2f}",
    }


# --------------------------------------------------------------------------- table 3 ---


def first_receipt():
    """The day a request was first received (see the module's notes): the earliest of its
    receipt date, the day its receipt was registered, and the day a correction notice went
    out. PostgreSQL's LEAST skips NULLs."""
    tz = timezone.get_default_timezone()
    earliest_event = Subquery(
        InfoRequestEvent.objects.filter(request=OuterRef("pk"), kind=InfoRequestEventKind.RECEIVED)
        .order_by("at")
        .values("at")[:1]
    )
    return Least(
        "received_on",
        TruncDate(earliest_event, tzinfo=tz),
        TruncDate("correction_sent_at", tzinfo=tz),
    )


def requests_of_year(unit: Unit, year: Year):
    """The unit's requests that table 3 of `year` counts, annotated with `first`
    (first receipt), `finished_at` and `result` (the outcome as counted)."""
    return (
        InfoRequest.objects.filter(unit=unit)
        .exclude(status=InfoRequestStatus.PENDING)
        .annotate(
            first=first_receipt(),
            finished_at=Coalesce("replied_at", "closed_at"),
            result=Case(
                When(outcome="", then=Value(NO_OUTCOME)),
                default=F("outcome"),
                output_field=CharField(),
            ),
        )
        .filter(first__lte=year.last_day)
        .filter(
            Q(first__gte=year.first_day)
            | Q(finished_at__isnull=True)
            | Q(finished_at__gte=year.start)
        )
    )


def table3(unit: Unit, year: Year) -> dict[str, Any]:
    finished_in_year = Q(finished_at__gte=year.start, finished_at__lt=year.end)
    outcomes = [outcome for leaf in LEAVES for outcome in leaf.outcomes]
    rows = (
        requests_of_year(unit, year)
        .values("applicant_type")
        .annotate(
            new=Count("pk", filter=Q(first__gte=year.first_day)),
            carried_over=Count(
                "pk",
                filter=Q(first__lt=year.first_day)
                & (Q(finished_at__isnull=True) | Q(finished_at__gte=year.start)),
            ),
            carried_forward=Count(
                "pk", filter=Q(finished_at__isnull=True) | Q(finished_at__gte=year.end)
            ),
            **{
                f"o_{outcome}": Count("pk", filter=finished_in_year & Q(result=outcome))
                for outcome in outcomes
            },
        )
        .order_by()
    )
    columns = [key for key, _label in APPLICANT_COLUMNS]
    by_column: dict[str, dict[str, int]] = {key: {} for key in columns}

    def add(column: str, row: str, n: int) -> None:
        for target in (column, "total"):
            by_column[target][row] = by_column[target].get(row, 0) + n

    for row in rows:
        column = row["applicant_type"] if row["applicant_type"] in by_column else "other"
        for key in ("new", "carried_over", "carried_forward"):
            add(column, key, row[key])
        for leaf in LEAVES:
            add(column, leaf.key, sum(row[f"o_{o}"] for o in leaf.outcomes))

    def cell(column: str, row: str) -> int:
        return by_column[column].get(row, 0)

    def values(row: str) -> dict[str, int]:
        return {column: cell(column, row) for column in columns}

    handled = {column: sum(cell(column, leaf.key) for leaf in LEAVES) for column in columns}
    out_rows = [
        {"key": "new", "label": str(ROW_LABELS["new"]), "group": None, "values": values("new")},
        {
            "key": "carried_over",
            "label": str(ROW_LABELS["carried_over"]),
            "group": None,
            "values": values("carried_over"),
        },
    ]
    for group in RESULT_GROUPS:
        for leaf in group.leaves:
            out_rows.append(
                {
                    "key": leaf.key,
                    "label": str(leaf.label or group.label),
                    "group": str(group.label) if leaf.label else None,
                    "values": values(leaf.key),
                }
            )
    out_rows += [
        {"key": "total", "label": str(ROW_LABELS["total"]), "group": None, "values": handled},
        {
            "key": "carried_forward",
            "label": str(ROW_LABELS["carried_forward"]),
            "group": None,
            "values": values("carried_forward"),
        },
    ]
    check = {}
    for column in columns:
        left = cell(column, "new") + cell(column, "carried_over")
        right = handled[column] + cell(column, "carried_forward")
        check[column] = {
            "new": cell(column, "new"),
            "carried_over": cell(column, "carried_over"),
            "handled": handled[column],
            "carried_forward": cell(column, "carried_forward"),
            "holds": left == right,
            "difference": left - right,
        }
    return {
        "columns": [{"key": key, "label": str(label)} for key, label in APPLICANT_COLUMNS],
        "rows": out_rows,
        "check": check,
        "check_holds": all(entry["holds"] for entry in check.values()),
    }


# --------------------------------------------------------------------------- table 4 ---


def table4(unit: Unit, year: Year) -> dict[str, Any]:
    decided = Q(decided_on__lte=year.last_day) & ~Q(result=ChallengeResult.PENDING)
    rows = (
        Challenge.objects.filter(unit=unit, filed_on__gte=year.first_day)
        .filter(filed_on__lte=year.last_day)
        .values("kind")
        .annotate(
            upheld=Count("pk", filter=decided & Q(result=ChallengeResult.UPHELD)),
            corrected=Count("pk", filter=decided & Q(result=ChallengeResult.CORRECTED)),
            other=Count("pk", filter=decided & Q(result=ChallengeResult.OTHER)),
            pending=Count("pk", filter=~decided),
            total=Count("pk"),
        )
        .order_by()
    )
    found = {row["kind"]: row for row in rows}
    keys = [key for key, _label in CHALLENGE_RESULTS]
    return {
        "columns": [{"key": key, "label": str(label)} for key, label in CHALLENGE_RESULTS],
        "rows": [
            {
                "key": kind,
                "label": str(label),
                "sublabel": str(sublabel) if sublabel else None,
                "values": {key: found.get(kind, {}).get(key, 0) for key in keys},
            }
            for kind, label, sublabel in CHALLENGE_KINDS
        ],
    }


# ----------------------------------------------------------------------------- all ---


def report_tables(unit: Unit, year: int) -> dict[str, Any]:
    """Tables 二, 三 and 四 of `unit` for `year`, as JSON-ready data (labels in the active
    language: freeze them under the portal's language)."""
    span = Year(year)
    return {
        "format": FORMAT_VERSION,
        "year": year,
        "computed_at": timezone.now().isoformat(timespec="seconds"),
        "table2": table2(unit, span),
        "table3": table3(unit, span),
        "table4": table4(unit, span),
    }
