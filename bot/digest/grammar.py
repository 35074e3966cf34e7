"""What people type about their digest (`/steward digest …`) and what its buttons carry, read
into typed values.

`digest_command` is dispatched here by bot/commands.py. A button's block id and value are
written by `DigestClick` (render.py) and read back by it (handlers/actions/digest.py); anything
else is refused with one clear line. render.py imports this module, so the command functions
import service and render only when they run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Any, Literal, Self, cast

from sqlmodel import Session

from bot import keys
from bot.blocks import count, say
from bot.errors import UserError
from bot.invocation import Invocation

Reply = dict[str, Any]
Kind = Literal["account", "promise"]

EX_DIGEST = "/steward digest 8:30"
EX_FRESH = "/steward digest preview"
HELP_DIGEST = (
    "*Daily digest* — each workday at 09:00 your time, a DM with your silent clients, key "
    "accounts too quiet to trust (nothing raised in 60 days), stage moves down and promises "
    "due or overdue.\n"
    "• `/steward digest 08:30` sets your time · `/steward digest off` · `/steward digest on` · "
    "`/steward digest preview` shows today's now"
)
UNKNOWN_BUTTON = (
    "that button is not one I know (it may come from an older or altered message); nothing "
    "was changed. Your digest as it is now has buttons that work."
)


# -- the buttons -------------------------------------------------------------------------------
class Button(StrEnum):
    """A digest button's action id (every one starts with `digest_`)."""

    log = "digest_log"
    kept = "digest_kept"
    due = "digest_due"
    snooze_day = "digest_snooze_day"
    snooze_week = "digest_snooze_week"

    @classmethod
    def parse(cls, action_id: str | None) -> Button:
        try:
            return cls(action_id or "")
        except ValueError:
            raise UserError(UNKNOWN_BUTTON, EX_FRESH) from None

    @property
    def snooze_days(self) -> int | None:
        return {Button.snooze_day: 1, Button.snooze_week: 7}.get(self)

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """The items this button is put on."""
        if self is Button.log:
            return ("account",)
        if self in (Button.kept, Button.due):
            return ("promise",)
        return ("account", "promise")


BLOCK_ID = re.compile(r"^(account|promise)-(\d{1,9})$")


@dataclass(frozen=True)
class DigestClick:
    """The digest item a button is on: its block id says which (a date picker has no value);
    the buttons' value repeats it with the digest's day."""

    kind: Kind
    item_id: int
    day: date | None = None

    @property
    def block_id(self) -> str:
        return f"{self.kind}-{self.item_id}"

    @property
    def value(self) -> str:
        day = self.day.isoformat() if self.day else None
        return json.dumps({"kind": self.kind, "id": self.item_id, "day": day})

    @classmethod
    def parse(cls, block_id: str | None, value: str | None = None) -> Self:
        """The click from a button's block id and value (None for a date picker); a refusal
        for anything we did not write."""
        match = BLOCK_ID.match(block_id or "")
        if not match:
            raise UserError(UNKNOWN_BUTTON, EX_FRESH)
        kind, item_id = cast(Kind, match.group(1)), int(match.group(2))
        if value is None:
            return cls(kind, item_id)
        try:
            data = json.loads(value)
            day = date.fromisoformat(data["day"]) if data.get("day") else None
            same = data["kind"] == kind and data["id"] == item_id
        except (ValueError, TypeError, KeyError, AttributeError):
            same = False
        if not same:
            raise UserError(UNKNOWN_BUTTON, EX_FRESH)
        return cls(kind, item_id, day)


def parse_click(action: dict[str, Any]) -> tuple[Button, DigestClick]:
    """A digest block action read into (which button, which item), or a refusal."""
    button = Button.parse(action.get("action_id"))
    value = None if button is Button.due else action.get("value")
    click = DigestClick.parse(action.get("block_id"), value)
    if click.kind not in button.kinds:
        raise UserError(UNKNOWN_BUTTON, EX_FRESH)
    return button, click


# -- /steward digest ---------------------------------------------------------------------------
TIME_OF_DAY = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def digest_time(value: str) -> str:
    """`8:30`, `08:30`, `9`, `9am`, `5:30pm` → "HH:MM"."""
    match = TIME_OF_DAY.match(value.strip())
    hour, minute = (int(match.group(1)), int(match.group(2) or 0)) if match else (99, 0)
    if match and match.group(3):
        hour = hour % 12 + (12 if match.group(3).lower() == "pm" else 0) if hour <= 12 else 99
    if hour > 23 or minute > 59:
        raise UserError(
            f"“{value}” is not a time of day; give hours and minutes, 00:00 to 23:59.",
            EX_DIGEST,
            suggestions=["on", "off", "preview"],
        )
    return f"{hour:02d}:{minute:02d}"


def digest_command(inv: Invocation, session: Session, words: list[str]) -> Reply:
    """`/steward digest [preview|on|off|<time>]`."""
    from bot.digest import render as digest_render
    from bot.digest import service

    arg = words[0].lower() if words else ""
    if arg == "preview":
        digest = service.digest_now(
            session, inv.team_id, inv.user_id, inv.tz, inv.today, inv.policy.silence_days
        )
        return digest_render.render_digest(digest)
    if arg in ("off", "on"):
        member = service.set_digest(session, inv.team_id, inv.user_id, off=arg == "off")
        return digest_render.set_reply(member.digest_off, shown_time(member.digest_time))
    if not arg:
        member = service.member(session, inv.team_id, inv.user_id)
        state = "off" if member.digest_off else f"on, at {shown_time(member.digest_time)} your time"
        return say(f"Your daily digest is {state}. {HELP_DIGEST.split(chr(10))[1][2:]}")
    at = digest_time(words[0])
    service.set_digest(session, inv.team_id, inv.user_id, off=False, at=at)
    return say(f"Your daily digest will come at *{at}* your time.")


DEFAULT_TIME = time(9, 0)


def parse_digest_time(value: str | None) -> time:
    """A stored digest time; 09:00 when none (or one no longer readable) is stored."""
    try:
        return time.fromisoformat(value) if value else DEFAULT_TIME
    except ValueError:
        return DEFAULT_TIME


def shown_time(value: str | None) -> str:
    return parse_digest_time(value).strftime("%H:%M")


def snooze(inv: Invocation, session: Session, click: DigestClick, days: int) -> Reply:
    """A Snooze button, run through commands.run like any command."""
    from bot.digest import render as digest_render
    from bot.digest import service

    put = service.snooze(
        session,
        inv.team_id,
        inv.user_id,
        click.kind,
        click.item_id,
        days=days,
        today=inv.today,
        now=inv.now,
    )
    return digest_render.snoozed_reply(put, inv.today)


def snooze_typed(click: DigestClick, days: int) -> str:
    """The command a Snooze click stands for, as shown when it is refused."""
    promise = click.kind == "promise"
    what = keys.promise_label(click.item_id) if promise else f"account {click.item_id}"
    return f"snooze {what} for {count(days, 'day')}"

