"""Signing in with a second step, the second-factor settings page, the admin's login (sent
to the same two-step flow) and the API token endpoint (same lockout, same second factor)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from rest_framework import exceptions, serializers
from rest_framework.authtoken import serializers as token_serializers
from rest_framework.authtoken.views import ObtainAuthToken

from portal.auth import throttle, totp
from portal.auth.forms import EnrolForm, PasswordConfirmForm, SecondStepForm
from portal.models import User
from portal.pages import add_service_errors, client_ip

PENDING = "_portal_login_pending"  # the session key of a sign-in waiting for its code
ENROL_SESSION_KEY = "_portal_totp_enrol"  # the secret being enrolled, until confirmed
DEFAULT_BACKEND = "portal.auth.backends.ThrottledModelBackend"


def _complete_sign_in(request: HttpRequest, user: Any, backend: str) -> None:
    throttle.login_succeeded(username=user.get_username(), ip=client_ip(request))
    auth_login(request, user, backend=backend)


class SignInView(auth_views.LoginView):
    """Step one: user name and password. With a second factor enrolled the person is not
    signed in yet: the session remembers who passed step one, for a few minutes."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # Django's LoginView names the site after the request's host ("site_name"), which
        # would hide the portal's own name that the context processor gives every page.
        context = super().get_context_data(**kwargs)
        context.pop("site", None)
        context.pop("site_name", None)
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        backend = getattr(user, "backend", DEFAULT_BACKEND)
        if totp.device_of(user) is not None:
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": backend,
                "at": int(time.time()),
                "next": self.get_success_url(),
            }
            return redirect("login-second-step")
        _complete_sign_in(self.request, user, backend)
        return HttpResponseRedirect(self.get_success_url())


def _pending(request: HttpRequest) -> tuple[dict, User] | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > settings.PORTAL_LOGIN_SECOND_STEP_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (pending, user) if user is not None else None


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_second_step(request: HttpRequest) -> HttpResponse:
    """Step two: the code of the authenticator app, or a recovery code. A wrong code
    counts toward the same lockout as a wrong password."""
    found = _pending(request)
    if found is None:
        messages.info(request, _("登录已超时，请重新输入用户名和密码。"))
        return redirect("login")
    pending, user = found
    form = SecondStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        try:
            throttle.login_check(username=user.get_username(), ip=ip)
            if totp.totp_verify(user=user, code=form.cleaned_data["code"]):
                request.session.pop(PENDING, None)
                _complete_sign_in(request, user, pending["backend"])
                return HttpResponseRedirect(pending["next"])
            throttle.login_failed(username=user.get_username(), ip=ip)
            form.add_error(
                "code",
                _("验证码不正确或已使用过，请输入应用当前显示的6位数字或一个未用过的恢复码。"),
            )
        except throttle.LoginLocked as exc:
            request.session.pop(PENDING, None)
            form.add_error(None, exc.messages[0])
    return render(request, "registration/login_second_step.html", {"form": form})


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's login page (AdminSite.login, same form and template) behind the same
    lockout and second step as the site's: with a second factor enrolled the person is
    sent on to the code page, then back to the admin."""
    site = admin.site
    if request.method == "GET" and site.has_permission(request):
        return redirect(reverse("admin:index", current_app=site.name))
    context = {
        **site.each_context(request),
        "title": _("登录"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=site.name)
    request.current_app = site.name
    return SignInView.as_view(
        extra_context=context,
        authentication_form=site.login_form or AdminAuthenticationForm,
        template_name=site.login_template or "admin/login.html",
    )(request)


@sensitive_post_parameters("code", "password")
@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn the second factor on (QR code, secret, confirming code, recovery codes shown
    once) or off (with the password). Re-enrolling a new phone is off, then on."""
    user = request.user
    if not totp.may_enrol(user):
        raise Http404
    if totp.device_of(user) is not None:
        return _two_factor_enrolled(request, user)
    secret = request.session.get(ENROL_SESSION_KEY) or totp.new_secret()
    request.session[ENROL_SESSION_KEY] = secret
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp.totp_enrol(user=user, secret=secret, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session.pop(ENROL_SESSION_KEY, None)
            return render(request, "registration/two_factor_codes.html", {"codes": codes})
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "qr": totp.qr_data_uri(secret, user),
            "secret": totp.grouped(secret),
            "required": totp.required_for(user),
        },
    )


def _two_factor_enrolled(request: HttpRequest, user: Any) -> HttpResponse:
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        try:
            throttle.login_check(username=user.get_username(), ip=ip)
            if user.check_password(form.cleaned_data["password"]):
                totp.totp_disable(user=user)
                messages.success(request, _("两步验证已停用。如需更换手机，请重新设置。"))
                return redirect("two-factor")
            throttle.login_failed(username=user.get_username(), ip=ip)
            form.add_error("password", _("密码不正确。"))
        except throttle.LoginLocked as exc:
            form.add_error(None, exc.messages[0])
    return render(
        request,
        "registration/two_factor_manage.html",
        {
            "form": form,
            "device": totp.device_of(user),
            "codes_left": totp.recovery_codes_left(user),
            "required": totp.required_for(user),
        },
    )


class AuthTokenSerializer(token_serializers.AuthTokenSerializer):
    """DRF's, with the second-factor code (the schema keeps the name AuthToken)."""

    otp = serializers.CharField(
        label=_("两步验证码"),
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=_("已启用两步验证的账户必填：身份验证器应用显示的6位数字或恢复码。"),
    )

    def validate(self, attrs: dict) -> dict:
        request = self.context["request"]
        ip = client_ip(request)
        try:
            attrs = super().validate(attrs)
            user = attrs["user"]
            if totp.device_of(user) is not None:
                code = attrs.get("otp") or ""
                if not code:
                    raise serializers.ValidationError(
                        {"otp": [_("该账户已启用两步验证，请同时提交验证码（otp）。")]}
                    )
                if not totp.totp_verify(user=user, code=code):
                    throttle.login_failed(username=user.get_username(), ip=ip)
                    raise serializers.ValidationError({"otp": [_("验证码不正确或已使用过。")]})
            elif totp.required_for(user):
                raise exceptions.PermissionDenied(
                    _("您的账户须先在网站“两步验证”页面启用两步验证，才能申请 API 令牌。")
                )
        except throttle.LoginLocked as exc:
            raise exceptions.Throttled(wait=exc.retry_after(), detail=exc.messages[0]) from None
        throttle.login_succeeded(username=user.get_username(), ip=ip)
        return attrs


class ObtainToken(ObtainAuthToken):
    """POST username, password (and otp when enrolled): the API token. Wrong tries lock
    as on the login page (429 with Retry-After)."""

    serializer_class = AuthTokenSerializer
