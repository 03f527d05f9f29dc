"""The password check every sign-in door goes through (/accounts/login/, the admin's login,
/api/v1/auth/token/): Django's ModelBackend behind the lockout of portal.auth.throttle.

LoginLocked is a ValidationError, and django.contrib.auth.authenticate() lets it through:
the login forms (AuthenticationForm.clean) show its message as the form's error, and the
token view answers 429 with it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from portal.auth import throttle
from portal.pages import client_ip


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = client_ip(request) if request is not None else None
        throttle.login_check(username=username, ip=ip)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.login_failed(username=username, ip=ip)
            return None
        # Not cleared here: with a second factor the sign-in is not over yet
        # (portal.auth.views clears the count when the person is actually signed in).
        return user
