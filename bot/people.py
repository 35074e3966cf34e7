"""People and the organisation that runs Steward, as plain data: no Slack, no database."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = ZoneInfo("UTC")


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True)
class Home:
    """The organisation that installed Steward: its workspace, and its Enterprise Grid org."""

    team_id: str
    enterprise_id: str | None = None
    bot_user_id: str | None = None  # Steward's own user (not one of a channel's people)
    bot_id: str | None = None  # Steward's bot (Bolt ignores the events of its own posts by it)

    def includes(self, team_id: str | None, enterprise_id: str | None = None) -> bool:
        if team_id and team_id == self.team_id:
            return True
        return bool(self.enterprise_id and enterprise_id == self.enterprise_id)


@dataclass(frozen=True)
class Person:
    user_id: str
    ours: bool | None  # None: Slack could not tell us just now (treated as not ours)
    tz: ZoneInfo = UTC
    name: str | None = None
    locale: str | None = None  # Slack's, e.g. en-US: how they write dates in digits

    @property
    def trusted(self) -> bool:
        return self.ours is True
