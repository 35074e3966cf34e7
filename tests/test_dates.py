"""Unit tests of the date words (pure logic) and of 'today' in the user's own time zone."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from bot.clock import Clock
from bot.dates import add_months, describe_day, parse_day

MON = date(2026, 11, 23)  # a Monday
WED = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "prefer", "expected"),
    [
        ("today", "past", MON),
        ("Yesterday", "past", date(2026, 11, 22)),
        ("tomorrow", "future", date(2026, 11, 24)),
        ("friday", "future", date(2026, 11, 27)),
        ("friday", "past", date(2026, 11, 20)),
        ("monday", "past", MON),
        ("monday", "future", MON),
        ("on fri", "future", date(2026, 11, 27)),
        ("last monday", "past", date(2026, 11, 16)),
        ("next monday", "future", date(2026, 11, 30)),
        ("this thursday", "future", date(2026, 11, 26)),
        ("next week", "future", date(2026, 11, 30)),
        ("last week", "past", date(2026, 11, 16)),
        ("eow", "future", date(2026, 11, 27)),
        ("end of month", "future", date(2026, 11, 30)),
        ("next month", "future", date(2026, 12, 1)),
        ("3 days ago", "past", date(2026, 11, 20)),
        ("two weeks ago", "past", date(2026, 11, 9)),
        ("in 3 days", "future", date(2026, 11, 26)),
        ("in a month", "future", date(2026, 12, 23)),
        ("2026-12-01", "future", date(2026, 12, 1)),
        ("3 Dec", "future", date(2026, 12, 3)),
        ("December 3rd", "future", date(2026, 12, 3)),
        ("03/12/2026", "future", date(2026, 12, 3)),
    ],
)
def test_parse_day_words(text: str, prefer: str, expected: date) -> None:
    assert parse_day(text, today=MON, prefer=prefer) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "soon", "december", "2026-02-30", "3 days", "!!!", "x" * 80, "next blursday"],
)
def test_parse_day_refuses_what_names_no_day(text: str) -> None:
    assert parse_day(text, today=MON, prefer="future") is None


def test_end_of_week_on_a_weekend_looks_ahead_for_due_dates() -> None:
    saturday = date(2026, 11, 28)
    assert parse_day("eow", today=saturday, prefer="future") == date(2026, 12, 4)
    assert parse_day("eow", today=saturday, prefer="past") == date(2026, 11, 27)


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)


def test_describe_day() -> None:
    assert describe_day(MON, today=MON) == "today"
    assert describe_day(date(2026, 11, 22), today=MON) == "yesterday"
    assert describe_day(date(2026, 11, 24), today=MON) == "tomorrow"
    assert describe_day(date(2026, 11, 27), today=MON) == "Fri 27 Nov"
    assert describe_day(date(2027, 1, 8), today=MON) == "Fri 8 Jan 2027"


@freeze_time("2026-11-25 23:30:00")  # Wednesday 23:30 UTC
def test_today_depends_on_the_users_time_zone() -> None:
    clock = Clock()
    assert clock.today(ZoneInfo("Europe/London")) == WED
    assert clock.today(ZoneInfo("Europe/Warsaw")) == date(2026, 11, 26)
    assert clock.today(ZoneInfo("America/Los_Angeles")) == WED
    # 'yesterday' therefore names a different day for a rep in Warsaw than in London.
    warsaw = clock.today(ZoneInfo("Europe/Warsaw"))
    assert parse_day("yesterday", today=warsaw, prefer="past") == WED


@freeze_time("2026-03-29 00:30:00")  # the night European clocks go forward
def test_today_across_a_dst_change() -> None:
    clock = Clock()
    assert clock.today(ZoneInfo("Europe/Berlin")) == date(2026, 3, 29)
    assert clock.today(ZoneInfo("America/New_York")) == date(2026, 3, 28)
