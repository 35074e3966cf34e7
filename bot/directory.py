"""People's Slack time zones, from users.info, cached in the database for a day."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.clock import Clock
from bot.db import Database
from bot.models import Member

log = logging.getLogger(__name__)
TZ_TTL = timedelta(days=1)
UTC = ZoneInfo("UTC")


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


class Directory:
    def __init__(self, db: Database, client: WebClient, clock: Clock) -> None:
        self.db = db
        self.client = client
        self.clock = clock

    def cached_tz(self, session: Session, team_id: str, user_id: str) -> ZoneInfo | None:
        """The zone we already know, without calling Slack (for paths that must be fast)."""
        member = session.get(Member, (team_id, user_id))
        return zone(member.tz) if member and member.tz else None

    def tz(self, team_id: str, user_id: str) -> ZoneInfo:
        """The user's zone: cached for a day; on a Slack error the stale value, else UTC."""
        now = self.clock.now()
        with self.db.session() as session:
            member = session.get(Member, (team_id, user_id))
            if (
                member
                and member.tz
                and member.tz_fetched_at
                and now - member.tz_fetched_at < TZ_TTL
            ):
                return zone(member.tz)
        try:
            user = self.client.users_info(user=user_id)["user"]
            name = user.get("tz") or "UTC"
        except Exception as error:
            log.warning("users.info %s failed: %s", user_id, error)
            return zone(member.tz if member else None)
        try:
            with self.db.session() as session:
                member = session.get(Member, (team_id, user_id)) or Member(
                    team_id=team_id, user_id=user_id
                )
                member.tz = name
                member.tz_fetched_at = now
                session.add(member)
        except IntegrityError:
            pass  # another request cached it at the same moment
        return zone(name)
