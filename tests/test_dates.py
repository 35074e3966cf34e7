"""Unit tests of the date words (pure logic) and of 'today' in the user's own time zone.

The tables read each phrase on a few fixed days, each reached as a rep's `today` through the clock
under freezegun: a Monday, a Friday, the last day of a month (and year), and days the clocks change
(Polish and Russian phrasings: tests/test_dates_pl_ru.py).
"""

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from bot.clock import Clock
from bot.dates import add_months, describe_day, parse_day, read_day, split_due
from bot.dates.days import Direction

# Each fixed day: the UTC moment frozen and the rep's zone that makes it that local day.
FIXED_DAYS = {
    "mon": ("2026-11-30 08:00", "Europe/Warsaw"),  # Monday 30 Nov 2026
    "fri": ("2026-12-04 12:00", "Europe/Moscow"),  # Friday 4 Dec 2026
    "eoy": ("2026-12-31 23:30", "America/New_York"),  # Thu 31 Dec 2026 (already 1 Jan in Warsaw)
    # Sun 28 Mar 2027: Warsaw's clocks went forward at 01:00 UTC
    "dst_waw": ("2027-03-28 01:30", "Europe/Warsaw"),
    "dst_nyc": ("2026-11-01 06:30", "America/New_York"),  # Sun 1 Nov 2026, 01:30 for the 2nd time
}
LOCAL_DAYS = {
    "mon": date(2026, 11, 30),
    "fri": date(2026, 12, 4),
    "eoy": date(2026, 12, 31),
    "dst_waw": date(2027, 3, 28),
    "dst_nyc": date(2026, 11, 1),
}


def local_today(key: str) -> date:
    """The rep's today on a fixed day, as the services get it: the clock, in their zone."""
    moment, zone = FIXED_DAYS[key]
    with freeze_time(moment):
        return Clock().today(ZoneInfo(zone))


def d(year: int, month: int, day: int) -> date:
    return date(year, month, day)


def test_the_fixed_days_are_the_days_the_tables_assume() -> None:
    assert {key: local_today(key) for key in FIXED_DAYS} == LOCAL_DAYS
    assert [LOCAL_DAYS[k].weekday() for k in ("mon", "fri", "eoy", "dst_waw")] == [0, 4, 3, 6]


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


ENGLISH: list[tuple[str, str, Direction, date]] = [
    # "next <weekday>" is that weekday of NEXT week (weeks start on Monday), never tomorrow.
    ("mon", "next tuesday", "future", d(2026, 12, 8)),
    ("mon", "next friday", "future", d(2026, 12, 11)),
    ("mon", "next monday", "future", d(2026, 12, 7)),
    ("mon", "this friday", "future", d(2026, 12, 4)),
    ("mon", "tuesday", "future", d(2026, 12, 1)),
    ("mon", "tuesday", "past", d(2026, 11, 24)),
    ("mon", "monday", "future", d(2026, 11, 30)),
    ("mon", "last friday", "past", d(2026, 11, 27)),
    ("mon", "end of next week", "future", d(2026, 12, 11)),
    ("mon", "by the end of next week", "future", d(2026, 12, 11)),
    ("mon", "end of the week", "future", d(2026, 12, 4)),
    ("mon", "the 15th", "future", d(2026, 12, 15)),
    ("mon", "15th", "past", d(2026, 11, 15)),
    ("mon", "on the 1st", "future", d(2026, 12, 1)),
    ("mon", "in 10 days", "future", d(2026, 12, 10)),
    ("mon", "10 days from now", "future", d(2026, 12, 10)),
    ("mon", "mid-December", "future", d(2026, 12, 15)),
    ("mon", "mid december", "future", d(2026, 12, 15)),
    ("mon", "end of December", "future", d(2026, 12, 31)),
    ("mon", "early January", "future", d(2027, 1, 1)),
    ("mon", "beginning of next month", "future", d(2026, 12, 1)),
    ("mon", "end of the month", "future", d(2026, 11, 30)),
    ("mon", "end of day", "future", d(2026, 11, 30)),
    ("mon", "Dec 3", "future", d(2026, 12, 3)),
    ("mon", "3rd of December 2027", "future", d(2027, 12, 3)),
    ("mon", "Nov 3", "future", d(2027, 11, 3)),
    ("mon", "Nov 3", "past", d(2026, 11, 3)),
    ("fri", "next tuesday", "future", d(2026, 12, 8)),
    ("fri", "next friday", "future", d(2026, 12, 11)),
    ("fri", "this tuesday", "future", d(2026, 12, 1)),
    ("fri", "friday", "future", d(2026, 12, 4)),
    ("fri", "tuesday", "future", d(2026, 12, 8)),
    ("fri", "tuesday", "past", d(2026, 12, 1)),
    ("fri", "last friday", "past", d(2026, 11, 27)),
    ("fri", "last thursday", "past", d(2026, 12, 3)),
    ("fri", "eow", "future", d(2026, 12, 4)),
    ("fri", "the 1st", "future", d(2027, 1, 1)),
    ("fri", "the 1st", "past", d(2026, 12, 1)),
    ("fri", "mid december", "past", d(2025, 12, 15)),
    ("fri", "in 2 weeks", "future", d(2026, 12, 18)),
    ("eoy", "tomorrow", "future", d(2027, 1, 1)),
    ("eoy", "next week", "future", d(2027, 1, 4)),
    ("eoy", "next friday", "future", d(2027, 1, 8)),
    ("eoy", "friday", "future", d(2027, 1, 1)),
    ("eoy", "eom", "future", d(2026, 12, 31)),
    ("eoy", "end of next month", "future", d(2027, 1, 31)),
    ("eoy", "next month", "future", d(2027, 1, 1)),
    ("eoy", "in a month", "future", d(2027, 1, 31)),
    ("eoy", "in 2 months", "future", d(2027, 2, 28)),
    ("eoy", "the 31st", "future", d(2026, 12, 31)),
    ("eoy", "the 15th", "future", d(2027, 1, 15)),
    ("eoy", "mid-December", "future", d(2027, 12, 15)),
    ("eoy", "mid-December", "past", d(2026, 12, 15)),
    ("dst_waw", "today", "past", d(2027, 3, 28)),
    ("dst_waw", "yesterday", "past", d(2027, 3, 27)),
    ("dst_waw", "next tuesday", "future", d(2027, 3, 30)),
    ("dst_waw", "eow", "future", d(2027, 4, 2)),
    ("dst_waw", "eow", "past", d(2027, 3, 26)),
    ("dst_waw", "end of the month", "future", d(2027, 3, 31)),
    ("dst_nyc", "yesterday", "past", d(2026, 10, 31)),
    ("dst_nyc", "next friday", "future", d(2026, 11, 6)),
    ("dst_nyc", "friday", "past", d(2026, 10, 30)),
    ("dst_nyc", "next week", "future", d(2026, 11, 2)),
]


@pytest.mark.parametrize(("on", "text", "prefer", "expected"), ENGLISH)
def test_english_on_fixed_days(on: str, text: str, prefer: Direction, expected: date) -> None:
    assert parse_day(text, today=local_today(on), prefer=prefer) == expected


NUMERIC: list[tuple[str, str, str | None, Direction, date | None]] = [
    # 03/04: month first in en-US (and the year-first languages), day first elsewhere.
    ("mon", "03/04", "en-US", "future", d(2027, 3, 4)),
    ("mon", "03/04", "en-US", "past", d(2026, 3, 4)),
    ("mon", "03/04", "en_US", "future", d(2027, 3, 4)),
    ("mon", "03/04", "ja-JP", "future", d(2027, 3, 4)),
    ("mon", "03/04", "en-GB", "future", d(2027, 4, 3)),
    ("mon", "03/04", "pl-PL", "future", d(2027, 4, 3)),
    ("mon", "03/04", "ru-RU", "future", d(2027, 4, 3)),
    ("mon", "03/04", None, "future", d(2027, 4, 3)),
    ("mon", "12/01", "en-US", "future", d(2026, 12, 1)),
    ("mon", "12/01", "en-GB", "future", d(2027, 1, 12)),
    # No 15th month: whichever the convention, 12/15 is 15 December.
    ("mon", "12/15", "en-US", "future", d(2026, 12, 15)),
    ("mon", "12/15", "en-GB", "future", d(2026, 12, 15)),
    ("mon", "15/12/2026", "en-US", "future", d(2026, 12, 15)),
    ("mon", "12/15/2026", "en-US", "future", d(2026, 12, 15)),
    ("mon", "11/30", "en-US", "future", d(2026, 11, 30)),
    ("mon", "11/30", "en-US", "past", d(2026, 11, 30)),
    # Dots are day first everywhere; ISO is year-month-day everywhere.
    ("mon", "01.12", "en-US", "future", d(2026, 12, 1)),
    ("mon", "15.12", "en-US", "future", d(2026, 12, 15)),
    ("mon", "15.12.2026", "ru-RU", "future", d(2026, 12, 15)),
    ("mon", "15.12.26", "pl-PL", "future", d(2026, 12, 15)),
    ("mon", "2026-12-15", "en-US", "future", d(2026, 12, 15)),
    ("mon", "2027/01/05", "en-GB", "future", d(2027, 1, 5)),
    ("mon", "29/02", "en-GB", "future", d(2028, 2, 29)),
    ("eoy", "01/02", "en-US", "future", d(2027, 1, 2)),
    ("eoy", "01/02", "en-GB", "future", d(2027, 2, 1)),
    ("eoy", "12/31", "en-US", "future", d(2026, 12, 31)),
    ("eoy", "31.12", "pl-PL", "past", d(2026, 12, 31)),
    ("dst_nyc", "11/1", "en-US", "future", d(2026, 11, 1)),
    ("dst_nyc", "1/11", "en-GB", "future", d(2026, 11, 1)),
    ("mon", "31/04", "en-GB", "future", None),
    ("mon", "13/13", "en-US", "future", None),
    ("mon", "2026-02-30", "en-US", "future", None),
    ("mon", "1/2/3/4", "en-US", "future", None),
    ("mon", "15/12/202", "en-GB", "future", None),
]


@pytest.mark.parametrize(("on", "text", "locale", "prefer", "expected"), NUMERIC)
def test_numeric_dates_in_the_writers_convention(
    on: str, text: str, locale: str | None, prefer: Direction, expected: date | None
) -> None:
    assert parse_day(text, today=local_today(on), prefer=prefer, locale=locale) == expected


def test_a_numeric_date_is_said_back_with_its_weekday() -> None:
    monday = LOCAL_DAYS["mon"]
    march = read_day("03/04", today=monday, prefer="past", locale="en-US")
    assert march is not None and march.ambiguous and march.numeric
    assert march.describe(today=monday) == "Wed 4 Mar"
    april = read_day("03/04", today=monday, prefer="future", locale="en-GB")
    assert april is not None and april.describe(today=monday) == "Sat 3 Apr 2027"
    today = read_day("30.11", today=monday, prefer="past")
    assert today is not None and today.describe(today=monday) == "today (Mon 30 Nov)"
    assert describe_day(d(2026, 12, 1), today=monday, exact=True) == "tomorrow (Tue 1 Dec)"
    for unambiguous in ("12/15", "15.12", "2026-12-15"):
        reading = read_day(unambiguous, today=monday, prefer="future", locale="en-US")
        assert reading is not None and not reading.ambiguous, unambiguous
    words = read_day("tomorrow", today=monday, prefer="future")
    assert words is not None and not words.numeric and words.describe(today=monday) == "tomorrow"


def test_split_due_takes_the_last_by_that_reads_as_a_day() -> None:
    monday = LOCAL_DAYS["mon"]
    due = split_due("send the quote by friday", today=monday)
    assert due.what == "send the quote" and due.due and due.due.day == d(2026, 12, 4)
    assert due.due.text == "friday"
    due = split_due("send it by email by next friday", today=monday)
    assert due.what == "send it by email" and due.due and due.due.day == d(2026, 12, 11)
    due = split_due("send the quote by 03/04", today=monday, locale="en-US")
    assert due.due and due.due.day == d(2027, 3, 4) and due.due.ambiguous
    due = split_due("book the training By the end of next week", today=monday)
    assert due.what == "book the training" and due.due and due.due.day == d(2026, 12, 11)


def test_split_due_keeps_what_follows_an_unreadable_by_for_the_refusal() -> None:
    due = split_due("send the quote by fridya", today=LOCAL_DAYS["mon"])
    assert due == ("send the quote by fridya", None, "fridya")
    assert split_due("send the quote", today=LOCAL_DAYS["mon"]) == ("send the quote", None, None)
    assert split_due("send it by fridya by email", today=LOCAL_DAYS["mon"]).unread == "email"


@pytest.mark.parametrize(
    "text",
    [
        "we do care",
        "decide what to do tomorrow",
        "plan what we do next friday",
        "check what they do in 2 weeks",
        "do the 15th",
        "I'll do so",
        "update the to do list",
    ],
)
def test_english_do_is_not_a_due_date(text: str) -> None:
    assert split_due(text, today=LOCAL_DAYS["mon"]) == (text, None, None)
