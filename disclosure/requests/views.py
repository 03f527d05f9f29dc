"""The applicant's pages of a request for information (依申请公开).

File a request with a unit (its page links here), keep the two codes from the receipt
(the query code is shown once), and follow it with them (POST, so the query code never
lands in a URL or a log): status, steps, the due date on the portal's calendar, the
correction notice with the form to correct, the reply with its letter and files, fees.
Opening the track page with both codes lets this browser session open the reply letter
and files (permissions.session_allows). The unit's officials work in the admin.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.models import InfoRequest, InfoRequestStatus
from disclosure.requests import deadlines, permissions, selectors, services
from disclosure.requests.forms import CorrectionForm, InfoRequestForm, TrackForm, WithdrawForm
from portal import hierarchy, uploads
from portal.models import Unit
from portal.pages import add_service_errors, client_ip

# The receipt shows the codes once; they wait in the session only for that page.
RECEIPT_KEY = "info_request_receipt"


def _clock_context() -> dict:
    return {
        "reply_days": deadlines.REPLY_WORKING_DAYS,
        "max_extension_days": deadlines.MAX_EXTENSION_DAYS,
        "notice_days": deadlines.CORRECTION_NOTICE_DAYS,
        "correction_days": deadlines.correction_days(),
        "third_party_days": deadlines.MAX_THIRD_PARTY_DAYS,
    }


def info_request_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("region"), pk=unit_id, is_active=True)
    form = InfoRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not form.is_valid():
        _rules_too(form, unit)
    elif request.method == "POST":
        data = form.cleaned_data
        try:
            info_request = services.info_request_submit(
                unit=unit,
                applicant_type=data["applicant_type"],
                applicant_name=data["applicant_name"],
                id_number=data["id_number"],
                org_code=data["org_code"],
                contact_person=data["contact_person"],
                phone=data["phone"],
                email=data["email"],
                address=data["address"],
                description=data["description"],
                delivery=data["delivery"],
                attachments=[(f.name, f.read()) for f in data["attachments"]],
                user=request.user,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            # Too many requests this hour above the form, a bad field beside it.
            add_service_errors(form, exc)
        else:
            request.session[RECEIPT_KEY] = [info_request.tracking_code, info_request.query_code]
            return redirect("info-request-receipt")
    return render(
        request,
        "disclosure/requests/new.html",
        {
            "form": form,
            "unit": unit,
            "breadcrumbs": hierarchy.breadcrumbs(unit.region),
            "breadcrumbs_link_last": True,
            **_clock_context(),
        },
    )


def _rules_too(form: InfoRequestForm, unit: Unit) -> None:
    """A field left empty is named by the form; the rules between fields (an ID number
    for a person, an e-mail for delivery by e-mail …) by the service. Both at once, so
    an elderly applicant is not sent back twice."""
    fields = ("applicant_type", "applicant_name", "id_number", "org_code", "contact_person")
    fields += ("phone", "email", "address", "description", "delivery")
    try:
        services.validate_request(unit=unit, **{name: form.data.get(name, "") for name in fields})
    except ValidationError as exc:
        for name, messages_ in exc.message_dict.items():
            if name in form.fields and name not in form.errors:
                for message in messages_:
                    form.add_error(name, message)


def info_request_receipt(request: HttpRequest) -> HttpResponse:
    """Shown once: the codes leave the session as the page is made."""
    codes = request.session.pop(RECEIPT_KEY, None)
    info_request = selectors.request_by_codes(*codes) if codes else None
    if info_request is None:
        raise Http404
    permissions.session_remember(request.session, info_request.tracking_code)
    return render(
        request,
        "disclosure/requests/receipt.html",
        {"item": info_request, "due_at": selectors.due_at(info_request), **_clock_context()},
    )


def _act(request: HttpRequest, info_request: InfoRequest, query_code: str):
    """A correction or a withdrawal posted from the track page: (request, forms with
    errors, whether a step was taken)."""
    forms: dict = {}
    acted = False
    if "corrected_description" in request.POST:
        form = CorrectionForm(request.POST, request.FILES)
        forms["correction_form"] = form
        if form.is_valid():
            try:
                info_request = services.correction_submit(
                    request=info_request,
                    corrected_description=form.cleaned_data["corrected_description"],
                    attachments=[(f.name, f.read()) for f in form.cleaned_data["attachments"]],
                    query_code=query_code,
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("补正后的申请已收到，答复期限自今日重新计算。"))
                forms.pop("correction_form")
                acted = True
    elif "withdraw" in request.POST:
        form = WithdrawForm(request.POST)
        forms["withdraw_form"] = form
        if form.is_valid():
            try:
                info_request = services.withdraw(
                    request=info_request,
                    reason=form.cleaned_data["reason"],
                    query_code=query_code,
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("申请已撤回。"))
                forms.pop("withdraw_form")
                acted = True
    return info_request, forms, acted


def info_request_track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    info_request = None
    forms: dict = {}
    if request.method == "POST" and form.is_valid():
        query_code = form.cleaned_data["query_code"]
        info_request = selectors.request_by_codes(form.cleaned_data["tracking_code"], query_code)
        if info_request is None:
            form.add_error(None, _("申请编号或查询码不正确。"))
        else:
            permissions.session_remember(request.session, info_request.tracking_code)
            info_request, forms, acted = _act(request, info_request, query_code)
            if acted:
                # Read again after a step, with what the page shows.
                info_request = selectors.request_by_codes(info_request.tracking_code, query_code)
    context: dict = {"form": form, "item": info_request}
    if info_request is not None:
        today = timezone.localdate()
        status = info_request.status
        if status == InfoRequestStatus.CORRECTION:
            forms.setdefault("correction_form", CorrectionForm())
        if status in services.OPEN_STATUSES:
            forms.setdefault("withdraw_form", WithdrawForm())
        context.update(
            query_code=form.cleaned_data["query_code"],
            events=selectors.applicant_events(info_request),
            due_at=selectors.due_at(info_request),
            overdue=selectors.is_overdue(info_request, today),
            correction_due_provisional=selectors.is_provisional_date(info_request.correction_due_on)
            if status == InfoRequestStatus.CORRECTION
            else False,
            consultations=list(info_request.consultations.all()),
            letter=selectors.letter_urls(info_request),
            reply_files=selectors.reply_attachments(info_request),
            **forms,
            **_clock_context(),
        )
    return render(request, "disclosure/requests/track.html", context)


def info_request_file(request: HttpRequest, tracking_code: str, token: str) -> FileResponse:
    """A file of the request, for the applicant who opened it with both codes in this
    session (or its signed-in owner) and the officials who read it; otherwise 404."""
    info_request = selectors.request_by_tracking_code(tracking_code)
    if info_request is None or not permissions.session_allows(request, info_request):
        raise Http404
    attachment = selectors.attachment_of(info_request, token)
    if attachment is None:
        raise Http404
    return uploads.serve_file(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        filename=attachment.original_name,
        cache=uploads.PRIVATE,
    )
