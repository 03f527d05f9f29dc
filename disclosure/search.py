"""Chinese full-text search with stock PostgreSQL (no extensions).

Documents are indexed as overlapping CJK bigrams ("平岗社区" → 平岗 岗社 社区) plus
lower-cased Latin words and numbers, in a 'simple' tsvector with weights: title A,
body B, attachment text C. A query becomes a phrase of its bigrams
(平岗 <-> 岗社 <-> 社区), which matches exactly the records that contain the string:
no dictionary, no missed words, and the GIN index answers it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, QuerySet, Value
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
MAX_QUERY_LENGTH = 50


def tokens(text: str) -> Iterator[str]:
    for match in _TOKEN.finditer(text or ""):
        run = match.group()
        if _IS_CJK.match(run):
            if len(run) == 1:
                yield run
            else:
                for i in range(len(run) - 1):
                    yield run[i : i + 2]
        else:
            yield run.lower()


def document(text: str) -> str:
    """The text to index: bigrams and words separated by spaces."""
    return " ".join(tokens(text))


def plain_text(body_html: str) -> str:
    return html.unescape(strip_tags(body_html or ""))


def vector_expression(title: str, body_text: str, attachment_text: str) -> SearchVector:
    return (
        SearchVector(Value(document(title)), weight="A", config="simple")
        + SearchVector(Value(document(body_text)), weight="B", config="simple")
        + SearchVector(Value(document(attachment_text)), weight="C", config="simple")
    )


def _term_query(term: str) -> str | None:
    parts = list(tokens(term))
    if not parts:
        return None
    if len(parts) == 1 and len(parts[0]) == 1 and _IS_CJK.match(parts[0]):
        return f"{parts[0]}:*"  # one character: any bigram that starts with it
    return " <-> ".join(parts)


def terms(query: str) -> list[str]:
    return [t for t in (query or "")[:MAX_QUERY_LENGTH].split() if list(tokens(t))]


def tsquery(query: str) -> str | None:
    """Every whitespace-separated term must appear; each as an exact phrase."""
    parts = [p for p in (_term_query(t) for t in terms(query)) if p]
    if not parts:
        return None
    return " & ".join(f"({p})" for p in parts)


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Records matching `query`, best first (rank, then newest)."""
    raw = tsquery(query)
    if raw is None:
        return queryset.none()
    search_query = SearchQuery(raw, search_type="raw", config="simple")
    return (
        queryset.filter(search_vector=search_query)
        .annotate(rank=SearchRank(F("search_vector"), search_query))
        .order_by("-rank", "-published_at", "-id")
    )


def highlight(text: str, query: str, *, length: int = 120) -> SafeString:
    """An escaped excerpt of `text` around the first match, matches wrapped in <mark>."""
    words = sorted({t for t in terms(query)}, key=len, reverse=True)
    text = text or ""
    start = 0
    lowered = text.lower()
    for word in words:
        found = lowered.find(word.lower())
        if found >= 0:
            start = max(found - length // 4, 0)
            break
    excerpt = text[start : start + length]
    escaped = html.escape(excerpt)
    if words:
        # One pass, longest first, so a match is never marked inside another.
        pattern = re.compile("|".join(re.escape(html.escape(w)) for w in words), re.IGNORECASE)
        escaped = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(text) else ""
    return mark_safe(prefix + escaped + suffix)  # noqa: S308 - built from escaped text


def joined(texts: Iterable[str]) -> str:
    return "\n".join(t for t in texts if t)
