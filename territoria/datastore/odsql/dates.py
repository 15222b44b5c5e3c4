"""Dates as ODSQL writes them: ISO 8601 or ``YYYY/MM/DD``, possibly partial (``2024``, ``2024/03``).

A partial date stands for a period, as in Opendatasoft (which rounds dates like
Elasticsearch does): ``date'2024'`` is the whole year 2024. ``DateSpan`` keeps the start and
the exclusive end of that period, so that ``d = date'2024'`` means ``start <= d < end`` and
``d <= date'2024'`` takes in all of 2024 — the same rule serves refine values (``2024/03``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_DATE_RE = re.compile(
    r"""^(?P<year>\d{4})
    (?:[-/](?P<month>\d{1,2})
      (?:[-/](?P<day>\d{1,2})
        (?:[T\s](?P<hour>\d{1,2})
          (?::(?P<minute>\d{2})
            (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?
          )?
          (?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?
        )?
      )?
    )?$""",
    re.VERBOSE | re.ASCII,
)

PRECISIONS = ("year", "month", "day", "hour", "minute", "second", "microsecond")


@dataclass(frozen=True)
class DateSpan:
    start: datetime  # naive, UTC when the text carried a time zone
    end: datetime  # exclusive
    precision: str  # one of PRECISIONS
    zoned: bool = False  # start and end are UTC: the text had a zone, or in_zone() moved them

    @property
    def whole_days(self) -> bool:
        """True when the span is made of whole days (a year, a month or a day) of UTC."""
        return self.precision in ("year", "month", "day") and not self.zoned

    def in_zone(self, zone: str) -> DateSpan:
        """The span read as wall-clock time in ``zone`` (the query's timezone), in UTC.
        ``date'2024-01-01'`` in Europe/Paris starts at 2023-12-31T23:00 UTC."""
        if self.zoned:
            return self
        local = ZoneInfo(zone)

        def utc(moment: datetime) -> datetime:
            try:
                return moment.replace(tzinfo=local).astimezone(UTC).replace(tzinfo=None)
            except (OverflowError, ValueError):
                return moment

        return DateSpan(utc(self.start), utc(self.end), self.precision, zoned=True)

    def bound(self, value: datetime) -> date | datetime:
        """A parameter for ``value``: a ``date`` when the span is in whole days."""
        return value.date() if self.whole_days else value


def parse_date_span(text: str) -> DateSpan | None:
    """Read ``text`` as a (possibly partial) date; None if it is not one."""
    match = _DATE_RE.match(text.strip())
    if match is None:
        return None
    parts = match.groupdict()
    precision = next(
        (name for name in reversed(PRECISIONS[:6]) if parts.get(name) is not None), "year"
    )
    fraction = parts["fraction"]
    try:
        start = datetime(
            int(parts["year"]),
            int(parts["month"] or 1),
            int(parts["day"] or 1),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
        if parts["zone"] is not None:
            start = _to_utc(start, parts["zone"])
    except (ValueError, OverflowError):
        return None
    if fraction is not None:
        precision = "microsecond"
    zoned = parts["zone"] is not None
    return DateSpan(start, _period_end(start, precision), precision, zoned)


def _to_utc(moment: datetime, zone: str) -> datetime:
    if zone == "Z":
        return moment
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return (moment - sign * offset).replace(tzinfo=None)


def _period_end(start: datetime, precision: str) -> datetime:
    if precision == "year":
        return start.replace(year=start.year + 1) if start.year < 9999 else datetime.max
    if precision == "month":
        if start.month == 12:
            return (
                start.replace(year=start.year + 1, month=1) if start.year < 9999 else datetime.max
            )
        return start.replace(month=start.month + 1)
    step = {
        "day": timedelta(days=1),
        "hour": timedelta(hours=1),
        "minute": timedelta(minutes=1),
        "second": timedelta(seconds=1),
        "microsecond": timedelta(microseconds=1),
    }[precision]
    try:
        return start + step
    except OverflowError:
        return datetime.max
