"""The outbox's queue: messages to Slack, stored in the same transaction as the change they
report. Plain data, no Slack: features queue here, and bot/delivery.py sends.

Every message carries its audience (internal, or for the client) and the account it is about;
the exit (bot/gateway.py) judges both against where it is going when it is sent. A key already
queued is not queued again, so a retried request or job queues nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, select

from bot.db import Database
from bot.models import Audience, OutboxMessage, OutboxStatus

WAITING = (OutboxStatus.pending, OutboxStatus.unknown)
UNFINISHED = (*WAITING, OutboxStatus.sending)
OUTBOX = SQLModel.metadata.tables["outbox"]


def enqueue(
    session: Session,
    *,
    key: str,
    channel: str,
    text: str,
    now: datetime,
    audience: Audience,
    account_id: int | None = None,
    caused_by: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
    thread_ts: str | None = None,
    thread_key: str | None = None,
    team_id: str | None = None,
) -> OutboxMessage:
    """Queue a message inside the caller's transaction; a key already queued is not queued again.

    `audience`: who it is written for; `account_id`: whose content it is (it never goes to
    another account's channel); `caused_by`: who to tell if the exit refuses it; `team_id`:
    the workspace it goes to, whose token sends it (None: SLACK_BOT_TOKEN's workspace).
    """
    existing = queued(session, key)
    if existing:
        return existing
    values = {
        "key": key,
        "channel": channel,
        "text": text,
        "blocks": blocks,
        "thread_ts": thread_ts,
        "thread_key": thread_key,
        "audience": audience,
        "account_id": account_id,
        "caused_by": caused_by,
        "team_id": team_id,
        "status": OutboxStatus.pending,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    # Two requests may queue one key at once (Slack delivering one event twice): the second
    # insert does nothing, instead of failing its whole transaction, and both find the one row.
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    session.execute(insert(OUTBOX).values(**values).on_conflict_do_nothing(index_elements=["key"]))
    Database.mark_queued(session)  # the worker wakes when this transaction commits
    message = queued(session, key)  # inserted now, or by the request that raced this one
    if message is None:
        raise RuntimeError(f"outbox key {key!r} neither inserted nor found")
    return message


def queued(session: Session, key: str) -> OutboxMessage | None:
    """The message queued under `key`, whatever became of it."""
    return session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first()
