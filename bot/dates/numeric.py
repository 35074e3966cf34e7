"""Dates in digits, read in the writer's own convention (Slack's `users.info` `locale`).

- `2026-12-15` (and `2026/12/15`, `2026.12.15`): year, month, day, always.
- Dots are day first everywhere: `15.12`, `15.12.2026`, `15.12.26` (Polish and Russian write so).
- Slashes and dashes: month first for the locales in `MONTH_FIRST` — the United States and the
  places that follow its usage (`en-US`, `en-PH`…) and the year-first languages, which write a
  date without its year as month/day (`ja`, `ko`, `zh`); day first for every other locale and
  when the locale is unknown. So `03/04` is 4 March in en-US, 3 April in en-GB, pl-PL, ru-RU.
- A reading that cannot be a date (`12/15` day first) gives way to the other one (15 December):
  nobody means a 15th month.
- Without a year: the next such day from today on (`prefer="future"`) or the latest up to today
  (`prefer="past"`). A two-digit year is in this century.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.dates.days import Direction, nearest

MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "VI", "UM"})
MONTH_FIRST_LANGUAGES = frozenset({"ja", "ko", "zh"})  # 2026/12/15, and 12/15 without the year

YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
DAY_MONTH = re.compile(r"(\d{1,2})([-/.])(\d{1,2})(?:\2(\d{2}|\d{4}))?")


def month_first(locale: str | None) -> bool:
    """Whether a person of `locale` (`en-US`, `en_GB`, `pl-PL`, `ja`) writes 03/04 for 4 March."""
    if not locale:
        return False
    language, _, region = locale.replace("_", "-").partition("-")
    return region.upper() in MONTH_FIRST_REGIONS or language.lower() in MONTH_FIRST_LANGUAGES


@dataclass(frozen=True)
class Numeric:
    day: date
    ambiguous: bool  # day and month could have been swapped (03/04, not 15/12 nor 15.12)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest(today: date, prefer: Direction, month: int, day: int) -> date | None:
    """The next (or last) `day` of `month`: 29 February may be years away."""
    return nearest(today, prefer, lambda step: _make(today.year + step, month, day), 8)


def read_numeric(
    word: str, *, today: date, prefer: Direction, locale: str | None
) -> Numeric | None:
    """One word of digits as a date, or None when it is none (`2026-02-30`, `3`, `1/2/3/4`)."""
    if match := YEAR_FIRST.fullmatch(word):
        made = _make(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        return Numeric(made, ambiguous=False) if made else None
    match = DAY_MONTH.fullmatch(word)
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(3))
    orders = [(first, second), (second, first)]  # (day, month)
    if match.group(2) != "." and month_first(locale):
        orders.reverse()
    year_text = match.group(4)
    year = None if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    for day, month in orders:
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        made = _make(year, month, day) if year is not None else _nearest(today, prefer, month, day)
        if made is not None:
            swappable = first != second and max(first, second) <= 12
            return Numeric(made, ambiguous=swappable and match.group(2) != ".")
    return None
