"""Calendar arithmetic the readers share, and the one way a day is said back to a person."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal

from bot.dates.words import Mod, Part, Unit

Direction = Literal["past", "future"]


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def shift(today: date, count: int, unit: Unit) -> date:
    """`count` days, weeks, months or years from `today` (months and years clamp)."""
    if unit == "month":
        return add_months(today, count)
    if unit == "year":
        return add_months(today, 12 * count)
    return today + timedelta(days=count * (7 if unit == "week" else 1))


def monday_of(day: date) -> date:
    """Weeks start on Monday, as they do in Poland, Russia and ISO 8601."""
    return day - timedelta(days=day.weekday())


def weekday(today: date, target: int, mod: Mod | None, prefer: Direction) -> date:
    """A weekday (0 = Monday) as a phrase means it.

    `next friday` is the Friday of next week; `this friday` that of this week; `last friday`
    the latest Friday before today. Bare (or `coming`, najbliższy, ближайший): the next one
    from today on, or with `prefer="past"` the latest one up to today.
    """
    if mod == "next":
        return monday_of(today) + timedelta(days=7 + target)
    if mod == "this":
        return monday_of(today) + timedelta(days=target)
    if mod == "last":
        return today - timedelta(days=(today.weekday() - target - 1) % 7 + 1)
    if prefer == "past" and mod is None:
        return today - timedelta(days=(today.weekday() - target) % 7)
    return today + timedelta(days=(target - today.weekday()) % 7)


def _in_week(monday: date, part: Part) -> date:
    return monday + timedelta(days={"start": 0, "mid": 2, "end": 4}[part])


def _in_month(first: date, part: Part) -> date:
    if part == "start":
        return first
    if part == "mid":
        return first.replace(day=15)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def part_of(today: date, part: Part, unit: Unit, mod: Mod | None, prefer: Direction) -> date | None:
    """`end of next week` (its Friday), `mid next month` (the 15th), `beginning of the month`.

    A week's start, middle and end are its Monday, Wednesday and Friday; a month's its 1st, 15th
    and last day. Without next/last/this, this week's (month's) day, or the next one's when it
    has passed and the day is wanted ahead (`end of week` on a Saturday is next Friday).
    """
    if unit == "year":
        return None
    return _step_pick(lambda step: _period(today, part, unit, step), today, mod, prefer)


def _period(today: date, part: Part, unit: Unit, step: int) -> date:
    """The part of this week (month), or of the one `step` weeks (months) away; a day's is
    that day (end of day: today)."""
    if unit == "day":
        return today + timedelta(days=step)
    if unit == "week":
        return _in_week(monday_of(today) + timedelta(days=7 * step), part)
    return _in_month(add_months(today.replace(day=1), step), part)


def _step_pick(
    pick: Callable[[int], date], today: date, mod: Mod | None, prefer: Direction
) -> date:
    if mod == "next":
        return pick(1)
    if mod == "last":
        return pick(-1)
    day = pick(0)
    if mod is None and prefer == "future" and day < today:
        return pick(1)
    if mod is None and prefer == "past" and day > today:
        return pick(-1)
    return day


def part_of_month(today: date, part: Part, month: int, year: int | None, prefer: Direction) -> date:
    """`mid-December` (the 15th), `end of December`, `początek stycznia` (the 1st): this year's,
    else the next (or, for the past, the last) one; in `year` when it is given."""
    if year is not None:
        return _in_month(date(year, month, 1), part)
    return _step_pick(
        lambda step: _in_month(date(today.year + step, month, 1), part), today, None, prefer
    )


def nearest(
    today: date, prefer: Direction, candidates: Callable[[int], date | None], span: int
) -> date | None:
    """The first of `candidates(step)` for step 0, ±1, …, ±span that is on today's preferred side
    (today included); steps are years or months, and a candidate may not exist (31 April)."""
    sign = 1 if prefer == "future" else -1
    for step in range(span + 1):
        day = candidates(sign * step)
        if day is not None and (day >= today if prefer == "future" else day <= today):
            return day
    return None


def describe_day(day: date, *, today: date, exact: bool = False) -> str:
    """'today', 'yesterday', 'tomorrow', else 'Fri 27 Nov' (with the year when not this year).

    `exact` always names the date with its weekday — 'tomorrow (Tue 1 Dec)' — for a day written
    in digits, so a person sees which reading of `03/04` was taken.
    """
    names = {0: "today", -1: "yesterday", 1: "tomorrow"}
    shown = f"{day:%a} {day.day} {day:%b}"
    shown = shown if day.year == today.year else f"{shown} {day.year}"
    name = names.get((day - today).days)
    if name is None:
        return shown
    return f"{name} ({shown})" if exact else name
