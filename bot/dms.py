"""The DM channel (D…) Slack opened between Steward and each person, kept in the database so
every process, and every restart, posts to it without asking Slack again."""

from __future__ import annotations

from bot.db import Database
from bot.models import DmChannel


def known_dm(db: Database, team_id: str | None, user_id: str) -> str | None:
    """The DM channel with `user_id` in the workspace (None: the only one), if Slack told us."""
    with db.session() as session:
        row = session.get(DmChannel, (team_id or "", user_id))
    return row.channel_id if row else None


def remember_dm(db: Database, team_id: str | None, user_id: str, channel_id: str) -> None:
    values = {"team_id": team_id or "", "user_id": user_id, "channel_id": channel_id}
    db.upsert(DmChannel, values, ("team_id", "user_id"))


def dm_user(channel: str) -> str | None:
    """`U123` for an outbox channel `@U123` (the app's DM with that person), else None."""
    return channel[1:] if channel.startswith("@") else None
