"""One of our people asking Steward for something: a command typed, a button pressed, a form
sent. Plain data, built by a handler after the ack with everything Slack had to tell us
already looked up (who the person is, everyone the text mentions, the standing of the channels
it names), so a service never calls Slack, least of all inside a transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.errors import UserError
from bot.models import ChannelState, Standing
from bot.people import Person


@dataclass(frozen=True)
class Policy:
    """The settings a service needs (from bot.config.Settings): silence thresholds per tier,
    and the words that suggest a routing function."""

    silence_days: Mapping[str, int]
    route_keywords: str | None = None


@dataclass
class Invocation:
    """One person's command, click or form. Handlers build one only for our own people
    (handlers/guard.py)."""

    command: str
    text: str
    team_id: str
    person: Person
    channel_id: str
    now: datetime
    policy: Policy
    people: Mapping[str, Person] = field(default_factory=dict)  # every user the text mentions
    standings: Mapping[str, Standing] = field(default_factory=dict)  # checked with Slack just now
    button: str | None = None  # the button pressed, when a click stands for this command
    team_zones: Mapping[str, str] = field(default_factory=dict)  # channel → most members' zone

    @property
    def user_id(self) -> str:
        return self.person.user_id

    @property
    def typed(self) -> str:
        return f"{self.command} {self.text}".strip()

    @property
    def locale(self) -> str | None:
        """Slack's locale for the person (en-US reads 03/04 as 4 March; most others, 3 April)."""
        return self.person.locale

    @property
    def tz(self) -> ZoneInfo:
        return self.person.tz

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def require_ours(self, user_id: str, role: str, example: str) -> str:
        """`user_id` if Slack says they are of our organisation; else a refusal naming `role`."""
        person = self.people.get(user_id)
        if person is None or not person.trusted:
            raise UserError(
                f"<@{user_id}> is not of our organisation; {role} must be one of our people.",
                example,
            )
        return user_id

    def is_shared(self, session: Session, channel: str) -> bool:
        """Could someone outside our organisation read `channel`? What Slack said just now
        when the handler asked, else what it last said (events keep it current; the exit checks
        again before sending). Never heard of: yes."""
        standing = self.standings.get(channel)
        if standing is None:
            state = session.get(ChannelState, channel)
            standing = Standing(state.standing) if state else Standing.shared
        return standing == Standing.shared
