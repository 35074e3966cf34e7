"""The console's own commands, typed after a colon: who you are (`:as`), where (`:in`,
`:thread`), pressing buttons (`:click`), sending forms (`:submit`), and moving time (`:time`)."""

from __future__ import annotations

import contextlib
import re
import shlex
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock_time
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.dates import parse_day
from scheduler.jobs import tick

if TYPE_CHECKING:
    from bot.dev.console import Console

HELP = """\
Type what you would type in Slack:
  /steward help                      every command, with examples
  /steward account add Acme Rail #acme tier:strategic
  /logcontact acme call yesterday: agreed the Q1 renewal
  /promise acme send the revised quote by friday
  any other line                     a message in the current channel (or thread)
Console commands:
  :as @boris [tz=America/New_York]   act as another person (created on first use;
                                     add `client` for someone at the client)
  :in #acme [shared]                 go to a channel (shared: with a client, Slack Connect)
  :thread 3 | :thread off            reply in the thread of message (3), or leave it
  :click 2 [2026-12-01]              press button [2] (a date for a date picker)
  :submit field=value …              submit the open form (:cancel closes it)
  :time +3d | +2h | 2026-12-01 09:00 move the clock forward; scheduled jobs run
  :help   :quit"""

DURATION = re.compile(r"^\+(\d+)\s*([dhmw])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}
CLIENT_TEAM = "TCLIENT"  # people created with `:as @jan client` belong to the client
CLOCK = re.compile(r"\d{1,2}:\d{2}")


class ConsoleError(Exception):
    """Bad console input: one clear line for the user."""


def command(console: Console, line: str) -> bool:
    """Run one `:command` line; False for `:quit`."""
    try:
        word, *args = shlex.split(line)
    except ValueError as error:
        raise ConsoleError(f"could not read that line: {error}") from None
    word = word.lower()
    if word in (":quit", ":q", ":exit"):
        return False
    actions: dict[str, Callable[[list[str]], None]] = {
        ":help": lambda _: console._print(HELP),
        ":as": partial(_as, console),
        ":in": partial(_in, console),
        ":thread": partial(_thread, console),
        ":click": partial(_click, console),
        ":submit": partial(_submit, console),
        ":cancel": partial(_cancel, console),
        ":time": partial(_time, console),
    }
    if word not in actions:
        raise ConsoleError(f"I don't know {word}. Try :help")
    actions[word](args)
    return True


def _as(console: Console, args: list[str]) -> None:
    if not args or not args[0].startswith("@"):
        raise ConsoleError("say who: :as @boris  (or :as @boris tz=America/New_York)")
    tz = None
    for arg in args[1:]:
        if arg.startswith("tz="):
            tz = arg[3:]
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise ConsoleError(f"{tz!r} is not a time zone; try tz=Europe/Warsaw") from None
    console.user = console._user(args[0][1:], tz, client="client" in args[1:])
    info = console.standin.users[console.user]
    side = ", at the client" if info["team_id"] == CLIENT_TEAM else ""
    console._print(f"You are now @{info['name']} ({info['tz']}{side}).")


def _in(console: Console, args: list[str]) -> None:
    if not args or not args[0].startswith("#"):
        raise ConsoleError("say where: :in #acme  (or :in #acme-client shared)")
    console.channel = console._channel(args[0][1:], shared="shared" in args[1:])
    console.thread = None
    console._print(f"You are now in {console._place(console.channel)}.")


def _thread(console: Console, args: list[str]) -> None:
    if args == ["off"]:
        console.thread = None
        console._print(f"Back to the channel {console._place(console.channel)}.")
        return
    if not console.shown:
        raise ConsoleError("there are no numbered messages yet, so there is no thread to enter")
    if not args or not args[0].isdigit() or not 1 <= int(args[0]) <= len(console.shown):
        raise ConsoleError(
            f"there is no message ({args[0] if args else ''}); give a number shown in "
            f"brackets, 1 to {len(console.shown)}"
        )
    channel, ts = console.shown[int(args[0]) - 1]
    root = next(
        (m.get("thread_ts") or m["ts"] for m in console.standin.messages if m["ts"] == ts), ts
    )
    console.channel, console.thread = channel, root
    number = console._number(channel, root)
    console._print(f"You are now in the thread of ({number}) in {console._place(channel)}.")


def _click(console: Console, args: list[str]) -> None:
    if not args or not args[0].isdigit() or not 1 <= int(args[0]) <= len(console.buttons):
        raise ConsoleError(
            f"give a button number shown in [brackets], 1 to {len(console.buttons)}"
            if console.buttons
            else "there is no button to click yet"
        )
    button = console.buttons[int(args[0]) - 1]
    dm_of = console.standin.channels.get(button.channel or "", {}).get("user")
    if dm_of and dm_of != console.user:
        raise ConsoleError(  # Slack shows a DM to its two people only
            f"that button is in {console._name_of(dm_of)}'s DM with Steward; only they can "
            f"press it (`:as @{console._name_of(dm_of)[1:]}` to act as them)"
        )
    action = {**button.element, "block_id": button.block_id}
    if button.element.get("type") == "datepicker":
        if len(args) < 2:
            raise ConsoleError(f"this one takes a date: :click {args[0]} 2026-12-01")
        action["selected_date"] = args[1]
    message = button.message
    if button.channel and message.get("ts"):
        with contextlib.suppress(Exception):
            message = console.standin._find(button.channel, message["ts"])
    console._print(f"You clicked “{button.label}”.")
    console.answering_in = button.channel or console.channel
    console.slack.block_actions(
        console.user, action, channel=button.channel or console.channel, message=dict(message)
    )
    console.settle()


def _submit(console: Console, args: list[str]) -> None:
    if console.view is None:
        raise ConsoleError("no form is open")
    given: dict[str, str] = {}
    for arg in args:
        name, sep, value = arg.partition("=")
        if not sep:
            raise ConsoleError(f"write field=value, got {arg!r}")
        given[name] = value
    values = {}
    for block in console.view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        typed = given.pop(block["block_id"], None)
        field = block["block_id"]
        values[field] = {element["action_id"]: _state(console, field, element, typed)}
    if given:
        raise ConsoleError(f"the form has no field {', '.join(given)}")
    view = console.view
    result = console.slack.view_submission(console.user, view, values)
    answer = result.json()
    if isinstance(answer, dict) and answer.get("response_action") == "errors":
        # Slack keeps the form open and shows each error under its field: so does the console
        for field, error in answer.get("errors", {}).items():
            console._print(f"! {_label(view, field)}: {error}")
        console._print("The form is still open: :submit again with the fields fixed, or :cancel.")
        return
    console.view = None
    console.settle()


def _label(view: dict[str, Any], block_id: str) -> str:
    """A form field's label (what the person sees), by its block id."""
    for block in view.get("blocks", []):
        if block.get("block_id") == block_id:
            return str((block.get("label") or {}).get("text") or block_id) + f" ({block_id})"
    return block_id


def _state(
    console: Console, field: str, element: dict[str, Any], value: str | None
) -> dict[str, Any]:
    """What Slack would send for a field; a value Slack's own widget could not hold (a choice
    not offered, a date picker given words, a menu typed ambiguously) is refused, as the
    widget would not let the person pick it."""
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    if kind == "datepicker":
        if value and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ConsoleError(f"{field}: the date picker takes a date like 2026-12-01: {value!r}")
        state["selected_date"] = value or element.get("initial_date")
    elif kind == "users_select":
        state["selected_user"] = (
            console._user(value.lstrip("@")) if value else element.get("initial_user")
        )
    elif kind == "static_select":
        options = element.get("options", [])
        chosen = next((o for o in options if value in (o["value"], o["text"]["text"])), None)
        if value and chosen is None:
            offered = ", ".join(o["value"] for o in options)
            raise ConsoleError(f"{field}: {value!r} is not one of the choices: {offered}")
        state["selected_option"] = chosen or element.get("initial_option")
    elif kind == "external_select":
        state["selected_option"] = (
            _suggest(console, field, element, value) if value else element.get("initial_option")
        )
    else:
        state["value"] = value
    return state


def _suggest(
    console: Console, field: str, element: dict[str, Any], value: str
) -> dict[str, Any] | None:
    """Pick from what the app suggests for `value`, as a person typing in the menu would: the
    one suggestion, or the one named exactly; several is a choice the person must make."""
    result = console.slack.block_suggestion(
        console.user, element["action_id"], value, console.view or {}
    )
    options = (result.json() or {}).get("options") or []
    exact = [o for o in options if o["text"]["text"].casefold() == value.casefold()]
    if len(options) > 1 and len(exact) != 1:
        names = ", ".join(o["text"]["text"] for o in options[:5])
        raise ConsoleError(f"{field}: {value!r} matches {names}: type more of the name")
    if not options:
        raise ConsoleError(f"{field}: nothing matches {value!r}")
    chosen: dict[str, Any] = exact[0] if exact else options[0]
    return chosen


def _moment(spec: str, local_now: datetime) -> datetime:
    """`2026-12-01 09:00`, `next monday 09:30`, `friday`: in the user's zone."""
    words, _, clock = spec.rpartition(" ")
    if not CLOCK.fullmatch(clock):
        words, clock = spec, ""
    day = parse_day(words, today=local_now.date(), prefer="future") if words else None
    if day is None and not words and clock:
        day = local_now.date()
    if day is None:
        raise ConsoleError(
            f"{spec!r} is not a time: try :time +3d, :time +2h, :time next monday 09:30 "
            "or :time 2026-12-01 09:00"
        )
    hour, _, minute = clock.partition(":")
    try:
        at = clock_time(int(hour), int(minute)) if clock else local_now.time()
    except ValueError:
        raise ConsoleError(f"{clock!r} is not a time of day (00:00 to 23:59)") from None
    return datetime.combine(day, at, local_now.tzinfo)


def _cancel(console: Console, _args: list[str]) -> None:
    if console.view is None:
        raise ConsoleError("no form is open, so there is nothing to cancel")
    console.view = None
    console._print("Form closed.")


def _time(console: Console, args: list[str]) -> None:
    if not args:
        raise ConsoleError("say how far: :time +3d, :time +2h, or :time 2026-12-01 09:00")
    tz = ZoneInfo(console.standin.users[console.user]["tz"])
    now = console.st.clock.now()
    spec = " ".join(args)
    match = DURATION.match(spec)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        target = now + timedelta(**{UNITS[unit]: amount})
    else:
        target = _moment(spec, now.astimezone(tz))
    if target < now:
        raise ConsoleError(
            f"the clock only moves forward; it is {now.astimezone(tz):%a %d %b %Y %H:%M}"
        )
    console.st.clock.offset += target - now
    console._print(f"It is now {target.astimezone(tz):%a %d %b %Y %H:%M} ({tz.key}).")
    tick(console.st)
    console.settle()
