"""Uploaded files for every app: the type is read from the content, never trusted from the
name; size limited; text extracted for search."""

from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

# Office Open XML parts that tell a .docx from an .xlsx or a .pptx.
_OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def sniff(head: bytes, data: bytes) -> Sniffed | None:
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", ".pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", ".png")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", ".jpg")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("image/gif", ".gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", ".webp")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Sniffed("application/msword", ".doc")  # legacy OLE: .doc / .xls / .ppt
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            for prefix, (content_type, extension) in _OOXML.items():
                if any(name.startswith(prefix) for name in names):
                    return Sniffed(content_type, extension)
    return None


def check_upload(name: str, data: bytes, *, limit: int) -> Sniffed:
    if len(data) > limit:
        raise ValidationError(
            _("附件“%(name)s”超过 %(mb)d MB 的大小限制。")
            % {"name": name, "mb": limit // (1024 * 1024)}
        )
    if not data:
        raise ValidationError(_("附件“%(name)s”是空文件。") % {"name": name})
    sniffed = sniff(data[:16], data)
    if sniffed is None:
        raise ValidationError(
            _("附件“%(name)s”不是允许的类型：仅限 PDF、图片（PNG/JPEG/GIF/WebP）和 Office 文档。")
            % {"name": name}
        )
    return sniffed


def extract_text(sniffed: Sniffed, data: bytes, *, limit: int = 200_000) -> str:
    """Text for search; a file we cannot read simply contributes nothing."""
    try:
        if sniffed.content_type == "application/pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            return "\n".join((page.extract_text() or "") for page in reader.pages[:200])[:limit]
        if sniffed.extension in (".docx", ".xlsx", ".pptx"):
            import re

            archive = zipfile.ZipFile(io.BytesIO(data))
            parts = [
                n
                for n in archive.namelist()
                if n.endswith(".xml")
                and n.startswith(("word/document", "xl/sharedStrings", "ppt/slides/slide"))
            ]
            text = " ".join(
                re.sub(r"<[^>]+>", " ", archive.read(n).decode("utf-8", "ignore")) for n in parts
            )
            return re.sub(r"\s+", " ", text)[:limit]
    except Exception:  # noqa: BLE001 - a broken file is stored, just not indexed
        return ""
    return ""


# Types a browser shows itself (its own image or PDF viewer); every other file is a download.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})
# A download runs nothing (sandbox); a shown image or PDF loads nothing beside itself. Not
# sandboxed, because Chromium refuses to open its PDF viewer in a sandboxed document.
DOWNLOAD_POLICY = "default-src 'none'; sandbox"
INLINE_POLICY = "default-src 'none'; img-src 'self'; object-src 'none'"
# Cache-Control of a file: private files are never stored; public ones briefly, so that a
# withdrawal takes them off shared caches soon.
PRIVATE = "private, no-store"
PUBLIC_SHORT = "public, max-age=300"


def serve_file(
    content: Any, *, content_type: str, filename: str, cache: str, inline: bool | None = None
) -> HttpResponse:
    """Every stored file leaves through here, typed by what `check_upload` read from its
    content and never sniffed by the browser. `content` is an open file or bytes; `inline`
    defaults to whether the browser can show the type."""
    if inline is None:
        inline = content_type in INLINE_TYPES
    response: HttpResponse
    if isinstance(content, bytes):  # made in memory (a marked voucher): sent whole
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(not inline, filename)
    else:
        response = FileResponse(
            content, content_type=content_type, as_attachment=not inline, filename=filename
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = INLINE_POLICY if inline else DOWNLOAD_POLICY
    response["Cache-Control"] = cache
    return response


def new_token() -> str:
    return secrets.token_hex(16)
