"""Officials handle letters here: their units' queue by due date, with due-soon and
overdue marked; supervisors of the place read it and may grant one extension."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mailbox import services
from mailbox.models import Letter, LetterEvent
from mailbox.models.letters import OPEN_STATUSES
from mailbox.permissions import can_handle, can_supervise, letters_for
from portal import identity, permissions
from portal.admin import ActorForm, BackOfficeAdmin, ReadOnlyInline, dry_run
from portal.models import Unit

ACTIONS = [
    ("", _("仅查看")),
    ("accept", _("受理")),
    ("reject", _("不予受理（须说明理由）")),
    ("transfer", _("转办至其他单位")),
    ("reply", _("答复")),
    ("extend", _("批准延期（监督人员，须说明理由）")),
]


def perform(letter: Letter, actor: Any, data: dict[str, Any]) -> Letter:
    action, note = data.get("action"), data.get("note", "")
    if action == "accept":
        return services.letter_accept(letter=letter, actor=actor)
    if action == "reject":
        return services.letter_reject(letter=letter, actor=actor, reason=note)
    if action == "transfer":
        to_unit = data.get("to_unit")
        if to_unit is None:
            raise ValidationError({"to_unit": [_("请选择转办单位。")]})
        return services.letter_transfer(letter=letter, actor=actor, to_unit=to_unit, note=note)
    if action == "reply":
        return services.letter_reply(letter=letter, actor=actor, text=note)
    if action == "extend":
        return services.letter_extend(
            letter=letter, actor=actor, days=data.get("extend_days") or 0, reason=note
        )
    return letter


class LetterActionForm(forms.ModelForm):
    action = forms.ChoiceField(label=_("办理操作"), choices=ACTIONS, required=False)
    to_unit = forms.ModelChoiceField(
        label=_("转办单位"),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        widget=forms.NumberInput,
        help_text=_("填写单位编号（单位页面地址中的数字）。"),
    )
    note = forms.CharField(
        label=_("答复内容 / 理由 / 说明"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    extend_days = forms.IntegerField(
        label=_("延期工作日数"), required=False, min_value=1, max_value=30
    )

    actor: Any = None

    class Meta:
        model = Letter
        fields: list[str] = []

    def clean(self) -> dict:
        """Try the action in a savepoint and roll it back: the services' own refusals
        become form errors and nothing the official typed is lost. A refusal of the
        action as a whole is shown beside it; an error about a field this form does not
        have (a reason, a reply, a number of days) beside the note."""
        data = super().clean()
        if data.get("action") and not self.errors:
            dry_run(
                self,
                lambda: perform(Letter.objects.get(pk=self.instance.pk), self.actor, data),
                fallback="note",
                refusal_field="action",
            )
        return data


class EventInline(ReadOnlyInline):
    model = LetterEvent
    fields = ["at", "kind", "actor", "unit", "to_unit", "note", "due_at"]
    readonly_fields = fields


@admin.register(Letter)
class LetterAdmin(ActorForm, BackOfficeAdmin):
    form = LetterActionForm
    list_display = [
        "tracking_code",
        "subject",
        "type",
        "unit",
        "status",
        "due_marker",
        "received_at",
    ]
    list_filter = ["status", "type"]
    search_fields = ["=tracking_code", "subject"]
    list_select_related = ["unit"]
    ordering = ["due_at"]
    inlines = [EventInline]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Letter]:
        return letters_for(request.user).select_related("unit", "first_unit", "reply_unit")

    def has_change_permission(self, request: HttpRequest, obj: Letter | None = None) -> bool:
        if obj is None:
            return permissions.is_back_office_user(request.user)
        return can_handle(request.user, obj) or can_supervise(request.user, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Letter | None = None) -> list[str]:
        return [
            "tracking_code",
            "type",
            "subject",
            "body",
            "writer",
            "contact",
            "id_number_masked",
            "unit",
            "first_unit",
            "status",
            "received_at",
            "due_at",
            "due_is_provisional",
            "extended",
            "reject_reason",
            "reply",
            "replied_at",
            "rating",
            "publish_consent",
        ]

    def get_fields(self, request, obj=None):
        return [*self.get_readonly_fields(request, obj), "action", "to_unit", "note", "extend_days"]

    @admin.display(description=_("来信人"))
    def writer(self, letter: Letter) -> str:
        return letter.writer_name

    @admin.display(description=_("联系方式"))
    def contact(self, letter: Letter) -> str:
        # The handling office calls the writer back; anyone else sees the number masked.
        if can_handle(self._request_user, letter):
            return " ".join(filter(None, [letter.phone, letter.email]))
        return identity.mask_phone(letter.phone)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._request_user = request.user
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("期限"), ordering="due_at")
    def due_marker(self, letter: Letter):
        if letter.status not in OPEN_STATUSES:
            return letter.due_at.date()
        now = timezone.now()
        if letter.due_at < now:
            return format_html(
                '<strong class="overdue">{} {}</strong>', _("已超期"), letter.due_at.date()
            )
        if (letter.due_at - now).days < 2:
            return format_html(
                '<strong class="due-soon">{} {}</strong>', _("即将到期"), letter.due_at.date()
            )
        return letter.due_at.date()

    def save_model(
        self, request: HttpRequest, obj: Letter, form: LetterActionForm, change: bool
    ) -> None:
        perform(Letter.objects.get(pk=obj.pk), request.user, form.cleaned_data)
