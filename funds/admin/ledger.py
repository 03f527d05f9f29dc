"""Back office of the three-asset ledgers (三资).

The township's accounting centre opens collectives, registers their members, books
entries (never changed once saved: the entry page offers a correction, a red reversal
with an optional replacement, and the upload of scanned original vouchers), keeps the
registers of fixed assets and resources, imports a workbook of entries (all rows valid
or nothing booked, with a row-by-row report) and generates monthly statements; the
village committee's editors publish them. Accountants see their centre's collectives,
village officials read their village's, the township office and supervisors their
subtree (funds.selectors.ledger.collectives_for).

Every write goes through funds.services.ledger. Forms first run the service in a
savepoint and roll it back (portal.admin.dry_run), so a refusal becomes a form error
beside its field and nothing typed is lost; a voucher file is checked without storing
it (services.voucher_refusal).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from disclosure.models import RecordStatus
from funds.models import (
    AccountSubject,
    AssetStatus,
    Collective,
    Direction,
    FixedAsset,
    LedgerEntry,
    LedgerImport,
    Member,
    MonthlyStatement,
    Resource,
    Voucher,
)
from funds.permissions import can_book
from funds.selectors import ledger as selectors
from funds.services import ledger as services
from funds.services import vouchers as voucher_services
from participation.models import Decision
from portal import hierarchy, permissions, uploads
from portal.admin import (
    ActorForm,
    BackOfficeAdmin,
    ReadOnlyInline,
    ReadWithParent,
    ServiceValidated,
    dry_run,
)
from portal.charts import XLSX_TYPE
from portal.models import Region, Tier, Unit, UnitKind
from portal.permissions import Action
from portal.services.errors import DomainError

# ---------------------------------------------------------------------------
# Shared


class ServiceForm(ServiceValidated, forms.ModelForm):
    """A form that stands for one service call (`run`): clean() tries it in a savepoint
    and rolls it back, so a refusal becomes a form error (beside its field, else beside
    `refusal_field`); the admin's save_model then runs it for real."""

    actor: Any = None
    refusal_field: str | None = None

    def run(self) -> Any:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            dry_run(self, self.run, refusal_field=self.refusal_field)
        return data


def _scope(request: HttpRequest, name: str, build) -> QuerySet[Collective]:
    """A per-request answer to "which collectives", asked by several hooks per page."""
    cache = request.__dict__.setdefault("_funds_ledger_scopes", {})
    if name not in cache:
        cache[name] = build(request.user)
    return cache[name]


def readable(request: HttpRequest) -> QuerySet[Collective]:
    return _scope(request, "read", selectors.collectives_for)


def bookable(request: HttpRequest) -> QuerySet[Collective]:
    return _scope(request, "book", selectors.collectives_bookable)


def publishable(request: HttpRequest) -> QuerySet[Collective]:
    return _scope(request, "publish", selectors.collectives_publishable)


def _flag(request: HttpRequest, name: str, scope) -> bool:
    key = f"_funds_ledger_{name}"
    if not hasattr(request, key):
        setattr(request, key, scope(request).exists())
    return getattr(request, key)


def books_any(request: HttpRequest) -> bool:
    return _flag(request, "books", bookable)


def publishes_any(request: HttpRequest) -> bool:
    return _flag(request, "publishes", publishable)


class CollectiveScoped(BackOfficeAdmin):
    """Rows of the collectives this person reads; adding for those they book."""

    collective_field = "collective"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rows = super().get_queryset(request)
        return rows.filter(**{f"{self.collective_field}__in": readable(request).values("pk")})

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return permissions.is_back_office_user(request.user)
        collective_id = getattr(obj, f"{self.collective_field}_id")
        return readable(request).filter(pk=collective_id).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return books_any(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return books_any(request)
        return can_book(request.user, getattr(obj, self.collective_field))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "collective" and "queryset" not in kwargs:
            kwargs["queryset"] = bookable(request).select_related("region")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _money(value: Any) -> str:
    return "—" if value is None else f"{value:,.2f}"


# ---------------------------------------------------------------------------
# Collectives and members


class CollectiveForm(ServiceForm):
    class Meta:
        model = Collective
        fields = ["region", "group_name", "name", "centre", "opened_on", "cash_float"]
        help_texts = {"group_name": _("村集体经济组织不填；村民小组集体经济组织填“3组”等。")}

    def run(self) -> Collective:
        return services.collective_create(**self.cleaned_data, actor=self.actor)


class MemberInline(ReadWithParent, ReadOnlyInline):
    model = Member
    fields = ["real_name", "id_number_masked", "group_name", "registered_on"]
    readonly_fields = fields
    verbose_name_plural = _("集体经济组织成员（身份证号码只保存掩码）")


@admin.register(Collective)
class CollectiveAdmin(ActorForm, BackOfficeAdmin):
    form = CollectiveForm
    list_display = ["name", "region", "group_name", "centre", "opened_on", "cash_float"]
    search_fields = ["name", "region__name", "=region__code"]
    list_select_related = ["region", "centre"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Collective]:
        return readable(request).select_related("region", "centre")

    def get_inlines(self, request, obj):
        return [MemberInline] if obj is not None else []

    def has_view_permission(self, request: HttpRequest, obj: Collective | None = None) -> bool:
        if obj is None:
            return permissions.is_back_office_user(request.user)
        return readable(request).filter(pk=obj.pk).exists()

    def _centres(self, request: HttpRequest) -> QuerySet[Unit]:
        return permissions.units_for(request.user, Action.MANAGE).filter(
            kind=UnitKind.ACCOUNTING_CENTRE, is_active=True
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._centres(request).exists()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an account, once opened, is kept as it was opened

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "centre":
            kwargs["queryset"] = self._centres(request).select_related("region")
        if db_field.name == "region":
            if permissions.is_platform_admin(request.user):
                # Every village of the portal is too many for a list: type the code.
                kwargs["widget"] = widgets.ForeignKeyRawIdWidget(
                    db_field.remote_field, self.admin_site
                )
            else:
                townships = list(self._centres(request).values_list("region_id", flat=True))
                villages = Region.objects.filter(tier=Tier.VILLAGE, is_active=True)
                kwargs["queryset"] = hierarchy.in_any_subtree(villages, townships, "code").order_by(
                    "code"
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Collective, form, change: bool) -> None:
        obj.pk = form.run().pk


class MemberForm(ServiceForm):
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        help_text=_("只保存加密摘要（用于查阅凭证时核验）和掩码，不保存号码本身。"),
    )

    class Meta:
        model = Member
        fields = ["collective", "real_name", "id_number", "group_name", "registered_on"]

    def run(self) -> Member:
        return services.member_register(**self.cleaned_data, actor=self.actor)


@admin.register(Member)
class MemberAdmin(ActorForm, CollectiveScoped):
    form = MemberForm
    list_display = ["real_name", "id_number_masked", "collective", "group_name", "registered_on"]
    search_fields = ["collective__name", "=id_number_masked"]
    list_select_related = ["collective"]
    show_full_result_count = False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
            kwargs["fields"] = []
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return MemberForm.Meta.fields
        return ["collective", "real_name", "id_number_masked", "group_name", "registered_on"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Member, form: MemberForm, change: bool) -> None:
        obj.pk = form.run().pk


# ---------------------------------------------------------------------------
# Entries


class EntryBookForm(ServiceForm):
    refusal_field = "booked_on"

    class Meta:
        model = LedgerEntry
        fields = ["collective", *services.ENTRY_FIELDS]
        widgets = {"summary": forms.TextInput(attrs={"size": 60})}
        help_texts = {
            "voucher_number": _("同一集体经济组织内不能重复。"),
            "amount": _("正数；更正错误的凭证请在原凭证页面使用“更正”。"),
            "decision": _("大额支出请关联村民（代表）会议决议。"),
        }

    def run(self) -> LedgerEntry:
        return services.entry_book(**self.cleaned_data, actor=self.actor)


REPLACEMENT_PREFIX = "new_"


class EntryActionForm(forms.ModelForm):
    """An entry's page: attach scanned vouchers, or correct it (never change it)."""

    voucher_file = forms.FileField(
        label=_("上传原始凭证"),
        required=False,
        help_text=_("扫描图片（PNG/JPEG/GIF/WebP）或 PDF；按文件内容识别类型，不对外公开。"),
    )
    correct = forms.BooleanField(
        label=_("更正此凭证"),
        required=False,
        help_text=_("原凭证不改动：记一笔红字冲销（负数金额），需要时再记一笔正确的凭证。"),
    )
    reason = forms.CharField(label=_("更正原因"), required=False, max_length=150)
    new_voucher_number = forms.CharField(
        label=_("重新记账凭证号"),
        required=False,
        max_length=20,
        help_text=_("填写后按下列内容另记一笔正确的凭证；未填写的项目沿用原凭证。"),
    )
    new_summary = forms.CharField(label=_("摘要"), required=False, max_length=200)
    new_subject = forms.ModelChoiceField(
        label=_("会计科目"), queryset=AccountSubject.objects.all(), required=False
    )
    new_direction = forms.ChoiceField(
        label=_("收支"), choices=[("", "—"), *Direction.choices], required=False
    )
    new_amount = forms.DecimalField(
        label=_("金额（元）"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    new_counterparty = forms.CharField(label=_("往来单位或个人"), required=False, max_length=100)
    new_counterparty_is_person = forms.TypedChoiceField(
        label=_("往来为个人"),
        choices=[("", _("沿用原凭证")), ("yes", _("是")), ("no", _("否"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    new_handler = forms.CharField(label=_("经办人"), required=False, max_length=40)
    new_approver = forms.CharField(label=_("审批人"), required=False, max_length=40)
    new_reviewer = forms.CharField(label=_("审核人"), required=False, max_length=40)

    actor: Any = None
    REPLACEMENT = [
        "voucher_number",
        "summary",
        "subject",
        "direction",
        "amount",
        "counterparty",
        "counterparty_is_person",
        "handler",
        "approver",
        "reviewer",
    ]

    class Meta:
        model = LedgerEntry
        fields: list[str] = []

    def replacement(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not (data.get("new_voucher_number") or "").strip():
            return None
        given = {name: data.get(REPLACEMENT_PREFIX + name) for name in self.REPLACEMENT}
        return {name: value for name, value in given.items() if value not in (None, "")}

    def run_correction(self) -> tuple[LedgerEntry, LedgerEntry | None]:
        return services.entry_correct(
            entry=self.instance,
            actor=self.actor,
            reason=self.cleaned_data.get("reason", ""),
            replacement=self.replacement(),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("voucher_file")
        if upload is not None:
            for problem in services.voucher_refusal(upload.name, upload.read()):
                self.add_error("voucher_file", problem)
            upload.seek(0)
        if data.get("correct") and not self.errors:
            dry_run(
                self,
                self.run_correction,
                refusal_field="correct",
                aliases={
                    "reason": "reason",
                    **{name: REPLACEMENT_PREFIX + name for name in self.REPLACEMENT},
                    "booked_on": "correct",
                },
            )
        elif not data.get("correct") and (data.get("new_voucher_number") or data.get("reason")):
            self.add_error("correct", _("要更正此凭证，请勾选“更正此凭证”。"))
        return data


class VoucherInline(ReadWithParent, ReadOnlyInline):
    model = Voucher
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at", "open_link"]
    readonly_fields = fields
    verbose_name_plural = _("原始凭证（仅工作人员可在此查看；成员凭身份证号核验后查阅）")

    @admin.display(description=_("查看"))
    def open_link(self, voucher: Voucher) -> str:
        url = reverse("admin:funds_ledgerentry_voucher", args=[voucher.entry_id, voucher.pk])
        return format_html('<a href="{}">{}</a>', url, _("打开"))


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ActorForm, CollectiveScoped):
    list_display = [
        "voucher_number",
        "booked_on",
        "collective",
        "subject",
        "direction",
        "amount",
        "summary",
        "correction_of",
    ]
    list_filter = ["direction", "subject__category", "subject"]
    search_fields = ["voucher_number", "summary", "collective__name"]
    list_select_related = ["collective", "subject", "corrects"]
    date_hierarchy = "booked_on"
    show_full_result_count = False
    SHOWN = [
        "collective",
        *services.ENTRY_FIELDS,
        "correction_of",
        "corrected_by",
        "booked_by",
        "booked_at",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = EntryBookForm
        else:
            kwargs["form"] = EntryActionForm
            kwargs["fields"] = self._action_fields(request, obj)
        return super().get_form(request, obj, change=change, **kwargs)

    def _action_fields(self, request: HttpRequest, obj: LedgerEntry) -> list[str]:
        if not self.has_change_permission(request, obj):
            return []
        fields = ["voucher_file"]
        if services.correction_refusal(obj) is None:
            fields += [
                "correct",
                "reason",
                *(REPLACEMENT_PREFIX + name for name in EntryActionForm.REPLACEMENT),
            ]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.SHOWN if obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: LedgerEntry | None = None):
        if obj is None:
            return [
                (None, {"fields": ["collective", "booked_on", "voucher_number", "summary"]}),
                (_("科目和金额"), {"fields": ["subject", "direction", "amount"]}),
                (_("往来单位或个人"), {"fields": ["counterparty", "counterparty_is_person"]}),
                (
                    _("经办、审批和审核"),
                    {"fields": ["handler", "approver", "reviewer", "decision"]},
                ),
            ]
        sets = [(None, {"fields": self.SHOWN})]
        actions = self._action_fields(request, obj)
        if "voucher_file" in actions:
            sets.append((_("原始凭证"), {"fields": ["voucher_file"]}))
        if "correct" in actions:
            sets.append(
                (
                    _("更正（红字冲销，另记正确凭证）"),
                    {
                        "fields": [
                            "correct",
                            "reason",
                            *(REPLACEMENT_PREFIX + name for name in EntryActionForm.REPLACEMENT),
                        ],
                        "description": _(
                            "更正记入本月：先记一笔负数金额的冲销凭证；填写“重新记账凭证号”时，"
                            "再按填写的内容另记一笔正确的凭证（未填写的项目沿用原凭证）。"
                        ),
                    },
                )
            )
        return sets

    def get_inlines(self, request, obj):
        return [VoucherInline] if obj is not None else []

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("booked_on", timezone.localdate())
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "decision":
            kwargs["queryset"] = Decision.objects.filter(
                region__in=bookable(request).values("region_id"), status__in=services.DECIDED
            ).order_by("-pk")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("更正的凭证"))
    def correction_of(self, entry: LedgerEntry) -> str:
        if entry.corrects_id is None:
            return "—"
        url = reverse("admin:funds_ledgerentry_change", args=[entry.corrects_id])
        kind = _("冲销") if entry.amount < 0 else _("重新记账")
        return format_html('{} <a href="{}">{}</a>', kind, url, entry.corrects.voucher_number)

    @admin.display(description=_("更正记录"))
    def corrected_by(self, entry: LedgerEntry) -> str:
        rows = [
            (reverse("admin:funds_ledgerentry_change", args=[c.pk]), c.voucher_number, c.amount)
            for c in entry.corrections.order_by("pk")
        ]
        if not rows:
            return "—"
        return format_html_join("、", '<a href="{}">{}</a>（{}）', rows)

    def save_model(self, request: HttpRequest, obj: LedgerEntry, form, change: bool) -> None:
        if not change:
            obj.pk = form.run().pk
            return
        upload = form.cleaned_data.get("voucher_file")
        if upload is not None:
            services.voucher_attach(
                entry=obj, name=upload.name, data=upload.read(), actor=request.user
            )
            self.message_user(request, _("已上传原始凭证。"), messages.SUCCESS)
        if form.cleaned_data.get("correct"):
            reversal, new = form.run_correction()
            numbers = "、".join(e.voucher_number for e in (reversal, new) if e is not None)
            self.message_user(
                request, _("已记更正凭证：%(numbers)s。") % {"numbers": numbers}, messages.SUCCESS
            )

    def response_change(self, request: HttpRequest, obj: LedgerEntry) -> HttpResponse:
        # The entry itself was not changed: the messages above say what was done.
        if "_continue" in request.POST:
            return HttpResponseRedirect(request.path)
        if "_addanother" in request.POST:
            return HttpResponseRedirect(reverse("admin:funds_ledgerentry_add"))
        return HttpResponseRedirect(reverse("admin:funds_ledgerentry_changelist"))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/vouchers/<int:voucher_id>/",
                self.admin_site.admin_view(self.voucher_view),
                name="funds_ledgerentry_voucher",
            ),
            *super().get_urls(),
        ]

    def voucher_view(self, request: HttpRequest, object_id: str, voucher_id: int) -> HttpResponse:
        """A scanned voucher for the officials who read the entry, from private storage."""
        entry = (
            self.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
        )
        voucher = entry.vouchers.filter(pk=voucher_id).first() if entry else None
        if voucher is None:
            raise Http404
        # Every door to a voucher is logged, this one too: supervisors read who looked.
        voucher_services.voucher_view_by_official(voucher=voucher, official=request.user)
        return uploads.serve_file(
            voucher.file.open("rb"),
            content_type=voucher.content_type,
            filename=voucher.original_name,
            cache=uploads.PRIVATE,
        )


# ---------------------------------------------------------------------------
# Registers


class RegisterAdmin(ActorForm, CollectiveScoped):
    """A register's rows: the collective is kept as entered; saved by the form's service."""

    def get_readonly_fields(self, request, obj=None):
        return ["collective"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: ServiceForm, change) -> None:
        obj.pk = form.run().pk


class AssetForm(ServiceForm):
    class Meta:
        model = FixedAsset
        fields = ["collective", *services.ASSET_FIELDS]
        help_texts = {"status": _("选择“出租”时须填写承租方和租期。")}

    def run(self) -> FixedAsset:
        data = self.cleaned_data
        values = {name: data[name] for name in services.ASSET_FIELDS if name in data}
        if self.instance.pk:
            asset = FixedAsset.objects.get(pk=self.instance.pk)
            return services.asset_update(asset=asset, actor=self.actor, **values)
        return services.asset_register(collective=data["collective"], actor=self.actor, **values)


@admin.register(FixedAsset)
class FixedAssetAdmin(RegisterAdmin):
    form = AssetForm
    list_display = ["name", "collective", "category", "value", "status", "lessee", "lease_end"]
    list_filter = ["status"]
    search_fields = ["name", "collective__name", "location"]
    list_select_related = ["collective"]
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: FixedAsset | None = None) -> bool:
        if obj is not None and obj.status == AssetStatus.DISPOSED:
            return False
        return super().has_change_permission(request, obj)


class ResourceForm(ServiceForm):
    class Meta:
        model = Resource
        fields = ["collective", *services.RESOURCE_FIELDS]

    def run(self) -> Resource:
        data = self.cleaned_data
        values = {name: data[name] for name in services.RESOURCE_FIELDS if name in data}
        if self.instance.pk:
            resource = Resource.objects.get(pk=self.instance.pk)
            return services.resource_update(resource=resource, actor=self.actor, **values)
        return services.resource_register(collective=data["collective"], actor=self.actor, **values)


@admin.register(Resource)
class ResourceAdmin(RegisterAdmin):
    form = ResourceForm
    list_display = ["name", "collective", "kind", "area", "holder", "term_end", "annual_rent"]
    list_filter = ["kind"]
    search_fields = ["name", "collective__name"]
    list_select_related = ["collective"]
    show_full_result_count = False


# ---------------------------------------------------------------------------
# Monthly statements


class StatementForm(ServiceForm):
    month = forms.DateField(
        label=_("月份"),
        input_formats=["%Y-%m"],
        widget=forms.TextInput(attrs={"placeholder": "2026-03"}),
        help_text=_("写作 2026-03；只能生成已经结束的月份，已公开的月份不能重新生成。"),
    )
    refusal_field = "month"

    class Meta:
        model = MonthlyStatement
        fields = ["collective", "month"]

    def run(self) -> MonthlyStatement:
        data = self.cleaned_data
        return services.statement_generate(
            collective=data["collective"], month=data["month"], actor=self.actor
        )


def statement_table(figures: dict[str, Any]) -> str:
    """A statement's figures as the back office reads them."""
    shown = selectors.figures_display(figures)

    def rows(lines, keys):
        return format_html_join(
            "",
            "<tr><th scope='row'>{}</th>" + "<td>{}</td>" * len(keys) + "</tr>",
            ((line["label"], *(_money(line[k]) for k in keys)) for line in lines),
        )

    balances = ("opening", "income", "expense", "closing")
    return format_html(
        "<table><caption>{}</caption><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th>"
        "<th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th></tr></thead>"
        "<tbody>{}</tbody></table>"
        "<table><caption>{}</caption><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th>"
        "<th scope='col'>{}</th></tr></thead><tbody>{}{}</tbody></table><p>{}</p>",
        _("货币资金余额（元）"),
        _("项目"),
        _("期初余额"),
        _("本月收入"),
        _("本月支出"),
        _("期末余额"),
        rows(shown["balances"], balances),
        _("按公开类别汇总（元）"),
        _("公开类别"),
        _("收入"),
        _("支出"),
        rows(shown["categories"], ("income", "expense")),
        rows(shown["totals"], ("income", "expense")),
        _("记账凭证 %(n)d 笔，其中更正凭证 %(c)d 笔。")
        % {"n": shown["entry_count"], "c": shown["corrections"]},
    )


@admin.register(MonthlyStatement)
class MonthlyStatementAdmin(ActorForm, CollectiveScoped):
    form = StatementForm
    list_display = ["collective", "month_label", "generated_at", "published_at", "record_state"]
    list_filter = [("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["collective__name"]
    list_select_related = ["collective", "record"]
    show_full_result_count = False
    actions = ["regenerate_selected", "publish_selected"]
    SHOWN = [
        "collective",
        "month_label",
        "generated_at",
        "figures_table",
        "published_at",
        "record_state",
    ]

    def get_fields(self, request, obj=None):
        return ["collective", "month"] if obj is None else self.SHOWN

    def get_readonly_fields(self, request, obj=None):
        return self.SHOWN if obj is not None else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return books_any(request) or publishes_any(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # figures come from the ledger: regenerate or publish (actions)

    def has_generate_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return publishes_any(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "collective":
            kwargs["queryset"] = (bookable(request) | publishable(request)).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("月份"), ordering="month")
    def month_label(self, statement: MonthlyStatement) -> str:
        return selectors.month_key(statement.month)

    @admin.display(description=_("报表"))
    def figures_table(self, statement: MonthlyStatement) -> str:
        return statement_table(statement.figures)

    @admin.display(description=_("公开信息"))
    def record_state(self, statement: MonthlyStatement) -> str:
        record = statement.record
        if record is None:
            return _("未公开")
        url = reverse("admin:disclosure_record_change", args=[record.pk])
        note = "" if record.status == RecordStatus.PUBLISHED else _("（公开信息尚未发布）")
        return format_html('<a href="{}">{}</a>{}', url, record.get_status_display(), note)

    def save_model(self, request: HttpRequest, obj, form: StatementForm, change: bool) -> None:
        obj.pk = form.run().pk

    def _act(self, request: HttpRequest, queryset, run, done_message: str) -> None:
        done, refused = 0, []
        for statement in queryset.select_related("collective"):
            try:
                run(statement)
            except DomainError as exc:
                refused.append(f"{statement}：{exc.messages[0]}")
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("按账簿重新生成所选报表"), permissions=["generate"])
    def regenerate_selected(self, request: HttpRequest, queryset) -> None:
        self._act(
            request,
            queryset,
            lambda s: services.statement_generate(
                collective=s.collective, month=s.month, actor=request.user
            ),
            _("已重新生成 %(n)d 份报表。"),
        )

    @admin.action(description=_("公开所选月份的财务收支明细"), permissions=["publish"])
    def publish_selected(self, request: HttpRequest, queryset) -> None:
        self._act(
            request,
            queryset,
            lambda s: services.statement_publish(statement=s, actor=request.user),
            _("已提交公开 %(n)d 个月份的财务收支明细。"),
        )


# ---------------------------------------------------------------------------
# Importing a workbook


class ImportForm(forms.ModelForm):
    file = forms.FileField(
        label=_("Excel 工作簿（.xlsx）"),
        help_text=_("按导入模板填写；任何一行有错误时整个文件都不导入，并逐行列出错误。"),
    )

    class Meta:
        model = LedgerImport
        fields = ["collective", "file"]


@admin.register(LedgerImport)
class LedgerImportAdmin(CollectiveScoped):
    form = ImportForm
    list_display = [
        "uploaded_at",
        "collective",
        "file_name",
        "rows",
        "booked",
        "error_count",
        "uploaded_by",
    ]
    search_fields = ["collective__name", "file_name"]
    list_select_related = ["collective", "uploaded_by"]
    change_list_template = "admin/funds/ledgerimport/change_list.html"
    SHOWN = ["collective", "file_name", "rows", "booked", "uploaded_by", "uploaded_at", "report"]

    def get_fields(self, request, obj=None):
        return ["collective", "file"] if obj is None else self.SHOWN

    def get_readonly_fields(self, request, obj=None):
        return self.SHOWN if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return [(None, {"fields": self.SHOWN})]
        url = reverse("admin:funds_ledgerimport_template")
        return [
            (
                None,
                {
                    "fields": ["collective", "file"],
                    "description": format_html(
                        '{} <a href="{}">{}</a>',
                        _(
                            "第一行为表头：日期、凭证号、摘要、科目编号、收支、金额、往来单位或个人、"
                            "往来为个人、经办人、审批人、审核人。"
                        ),
                        url,
                        _("下载导入模板"),
                    ),
                },
            )
        ]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("错误"))
    def error_count(self, record: LedgerImport) -> int:
        return len(record.errors or [])

    @admin.display(description=_("逐行错误报告"))
    def report(self, record: LedgerImport) -> str:
        if not record.errors:
            return _("全部 %(n)d 行已入账。") % {"n": record.booked}
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (error.get("row") or "—", error.get("field", ""), error.get("message", ""))
                for error in record.errors
            ),
        )
        return format_html(
            "<p>{}</p><table><caption>{}</caption><thead><tr><th scope='col'>{}</th>"
            "<th scope='col'>{}</th><th scope='col'>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("发现错误，整个文件未导入任何记录。请修改后重新上传。"),
            _("错误明细"),
            _("行号"),
            _("列"),
            _("问题"),
            rows,
        )

    def save_model(self, request: HttpRequest, obj: LedgerImport, form: ImportForm, change) -> None:
        upload = form.cleaned_data["file"]
        saved = services.ledger_import(
            collective=form.cleaned_data["collective"],
            file_name=upload.name,
            data=upload.read(),
            actor=request.user,
        )
        obj.pk = saved.pk
        obj.errors, obj.booked, obj.rows = saved.errors, saved.booked, saved.rows

    def response_add(self, request: HttpRequest, obj: LedgerImport, post_url_continue=None):
        if obj.errors:
            self.message_user(
                request,
                _("发现 %(n)d 处错误，未导入任何记录，请查看下方逐行错误报告。")
                % {"n": len(obj.errors)},
                messages.ERROR,
            )
        else:
            self.message_user(
                request, _("已导入 %(n)d 笔记账凭证。") % {"n": obj.booked}, messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:funds_ledgerimport_change", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "template/",
                self.admin_site.admin_view(self.template_view),
                name="funds_ledgerimport_template",
            ),
            *super().get_urls(),
        ]

    def template_view(self, request: HttpRequest) -> HttpResponse:
        if not books_any(request):
            raise Http404
        return HttpResponse(
            selectors.import_template(),
            content_type=XLSX_TYPE,
            headers={"Content-Disposition": content_disposition_header(True, "账簿导入模板.xlsx")},
        )

    def changelist_view(self, request, extra_context=None):
        extra = {"template_url": reverse("admin:funds_ledgerimport_template")}
        return super().changelist_view(request, {**(extra_context or {}), **extra})
