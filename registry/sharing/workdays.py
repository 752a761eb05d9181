"""Working days (工作日): the unit of a sharing request's deadline (10 working days, domain.md).

A working day is a weekday that is not a public holiday, or a weekend day that is a make-up working
day (调休上班).  Holidays and make-up days change every year by the State Council's notice, so they
are data, not code: a text file with one date a line (``2026-10-01 holiday 国庆节``,
``2026-10-10 workday 国庆节调休``).  govcat ships one (``holidays.txt`` beside this module);
``GOVCAT_HOLIDAYS_FILE`` points at another.  A file with a mistake is refused as a whole, with the
line that is wrong, so a typo cannot quietly move every deadline.

Dates are calendar days of the catalog's own time zone (China Standard Time, UTC+8, no daylight
saving), so a request filed at 07:00 Beijing time counts from that day, not from the day before in UTC.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

LOCAL = timezone(timedelta(hours=8), "CST")
DEFAULT_FILE = Path(__file__).resolve().parent / "holidays.txt"
KINDS = ("holiday", "workday")


class CalendarError(ValueError):
    """A holidays file cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)     # weekend days worked (调休)
    notes: dict = field(default_factory=dict, compare=False)

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_workdays(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself does not count)."""
        day, left = start, count
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count


def local_date(moment: datetime) -> date:
    """The catalog's calendar day of an aware timestamp."""
    return moment.astimezone(LOCAL).date()


def parse_calendar(text: str, name: str = "holidays file") -> Calendar:
    """Read a holidays file's text; :class:`CalendarError` names the first wrong line."""
    holidays, workdays, notes = set(), set(), {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)

        def wrong(reason: str) -> CalendarError:
            return CalendarError(f"{name}, line {number}: {reason} (the line reads {raw.strip()[:80]!r}; "
                                 "expected 'YYYY-MM-DD holiday|workday [note]')")
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            raise wrong(f"{parts[0][:20]!r} is not a date") from None
        if len(parts) < 2 or parts[1] not in KINDS:
            raise wrong("the second word must be 'holiday' or 'workday'")
        if day in holidays or day in workdays:
            raise wrong(f"{day} is listed twice")
        if parts[1] == "workday" and day.weekday() < 5:
            raise wrong(f"{day} is a weekday already; only a weekend day can be a make-up working day")
        (holidays if parts[1] == "holiday" else workdays).add(day)
        notes[day] = parts[2] if len(parts) > 2 else ""
    return Calendar(frozenset(holidays), frozenset(workdays), notes)


def load_calendar(path: str | os.PathLike | None = None) -> Calendar:
    """The calendar of ``path`` (default: the file govcat ships), read once per file and modification time."""
    path = Path(path or DEFAULT_FILE)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as error:
        raise CalendarError(f"{path}: cannot be read ({error.strerror})") from None
    key = (str(path), stamp)
    if key not in _LOADED:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CalendarError(f"{path}: cannot be read as UTF-8 text ({error})") from None
        _LOADED.clear()
        _LOADED[key] = parse_calendar(text, str(path))
    return _LOADED[key]


_LOADED: dict[tuple[str, int], Calendar] = {}


def checked_file(value: str) -> str:
    """The setting ``GOVCAT_HOLIDAYS_FILE``: read now, so that a wrong file stops the start, not a deadline."""
    load_calendar(value)
    return value


def calendar_for(config) -> Calendar:
    """The calendar an app (its ``config``) uses."""
    return load_calendar(config.get("GOVCAT_HOLIDAYS_FILE") or None)
