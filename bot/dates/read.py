"""Reading a day from a person's words (the phrases are listed in bot/dates/__init__.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.dates.days import (
    Direction,
    describe_day,
    nearest,
    part_of,
    part_of_month,
    shift,
    weekday,
)
from bot.dates.numeric import read_numeric
from bot.dates.words import (
    AGO,
    AHEAD,
    FROM_NOW,
    MODS,
    MONTHS,
    NOISE,
    NUMBERS,
    PARTS,
    PREPOSITIONS,
    RELATIVE,
    SHORT,
    UNITS,
    WEEKDAYS,
    YEAR_MARKS,
    Lang,
    normalize,
)

LONGEST = 60  # characters: no day is written longer; longer text is not read at all
YEAR = re.compile(r"\d{4}")
DIGITS = re.compile(r"\d{1,4}")
ORDINAL = re.compile(r"(\d{1,2})(st|nd|rd|th|-?(?:го|е|ое|ого|му|ому))")


@dataclass(frozen=True)
class Reading:
    """A day read from text, and how it was written (for saying it back)."""

    day: date
    text: str  # the words read, as the person wrote them
    lang: Lang | None  # the language of its words; None when it is all digits
    numeric: bool  # written in digits (03/04, 15.12, 2026-12-15): say it back with its weekday
    ambiguous: bool = False  # digits whose day and month could swap: read per the locale

    def describe(self, *, today: date) -> str:
        """`Wed 4 Mar` — with the weekday and date whenever it was written in digits."""
        return describe_day(self.day, today=today, exact=self.numeric)


@dataclass(frozen=True)
class _Found:
    day: date
    lang: Lang | None
    numeric: bool = False
    ambiguous: bool = False


def _mixed(*langs: Lang | None) -> bool:
    """Words of two languages: "next piątek" is not a day (digits have no language)."""
    return len({lang for lang in langs if lang is not None}) > 1


def read_day(
    text: str, *, today: date, prefer: Direction, locale: str | None = None
) -> Reading | None:
    """The day `text` names, relative to the person's local `today`; None when it names none.

    `prefer` settles what is open: a bare weekday or a date without its year is the next one
    (`future`, as for a due date) or the last one (`past`, as for a contact logged). `locale`
    is the person's (Slack `users.info` `locale`, like `en-US`): it orders day and month in
    `03/04`.
    """
    text = text.strip()
    if not text or len(text) > LONGEST:
        return None
    words = [word for word in normalize(text) if word not in NOISE]
    if not words:
        return None
    try:
        found = _read(words, today, prefer, locale)
        if found is None and len(words) > 1 and words[0] in PREPOSITIONS:
            found = _read(words[1:], today, prefer, locale)  # on friday, w piątek, до пятницы
            if found and _mixed(PREPOSITIONS[words[0]], found.lang):
                found = None
    except (ValueError, OverflowError):  # in 9999 years: past the calendar's end
        return None
    if found is None:
        return None
    return Reading(found.day, text, found.lang, found.numeric, found.ambiguous)


def parse_day(
    text: str, *, today: date, prefer: Direction, locale: str | None = None
) -> date | None:
    """The calendar day `text` names (see `read_day`), or None."""
    reading = read_day(text, today=today, prefer=prefer, locale=locale)
    return reading.day if reading else None


def _count(word: str) -> tuple[int, Lang | None] | None:
    if DIGITS.fullmatch(word):
        return int(word), None
    return NUMBERS.get(word)


def _read(words: list[str], today: date, prefer: Direction, locale: str | None) -> _Found | None:
    if len(words) > 2 and words[-1] in YEAR_MARKS and YEAR.fullmatch(words[-2]):
        words = words[:-1]  # 15 grudnia 2026 r., 15 декабря 2026 года
    if len(words) in (3, 4) and tuple(words[-2:]) in {tuple(f.split()) for f in FROM_NOW}:
        words = ["in", *words[:-2]]  # 10 days from now → in 10 days
    if len(words) == 1:
        return _one(words[0], today, prefer, locale)
    if found := _counted(words, today):
        return found
    head, last = words[0], words[-1]
    if len(words) == 2 and head in MODS and last in WEEKDAYS:
        (mod, mod_lang), (target, lang) = MODS[head], WEEKDAYS[last]
        if _mixed(mod_lang, lang):
            return None
        return _Found(weekday(today, target, mod, prefer), lang)
    if len(words) == 2 and head in MODS and last in UNITS:
        return _mod_unit(words, today)
    if head in PARTS:
        return _part(words, today, prefer)
    return _day_month(words, today, prefer)


def _one(word: str, today: date, prefer: Direction, locale: str | None) -> _Found | None:
    if word in RELATIVE:
        offset, lang = RELATIVE[word]
        return _Found(today + timedelta(days=offset), lang)
    if word in WEEKDAYS:
        target, lang = WEEKDAYS[word]
        return _Found(weekday(today, target, None, prefer), lang)
    if word in SHORT:
        (part, unit), lang = SHORT[word]
        day = part_of(today, part, unit, None, prefer)
        return _Found(day, lang) if day else None
    if numeric := read_numeric(word, today=today, prefer=prefer, locale=locale):
        return _Found(numeric.day, None, numeric=True, ambiguous=numeric.ambiguous)
    if match := ORDINAL.fullmatch(word):  # the 15th, 15-го: the next (or last) 15th
        number = int(match.group(1))
        suffix_lang: Lang = "en" if match.group(2).isascii() else "ru"

        def in_month(step: int) -> date | None:
            first = today.replace(day=1)
            month = first.month - 1 + step
            try:
                return date(first.year + month // 12, month % 12 + 1, number)
            except ValueError:
                return None

        day = nearest(today, prefer, in_month, 12)
        return _Found(day, suffix_lang) if day else None
    return None


def _counted(words: list[str], today: date) -> _Found | None:
    """in 3 days, za tydzień, через 2 недели; 3 days ago, tydzień temu, неделю назад."""
    if words[0] in AHEAD and words[-1] in UNITS and len(words) <= 3:
        sign, marker_lang, count_words = 1, AHEAD[words[0]], words[1:-1]
    elif words[-1] in AGO and len(words) <= 3 and words[-2] in UNITS:
        sign, marker_lang, count_words = -1, AGO[words[-1]], words[:-2]
    else:
        return None
    unit, unit_lang = UNITS[words[-1] if sign > 0 else words[-2]]
    count, count_lang = (1, None) if not count_words else (_count(count_words[0]) or (0, None))
    if count <= 0 or _mixed(marker_lang, unit_lang, count_lang):
        return None
    return _Found(shift(today, sign * count, unit), marker_lang)


def _mod_unit(words: list[str], today: date) -> _Found | None:
    """next week (its Monday), w przyszłym tygodniu, на прошлой неделе; next month (its 1st)."""
    (mod, mod_lang), (unit, lang) = MODS[words[0]], UNITS[words[1]]
    if mod not in ("next", "last") or _mixed(mod_lang, lang):
        return None
    if unit not in ("week", "month"):
        return None
    day = part_of(today, "start", unit, mod, "future")
    return _Found(day, lang) if day else None


def _part(words: list[str], today: date, prefer: Direction) -> _Found | None:
    """end of next week, koniec miesiąca, mid-December, середина декабря 2027."""
    part, part_lang = PARTS[words[0]]
    rest = words[1:]
    mod, mod_lang = MODS[rest[0]] if len(rest) == 2 and rest[0] in MODS else (None, None)
    if mod is not None:
        rest = rest[1:]
    if len(rest) == 1 and rest[0] in UNITS:
        unit, lang = UNITS[rest[0]]
        day = part_of(today, part, unit, mod, prefer)
        if day is None or _mixed(part_lang, mod_lang, lang):
            return None
        return _Found(day, part_lang)
    if mod is None and rest and rest[0] in MONTHS and len(rest) <= 2:
        month, lang = MONTHS[rest[0]]
        year = int(rest[1]) if len(rest) == 2 and YEAR.fullmatch(rest[1]) else None
        if (len(rest) == 2 and year is None) or _mixed(part_lang, lang):
            return None
        return _Found(part_of_month(today, part, month, year, prefer), part_lang)
    return None


def _day_number(word: str) -> tuple[int, Lang | None] | None:
    if DIGITS.fullmatch(word) and len(word) <= 2:
        return int(word), None
    if match := ORDINAL.fullmatch(word):
        return int(match.group(1)), "en" if match.group(2).isascii() else "ru"
    return None


def _day_month(words: list[str], today: date, prefer: Direction) -> _Found | None:
    """15 grudnia, 15 декабря 2026, 3 Dec, Dec 3, December 3rd, 3rd of December 2026."""
    if len(words) not in (2, 3) or (len(words) == 3 and not YEAR.fullmatch(words[2])):
        return None
    first, second = words[0], words[1]
    if first in MONTHS:
        first, second = second, first
    numbered, named = _day_number(first), MONTHS.get(second)
    if numbered is None or named is None:
        return None
    (number, number_lang), (month, lang) = numbered, named
    if _mixed(number_lang, lang):
        return None

    def in_year(step: int) -> date | None:
        try:
            return date(today.year + step, month, number)
        except ValueError:
            return None

    if len(words) == 3:
        year = int(words[2])
        day = in_year(year - today.year)
    else:
        day = nearest(today, prefer, in_year, 8)  # 29 Feb: up to the next leap year
    return _Found(day, lang) if day else None
