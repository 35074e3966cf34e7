"""Per-channel pacing shared by every process delivering the outbox (bot/delivery.py).

Slack takes about one chat.postMessage a second per channel, and a 429's Retry-After holds the
channel for whoever posts next. Both live in one row per channel (`channel_pace`), so N
processes post into one channel no faster than one: a post first takes the channel's slot with
one conditional UPDATE (`not_before <= now`), and only the process whose UPDATE changed the row
posts. Plain SQL that works alike on SQLite and PostgreSQL; the caller passes `now`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel, col, select, update

from bot.db import Database
from bot.models import ChannelPace

PACE = SQLModel.metadata.tables["channel_pace"]


def waits(db: Database, channels: Iterable[str], now: datetime) -> dict[str, float]:
    """Seconds until each channel's next slot (0.0: free now), in one read: to skip a channel
    before claiming one of its messages. Only `take` decides."""
    wanted = set(channels)
    if not wanted:
        return {}
    with db.session() as session:
        rows = session.exec(
            select(ChannelPace).where(col(ChannelPace.channel_id).in_(wanted))
        ).all()
    held = {r.channel_id: max(0.0, (r.not_before - now).total_seconds()) for r in rows}
    return {channel: held.get(channel, 0.0) for channel in wanted}


def take(db: Database, channel: str, now: datetime, interval: float) -> float:
    """Take the channel's slot for a post now: 0.0 when it is ours (the next one waits
    `interval` seconds), else the seconds until it frees (someone else has it)."""
    insert = sqlite_insert if db.is_sqlite else postgresql_insert
    with db.session() as session:
        session.exec(  # the row, once per channel; an existing one is left as it is
            insert(PACE)
            .values(channel_id=channel, not_before=now)
            .on_conflict_do_nothing(index_elements=["channel_id"])
        )
        taken = session.exec(
            update(ChannelPace)
            .where(col(ChannelPace.channel_id) == channel, col(ChannelPace.not_before) <= now)
            .values(not_before=now + timedelta(seconds=interval))
        )
        if taken.rowcount == 1:
            return 0.0
        not_before = session.exec(
            select(ChannelPace.not_before).where(ChannelPace.channel_id == channel)
        ).one()
    return max(0.001, (not_before - now).total_seconds())


def hold(db: Database, channel: str, until: datetime) -> None:
    """Nobody posts in the channel before `until` (a 429's Retry-After); a later hold stays."""
    insert = sqlite_insert if db.is_sqlite else postgresql_insert
    statement = insert(PACE).values(channel_id=channel, not_before=until)
    statement = statement.on_conflict_do_update(
        index_elements=["channel_id"],
        set_={"not_before": statement.excluded.not_before},
        where=PACE.c.not_before < statement.excluded.not_before,
    )
    with db.session() as session:
        session.exec(statement)
