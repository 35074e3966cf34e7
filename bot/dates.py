"""Words for days (`yesterday`, `friday`, `in 2 weeks`, `2026-12-01`) → calendar dates.

Pure: the caller passes the user's local `today`; nothing here reads a clock.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from typing import Literal

Direction = Literal["past", "future"]

WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
SIMPLE = {"today": 0, "now": 0, "yesterday": -1, "tomorrow": 1, "tmrw": 1, "tmr": 1}
ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
COUNT = r"(\d{1,4}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"
AGO = re.compile(rf"{COUNT} (day|week|month)s? ago")
AHEAD = re.compile(rf"in {COUNT} (day|week|month)s?")


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _shift(today: date, count: int, unit: str) -> date:
    if unit == "month":
        return add_months(today, count)
    return today + timedelta(days=count * (7 if unit == "week" else 1))


def _weekday(today: date, target: int, prefer: Direction) -> date:
    if prefer == "past":
        return today - timedelta(days=(today.weekday() - target) % 7)
    return today + timedelta(days=(target - today.weekday()) % 7)


def parse_day(text: str, *, today: date, prefer: Direction) -> date | None:
    """The calendar day `text` names, relative to `today`; None when it names no day."""
    words = " ".join(text.lower().strip().rstrip(".").split())
    if words.startswith("on "):
        words = words[3:]
    if not words or len(words) > 60 or not re.search(r"\w", words):
        return None
    if words in SIMPLE:
        return today + timedelta(days=SIMPLE[words])
    if words in WEEKDAYS:
        return _weekday(today, WEEKDAYS[words], prefer)
    head, _, tail = words.partition(" ")
    if tail in WEEKDAYS and head in ("last", "next", "this"):
        target = WEEKDAYS[tail]
        if head == "last":
            return today - timedelta(days=(today.weekday() - target - 1) % 7 + 1)
        if head == "next":
            return today + timedelta(days=(target - today.weekday() - 1) % 7 + 1)
        return today - timedelta(days=today.weekday()) + timedelta(days=target)
    monday = today - timedelta(days=today.weekday())
    if words == "next week":
        return monday + timedelta(days=7)
    if words == "last week":
        return monday - timedelta(days=7)
    if words in ("end of week", "end of the week", "eow"):
        if today.weekday() >= 5:
            return monday + timedelta(days=4 + (7 if prefer == "future" else 0))
        return monday + timedelta(days=4)
    if words in ("end of month", "end of the month", "eom"):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if words == "next month":
        return add_months(today.replace(day=1), 1)
    if match := AGO.fullmatch(words):
        count = NUMBERS.get(match.group(1)) or int(match.group(1))
        return _shift(today, -count, match.group(2))
    if match := AHEAD.fullmatch(words):
        count = NUMBERS.get(match.group(1)) or int(match.group(1))
        return _shift(today, count, match.group(2))
    if match := ISO.fullmatch(words):
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    return _fallback(words, today, prefer)


def _fallback(words: str, today: date, prefer: Direction) -> date | None:
    """Other written dates (`3 Dec`, `December 3rd`, `03/12/2026`) via dateparser.

    Only text that names a day of the month is accepted: `december` alone names no day.
    """
    if not re.search(r"\d", words) or re.fullmatch(r"\d+ (day|week|month|year)s?", words):
        return None
    import dateparser  # slow to import; most commands never need it

    try:
        parsed = dateparser.parse(
            words,
            languages=["en"],
            settings={
                "PREFER_DATES_FROM": prefer,
                "RELATIVE_BASE": datetime.combine(today, time(12)),
                "DATE_ORDER": "DMY",
                "REQUIRE_PARTS": ["day", "month"],
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return parsed.date() if parsed else None


def describe_day(day: date, *, today: date) -> str:
    """'today', 'yesterday', 'tomorrow', else 'Fri 27 Nov' (with the year when not this year)."""
    names = {0: "today", -1: "yesterday", 1: "tomorrow"}
    offset = (day - today).days
    if offset in names:
        return names[offset]
    shown = f"{day:%a} {day.day} {day:%b}"
    return shown if day.year == today.year else f"{shown} {day.year}"
