"""Dates and periods as sources write them, read one way for every source type.

Harvested catalogs write a release date as ``xsd:date``, ``xsd:dateTime`` or plain text in
whatever form their software or their country prefers, and a periodicity as an EU frequency, a
Dublin Core collection frequency, an ISO 8601 duration or a word.  govcat stores a date only when
the source names a day, and an update frequency that *covers* the source's period (a resource
updated every two weeks is promised monthly, never weekly), so one function each decides that
for the DCAT reading in :mod:`vocab.reading` and for the harvesters of other formats.

:func:`iso_date` is on the hot path of every harvested record: an ISO date (what govcat itself
and most DCAT writes) is recognised by its shape before any pattern is tried.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

# Day-first forms are read only where they cannot be month-first: with dots (01.05.2019, as German
# and Dutch write) or with hyphens after the day (01-05-2019, Dutch); 05/01/2019 is ambiguous.
_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"),
     "ymd"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?$"), "ymd"),
    (re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), "ymd"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T\d{2}:?\d{2}(?::?\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?$"), "ymd"),
    (re.compile(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?)?$"), "dmy"),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), "dmy"),
)
# A year, or a year and a month, alone: they name no day.
_PARTIAL = re.compile(r"^(\d{4})(?:\s*[-/.]\s*(\d{1,2})|\s*年(?:\s*(\d{1,2})\s*月)?)?$")


def _day(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def iso_date(value, *, bound: str | None = None) -> str | None:
    """The day ``value`` names, as ``YYYY-MM-DD``; ``None`` when it names none.

    Read: ISO dates and date-times (``2019-05-01``, ``2019-05-01T10:00:00Z`` — the day as the
    source wrote it, whatever its time zone), ``2019/5/1``, ``2019年5月1日``, ``20190501``,
    ``01.05.2019`` and ``01-05-2019``.  A year or a month alone is no day, unless ``bound`` says
    the value bounds a period (``"start"`` or ``"end"``): then it stands for its first or last day.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":    # the usual case: ISO already
        return _day(text[:4], text[5:7], text[8:])
    if len(text) > 10 and text[4] == "-" and text[7] == "-" and text[10] in "T ":
        return _day(text[:4], text[5:7], text[8:10])
    for pattern, order in _FORMS:
        match = pattern.match(text)
        if match:
            parts = match.groups()
            return _day(*parts) if order == "ymd" else _day(parts[2], parts[1], parts[0])
    if bound is not None:
        return _period_bound(text, bound)
    return None


def _period_bound(text: str, bound: str) -> str | None:
    match = _PARTIAL.match(text)
    if not match:
        return None
    year, month = int(match.group(1)), match.group(2) or match.group(3)
    try:
        first = date(year, int(month or 1), 1)
    except ValueError:
        return None
    if bound == "start":
        return first.isoformat()
    following = date(year + 1, 1, 1) if not month or first.month == 12 else date(year, first.month + 1, 1)
    return (following - timedelta(days=1)).isoformat()


def date_problem(value) -> str:
    """Why :func:`iso_date` found no day in ``value`` (for the warning that reports it)."""
    text = value.strip() if isinstance(value, str) else ""
    if _PARTIAL.match(text):
        return "a year or a month alone names no day"
    return "not a date in a known form"


# -- periods and update frequencies ----------------------------------------------------------------
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(rf"^(?:R\d*/)?P(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
                       rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?$")
# Days in each part of a duration: years, months, weeks, days, hours, minutes, seconds.
DURATION_DAYS = (365.25, 30.44, 7, 1, 1 / 24, 1 / 1440, 1 / 86400)
# govcat's frequencies by the longest period each covers: a period maps to the first that covers it.
FREQUENCY_BOUNDS = (("daily", 1), ("weekly", 7), ("monthly", 31), ("quarterly", 92), ("semiannual", 183),
                    ("annual", 366))
_SEPARATORS = re.compile(r"[\s\-]+")
# Words for a frequency: data.json 1.0, the Dublin Core collection frequencies (purl.org/cld/freq/),
# the EU frequency table's codes, and what catalogs write in plain text.
FREQUENCY_WORDS = {
    "irregular": "irregular", "irreg": "irregular", "asneeded": "irregular", "never": "irregular",
    "continuous": "realtime", "continuouslyupdated": "realtime", "cont": "realtime", "update_cont": "realtime",
    "real-time": "realtime", "realtime": "realtime", "hourly": "realtime", "bihourly": "realtime",
    "trihourly": "realtime", "1min": "realtime", "5min": "realtime", "10min": "realtime", "15min": "realtime",
    "30min": "realtime", "1hour": "realtime", "12hrs": "realtime", "daily_2": "realtime",
    "daily": "daily", "weekly": "weekly", "semiweekly": "weekly", "threetimesaweek": "weekly", "weekly_2": "weekly",
    "weekly_3": "weekly", "biweekly": "monthly", "fortnightly": "monthly", "semimonthly": "monthly",
    "threetimesamonth": "monthly", "monthly_2": "monthly", "monthly_3": "monthly", "monthly": "monthly",
    "bimonthly": "quarterly", "quarterly": "quarterly", "threetimesayear": "semiannual", "annual_3": "quarterly",
    "semiannual": "semiannual", "biannual": "semiannual", "annual_2": "semiannual", "annual": "annual",
    "annually": "annual", "yearly": "annual", "biennial": "irregular", "triennial": "irregular",
    "quadrennial": "irregular", "quinquennial": "irregular", "decennial": "irregular", "bidecennial": "irregular",
    "tridecennial": "irregular",
}


def duration_days(text: str) -> float | None:
    """The days of an ISO 8601 duration or repeating interval (``P1M``, ``R/P2W``, ``P0Y3M0DT0H0M0S``)."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    days = sum(float(n.replace(",", ".")) * unit for n, unit in zip(match.groups(), DURATION_DAYS) if n)
    return days or None


def frequency_for_days(days: float) -> str:
    """The update frequency that covers a period of ``days`` (under a day: real time; past a year:
    irregular — no overdue check rather than a false one)."""
    if days < 1:
        return "realtime"
    return next((key for key, bound in FREQUENCY_BOUNDS if days <= bound), "irregular")


def frequency_from_text(text) -> str | None:
    """A frequency word or an ISO 8601 duration → govcat's update frequency; ``None`` if it is neither."""
    if not isinstance(text, str):
        return None
    value = text.strip()
    key = value.lower()
    word = FREQUENCY_WORDS.get(key) or FREQUENCY_WORDS.get(_SEPARATORS.sub("", key))
    if word is not None:
        return word
    days = duration_days(value)
    return frequency_for_days(days) if days else None
