"""People as Slack reports them (users.info, cached in the database for a day): whether they
belong to our organisation, their name and their time zone.

Whether someone is ours is decided from Slack's own record of the user, never from the team a
request's payload names: a payload's user-team field can only make the answer stricter.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.clock import Clock
from bot.db import Database
from bot.models import Member
from bot.people import UTC, Home, Person, zone
from bot.workspaces import Clients, client_for

log = logging.getLogger(__name__)
TZ_TTL = timedelta(days=1)


@dataclass(frozen=True)
class Known:
    """What Slack last said of a person (users.info), and when."""

    tz: str | None
    fetched_at: datetime
    org_team_id: str | None
    org_enterprise_id: str | None
    name: str | None
    locale: str | None = None


class Directory:
    def __init__(self, db: Database, clients: Clients, clock: Clock) -> None:
        self.db = db
        self.clients = clients  # each workspace's own client (bot/workspaces.py)
        self.clock = clock
        self._homes: dict[str, Home] = {}  # team → what its token's auth.test said
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], Known] = {}  # (team, user) → what users.info said

    def home(self, team_id: str) -> Home:
        """Our organisation in that workspace, from auth.test with its token (asked once per
        process and workspace). NotInstalled when Steward has no token there."""
        with self._lock:
            home = self._homes.get(team_id)
        if home is None:
            auth = client_for(self.clients, team_id).auth_test()
            home = Home(
                str(auth["team_id"]),
                auth.get("enterprise_id") or None,
                auth.get("user_id") or None,
                auth.get("bot_id") or None,
            )
            with self._lock:
                self._homes[team_id] = home
        return home

    def cached_tz(self, session: Session, team_id: str, user_id: str) -> ZoneInfo | None:
        """The zone we already know, without calling Slack (for paths that must be fast)."""
        member = session.get(Member, (team_id, user_id))
        return zone(member.tz) if member and member.tz else None

    def tz(self, team_id: str, user_id: str) -> ZoneInfo:
        """The user's zone: cached for a day; on a Slack error the stale value, else UTC."""
        return self.person(team_id, user_id).tz

    def name(self, team_id: str, user_id: str) -> str:
        """What to call someone without pinging them: their display name, else their id."""
        return self.person(team_id, user_id).name or user_id

    def person(
        self,
        team_id: str,
        user_id: str,
        *,
        hint_team: str | None = None,
        hint_enterprise: str | None = None,
        session: Session | None = None,
    ) -> Person:
        """Who `user_id` is. `hint_team`: the user's team as a payload names it; when it is
        another organisation's, that settles it (a payload can make us stricter, never looser).
        `session`: the caller's open transaction, if any (the cache is written in it)."""
        home = self.home(team_id)
        if hint_team and not home.includes(hint_team, hint_enterprise or hint_team):
            stored = self._stored(team_id, user_id, fresh=False)
            if stored is None:
                return Person(user_id, False, UTC)
            return Person(user_id, False, zone(stored.tz), stored.name, stored.locale)
        stored = self._stored(team_id, user_id, fresh=True)
        if stored is None or stored.org_team_id is None:
            stored = self._fetch(team_id, user_id, session) or self._stored(
                team_id, user_id, fresh=False
            )
        if stored is None or stored.org_team_id is None:
            return Person(user_id, None, zone(stored.tz if stored else None))
        ours = home.includes(stored.org_team_id, stored.org_enterprise_id)
        return Person(user_id, ours, zone(stored.tz), stored.name, stored.locale)

    def _stored(self, team_id: str, user_id: str, *, fresh: bool) -> Known | None:
        """What we know of the person: from this process's memory while fresh (a command
        costs no read for who is acting), else from the database's cache."""
        known = self._known.get((team_id, user_id))
        if known is None or not self._fresh(known):
            with self.db.session() as session:
                member = session.get(Member, (team_id, user_id))
            if member is None or member.tz_fetched_at is None:
                return None
            known = self._remember(member)
        if fresh and not self._fresh(known):
            return None
        return known

    def _fresh(self, known: Known) -> bool:
        return self.clock.now() - known.fetched_at < TZ_TTL

    def _remember(self, member: Member) -> Known:
        known = Known(
            tz=member.tz,
            fetched_at=member.tz_fetched_at or self.clock.now(),
            org_team_id=member.org_team_id,
            org_enterprise_id=member.org_enterprise_id,
            name=member.name,
            locale=member.locale,
        )
        self._known[(member.team_id, member.user_id)] = known
        return known

    def _fetch(self, team_id: str, user_id: str, session: Session | None) -> Known | None:
        """Ask Slack (users.info) and cache the answer; None when Slack cannot tell us."""
        try:
            client = client_for(self.clients, team_id)
            user: dict[str, Any] = client.users_info(user=user_id, include_locale=True)["user"]
        except Exception as error:
            log.warning("users.info %s in %s failed: %s", user_id, team_id, error)
            return None
        profile = user.get("profile") or {}
        enterprise = (user.get("enterprise_user") or {}).get("enterprise_id")
        org_team = str(user.get("team_id") or "")
        if user.get("is_stranger"):
            org_team = org_team or "stranger"  # someone Slack itself calls a stranger
        name = profile.get("display_name") or profile.get("real_name") or user.get("name")
        member = Member(
            team_id=team_id,
            user_id=user_id,
            tz=user.get("tz") or "UTC",
            tz_fetched_at=self.clock.now(),
            org_team_id=org_team or None,
            org_enterprise_id=enterprise,
            name=str(name)[:200] if name else None,
            locale=str(user.get("locale") or "")[:16] or None,
        )
        cached = ("tz", "tz_fetched_at", "org_team_id", "org_enterprise_id", "name", "locale")
        values = {f: getattr(member, f) for f in ("team_id", "user_id", *cached)}
        self.db.upsert(Member, values, ("team_id", "user_id"), session)  # keeps their settings
        return self._remember(member)
