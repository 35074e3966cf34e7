"""Days in Polish and Russian, as reps in Warsaw and Moscow write them, on the fixed days of
tests/test_dates.py; and their `do` / `до` / `к` before a due date."""

from datetime import date

import pytest

from bot.dates import parse_day, split_due
from bot.dates.days import Direction
from bot.dates.words import normalize
from tests.test_dates import LOCAL_DAYS, d, local_today

POLISH: list[tuple[str, str, Direction, date]] = [
    ("mon", "dziś", "past", d(2026, 11, 30)),
    ("mon", "Dzisiaj", "past", d(2026, 11, 30)),
    ("mon", "wczoraj", "past", d(2026, 11, 29)),
    ("mon", "przedwczoraj", "past", d(2026, 11, 28)),
    ("mon", "jutro", "future", d(2026, 12, 1)),
    ("mon", "pojutrze", "future", d(2026, 12, 2)),
    ("mon", "w poniedziałek", "future", d(2026, 11, 30)),
    ("mon", "we wtorek", "future", d(2026, 12, 1)),
    ("mon", "we wtorek", "past", d(2026, 11, 24)),
    ("mon", "w środę", "future", d(2026, 12, 2)),
    ("mon", "w srode", "future", d(2026, 12, 2)),
    ("mon", "w czwartek", "future", d(2026, 12, 3)),
    ("mon", "w piątek", "future", d(2026, 12, 4)),
    ("mon", "w piatek", "past", d(2026, 11, 27)),
    ("mon", "W PIĄTEK", "future", d(2026, 12, 4)),
    ("mon", "w sobotę", "future", d(2026, 12, 5)),
    ("mon", "w sobote", "future", d(2026, 12, 5)),
    ("mon", "w niedzielę", "future", d(2026, 12, 6)),
    ("mon", "w niedziele", "past", d(2026, 11, 29)),
    ("mon", "w przyszły piątek", "future", d(2026, 12, 11)),
    ("mon", "w przyszły wtorek", "future", d(2026, 12, 8)),
    ("mon", "w przyszłą środę", "future", d(2026, 12, 9)),
    ("mon", "w przyszla srode", "future", d(2026, 12, 9)),
    ("mon", "w następny czwartek", "future", d(2026, 12, 10)),
    ("mon", "w najbliższy czwartek", "future", d(2026, 12, 3)),
    ("mon", "w ten piątek", "future", d(2026, 12, 4)),
    ("mon", "w zeszły piątek", "past", d(2026, 11, 27)),
    ("mon", "w zeszłą środę", "past", d(2026, 11, 25)),
    ("mon", "w ubiegły wtorek", "past", d(2026, 11, 24)),
    ("mon", "za tydzień", "future", d(2026, 12, 7)),
    ("mon", "za tydzien", "future", d(2026, 12, 7)),
    ("mon", "za 3 dni", "future", d(2026, 12, 3)),
    ("mon", "za dwa dni", "future", d(2026, 12, 2)),
    ("mon", "za 2 tygodnie", "future", d(2026, 12, 14)),
    ("mon", "za miesiąc", "future", d(2026, 12, 30)),
    ("mon", "za 2 miesiące", "future", d(2027, 1, 30)),
    ("mon", "3 dni temu", "past", d(2026, 11, 27)),
    ("mon", "tydzień temu", "past", d(2026, 11, 23)),
    ("mon", "2 tygodnie temu", "past", d(2026, 11, 16)),
    ("mon", "miesiąc temu", "past", d(2026, 10, 30)),
    ("mon", "15 grudnia", "future", d(2026, 12, 15)),
    ("mon", "15 grudnia 2026", "future", d(2026, 12, 15)),
    ("mon", "15 grudnia 2027 r.", "future", d(2027, 12, 15)),
    ("mon", "3 listopada", "past", d(2026, 11, 3)),
    ("mon", "koniec tygodnia", "future", d(2026, 12, 4)),
    ("mon", "do końca tygodnia", "future", d(2026, 12, 4)),
    ("mon", "koniec przyszłego tygodnia", "future", d(2026, 12, 11)),
    ("mon", "koniec miesiąca", "future", d(2026, 11, 30)),
    ("mon", "w przyszłym tygodniu", "future", d(2026, 12, 7)),
    ("mon", "w zeszłym tygodniu", "past", d(2026, 11, 23)),
    ("mon", "w przyszłym miesiącu", "future", d(2026, 12, 1)),
    ("mon", "połowa grudnia", "future", d(2026, 12, 15)),
    ("mon", "w połowie grudnia", "future", d(2026, 12, 15)),
    ("mon", "na początku stycznia", "future", d(2027, 1, 1)),
    ("mon", "pod koniec grudnia", "future", d(2026, 12, 31)),
    ("mon", "do piątku", "future", d(2026, 12, 4)),
    ("mon", "do jutra", "future", d(2026, 12, 1)),
    ("fri", "w przyszły wtorek", "future", d(2026, 12, 8)),
    ("fri", "w przyszły piątek", "future", d(2026, 12, 11)),
    ("fri", "w piątek", "future", d(2026, 12, 4)),
    ("fri", "w poniedziałek", "future", d(2026, 12, 7)),
    ("fri", "w zeszły czwartek", "past", d(2026, 12, 3)),
    ("fri", "w ten wtorek", "future", d(2026, 12, 1)),
    ("fri", "do środy", "future", d(2026, 12, 9)),
    ("fri", "koniec tygodnia", "future", d(2026, 12, 4)),
    ("fri", "za tydzień", "future", d(2026, 12, 11)),
    ("eoy", "jutro", "future", d(2027, 1, 1)),
    ("eoy", "koniec miesiąca", "future", d(2026, 12, 31)),
    ("eoy", "za miesiąc", "future", d(2027, 1, 31)),
    ("eoy", "w przyszłym tygodniu", "future", d(2027, 1, 4)),
    ("eoy", "w piątek", "future", d(2027, 1, 1)),
    ("eoy", "połowa grudnia", "future", d(2027, 12, 15)),
    ("eoy", "połowa grudnia", "past", d(2026, 12, 15)),
    ("eoy", "15 stycznia", "future", d(2027, 1, 15)),
    ("eoy", "koniec stycznia", "future", d(2027, 1, 31)),
    ("dst_waw", "dziś", "past", d(2027, 3, 28)),
    ("dst_waw", "wczoraj", "past", d(2027, 3, 27)),
    ("dst_waw", "w niedzielę", "future", d(2027, 3, 28)),
    ("dst_waw", "w przyszły wtorek", "future", d(2027, 3, 30)),
    ("dst_waw", "koniec tygodnia", "future", d(2027, 4, 2)),
    ("dst_waw", "koniec tygodnia", "past", d(2027, 3, 26)),
    ("dst_waw", "koniec miesiąca", "future", d(2027, 3, 31)),
    ("dst_waw", "za tydzień", "future", d(2027, 4, 4)),
]

RUSSIAN: list[tuple[str, str, Direction, date]] = [
    ("mon", "сегодня", "past", d(2026, 11, 30)),
    ("mon", "вчера", "past", d(2026, 11, 29)),
    ("mon", "ВЧЕРА", "past", d(2026, 11, 29)),
    ("mon", "позавчера", "past", d(2026, 11, 28)),
    ("mon", "завтра", "future", d(2026, 12, 1)),
    ("mon", "послезавтра", "future", d(2026, 12, 2)),
    ("mon", "в понедельник", "future", d(2026, 11, 30)),
    ("mon", "во вторник", "future", d(2026, 12, 1)),
    ("mon", "во вторник", "past", d(2026, 11, 24)),
    ("mon", "в среду", "future", d(2026, 12, 2)),
    ("mon", "в четверг", "future", d(2026, 12, 3)),
    ("mon", "в пятницу", "future", d(2026, 12, 4)),
    ("mon", "в пятницу", "past", d(2026, 11, 27)),
    ("mon", "в субботу", "future", d(2026, 12, 5)),
    ("mon", "в воскресенье", "future", d(2026, 12, 6)),
    ("mon", "в следующую пятницу", "future", d(2026, 12, 11)),
    ("mon", "в следующий вторник", "future", d(2026, 12, 8)),
    ("mon", "в следующую среду", "future", d(2026, 12, 9)),
    ("mon", "в ближайший четверг", "future", d(2026, 12, 3)),
    ("mon", "в эту пятницу", "future", d(2026, 12, 4)),
    ("mon", "в прошлую пятницу", "past", d(2026, 11, 27)),
    ("mon", "в прошлый вторник", "past", d(2026, 11, 24)),
    ("mon", "через неделю", "future", d(2026, 12, 7)),
    ("mon", "через 3 дня", "future", d(2026, 12, 3)),
    ("mon", "через пять дней", "future", d(2026, 12, 5)),
    ("mon", "через 2 недели", "future", d(2026, 12, 14)),
    ("mon", "через месяц", "future", d(2026, 12, 30)),
    ("mon", "через 2 месяца", "future", d(2027, 1, 30)),
    ("mon", "3 дня назад", "past", d(2026, 11, 27)),
    ("mon", "неделю назад", "past", d(2026, 11, 23)),
    ("mon", "две недели назад", "past", d(2026, 11, 16)),
    ("mon", "15 декабря", "future", d(2026, 12, 15)),
    ("mon", "15 декабря 2026", "future", d(2026, 12, 15)),
    ("mon", "15 декабря 2027 года", "future", d(2027, 12, 15)),
    ("mon", "15-го декабря", "future", d(2026, 12, 15)),
    ("mon", "3 ноября", "past", d(2026, 11, 3)),
    ("mon", "15-го", "future", d(2026, 12, 15)),
    ("mon", "конец недели", "future", d(2026, 12, 4)),
    ("mon", "к концу недели", "future", d(2026, 12, 4)),
    ("mon", "конец следующей недели", "future", d(2026, 12, 11)),
    ("mon", "конец месяца", "future", d(2026, 11, 30)),
    ("mon", "на следующей неделе", "future", d(2026, 12, 7)),
    ("mon", "на прошлой неделе", "past", d(2026, 11, 23)),
    ("mon", "в следующем месяце", "future", d(2026, 12, 1)),
    ("mon", "середина декабря", "future", d(2026, 12, 15)),
    ("mon", "в середине декабря", "future", d(2026, 12, 15)),
    ("mon", "в начале января", "future", d(2027, 1, 1)),
    ("mon", "в конце декабря", "future", d(2026, 12, 31)),
    ("mon", "до пятницы", "future", d(2026, 12, 4)),
    ("mon", "к пятнице", "future", d(2026, 12, 4)),
    ("mon", "ко вторнику", "future", d(2026, 12, 1)),
    ("mon", "к 15-му", "future", d(2026, 12, 15)),
    ("fri", "в следующий вторник", "future", d(2026, 12, 8)),
    ("fri", "в следующую пятницу", "future", d(2026, 12, 11)),
    ("fri", "в пятницу", "future", d(2026, 12, 4)),
    ("fri", "в прошлый четверг", "past", d(2026, 12, 3)),
    ("fri", "в эту среду", "future", d(2026, 12, 2)),
    ("fri", "к понедельнику", "future", d(2026, 12, 7)),
    ("fri", "до среды", "future", d(2026, 12, 9)),
    ("fri", "через неделю", "future", d(2026, 12, 11)),
    ("eoy", "завтра", "future", d(2027, 1, 1)),
    ("eoy", "конец месяца", "future", d(2026, 12, 31)),
    ("eoy", "через месяц", "future", d(2027, 1, 31)),
    ("eoy", "на следующей неделе", "future", d(2027, 1, 4)),
    ("eoy", "середина декабря", "future", d(2027, 12, 15)),
    ("eoy", "к 15 января", "future", d(2027, 1, 15)),
    ("eoy", "конец января", "future", d(2027, 1, 31)),
    ("dst_nyc", "сегодня", "past", d(2026, 11, 1)),
    ("dst_nyc", "вчера", "past", d(2026, 10, 31)),
    ("dst_nyc", "в следующий вторник", "future", d(2026, 11, 3)),
    ("dst_nyc", "конец недели", "future", d(2026, 11, 6)),
    ("dst_nyc", "конец недели", "past", d(2026, 10, 30)),
    ("dst_nyc", "через неделю", "future", d(2026, 11, 8)),
    ("dst_nyc", "конец месяца", "future", d(2026, 11, 30)),
]


def _phrasings(table: list[tuple[str, str, Direction, date]]) -> set[str]:
    return {" ".join(normalize(text)) for _, text, _, _ in table}


def test_at_least_25_phrasings_per_language() -> None:
    assert len(_phrasings(POLISH)) >= 25 and len(_phrasings(RUSSIAN)) >= 25


@pytest.mark.parametrize(("on", "text", "prefer", "expected"), POLISH)
def test_polish_on_fixed_days(on: str, text: str, prefer: Direction, expected: date) -> None:
    assert parse_day(text, today=local_today(on), prefer=prefer, locale="pl-PL") == expected


@pytest.mark.parametrize(("on", "text", "prefer", "expected"), RUSSIAN)
def test_russian_on_fixed_days(on: str, text: str, prefer: Direction, expected: date) -> None:
    assert parse_day(text, today=local_today(on), prefer=prefer, locale="ru-RU") == expected


PL_MONTHS = (
    "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada "
    "grudnia"
)
RU_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"


@pytest.mark.parametrize(
    ("months", "middle"),
    [
        (PL_MONTHS, "połowa"),
        (PL_MONTHS.replace("ś", "s").replace("ź", "z"), "polowa"),
        (RU_MONTHS, "середина"),
    ],
)
def test_every_month_in_the_genitive(months: str, middle: str) -> None:
    monday = LOCAL_DAYS["mon"]
    for number, month in enumerate(months.split(), start=1):
        assert parse_day(f"1 {month} 2027", today=monday, prefer="future") == d(2027, number, 1)
        mid = d(2026 if number == 12 else 2027, number, 15)  # the next one from 30 Nov 2026
        assert parse_day(f"{middle} {month}", today=monday, prefer="future") == mid, month


def test_weekday_forms_with_and_without_marks() -> None:
    monday = LOCAL_DAYS["mon"]
    forms = {
        0: "poniedziałek poniedzialek poniedziałku",
        1: "wtorek wtorku",
        2: "środa sroda środę srode środy",
        3: "czwartek czwartku",
        4: "piątek piatek piątku piatku",
        5: "sobota sobotę sobote soboty",
        6: "niedziela niedzielę niedziele niedzieli",
    }
    ru = {
        0: "понедельник понедельника понедельнику",
        1: "вторник вторника вторнику",
        2: "среда среду среды среде",
        3: "четверг четверга четвергу",
        4: "пятница пятницу пятницы пятнице",
        5: "суббота субботу субботы субботе",
        6: "воскресенье воскресенья воскресенью",
    }
    for table in (forms, ru):
        for weekday, words in table.items():
            for word in words.split():
                day = parse_day(word, today=monday, prefer="future")
                assert day is not None and day.weekday() == weekday, word


def test_yo_is_read_as_ye() -> None:
    assert normalize("Ёлка, ещё") == ["елка", "еще"]


@pytest.mark.parametrize(
    ("text", "what", "due"),
    [
        ("send the report do piątku", "send the report", d(2026, 12, 4)),
        ("wysłać raport do piątku", "wysłać raport", d(2026, 12, 4)),
        ("wysłać ofertę do 15 grudnia", "wysłać ofertę", d(2026, 12, 15)),
        ("przygotować umowę do końca tygodnia", "przygotować umowę", d(2026, 12, 4)),
        ("zadzwonić do Jana do jutra", "zadzwonić do Jana", d(2026, 12, 1)),
        ("wysłać fakturę do 15.12", "wysłać fakturę", d(2026, 12, 15)),
        ("отправить отчёт до пятницы", "отправить отчёт", d(2026, 12, 4)),
        ("подготовить КП к 15 декабря", "подготовить КП", d(2026, 12, 15)),
        ("написать письмо к директору к пятнице", "написать письмо к директору", d(2026, 12, 4)),
        ("подготовить договор ко вторнику", "подготовить договор", d(2026, 12, 1)),
        ("созвониться До конца месяца", "созвониться", d(2026, 11, 30)),
        ("прислать акт к 15-му", "прислать акт", d(2026, 12, 15)),
    ],
)
def test_split_due_after_do_and_k(text: str, what: str, due: date) -> None:
    split = split_due(text, today=LOCAL_DAYS["mon"])
    assert split.what == what and split.due is not None and split.due.day == due


@pytest.mark.parametrize(
    "text",
    [
        "письмо к директору",
        "подготовиться к встрече",
        "съездить к 3 клиентам",
        "wysłać do klienta",
        "zadzwonić do Jana",
        "przenieść do 3 folderów",
        "we do care",
        "decide what to do tomorrow",  # English after Polish `do`: not a Polish day
        "what we do next friday",
        "подготовить к tomorrow",  # English after Russian `к`
        "wysłać do пятницы",  # Russian after Polish `do`
    ],
)
def test_do_and_k_before_anything_but_a_day_of_their_language_stay_text(text: str) -> None:
    assert split_due(text, today=LOCAL_DAYS["mon"]) == (text, None, None)


@pytest.mark.parametrize(
    "text",
    [
        "grudzień",
        "декабрь",
        "3 dni",
        "15",
        "next piątek",
        "w friday",
        "in 3 dni",
        "через 3 days",
        "za",
        "temu",
        "wczoraj jutro",
        "koniec",
        "середина",
        "в",
        "do",
    ],
)
def test_words_that_name_no_day(text: str) -> None:
    assert parse_day(text, today=LOCAL_DAYS["mon"], prefer="future") is None
