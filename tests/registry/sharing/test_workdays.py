"""Working days: weekends, public holidays and make-up working days (调休), from a file that may be wrong."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from registry.config import load_settings
from registry.sharing.workdays import CalendarError, load_calendar, local_date, parse_calendar


@pytest.fixture(scope="module")
def shipped():
    return load_calendar()


def test_weekdays_work_and_weekends_rest_where_the_file_says_nothing():
    calendar = parse_calendar("")
    assert calendar.is_workday(date(2030, 3, 4)) and not calendar.is_workday(date(2030, 3, 9))
    assert calendar.add_workdays(date(2030, 3, 8), 1) == date(2030, 3, 11)      # Friday + 1 → Monday
    assert calendar.add_workdays(date(2030, 3, 4), 10) == date(2030, 3, 18)     # two weeks


def test_the_shipped_2026_calendar(shipped):
    assert not shipped.is_workday(date(2026, 10, 1)) and not shipped.is_workday(date(2026, 2, 16))   # holidays
    assert shipped.is_workday(date(2026, 10, 10)) and shipped.is_workday(date(2026, 2, 28))         # 调休 Saturdays
    assert shipped.is_workday(date(2026, 9, 20))                                                      # 调休 Sunday
    assert not shipped.is_workday(date(2026, 5, 5)) and shipped.is_workday(date(2026, 5, 9))


def test_a_deadline_across_national_day(shipped):
    # Requested Monday 28 September 2026: 29, 30 Sep; 1–7 Oct off; 8, 9, 10 (Saturday, 调休), 12–16 Oct.
    assert shipped.add_workdays(date(2026, 9, 28), 10) == date(2026, 10, 16)
    assert shipped.workdays_between(date(2026, 9, 28), date(2026, 10, 16)) == 10
    assert shipped.workdays_between(date(2026, 9, 30), date(2026, 10, 8)) == 1       # the holiday week counts nothing
    assert shipped.workdays_between(date(2026, 10, 8), date(2026, 10, 8)) == 0


def test_a_deadline_across_the_spring_festival(shipped):
    # Friday 13 Feb 2026: Sat 14 Feb is worked, 15–23 off, then 24, 25, 26, 27, Sat 28 (worked), 2, 3, 4, 5 March.
    assert shipped.add_workdays(date(2026, 2, 13), 10) == date(2026, 3, 5)


def test_the_local_day_is_beijing_time():
    assert local_date(datetime(2026, 9, 30, 17, tzinfo=timezone.utc)) == date(2026, 10, 1)


@pytest.mark.parametrize("text, line, says", [
    ("2026-01-01 holiday\n2026-13-01 holiday\n", 2, "is not a date"),
    ("# comment\n\n2026-01-01 day-off\n", 3, "'holiday' or 'workday'"),
    ("2026-01-01 holiday\n2026-01-01 holiday 元旦\n", 2, "listed twice"),
    ("2026-01-05 workday\n", 1, "is a weekday already"),
    ("2026-01-01\n", 1, "'holiday' or 'workday'"),
])
def test_a_file_with_a_mistake_names_its_line(text, line, says):
    with pytest.raises(CalendarError) as error:
        parse_calendar(text, "holidays.txt")
    assert f"holidays.txt, line {line}:" in str(error.value) and says in str(error.value)


def test_another_file_by_setting_and_a_wrong_one_stops_the_start(tmp_path):
    good = tmp_path / "holidays.txt"
    good.write_text("2031-01-01 holiday 元旦\n2031-01-04 workday 调休\n", encoding="utf-8")
    config = load_settings({"GOVCAT_HOLIDAYS_FILE": str(good)})
    calendar = load_calendar(config["GOVCAT_HOLIDAYS_FILE"])
    assert not calendar.is_workday(date(2031, 1, 1)) and calendar.is_workday(date(2031, 1, 4))
    bad = tmp_path / "bad.txt"
    bad.write_text("2031-01-01 holiday\n2031-02-30 holiday\n", encoding="utf-8")
    with pytest.raises(ValueError) as error:
        load_settings({"GOVCAT_HOLIDAYS_FILE": str(bad)})
    assert str(error.value).startswith("GOVCAT_HOLIDAYS_FILE: ") and "line 2" in str(error.value)
    with pytest.raises(ValueError, match="cannot be read"):
        load_settings({"GOVCAT_HOLIDAYS_FILE": str(tmp_path / "absent.txt")})
