"""What every command's grammar shares: `key:value` options, choices, days."""

from __future__ import annotations

import re
from datetime import date, timedelta, timezone

from sqlmodel import Session

from bot.accounts.queries import account_of_team
from bot.dates import Direction, parse_day
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account

OPTION = re.compile(r"^([a-z][a-z-]*):(.*)$", re.IGNORECASE)


def split_options(words: list[str]) -> tuple[list[str], dict[str, str]]:
    """`key:value` options apart from the other words; `owner:<@U1>` arrives as two tokens."""
    plain_words: list[str] = []
    options: dict[str, str] = {}
    pending: str | None = None
    for word in words:
        match = OPTION.match(word) if not word.startswith("<") else None
        if pending is not None and word.startswith("<"):
            options[pending] = word
        elif match:
            options[match.group(1).lower()] = match.group(2)
        else:
            plain_words.append(word)
        pending = match.group(1).lower() if match and not match.group(2) else None
    return plain_words, options


def choice(value: str, allowed: list[str], what: str, example: str) -> str:
    value = value.strip().lower()
    if value not in allowed:
        raise UserError(f"{what} must be one of {', '.join(allowed)} (got “{value}”).", example)
    return value


def day_or_refuse(
    inv: Invocation, text: str, *, prefer: Direction, what: str, example: str
) -> date:
    day = parse_day(text, today=inv.today, prefer=prefer)
    if day is None:
        raise UserError(
            f"I couldn't read “{text}” as {what}. Use today, yesterday, a weekday, "
            f"`3 days ago`, `in 2 weeks` or a date like `{inv.today.isoformat()}`.",
            example,
        )
    return day


LATEST_ZONE = timezone(timedelta(hours=14))  # nobody's today is later than this
EARLIEST_ZONE = timezone(timedelta(hours=-12))  # nor earlier than this


def form_date(text: str | None) -> date | None:
    """A form's datepicker value (ISO), or None when empty or unreadable."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def form_account(session: Session, team_id: str, value: str | None) -> Account:
    """The account a form picked, if it is still there and of this workspace."""
    account = account_of_team(session, team_id, value)
    if account is None:
        raise UserError("that account no longer exists.", "/steward account list")
    return account
