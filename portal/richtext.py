"""Rich text, the one rule: what officials paste is reduced to safe markup when it is saved
(services call `sanitize`), and again when it is shown (the `rich_text` template filter),
so a row written around the services (an import, a restored backup, a hand edit in SQL)
still cannot carry a script onto a page."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "a",
    "img",
    "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def sanitize(body: str) -> str:
    """Rich text as officials paste it, reduced to safe markup (scripts, styles, event
    handlers and javascript: links removed)."""
    return nh3.clean(
        (body or "").replace("\r\n", "\n"),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
