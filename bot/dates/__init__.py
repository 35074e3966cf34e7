"""Words for days → calendar dates, in English, Polish and Russian, read as each person means them.

Pure: the caller passes the person's local `today` (and their Slack `locale`); nothing here reads
a clock. Case does not matter; Polish may be written without its marks (`piatek`), Russian with
е for ё. A leading `on`/`by`/`in`/`at`, `w`/`we`/`do`/`na`/`pod`, `в`/`во`/`до`/`к`/`ко`/`на` is
dropped. The phrases read (en · pl · ru):

- today, yesterday, tomorrow, end of day (eod) · dziś/dzisiaj, wczoraj, przedwczoraj, jutro
  (do jutra), pojutrze · сегодня, вчера, позавчера, завтра, послезавтра.
- A weekday (friday, fri · piątek, w piątek, we wtorek, w środę, do piątku · пятница, в пятницу,
  во вторник, до пятницы, к пятнице): the next one from today on, or the latest up to today when
  the day is in the past (a contact logged). `next friday` · `w przyszły piątek`, `w następny
  piątek` · `в следующую пятницу`: the Friday of NEXT week (weeks start on Monday), so on Monday
  30 Nov 2026 `next tuesday` is Tue 8 Dec, never tomorrow. `this friday` · `w ten piątek` · `в эту
  пятницу`: this week's. `last friday` · `w zeszły/ubiegły piątek` · `в прошлую пятницу`: the latest
  Friday before today. `coming friday` · `w najbliższy piątek` · `в ближайшую пятницу`: the next.
- in 10 days, in 2 weeks, in a month, 10 days from now · za 3 dni, za tydzień, za 2 tygodnie, za
  miesiąc · через 3 дня, через неделю, через 2 недели, через месяц. And back: 3 days ago · 3 dni
  temu, tydzień temu · 3 дня назад, неделю назад. Numbers in digits or words up to ten.
- next week, last week · w przyszłym/zeszłym tygodniu · на следующей/прошлой неделе: that week's
  Monday. next month · w przyszłym miesiącu · в следующем месяце: its 1st.
- Parts: `beginning`/`start`/`early`, `mid`/`middle`, `end`/`late` · początek, połowa/środek, koniec
  · начало, середина, конец (in any case: w połowie, do końca, к концу, в начале) — of a week: its
  Monday, Wednesday, Friday; of a month: its 1st, 15th, last day. end of week (eow), end of next
  week · koniec (przyszłego) tygodnia · конец (следующей) недели; end of the month (eom) · koniec
  miesiąca · конец месяца; mid-December, early January, end of December 2026 · połowa grudnia ·
  середина декабря. Without next/last: this week's (month's, year's) one, or the next when it has
  passed and the day is wanted ahead.
- A day of a month: 3 Dec, Dec 3, December 3rd, 3rd of December 2026 · 15 grudnia (2026 r.) ·
  15 декабря (2026 г.), 15-го декабря; `the 15th` · `15-го`: the next 15th (or the last one).
- Digits (bot/dates/numeric.py): 2026-12-15 always; 15.12 and 15.12.2026 day first; 03/04 in the
  person's convention — month first for en-US and the locales listed there, else day first.
  Without a year: the next such day (or the last one, for the past).

Not read (None): a month or week alone (`december`, `this week`), vague counts (`a few days`),
ordinal words (`четвёртого декабря`), times of day.

The API: `read_day(text, today=, prefer=, locale=)` → `Reading` (the day, the words, their
language, whether written in digits) or None; `parse_day` → just the date. `split_due(text,
today=, locale=)` → `Due(what, due, unread)`: the due date at the end of a text after `by` · `do`
· `до`/`к`. `Reading.describe(today=)` (or `describe_day(…, exact=True)`) says the day back, with
its weekday and date when it was written in digits ("Wed 4 Mar"), so a person sees which reading
was taken. `month_first(locale)` tells which convention a locale's digits follow.
"""

from bot.dates.days import Direction, add_months, describe_day
from bot.dates.due import Due, split_due
from bot.dates.numeric import month_first
from bot.dates.read import Reading, parse_day, read_day

__all__ = [
    "Direction",
    "Due",
    "Reading",
    "add_months",
    "describe_day",
    "month_first",
    "parse_day",
    "read_day",
    "split_due",
]
