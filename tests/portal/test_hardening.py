"""Production settings and what every response promises: `check --deploy` clean with the
production variables, the security headers, no inline script anywhere in our templates,
rich text made safe again on output, stored files sent with safe headers and never
reachable under a public URL."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.template import engines
from django.test import Client

from disclosure import services
from disclosure.models import Record
from portal import uploads
from tests.disclosure.conftest import publish

BASE_DIR = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
DOCX_HEAD = b"PK\x03\x04"


def test_check_deploy_with_the_production_variables_reports_nothing():
    """`make check-deploy` sets what docker-compose.yml sets in production and fails on
    any warning (`--fail-level WARNING`)."""
    # The browser tests allow async-unsafe calls for this process; production does not.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    done = subprocess.run(
        ["make", "-s", "check-deploy"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


@pytest.mark.django_db
def test_production_headers_and_cookies(client, geo, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = client.get(f"/letters/write/{geo.village_committee.pk}/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["secure"] is True
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def _template_files() -> list[Path]:
    folders = [BASE_DIR / "templates"]
    folders += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(BASE_DIR) and ".venv" not in config.path
    ]
    return sorted(p for folder in folders if folder.exists() for p in folder.rglob("*.html"))


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")")
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


def test_no_template_of_ours_carries_an_inline_script():
    """The policy allows scripts only from our own files; a template with an inline
    script, an onclick= or a javascript: link would be broken by it, so none has one."""
    files = _template_files()
    assert len(files) > 100
    found = [
        f"{path.relative_to(BASE_DIR)}: {pattern.pattern[:30]}"
        for path in files
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JS_URL)
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.django_db
def test_rich_text_is_sanitised_again_when_shown(client, geo, personas, catalog):
    """A body written around the services (an import, a restore, SQL by hand) still
    cannot put a script on the page."""
    record = publish(geo.village_committee, personas.village_official, title="燃气安全检查")
    hostile = (
        "<p>入户检查</p><script>alert(1)</script><img src=x onerror=alert(2)>"
        '<a href="javascript:alert(3)">详情</a><iframe src="https://evil.example/"></iframe>'
    )
    Record.objects.filter(pk=record.pk).update(body=hostile)
    page = client.get(f"/records/{record.pk}/").content.decode()
    body = page.split('class="record-body"', 1)[1].split("</div>", 1)[0]
    assert "入户检查" in body
    for bad in ("<script", "onerror", "javascript:", "<iframe"):
        assert bad not in body


def test_the_rich_text_filter_keeps_the_allowed_markup():
    template = engines["django"].from_string("{% load portal_tags %}{{ body|rich_text }}")
    body = '<p>一、<strong>范围</strong></p><table><tr><td colspan="2">x</td></tr></table>'
    assert template.render({"body": body}) == body.replace("<tr>", "<tbody><tr>").replace(
        "</table>", "</tbody></table>"
    )
    assert template.render({"body": None}) == ""


def test_files_leave_typed_unsniffed_and_contained():
    shown = uploads.serve_file(PNG, content_type="image/png", filename="凭证.png", cache="x")
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Content-Security-Policy"] == uploads.INLINE_POLICY
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["Cache-Control"] == "x"
    download = uploads.serve_file(
        DOCX_HEAD,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="通知.docx",
        cache=uploads.PRIVATE,
    )
    assert download["Content-Disposition"].startswith("attachment")
    assert "sandbox" in download["Content-Security-Policy"]
    assert download["Cache-Control"] == "private, no-store"


def test_an_upload_is_typed_by_its_content_not_its_name():
    from django.core.exceptions import ValidationError

    html = b"<html><script>alert(1)</script></html>"
    with pytest.raises(ValidationError, match="不是允许的类型"):
        uploads.check_upload("scan.png", html, limit=1024)
    with pytest.raises(ValidationError, match="大小限制"):
        uploads.check_upload("scan.png", PNG * 100, limit=100)
    assert uploads.check_upload("scan.pdf", PNG, limit=1024).content_type == "image/png"


@pytest.mark.django_db
def test_stored_files_are_never_under_a_public_url(geo, personas, catalog):
    """Files live in MEDIA_ROOT, which no URL serves: the only way to a file is the view
    that checks who may read it. Guessing the storage path gives 404."""
    record = publish(geo.village_committee, personas.village_official, title="附件测试")
    attachment = services.attachment_add(
        record=record, name="名单.png", data=PNG, actor=personas.village_official
    )
    assert Client().get(f"/records/{record.pk}/attachments/{attachment.pk}/").status_code == 200
    media_root = Path(django_settings.MEDIA_ROOT).resolve()
    static_roots = [Path(p).resolve() for p in django_settings.STATICFILES_DIRS]
    static_roots.append(Path(django_settings.STATIC_ROOT).resolve())
    assert not any(media_root.is_relative_to(root) for root in static_roots)
    assert not django_settings.MEDIA_URL or django_settings.MEDIA_URL == "/"
    client = Client()
    for guess in (f"/{attachment.file.name}", f"/media/{attachment.file.name}"):
        assert client.get(guess).status_code == 404, guess
