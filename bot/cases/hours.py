"""A counterpart team's working week, as plain data: its zone, its working days, 09:00–17:00
there. A case ages only by these hours (lifecycle.nudge_aging), so a New York team is not
nudged at 08:00 New York time, and a weekend counts nothing.

Hours are wall-clock hours of the team's zone: on the day clocks change, 09:00–17:00 is still
one working day (the change happens at night), and the moments are compared as instants, so
an hour is never counted twice nor lost.
"""

from __future__ import annotations

import difflib
import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from bot.errors import UserError

WORK_START, WORK_END = time(9), time(17)  # a working day, in the team's own zone
DAY_HOURS = 8
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = datetime.weekday()
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_NAMES = {
    **{d: n for n, d in enumerate(DAYS)},
    **{d: n for n, d in enumerate(FULL_DAYS)},
    **{"tues": 1, "thur": 3, "thurs": 3},
}
MON_FRI = "mon,tue,wed,thu,fri"
ZONE_EXAMPLES = "America/New_York, Europe/Warsaw, Europe/Moscow or UTC"


@functools.cache
def _zones() -> dict[str, str]:
    """Every IANA zone name this machine knows, by its lowercased spelling."""
    return {name.lower(): name for name in available_timezones() | {"UTC"}}


@dataclass(frozen=True)
class Week:
    """When a team works: 09:00–17:00 in `zone` on `workdays` (datetime.weekday() numbers)."""

    zone: ZoneInfo
    workdays: frozenset[int]

    @classmethod
    def of(cls, tz: str | None, workdays: str | None) -> Week:
        """A route's stored week; no zone (or one this machine lacks) is UTC, Mon–Fri."""
        name = _zones().get((tz or "").lower(), "UTC")
        days = frozenset(DAY_NAMES[d] for d in (workdays or MON_FRI).split(",") if d in DAY_NAMES)
        return cls(ZoneInfo(name), days or frozenset(range(5)))

    def hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours from `start` to `end` (aware moments)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        total = timedelta()
        day = start.astimezone(self.zone).date()
        while day <= end.astimezone(self.zone).date():
            if day.weekday() in self.workdays:
                opens = datetime.combine(day, WORK_START, self.zone).astimezone(UTC)
                closes = datetime.combine(day, WORK_END, self.zone).astimezone(UTC)
                total += max(timedelta(), min(end, closes) - max(start, opens))
            day += timedelta(days=1)
        return total.total_seconds() / 3600


def working_hours_between(
    start: datetime, end: datetime, tz: str | None = None, workdays: str | None = None
) -> float:
    """Hours of 09:00–17:00 on working days in `tz` (default UTC, Mon–Fri) from start to end."""
    return Week.of(tz, workdays).hours_between(start, end)


def zone_name(text: str, example: str) -> str:
    """The IANA zone a person typed (any case: `america/new_york`), spelled as IANA does."""
    found = _zones().get(text.strip().lower())
    if found is None:
        close = difflib.get_close_matches(text.strip().lower(), sorted(_zones()), n=3)
        raise UserError(
            f"“{text}” is not a time zone I know; use an IANA name such as {ZONE_EXAMPLES}.",
            example,
            [f"tz:{_zones()[name]}" for name in close],
        )
    return found


def day_names(text: str, example: str) -> str:
    """`mon-fri`, `sun-thu` (a range may wrap the week) or `mon,wed,fri`, as stored:
    the days in week order, `mon,tue,wed,thu,fri`."""
    days: set[int] = set()
    for part in filter(None, text.strip().lower().split(",")):
        first, dash, last = part.partition("-")
        ends = [DAY_NAMES.get(first.strip()), DAY_NAMES.get(last.strip()) if dash else None]
        if ends[0] is None or (dash and ends[1] is None):
            raise UserError(
                f"“{part}” is not a day or a range of days; use mon, tue, wed, thu, fri, sat, "
                "sun, a range like mon-fri or sun-thu, or a list like mon,wed,fri.",
                example,
            )
        a, b = ends[0], ends[1] if ends[1] is not None else ends[0]
        days.update((a + n) % 7 for n in range((b - a) % 7 + 1))
    if not days:
        raise UserError("say which days the team works, like days:mon-fri.", example)
    return ",".join(DAYS[d] for d in sorted(days))


def describe_days(workdays: str) -> str:
    """`mon,tue,wed,thu,fri` → `Mon–Fri`; `sun,mon,tue,wed,thu` → `Sun–Thu`; else a list."""
    days = sorted(Week.of(None, workdays).workdays)
    for start in days:  # a run of consecutive days, perhaps wrapping the week
        run = [(start + n) % 7 for n in range(len(days))]
        if sorted(run) == days and len(days) > 1:
            return f"{DAYS[run[0]].title()}–{DAYS[run[-1]].title()}"
    return ", ".join(DAYS[d].title() for d in days)


def most_common_zone(zones: Iterable[str | None]) -> str | None:
    """The zone most of a channel's members have (ties: the alphabetically first); None
    when nobody's zone is known."""
    counted = Counter(z for z in zones if z)
    if not counted:
        return None
    return min(counted, key=lambda z: (-counted[z], z))
