"""What every command's grammar shares: `key:value` options, choices, days."""

from __future__ import annotations

import re
from datetime import date, timedelta, timezone

from sqlmodel import Session

from bot.accounts.queries import account_of_team
from bot.accounts.service import require_active
from bot.dates import Direction, parse_day
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account

OPTION = re.compile(r"^([a-z][a-z-]*):(.*)$", re.IGNORECASE)


OPENING_QUOTES = '"“„'  # straight, and the curly ones Slack's clients type for you
CLOSING_QUOTES = '"”“'


def split_options(words: list[str]) -> tuple[list[str], dict[str, str]]:
    """`key:value` options apart from the other words; `owner:<@U1>` arrives as two tokens.

    A value in quotes may hold spaces: `buys:"rail freight"` (or “rail freight”) is one
    value, its quotes dropped; a quote never closed runs to the end of the text.
    """
    plain_words: list[str] = []
    options: dict[str, str] = {}
    pending: str | None = None
    at = 0
    while at < len(words):
        word = words[at]
        at += 1
        match = OPTION.match(word) if not word.startswith("<") else None
        if pending is not None and _opens(word):
            options[pending], at = _quoted(word, words, at)
        elif pending is not None and word.startswith("<"):
            options[pending] = word
        elif match and _opens(match.group(2)):
            options[match.group(1).lower()], at = _quoted(match.group(2), words, at)
        elif match:
            options[match.group(1).lower()] = match.group(2)
        else:
            plain_words.append(word)
        pending = match.group(1).lower() if match and not match.group(2) else None
    return plain_words, options


def _opens(value: str) -> bool:
    return bool(value) and value[0] in OPENING_QUOTES


def _quoted(first: str, words: list[str], at: int) -> tuple[str, int]:
    """The value that opens with a quote in `first`, closed in it or in a later word
    (`words[at:]`); returns it without its quotes, and where the words after it start."""
    parts = [first[1:]]
    while not (parts[-1][-1:] in CLOSING_QUOTES and (len(parts) > 1 or len(first) > 1)):
        if at == len(words):
            return " ".join(parts).strip(), at
        parts.append(words[at])
        at += 1
    return " ".join(parts)[:-1].strip(), at


def choice(value: str, allowed: list[str], what: str, example: str) -> str:
    value = value.strip().lower()
    if value not in allowed:
        raise UserError(f"{what} must be one of {', '.join(allowed)} (got “{value}”).", example)
    return value


def day_or_refuse(
    inv: Invocation, text: str, *, prefer: Direction, what: str, example: str
) -> date:
    day = parse_day(text, today=inv.today, prefer=prefer, locale=inv.locale)
    if day is None:
        raise day_refusal(inv, text, what=what, example=example)
    return day


def day_refusal(inv: Invocation, text: str, *, what: str, example: str) -> UserError:
    """The one answer to a day that could not be read: what was typed, and what works."""
    return UserError(
        f"I couldn't read “{text}” as {what}. Use today, yesterday, a weekday, `next friday`, "
        f"`3 days ago`, `in 2 weeks`, `the 15th` or a date like `{inv.today.isoformat()}` "
        "(also in Polish or Russian: `w piątek`, `в пятницу`).",
        example,
    )


LATEST_ZONE = timezone(timedelta(hours=14))  # nobody's today is later than this
EARLIEST_ZONE = timezone(timedelta(hours=-12))  # nor earlier than this


def form_date(text: str | None) -> date | None:
    """A form's datepicker value (ISO), or None when empty or unreadable."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def form_account(session: Session, team_id: str, value: str | None) -> Account:
    """The account a form picked, if it is still there, of this workspace and not archived
    (forms log contacts and record promises)."""
    account = account_of_team(session, team_id, value)
    if account is None:
        raise UserError("that account no longer exists.", "/steward account list")
    return require_active(account)
