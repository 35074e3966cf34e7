"""The due date at the end of a text: `send the quote by friday`, `wysłać raport do piątku`,
`отправить отчёт до пятницы`, `подготовить КП к 15 декабря`."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from bot.dates.read import Reading, read_day
from bot.dates.words import Lang

# The word before a due date, and the language the day after it must be in (or digits).
# English `by` takes any day: it says "due" plainly; `do` (pl), `до`/`к`/`ко` (ru) are common
# words, so they count only before a day of their own language: "we do care", "do 15.12",
# "письмо к директору", "к 15 декабря".
BY_WORDS: dict[str, Lang | None] = {"by": None, "do": "pl", "до": "ru", "к": "ru", "ко": "ru"}
BY = re.compile(r"(?<!\S)(by|do|до|к|ко)(?=\s)", re.IGNORECASE)


class Due(NamedTuple):
    """A text split at its due date."""

    what: str  # the text before the due date; all of it when none was found
    due: Reading | None  # the due date read, with the words it was read from
    unread: str | None  # no due date read, but an English `by` ends the text: the words after it


def split_due(text: str, *, today: date, locale: str | None = None) -> Due:
    """The due date that ends `text`, introduced by `by`, `do`, `до` or `к`.

    The last such word whose every following word reads as a day wins: `send it by email by
    friday` is due Friday. Nothing is split when what follows reads as no day, so English text
    with "do" and Russian text with "к" stay whole; `unread` then holds what follows the last
    `by`, for a refusal that echoes it ("couldn't read “fridya” as a due date").
    """
    unread: str | None = None
    for match in reversed(list(BY.finditer(text))):
        tail = text[match.end() :].strip()
        word = match.group(1).lower()
        reading = read_day(tail, today=today, prefer="future", locale=locale)
        wanted = BY_WORDS[word]
        if reading and (wanted is None or reading.lang in (None, wanted)):
            return Due(text[: match.start()].rstrip(), reading, None)
        if word == "by" and unread is None:
            unread = tail
    return Due(text.strip(), None, unread)
