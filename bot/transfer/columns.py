"""The five CSV files `steward export` writes and `steward import` reads: their columns, and
how one value is written into a cell.

UTF-8, a header row, one row per record. Accounts are named by slug, people by Slack user id;
days are ISO dates, moments ISO date-times in UTC with their offset (`+00:00`), flags
`true`/`false`, an empty cell is "not set".
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

ACCOUNTS, CONTACTS, INTERACTIONS, PROMISES, STAGES = (
    "accounts.csv",
    "contacts.csv",
    "interactions.csv",
    "promises.csv",
    "stages.csv",
)
FILES = (ACCOUNTS, CONTACTS, INTERACTIONS, PROMISES, STAGES)  # the order they are stored in

COLUMNS: dict[str, tuple[str, ...]] = {
    ACCOUNTS: (
        "slug", "name", "owner", "channel", "internal_channel", "tier", "stage",
        "silence_days", "quiet_days", "buys", "competitors", "perception",
        "clients_may_route", "archived_at", "created_at", "created_by",
    ),
    CONTACTS: (
        "account", "name", "title", "roles", "attitude", "looks_after", "removed_at",
        "created_at",
    ),
    INTERACTIONS: (
        "account", "day", "kind", "contact", "summary", "concern", "logged_by", "created_at",
    ),
    PROMISES: (
        "account", "what", "owner", "due", "status", "created_by", "created_at", "closed_at",
        "closed_by", "note", "internal",
    ),
    STAGES: ("account", "from", "to", "reason", "moved_by", "moved_at"),
}  # fmt: skip
"""Every column, in the order export writes them."""

REQUIRED: dict[str, frozenset[str]] = {
    ACCOUNTS: frozenset({"name", "owner"}),
    CONTACTS: frozenset({"account", "name"}),
    INTERACTIONS: frozenset({"account", "day", "summary", "logged_by"}),
    PROMISES: frozenset({"account", "what", "owner", "due", "created_at"}),
    STAGES: frozenset({"account", "from", "to", "moved_by", "moved_at"}),
}
"""Columns an imported file must have; the others may be left out (their defaults apply)."""

FREE_TEXT = frozenset(
    {
        "name", "contact", "title", "summary", "what", "note", "reason", "buys", "competitors",
        "perception",
    }
)
"""Columns holding what people typed: guarded against spreadsheet formulas (`guard`)."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard(text: str) -> str:
    """Text a spreadsheet would run as a formula (`=HYPERLINK(…)`) gets a leading apostrophe.

    Reversible (`unguard`): text that already starts with an apostrophe before such a
    character gets one more, so every value comes back exactly as it was stored."""
    if text.startswith(FORMULA_START) or (text[:1] == "'" and text[1:2] in ("'", *FORMULA_START)):
        return "'" + text
    return text


def unguard(text: str) -> str:
    """The value `guard` wrote: a name such as `'t Hooft` is left as it is."""
    if text[:1] == "'" and text[1:2] in ("'", *FORMULA_START) and text[1:2]:
        return text[1:]
    return text


def moment_text(moment: datetime) -> str:
    """`2026-11-30T09:00:00+00:00`: always UTC, always with its offset."""
    return moment.astimezone(UTC).isoformat()


def cell(value: object, column: str = "") -> str:
    """One value as its cell: empty for None, ISO for days and moments, true/false for flags."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return moment_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    text = str(value)
    return guard(text) if column in FREE_TEXT else text
