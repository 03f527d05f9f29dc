"""The Content-Security-Policy in a real browser: chromium reports every script, style or
frame the policy refuses. The public pages of every module, a resident's pages and every
list and add form of the admin are opened, and none may break the policy or raise a
script error."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.browser import test_accessibility as a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The accessibility sweep's small site (a record, a replied letter, a vote, a
# solicitation, a fund project, vouchers, guides, the kiosk) and the fixtures it needs.
site = a11y.site
money = a11y.money
guides = a11y.guides


def _admin_pages() -> list[str]:
    paths = ["/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        for view in ("changelist", "add"):
            try:
                paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}"))
            except NoReverseMatch:
                continue
    return paths


def _visit(browser, base: str, paths: list[str], session: str | None) -> list[str]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    if session:
        host = urlsplit(base).hostname
        context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
    page = context.new_page()
    problems: list[str] = []
    current = {"path": ""}
    page.on(
        "console",
        lambda message: (
            problems.append(f"{current['path']}: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{current['path']}: {error}"))
    for path in paths:
        current["path"] = path
        response = page.goto(base + path)
        assert response is not None and response.status < 500, (path, response and response.status)
        page.wait_for_load_state("load")
    context.close()
    return problems


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_no_page_breaks_the_policy(site, personas, live_server, browser):
    base = live_server.url
    problems = _visit(browser, base, list(site.pages.values()), None)
    problems += _visit(browser, base, list(site.resident_pages.values()), site.session)
    admin_pages = _admin_pages()
    assert len(admin_pages) > 60
    problems += _visit(browser, base, admin_pages, _session_of(personas.platform_admin))
    assert problems == []
