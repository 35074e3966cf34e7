"""`steward console`: try Steward in a terminal, with no Slack workspace and no tokens.

What you type goes to the real app as Slack would send it: slash commands, messages and
mentions as signed HTTP requests (bot/dev/local.py), buttons as block actions, modals as view
submissions. What the app sends to Slack's Web API lands in the local stand-in, which this
module renders as text. Scheduled jobs run when `:time` moves the clock.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.dates import parse_day
from bot.db import fresh_database
from bot.dev.local import LocalSlack
from bot.dev.standin import WaitTimedOut
from bot.slacktext import escape, unescape
from scheduler.jobs import tick

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

MENTION = re.compile(r"(?<![<\w])([@#])([A-Za-z][\w.-]*)")
SLACK_TOKEN = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>|<(https?://[^>|]+)(?:\|([^>]*))?>")
DURATION = re.compile(r"^\+(\d+)\s*([dhmw])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}
CLIENT_TEAM = "TCLIENT"  # people created with `:as @jan client` belong to the client
CLOCK = re.compile(r"\d{1,2}:\d{2}")


class ConsoleError(Exception):
    """Bad console input: one clear line for the user."""


@dataclass
class Button:
    label: str
    element: dict[str, Any]
    block_id: str
    channel: str | None
    message: dict[str, Any]
    response_url_key: str | None = None


class Console:
    def __init__(self, database_url: str, out: TextIO = sys.stdout, user: str = "alice") -> None:
        self.out = out
        self.slack = LocalSlack(database_url, outbox_interval=0)
        self.standin = self.slack.standin
        self.st = self.slack.steward
        self.st.outbox.stop()  # `settle` delivers, alone and in order: the same story every run
        self.user = self._user(user, "Europe/London")
        self.channel = self._channel("general")
        self.thread: str | None = None
        self.answering_in: str | None = None  # where a response_url answer appears
        self.shown: list[tuple[str, str]] = []  # (channel, ts) of numbered messages
        self.buttons: list[Button] = []
        self.view: dict[str, Any] | None = None
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self.standin.add_listener(self._heard)

    def close(self) -> None:
        self.slack.close()
        self.standin.stop()

    # -- people and places ---------------------------------------------------------------------
    def _user(self, name: str, tz: str | None = None, *, client: bool = False) -> str:
        """A person, created on first use; `client`: of the client's organisation."""
        user_id = "U" + re.sub(r"\W", "", name).upper()
        if user_id not in self.standin.users:
            team = CLIENT_TEAM if client else None
            self.standin.add_user(
                user_id, name.lower(), real_name=name.title(), tz=tz or "UTC", team_id=team
            )
        elif tz:
            self.standin.users[user_id]["tz"] = tz
        return user_id

    def _channel(self, name: str, *, shared: bool = False) -> str:
        """A channel, created on first use; `shared`: with the client's organisation (Slack
        Connect). A channel that becomes shared gets Slack's `channel_shared` event."""
        channel_id = "C" + re.sub(r"\W", "", name).upper()
        if channel_id not in self.standin.channels:
            self.standin.add_channel(channel_id, name.lower(), is_ext_shared=shared)
        elif shared and not self.standin.channels[channel_id].get("is_ext_shared"):
            self.slack.share(channel_id, CLIENT_TEAM)
        return channel_id

    def _name_of(self, user_id: str) -> str:
        if user_id == self.standin.bot_user_id:
            return "Steward"
        name: str = self.standin.users.get(user_id, {}).get("name", user_id)
        return "@" + name

    def _place(self, channel_id: str) -> str:
        info = self.standin.channels.get(channel_id, {})
        if info.get("is_im"):
            return f"DM {self._name_of(info.get('user', ''))}"
        shared = " (shared)" if info.get("is_ext_shared") else ""
        return f"#{info.get('name', channel_id)}{shared}"

    def slack_text(self, text: str) -> str:
        """What Slack would send for typed text: escaped, with @names and #channels linked."""

        def link(match: re.Match[str]) -> str:
            sigil, name = match.groups()
            if sigil == "@":
                if name.lower() in ("steward", "here", "channel", "everyone"):
                    special = name.lower()
                    if special == "steward":
                        return f"<@{self.standin.bot_user_id}>"
                    return f"<!{special}>"
                return f"<@{self._user(name)}>"
            return f"<#{self._channel(name)}|{name.lower()}>"

        return MENTION.sub(link, escape(text))

    def terminal_text(self, text: str) -> str:
        """Slack mrkdwn as a person reads it: mentions by name, links by label."""

        def label(match: re.Match[str]) -> str:
            sigil, target, name, url, url_label = match.groups("")
            if url:
                return f"{url_label} ({url})" if url_label else url
            if sigil == "@":
                return self._name_of(target)
            if sigil == "#":
                return "#" + (name or self.standin.channels.get(target, {}).get("name", target))
            return "@" + (name or target).lstrip("@")

        return unescape(SLACK_TOKEN.sub(label, text))

    # -- what Slack receives --------------------------------------------------------------------
    def _heard(self, kind: str, record: dict[str, Any]) -> None:
        if kind == "message" and record.get("user") != self.standin.bot_user_id:
            return  # what people type is shown as they type it
        with self._lock:
            self._pending.append((kind, record))

    def settle(self, limit: float = 15.0) -> None:
        """Wait until the app has finished answering (every listener done, the outbox empty),
        then show what it sent."""
        try:
            self.slack.settle(limit)
        except WaitTimedOut:
            self._print(f"! Steward is still working after {limit:.0f} s; more may follow.")
        self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        for kind, record in pending:
            self._show(kind, record)

    def _show(self, kind: str, record: dict[str, Any]) -> None:
        if kind == "view":
            self.view = record["view"]
            self._print(self._render_view(self.view))
            return
        if kind == "response":
            payload = record["payload"]
            if payload.get("delete_original"):
                return
            seen_by = (
                "" if payload.get("response_type") == "in_channel" else " (only you can see this)"
            )
            head = f"[{self._place(self.answering_in or self.channel)}] Steward{seen_by}:"
            self._print(self._render(head, payload, None, record.get("key")))
            return
        if kind == "ephemeral":
            if record.get("user") != self.user:
                return
            head = f"[{self._place(record['channel'])}] Steward (only you can see this):"
            self._print(self._render(head, record, record["channel"], None))
            return
        channel, ts = record["channel"], record["ts"]
        number = self._number(channel, ts)
        where = self._place(channel)
        root = record.get("thread_ts")
        if root and root != ts:
            where += f" › thread of ({self._number(channel, root)})"
        edited = " (updated)" if kind == "update" else ""
        head = f"({number}) [{where}] Steward{edited}:"
        self._print(self._render(head, record, channel, None))

    def _number(self, channel: str, ts: str) -> int:
        if (channel, ts) not in self.shown:
            self.shown.append((channel, ts))
        return self.shown.index((channel, ts)) + 1

    def _render(
        self, head: str, message: dict[str, Any], channel: str | None, response_key: str | None
    ) -> str:
        lines = [head]
        blocks = message.get("blocks") or []
        if not blocks:
            lines += [
                "  " + line for line in self.terminal_text(message.get("text", "")).split("\n")
            ]
        for block in blocks:
            lines += self._render_block(block, message, channel, response_key)
        return "\n".join(lines)

    def _render_block(
        self,
        block: dict[str, Any],
        message: dict[str, Any],
        channel: str | None,
        response_key: str | None,
    ) -> list[str]:
        kind = block.get("type")
        text = (
            (block.get("text") or {}).get("text", "") if isinstance(block.get("text"), dict) else ""
        )
        if kind == "header":
            return [f"  == {self.terminal_text(text)} =="]
        if kind == "divider":
            return ["  ----"]
        if kind == "section":
            out = ["  " + line for line in self.terminal_text(text).split("\n") if text]
            for item in block.get("fields", []):
                out.append("    " + self.terminal_text(item.get("text", "")).replace("\n", " "))
            if block.get("accessory"):
                out += self._render_elements(
                    [block["accessory"]], block, message, channel, response_key
                )
            return out
        if kind == "context":
            parts = [e.get("text", "") for e in block.get("elements", []) if "text" in e]
            return ["  · " + self.terminal_text(" ".join(parts))]
        if kind == "actions":
            return self._render_elements(
                block.get("elements", []), block, message, channel, response_key
            )
        if kind == "rich_text":
            return []
        return [f"  ({kind} block)"] if text == "" else ["  " + self.terminal_text(text)]

    def _render_elements(
        self,
        elements: Iterable[dict[str, Any]],
        block: dict[str, Any],
        message: dict[str, Any],
        channel: str | None,
        response_key: str | None,
    ) -> list[str]:
        shown = []
        for element in elements:
            kind = element.get("type")
            if kind == "button":
                label = element["text"]["text"]
            elif kind == "datepicker":
                label = (element.get("placeholder") or {}).get("text", "Pick a date") + " …date"
            else:
                continue
            self.buttons.append(
                Button(label, element, block.get("block_id", ""), channel, message, response_key)
            )
            shown.append(f"[{len(self.buttons)} {label}]")
        return ["  " + " ".join(shown)] if shown else []

    def _render_view(self, view: dict[str, Any]) -> str:
        title = (view.get("title") or {}).get("text", "Form")
        lines = [f"Steward opened a form: “{title}”"]
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block.get("element", {})
            initial = (
                element.get("initial_value")
                or element.get("initial_date")
                or (element.get("initial_option") or {}).get("value")
                or (element.get("initial_user") and self._name_of(element["initial_user"]))
            )
            optional = " (optional)" if block.get("optional") else ""
            now = f" = {self.terminal_text(str(initial))}" if initial else ""
            label = block["label"]["text"]
            lines.append(f"  {block['block_id']}: {label}{optional}{now}")
        lines.append(
            "  Fill it in with :submit field=value … (quote values with spaces), or :cancel"
        )
        return "\n".join(lines)

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # -- what the user does ---------------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Run one line; False when the console should end."""
        line = line.strip()
        if not line or line.startswith("# "):
            return True
        try:
            if line.startswith(":"):
                return self._console_command(line)
            if line.startswith("/"):
                self._slash(line)
            else:
                self._message(line)
        except ConsoleError as error:
            self._print(f"! {error}")
        return True

    def _slash(self, line: str) -> None:
        command, _, text = line.partition(" ")
        if command not in ("/steward", "/logcontact", "/promise"):
            raise ConsoleError(
                f"{command} is not one of Steward's commands: /steward, /logcontact, /promise"
            )
        self.answering_in = self.channel
        result, _ = self.slack.command(
            command, self.slack_text(text.strip()), user=self.user, channel=self.channel
        )
        if result.status != 200:
            raise ConsoleError(f"the app answered HTTP {result.status}: {result.body[:200]}")
        self.settle()

    def _message(self, line: str) -> None:
        text = self.slack_text(line)
        posted = self.standin.add_message(self.channel, text, user=self.user, thread_ts=self.thread)
        number = self._number(self.channel, posted["ts"])
        where = self._place(self.channel) + (
            f" › thread of ({self._number(self.channel, self.thread)})" if self.thread else ""
        )
        self._print(f"({number}) [{where}] {self._name_of(self.user)}: {line}")
        event = {
            "type": "message",
            "channel": self.channel,
            "user": self.user,
            "text": text,
            "ts": posted["ts"],
            "event_ts": posted["ts"],
            "channel_type": "channel",
            "team": self.standin.users[self.user]["team_id"],
            "user_team": self.standin.users[self.user]["team_id"],
        }
        if self.thread:
            event["thread_ts"] = self.thread
        self.slack.event(event)
        if f"<@{self.standin.bot_user_id}>" in text:
            self.slack.event({**event, "type": "app_mention"})
        self.settle()

    def _console_command(self, line: str) -> bool:
        try:
            word, *args = shlex.split(line)
        except ValueError as error:
            raise ConsoleError(f"could not read that line: {error}") from None
        word = word.lower()
        if word in (":quit", ":q", ":exit"):
            return False
        actions: dict[str, Callable[[list[str]], None]] = {
            ":help": lambda _: self._print(HELP),
            ":as": self._as,
            ":in": self._in,
            ":thread": self._thread,
            ":click": self._click,
            ":submit": self._submit,
            ":cancel": self._cancel,
            ":time": self._time,
        }
        if word not in actions:
            raise ConsoleError(f"I don't know {word}. Try :help")
        actions[word](args)
        return True

    def _as(self, args: list[str]) -> None:
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
        self.user = self._user(args[0][1:], tz, client="client" in args[1:])
        info = self.standin.users[self.user]
        side = ", at the client" if info["team_id"] == CLIENT_TEAM else ""
        self._print(f"You are now @{info['name']} ({info['tz']}{side}).")

    def _in(self, args: list[str]) -> None:
        if not args or not args[0].startswith("#"):
            raise ConsoleError("say where: :in #acme  (or :in #acme-client shared)")
        self.channel = self._channel(args[0][1:], shared="shared" in args[1:])
        self.thread = None
        self._print(f"You are now in {self._place(self.channel)}.")

    def _thread(self, args: list[str]) -> None:
        if args == ["off"]:
            self.thread = None
            self._print(f"Back to the channel {self._place(self.channel)}.")
            return
        if not args or not args[0].isdigit() or not 1 <= int(args[0]) <= len(self.shown):
            raise ConsoleError(f"give a message number shown in brackets, 1 to {len(self.shown)}")
        channel, ts = self.shown[int(args[0]) - 1]
        root = next(
            (m.get("thread_ts") or m["ts"] for m in self.standin.messages if m["ts"] == ts), ts
        )
        self.channel, self.thread = channel, root
        number = self._number(channel, root)
        self._print(f"You are now in the thread of ({number}) in {self._place(channel)}.")

    def _click(self, args: list[str]) -> None:
        if not args or not args[0].isdigit() or not 1 <= int(args[0]) <= len(self.buttons):
            raise ConsoleError(
                f"give a button number shown in [brackets], 1 to {len(self.buttons)}"
                if self.buttons
                else "there is no button to click yet"
            )
        button = self.buttons[int(args[0]) - 1]
        action = {**button.element, "block_id": button.block_id}
        if button.element.get("type") == "datepicker":
            if len(args) < 2:
                raise ConsoleError(f"this one takes a date: :click {args[0]} 2026-12-01")
            action["selected_date"] = args[1]
        message = button.message
        if button.channel and message.get("ts"):
            with contextlib.suppress(Exception):
                message = self.standin._find(button.channel, message["ts"])
        self._print(f"You clicked “{button.label}”.")
        self.answering_in = button.channel or self.channel
        self.slack.block_actions(
            self.user, action, channel=button.channel or self.channel, message=dict(message)
        )
        self.settle()

    def _submit(self, args: list[str]) -> None:
        if self.view is None:
            raise ConsoleError("no form is open")
        given: dict[str, str] = {}
        for arg in args:
            name, sep, value = arg.partition("=")
            if not sep:
                raise ConsoleError(f"write field=value, got {arg!r}")
            given[name] = value
        values = {}
        for block in self.view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            typed = given.pop(block["block_id"], None)
            values[block["block_id"]] = {element["action_id"]: self._state(element, typed)}
        if given:
            raise ConsoleError(f"the form has no field {', '.join(given)}")
        view, self.view = self.view, None
        self.slack.view_submission(self.user, view, values)
        self.settle()

    def _state(self, element: dict[str, Any], value: str | None) -> dict[str, Any]:
        kind = element["type"]
        state: dict[str, Any] = {"type": kind}
        if kind == "datepicker":
            state["selected_date"] = value or element.get("initial_date")
        elif kind == "users_select":
            state["selected_user"] = (
                self._user(value.lstrip("@")) if value else element.get("initial_user")
            )
        elif kind == "static_select":
            chosen = next((o for o in element.get("options", []) if o["value"] == value), None)
            state["selected_option"] = chosen or element.get("initial_option")
        elif kind == "external_select":
            state["selected_option"] = (
                self._suggest(element, value) if value else element.get("initial_option")
            )
        else:
            state["value"] = value
        return state

    def _suggest(self, element: dict[str, Any], value: str) -> dict[str, Any] | None:
        """Pick from what the app suggests for `value`, as a person typing in the menu would."""
        result = self.slack.block_suggestion(
            self.user, element["action_id"], value, self.view or {}
        )
        options = (result.json() or {}).get("options") or []
        return options[0] if options else None

    @staticmethod
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

    def _cancel(self, _args: list[str]) -> None:
        self.view = None
        self._print("Form closed.")

    def _time(self, args: list[str]) -> None:
        if not args:
            raise ConsoleError("say how far: :time +3d, :time +2h, or :time 2026-12-01 09:00")
        tz = ZoneInfo(self.standin.users[self.user]["tz"])
        now = self.st.clock.now()
        spec = " ".join(args)
        match = DURATION.match(spec)
        if match:
            amount, unit = int(match.group(1)), match.group(2)
            target = now + timedelta(**{UNITS[unit]: amount})
        else:
            target = self._moment(spec, now.astimezone(tz))
        if target < now:
            raise ConsoleError(
                f"the clock only moves forward; it is {now.astimezone(tz):%a %d %b %Y %H:%M}"
            )
        self.st.clock.offset += target - now
        self._print(f"It is now {target.astimezone(tz):%a %d %b %Y %H:%M} ({tz.key}).")
        tick(self.st)
        self.settle()

    # -- loops ---------------------------------------------------------------------------------
    def run_script(self, lines: Iterable[str]) -> None:
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.startswith("#"):
                self._print(line)
                continue
            self._print(f"> {line}")
            if not self.handle(line):
                return

    def run_interactive(self) -> None:
        self._print("Steward console — no Slack needed. :help lists what you can do, :quit ends.")
        for line in _prompt_lines(self):
            if not self.handle(line):
                return


def _prompt_lines(console: Console) -> Iterator[str]:
    """Lines typed at a prompt that shows who and where; with history when on a terminal."""

    def prompt() -> str:
        where = console._place(console.channel) + (" › thread" if console.thread else "")
        return f"{console._name_of(console.user)} in {where}> "

    if sys.stdin.isatty():
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import InMemoryHistory

        session: PromptSession[str] = PromptSession(history=InMemoryHistory())
        while True:
            try:
                yield session.prompt(prompt())
            except (EOFError, KeyboardInterrupt):
                return
    else:
        yield from sys.stdin


def main(script: str | None = None, db: str | None = None, out: TextIO = sys.stdout) -> int:
    """Run the console on a throwaway SQLite database (or the file `db`, kept)."""
    if script and not Path(script).is_file():
        print(f"steward console: no such script file: {script}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        url = f"sqlite:///{Path(db).resolve()}" if db else stack.enter_context(fresh_database())
        console = Console(url, out=out)
        stack.callback(console.close)
        if script:
            console.run_script(Path(script).read_text(encoding="utf-8").splitlines())
        else:
            console.run_interactive()
    return 0
