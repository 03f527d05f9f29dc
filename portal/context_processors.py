from django.conf import settings
from django.http import HttpRequest

DISPLAY_COOKIE = "display"
# Large type (≥1.5×) and high contrast, alone or together (适老化模式).
DISPLAY_MODES = {"standard", "large", "contrast", "large-contrast"}


def display_mode(request: HttpRequest) -> str:
    mode = request.COOKIES.get(DISPLAY_COOKIE, "standard")
    return mode if mode in DISPLAY_MODES else "standard"


def _mode(large: bool, contrast: bool) -> str:
    if large and contrast:
        return "large-contrast"
    return "large" if large else ("contrast" if contrast else "standard")


def site(request: HttpRequest) -> dict:
    mode = display_mode(request)
    large, contrast = "large" in mode, "contrast" in mode
    return {
        "site_name": settings.PORTAL_SITE_NAME,
        "display_mode": mode,
        "display_large": large,
        "display_contrast": contrast,
        # The mode each toggle button switches to, keeping the other setting.
        "display_toggle_large": _mode(not large, contrast),
        "display_toggle_contrast": _mode(large, not contrast),
    }
