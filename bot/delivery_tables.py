"""What every process delivering the outbox shares, kept in the database rather than in one
process's memory: each channel's pacing (and 429 back-off), and the DM channel Slack opened for
each person. Registered with the other tables by bot/models.py."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class ChannelPace(SQLModel, table=True):
    """When a channel may next be posted in, by any process (bot/pacing.py)."""

    __tablename__ = "channel_pace"

    channel_id: str = Field(primary_key=True, max_length=32)
    not_before: datetime


class DmChannel(SQLModel, table=True):
    """The DM channel (D…) between Steward and a person, as Slack answered a post to their user
    id or conversations.open. `team_id` '' when the outbox row named no workspace."""

    __tablename__ = "dm_channel"

    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    channel_id: str = Field(max_length=32)
