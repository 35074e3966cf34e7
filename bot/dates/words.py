"""The words of days in English, Polish and Russian, as tables, and the one way text is cleaned.

Every word is stored as `normalize` leaves it: lower case, Polish letters without their marks
(`piątek` → `piatek`, so both spellings match), `ё` as `е`. Each table entry carries its language:
`split_due` takes Polish `do` only before Polish (or digit-only) days, Russian `до`/`к` only
before Russian ones, so "we do care" and "письмо к директору" stay text.
"""

from __future__ import annotations

import re
from typing import Literal, TypeVar

Lang = Literal["en", "pl", "ru"]
Unit = Literal["day", "week", "month", "year"]
Mod = Literal["next", "last", "this", "near"]  # near: the nearest one ahead (najbliższy, ближайший)
Part = Literal["start", "mid", "end"]

T = TypeVar("T")


def _tag(lang: Lang, table: dict[str, T]) -> dict[str, tuple[T, Lang]]:
    return {word: (value, lang) for word, value in table.items()}


def _forms(lang: Lang, groups: dict[T, str]) -> dict[str, tuple[T, Lang]]:
    """`{4: "piatek piatku pt"}` → every form of the word, with its value and language."""
    return {word: (value, lang) for value, words in groups.items() for word in words.split()}


WEEKDAYS = {
    **_forms("en", {
        0: "mon monday", 1: "tue tues tuesday", 2: "wed weds wednesday",
        3: "thu thur thurs thursday", 4: "fri friday", 5: "sat saturday", 6: "sun sunday",
    }),
    # nominative, accusative (w piątek, w środę), genitive (do piątku, do środy), short forms
    **_forms("pl", {
        0: "poniedzialek poniedzialku pon pn", 1: "wtorek wtorku wt",
        2: "sroda srode srody sr", 3: "czwartek czwartku czw", 4: "piatek piatku pt",
        5: "sobota sobote soboty sob", 6: "niedziela niedziele niedzieli niedz nd",
    }),
    # nominative, accusative (в пятницу), genitive (до пятницы), dative (к пятнице), short forms
    **_forms("ru", {
        0: "понедельник понедельника понедельнику пн", 1: "вторник вторника вторнику вт",
        2: "среда среду среды среде ср", 3: "четверг четверга четвергу чт",
        4: "пятница пятницу пятницы пятнице пт", 5: "суббота субботу субботы субботе сб",
        6: "воскресенье воскресенья воскресенью вс",
    }),
}  # fmt: skip

MONTHS = {
    **_forms("en", {
        1: "jan january", 2: "feb february", 3: "mar march", 4: "apr april", 5: "may",
        6: "jun june", 7: "jul july", 8: "aug august", 9: "sep sept september",
        10: "oct october", 11: "nov november", 12: "dec december",
    }),
    # nominative (koniec: grudzień), genitive (15 grudnia, połowa grudnia), locative (w grudniu)
    **_forms("pl", {
        1: "styczen stycznia styczniu sty", 2: "luty lutego lutym lut",
        3: "marzec marca marcu", 4: "kwiecien kwietnia kwietniu kwi", 5: "maj maja maju",
        6: "czerwiec czerwca czerwcu cze", 7: "lipiec lipca lipcu lip",
        8: "sierpien sierpnia sierpniu sie", 9: "wrzesien wrzesnia wrzesniu wrz",
        10: "pazdziernik pazdziernika pazdzierniku paz",
        11: "listopad listopada listopadzie lis", 12: "grudzien grudnia grudniu gru",
    }),
    # nominative, genitive (15 декабря, середина декабря), prepositional (в декабре)
    **_forms("ru", {
        1: "январь января январе янв", 2: "февраль февраля феврале фев февр",
        3: "март марта марте мар", 4: "апрель апреля апреле апр", 5: "май мая мае",
        6: "июнь июня июне июн", 7: "июль июля июле июл", 8: "август августа августе авг",
        9: "сентябрь сентября сентябре сен сент", 10: "октябрь октября октябре окт",
        11: "ноябрь ноября ноябре ноя нояб", 12: "декабрь декабря декабре дек",
    }),
}  # fmt: skip

NUMBERS = {
    **_forms("en", {
        1: "a an one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
        8: "eight", 9: "nine", 10: "ten",
    }),
    **_forms("pl", {
        1: "jeden jedna jedno", 2: "dwa dwie", 3: "trzy", 4: "cztery", 5: "piec", 6: "szesc",
        7: "siedem", 8: "osiem", 9: "dziewiec", 10: "dziesiec",
    }),
    **_forms("ru", {
        1: "один одна одну одно", 2: "два две", 3: "три", 4: "четыре", 5: "пять", 6: "шесть",
        7: "семь", 8: "восемь", 9: "девять", 10: "десять",
    }),
}  # fmt: skip

UNITS: dict[str, tuple[Unit, Lang]] = {
    **_forms("en", {"day": "day days", "week": "week weeks", "month": "month months",
                    "year": "year years"}),
    **_forms("pl", {
        "day": "dzien dnia dni", "week": "tydzien tygodnia tygodniu tygodnie tygodni",
        "month": "miesiac miesiaca miesiacu miesiace miesiecy", "year": "rok roku lata lat",
    }),
    **_forms("ru", {
        "day": "день дня дней", "week": "неделя неделю недели неделе недель",
        "month": "месяц месяца месяце месяцу месяцев", "year": "год года году лет",
    }),
}  # fmt: skip

MODS: dict[str, tuple[Mod, Lang]] = {
    **_forms("en", {"next": "next", "last": "last previous", "this": "this",
                    "near": "coming"}),
    **_forms("pl", {
        "next": "przyszly przyszla przyszle przyszlego przyszlej przyszlym "
                "nastepny nastepna nastepne nastepnego nastepnej nastepnym",
        "last": "zeszly zeszla zeszle zeszlego zeszlej zeszlym "
                "ubiegly ubiegla ubiegle ubieglego ubieglej ubieglym",
        "this": "ten ta te tego tej tym",
        "near": "najblizszy najblizsza najblizsze najblizszego najblizszej",
    }),
    **_forms("ru", {
        "next": "следующий следующая следующую следующее следующей следующего следующему "
                "следующем будущий будущую будущей будущего будущем",
        "last": "прошлый прошлая прошлую прошлое прошлой прошлого прошлому прошлом",
        "this": "этот эта эту это этой этого этому этом",
        "near": "ближайший ближайшая ближайшую ближайшее ближайшей ближайшего ближайшему",
    }),
}  # fmt: skip

PARTS: dict[str, tuple[Part, Lang]] = {
    **_forms("en", {"start": "beginning start early", "mid": "mid middle",
                    "end": "end late"}),
    **_forms("pl", {
        "start": "poczatek poczatku poczatkiem", "mid": "polowa polowy polowie polowe srodek "
        "srodka srodku", "end": "koniec konca koncu koncem",
    }),
    **_forms("ru", {
        "start": "начало начала началу начале", "mid": "середина середины середине середину",
        "end": "конец конца концу конце",
    }),
}  # fmt: skip

RELATIVE: dict[str, tuple[int, Lang]] = {
    **_tag("en", {"today": 0, "now": 0, "eod": 0, "yesterday": -1, "tomorrow": 1, "tmrw": 1,
                  "tmr": 1}),
    # jutra, pojutrza: the genitive after `do` (do jutra: by tomorrow)
    **_tag("pl", {"dzis": 0, "dzisiaj": 0, "teraz": 0, "wczoraj": -1, "przedwczoraj": -2,
                  "jutro": 1, "jutra": 1, "pojutrze": 2, "pojutrza": 2}),
    **_tag("ru", {"сегодня": 0, "сейчас": 0, "вчера": -1, "позавчера": -2, "завтра": 1,
                  "послезавтра": 2}),
}  # fmt: skip

SHORT: dict[str, tuple[tuple[Part, Unit], Lang]] = _tag(
    "en", {"eow": ("end", "week"), "eom": ("end", "month")}
)
AHEAD: dict[str, Lang] = {"in": "en", "za": "pl", "через": "ru"}  # in 3 days, za 3 dni
AGO: dict[str, Lang] = {"ago": "en", "temu": "pl", "назад": "ru"}  # 3 days ago, 3 dni temu
FROM_NOW = ("from now", "from today")  # en: "10 days from now"
# A leading word that only says "on" or "by"; it is dropped before reading the day.
PREPOSITIONS: dict[str, Lang] = {
    "on": "en", "by": "en", "in": "en", "at": "en",
    "w": "pl", "we": "pl", "do": "pl", "na": "pl", "pod": "pl",
    "в": "ru", "во": "ru", "до": "ru", "к": "ru", "ко": "ru", "на": "ru",
}  # fmt: skip
NOISE = {"the", "of"}  # en: "by the end of the month", "the 15th", "3rd of December"
YEAR_MARKS = {"r", "roku", "г", "года", "году"}  # 2026 r., 2026 г., 2026 года

_MARKS = str.maketrans("ąćęłńóśźżё", "acelnoszzе")
_YEAR_MARK = re.compile(r"\b(\d{4})(r|г)\b")  # 2026r. → 2026 r
_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")  # mid-December; not 2026-12-15, not 15-го


def normalize(text: str) -> list[str]:
    """Lower-cased words without marks, commas or trailing dots (`15 grud.,` → `15 grud`)."""
    cleaned = _HYPHEN.sub(" ", text.lower().translate(_MARKS)).replace(",", " ")
    cleaned = _YEAR_MARK.sub(r"\1 \2", cleaned)
    return [word.rstrip(".!?") for word in cleaned.split() if word.rstrip(".!?")]
