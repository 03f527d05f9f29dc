"""The writer's pages: write to a unit, keep the two codes, follow and rate the letter."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mailbox import selectors_track, services
from mailbox.forms import LetterForm, RateForm, TrackForm
from portal import hierarchy
from portal.models import Unit
from portal.pages import add_service_errors, client_ip

# The receipt shows the codes once; they are kept in the session only for that page.
RECEIPT_KEY = "mailbox_receipt"


def letter_write(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("region"), pk=unit_id, is_active=True)
    form = LetterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            letter, _created = services.letter_submit(
                unit=unit,
                type=data["type"],
                subject=data["subject"],
                body=data["body"],
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                id_number=data["id_number"],
                publish_consent=data["publish_consent"],
                attachments=[(f.name, f.read()) for f in data["attachments"]],
                user=request.user,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            # Too many letters this hour (RateLimited) above the form, a bad field beside it.
            add_service_errors(form, exc)
        else:
            request.session[RECEIPT_KEY] = [letter.tracking_code, letter.query_code]
            return redirect("letter-receipt")
    return render(
        request,
        "mailbox/write.html",
        {
            "form": form,
            "unit": unit,
            "breadcrumbs": hierarchy.breadcrumbs(unit.region),
            "reply_days": settings.MAILBOX_REPLY_WORKING_DAYS,
        },
    )


def letter_receipt(request: HttpRequest) -> HttpResponse:
    codes = request.session.get(RECEIPT_KEY)
    letter = selectors_track.letter_by_codes(*codes) if codes else None
    if letter is None:
        raise Http404
    return render(request, "mailbox/receipt.html", {"letter": letter})


def letter_track(request: HttpRequest) -> HttpResponse:
    """Codes travel by POST, so the private query code never lands in a URL or a log."""
    form = TrackForm(request.POST or None)
    letter = rate_form = None
    if request.method == "POST" and form.is_valid():
        letter = selectors_track.letter_by_codes(
            form.cleaned_data["tracking_code"], form.cleaned_data["query_code"]
        )
        if letter is None:
            form.add_error(None, _("查询编号或查询码不正确。"))
        elif "rating" in request.POST:
            rate_form = RateForm(request.POST)
            if rate_form.is_valid():
                try:
                    letter = services.letter_rate(
                        letter=letter,
                        rating=rate_form.cleaned_data["rating"],
                        reopen=rate_form.cleaned_data["reopen"],
                        comment=rate_form.cleaned_data["comment"],
                    )
                except ValidationError as exc:
                    for error in exc.messages:
                        rate_form.add_error(None, error)
                else:
                    messages.success(request, _("感谢您的评价。"))
                    letter = selectors_track.letter_by_codes(
                        letter.tracking_code, letter.query_code
                    )
                    rate_form = None
        if letter is not None and rate_form is None:
            rate_form = RateForm()
    events = [e for e in letter.events.all() if e.kind != "reminded"] if letter else []
    return render(
        request,
        "mailbox/track.html",
        {"form": form, "letter": letter, "events": events, "rate_form": rate_form},
    )


@login_required
def my_letters(request: HttpRequest) -> HttpResponse:
    letters = request.user.letters.select_related("unit").order_by("-received_at")
    return render(request, "mailbox/mine.html", {"letters": letters})
