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
            for i in range(len(run) - 1):
                yield run[i : i + 2]
            # The last character alone too: every character then starts some token, so a
            # one-character query (x:*) finds it even at the end of a run (低保，).
            yield run[-1]
        else:
            yield run.lower()


def document(text: str) -> str:
    """The text to index: bigrams and words separated by spaces."""
    return " ".join(tokens(text))


def runs(text: str) -> list[str]:
    """The runs of CJK characters and of ASCII letters and digits that tokens() splits."""
    return _TOKEN.findall(text or "")


def lexemes(text: str) -> list[str]:
    """document(text).split(), built in one pass: for writers of many rows at once."""
    found: list[str] = []
    add, extend = found.append, found.extend
    for run in runs(text):
        if run[0] > "\x7f":  # a CJK run: _TOKEN's other runs are ASCII letters and digits
            if len(run) > 1:
                extend([run[i : i + 2] for i in range(len(run) - 1)])
            add(run[-1])
        else:
            add(run.lower())
    return found


# PostgreSQL keeps positions up to 16383; documents here are far shorter.
_MAX_POSITION = 16383
_SUFFIXES: dict[str, list[str]] = {}


def vector_literal(words: list[str], weight: str, start: int = 1) -> str:
    """The text form of setweight(to_tsvector('simple', " ".join(words)), weight) with
    the positions counted from `start` instead of 1, for COPY into a tsvector column:
    PostgreSQL merges a lexeme given twice. Lexemes from `lexemes` need no quoting (no
    spaces, quotes, colons or backslashes)."""
    suffixes = _SUFFIXES.get(weight)
    if suffixes is None:
        # ":1A", ":2A" …: joined to the words in C rather than formatted one by one.
        suffixes = _SUFFIXES[weight] = [f":{n}{weight}" for n in range(_MAX_POSITION + 1)]
    if start + len(words) > _MAX_POSITION:
        suffixes = [f":{min(n, _MAX_POSITION)}{weight}" for n in range(start + len(words))]
    return " ".join(map(str.__add__, words, suffixes[start : start + len(words)]))


def plain_text(body_html: str) -> str:
    return html.unescape(strip_tags(body_html or ""))


def vector_expression(title: str, body_text: str, attachment_text: str) -> SearchVector:
    return (
        SearchVector(Value(document(title)), weight="A", config="simple")
        + SearchVector(Value(document(body_text)), weight="B", config="simple")
        + SearchVector(Value(document(attachment_text)), weight="C", config="simple")
    )


def _term_query(term: str) -> str | None:
    """A phrase query matching `term` as a substring of an indexed document.

    In a document a CJK run of n ≥ 2 characters takes n positions (its bigrams, then its
    last character), so the token after such a run sits two places after its last
    bigram: the phrase says <2> there.
    """
    pieces: list[tuple[str, int]] = []  # (token, distance to the next token)
    for match in _TOKEN.finditer(term):
        run = match.group()
        if not _IS_CJK.match(run):
            pieces.append((run.lower(), 1))
        elif len(run) == 1:
            pieces.append((run, 1))
        else:
            bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
            pieces.extend((bigram, 1) for bigram in bigrams[:-1])
            pieces.append((bigrams[-1], 2))
    if not pieces:
        return None
    if len(pieces) == 1 and len(pieces[0][0]) == 1 and _IS_CJK.match(pieces[0][0]):
        return f"{pieces[0][0]}:*"  # one character: every token that starts with it
    parts = [pieces[0][0]]
    for (_token, distance), (token, _next) in zip(pieces, pieces[1:], strict=False):
        parts.append(f"<{distance}> {token}" if distance > 1 else f"<-> {token}")
    return " ".join(parts)


def terms(query: str) -> list[str]:
    return [t for t in (query or "")[:MAX_QUERY_LENGTH].split() if list(tokens(t))]


def tsquery(query: str) -> str | None:
    """Every whitespace-separated term must appear; each as an exact phrase."""
    parts = [p for p in (_term_query(t) for t in terms(query)) if p]
    if not parts:
        return None
    return " & ".join(f"({p})" for p in parts)


ORDERS = ("recent", "relevance")


def search(queryset: QuerySet, query: str, order: str = "recent") -> QuerySet:
    """Records matching `query`, newest first, or best first with order="relevance".

    Newest first is the default because it stays fast for common words: PostgreSQL walks
    the recent-records index and stops after a page (0.2 ms for 低保 in 100k records),
    while ranking must score every match first (bench/README.md).
    """
    raw = tsquery(query)
    if raw is None:
        return queryset.none()
    search_query = SearchQuery(raw, search_type="raw", config="simple")
    matches = queryset.filter(search_vector=search_query)
    if order == "relevance":
        return matches.annotate(rank=SearchRank(F("search_vector"), search_query)).order_by(
            "-rank", "-published_at", "-id"
        )
    return matches.order_by("-published_at", "-id")


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
    return mark_safe(prefix + escaped + suffix)  # noqa: S308 - built from escaped text  # nosec B308, B703


def joined(texts: Iterable[str]) -> str:
    return "\n".join(t for t in texts if t)


# Beyond this many matches a search says "more than N": counting every match of a common
# phrase costs a recheck per row (bench/README.md), and nobody pages that far.
COUNT_CAP = 1000


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """The number of rows, or cap + 1 when there are more than cap."""
    return queryset[: cap + 1].count()
