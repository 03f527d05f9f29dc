from django.conf import settings
from django.http import HttpRequest

DISPLAY_COOKIE = "display"
# Large type (≥1.5×) and high contrast, alone or together (适老化模式).
DISPLAY_MODES = {"standard", "large", "contrast", "large-contrast"}


def display_mode(request: HttpRequest) -> str:
    mode = request.COOKIES.get(DISPLAY_COOKIE, "standard")
    return mode if mode in DISPLAY_MODES else "standard"


def site(request: HttpRequest) -> dict:
    mode = display_mode(request)
    return {
        "site_name": settings.PORTAL_SITE_NAME,
        "display_mode": mode,
        "display_large": "large" in mode,
        "display_contrast": "contrast" in mode,
    }
