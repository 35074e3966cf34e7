"""`steward console`: try Steward in a terminal, with no Slack workspace and no tokens.

What you type goes to the real app as Slack would send it: slash commands, messages and
mentions as signed HTTP requests (bot/dev/local.py), buttons as block actions, modals as view
submissions. What the app sends to Slack's Web API lands in the local stand-in, which this
module renders as text. Scheduled jobs run when `:time` moves the clock.
"""

from __future__ import annotations

import contextlib
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from bot.db import fresh_database
from bot.dev import colon
from bot.dev.colon import CLIENT_TEAM, ConsoleError
from bot.dev.local import LocalSlack
from bot.dev.screen import Button, Screen
from bot.dev.standin import WaitTimedOut
from bot.models import Account, ChannelState, Member, Standing
from bot.slacktext import escape

MENTION = re.compile(r"(?<![<\w])([@#])([A-Za-z][\w.-]*)")


class Console(Screen):
    def __init__(
        self,
        database_url: str,
        out: TextIO = sys.stdout,
        user: str = "alice",
        start: datetime | None = None,
    ) -> None:
        self.out = out
        self.slack = LocalSlack(database_url, outbox_interval=0)
        self.standin = self.slack.standin
        self.st = self.slack.steward
        if start is not None:  # the same story, with the same dates, on any day it is run
            self.st.clock.offset = start - self.st.clock.now()
        # Message times follow the console's clock, to the minute: the demo's links and times
        # are the same on every run, however long each step took
        self.standin.now = lambda: self.st.clock.now().replace(second=0, microsecond=0).timestamp()
        self.st.outbox.stop()  # `settle` delivers, alone and in order: the same story every run
        self._restore()
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
    def _restore(self) -> None:
        """With `--db`, the people and channels an earlier session made, back by name."""
        home = self.standin.team_id
        with self.st.db.session() as session:
            members = session.exec(select(Member).where(Member.team_id == home)).all()
            accounts = session.exec(select(Account).where(Account.team_id == home)).all()
            shared = {
                c.channel_id
                for c in session.exec(select(ChannelState)).all()
                if c.standing == Standing.shared
            }
        for member in members:
            if member.user_id not in self.standin.users and member.user_id.startswith("U"):
                name = member.name or member.user_id[1:].lower()
                team = member.org_team_id if member.org_team_id not in (None, home) else None
                self.standin.add_user(
                    member.user_id,
                    name.lower(),
                    real_name=name,
                    tz=member.tz or "UTC",
                    team_id=team,
                )
        for account in accounts:
            for channel in (account.channel_id, account.internal_channel_id):
                if channel and channel.startswith("C") and channel not in self.standin.channels:
                    self.standin.add_channel(
                        channel, channel[1:].lower(), is_ext_shared=channel in shared
                    )

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
        # The person's own answer first, then what was posted, in the order Slack got it: the
        # same story on every run, however the answer and the outbox raced.
        pending.sort(key=lambda item: item[0] not in ("response", "ephemeral", "view"))
        for kind, record in pending:
            self._show(kind, record)

    # -- what the user does ---------------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Run one line; False when the console should end."""
        line = line.strip()
        if not line or line.startswith("# "):
            return True
        try:
            if line.startswith(":"):
                return colon.command(self, line)
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


def main(
    script: str | None = None,
    db: str | None = None,
    out: TextIO = sys.stdout,
    start: datetime | None = None,
) -> int:
    """Run the console on a throwaway SQLite database (or the file `db`, kept); `start`: the
    moment the console's clock starts at (it only moves forward from there)."""
    if script and not Path(script).is_file():
        print(f"steward console: no such script file: {script}", file=sys.stderr)
        return 2
    if db and not Path(db).resolve().parent.is_dir():
        print(
            f"steward console: --db {db}: the folder {Path(db).resolve().parent} does not exist; "
            "create it or name a file in a folder that does.",
            file=sys.stderr,
        )
        return 2
    with contextlib.ExitStack() as stack:
        url = f"sqlite:///{Path(db).resolve()}" if db else stack.enter_context(fresh_database())
        try:
            console = Console(url, out=out, start=start)
        except SQLAlchemyError as error:  # not a database, not writable…: one line, no traceback
            reason = str(getattr(error, "orig", None) or type(error).__name__)
            print(
                f"steward console: --db {db}: cannot use it as a database ({reason}).",
                file=sys.stderr,
            )
            return 2
        stack.callback(console.close)
        if script:
            console.run_script(Path(script).read_text(encoding="utf-8").splitlines())
        else:
            console.run_interactive()
    return 0
