"""The DM channel (D…) Slack opened between Steward and each person, kept in the database so
every process, and every restart, posts to it without asking Slack again."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select

from bot.db import Database
from bot.models import DmChannel


def known_dms(db: Database, wanted: Iterable[tuple[str | None, str]]) -> dict[tuple[str, str], str]:
    """The DM channels known among (workspace, user) pairs, by ('' or workspace, user): one
    read for a whole pass of the outbox."""
    pairs = {(team or "", user) for team, user in wanted}
    if not pairs:
        return {}
    with db.session() as session:
        rows = session.exec(
            select(DmChannel).where(col(DmChannel.user_id).in_({user for _, user in pairs}))
        ).all()
    return {(r.team_id, r.user_id): r.channel_id for r in rows if (r.team_id, r.user_id) in pairs}


def remember_dm(db: Database, team_id: str | None, user_id: str, channel_id: str) -> None:
    values = {"team_id": team_id or "", "user_id": user_id, "channel_id": channel_id}
    db.upsert(DmChannel, values, ("team_id", "user_id"))


def dm_user(channel: str) -> str | None:
    """`U123` for an outbox channel `@U123` (the app's DM with that person), else None."""
    return channel[1:] if channel.startswith("@") else None


def post_target(channel: str, dm: str | None) -> str:
    """The channel Slack is asked to post in: for `@U123`, the DM's D… id once known, else the
    user id (which opens the DM: no conversations.open, a Tier 3 method, per person)."""
    user = dm_user(channel)
    return (dm or user) if user else channel
