"""What the funds scale loader's writers share: money as integer fen written as text,
aware moments cached per day and hour, and the tables' foreign keys and secondary
indexes set aside while millions of rows are copied in, then put back (one validating
join per foreign key and one sort per index, instead of a check and an insert per row).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zoneinfo
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection
from django.db.models import Model

from portal.scale import table

logger = logging.getLogger(__name__)
NULL = "\\N"  # COPY's text format
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """A text value as COPY's text format spells it (backslash, tab and line breaks
    escaped)."""
    return value.translate(_ESCAPES)


def copy_lines(model: type[Model], columns: Sequence[str], lines: Iterable[str]) -> int:
    """COPY rows given as lines of COPY's text format (tab-separated, NULL as \\N, each
    ending with a newline), sent in chunks: the fast path for millions of rows whose
    values the caller has formatted (and escaped with copy_text where they may need it)."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    written = 0
    chunk: list[str] = []
    started = time.monotonic()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table(model)} ({names}) FROM STDIN") as copy,
    ):
        for line in lines:
            chunk.append(line)
            if len(chunk) == 5000:
                copy.write("".join(chunk))
                written += len(chunk)
                chunk.clear()
        copy.write("".join(chunk))
        written += len(chunk)
    logger.debug("%.1f s COPY %d rows into %s", time.monotonic() - started, written, table(model))
    return written


def yuan_text(fen: int) -> str:
    """An amount in fen as the text of a numeric(…, 2) column: 123456 → '1234.56'."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def yuan_display(fen: int) -> str:
    """As the services print money in notes: 1,234.56."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


class Moments:
    """Aware datetimes in the site's zone, one object per (day, hour, minute) asked for:
    a few thousand distinct values serve millions of rows."""

    def __init__(self) -> None:
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self._cache: dict[tuple[dt.date, int, int], dt.datetime] = {}
        self._texts: dict[tuple[dt.date, int, int], str] = {}

    def at(self, day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        key = (day, hour, minute)
        moment = self._cache.get(key)
        if moment is None:
            moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.zone)
            self._cache[key] = moment
        return moment

    def text(self, day: dt.date, hour: int = 10, minute: int = 0) -> str:
        """The moment as COPY's text format takes it: '2026-03-05 10:00:00+08:00'."""
        key = (day, hour, minute)
        text = self._texts.get(key)
        if text is None:
            text = str(self.at(day, hour, minute))
            self._texts[key] = text
        return text


def _value(value: object) -> str:
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    return value if value.__class__ is str else str(value)


def copy_tuples(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """copy_lines for rows given as tuples of values: None, booleans, numbers, dates and
    aware datetimes as COPY reads their str(); text as is (escaped by the caller where it
    may hold a tab, a line break or a backslash)."""
    return copy_lines(model, columns, ("\t".join([_value(v) for v in row]) + "\n" for row in rows))
