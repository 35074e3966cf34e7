"""Which outbox rows are due, and who sends each: every process delivering the outbox runs the
same queries, and a row is sent by whoever's conditional UPDATE claimed it, for `LEASE`.

A worker's lease is (`lease_owner`, `lease_until`): what it writes after its Slack call is
conditioned on both, so a worker whose lease ran out (it hung, and another took the row over)
changes nothing. A row left `sending` by a process that died is due again once its lease has
run out; bot/delivery.py treats it as a send of unknown outcome and checks before posting.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import and_, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from bot.db import Database
from bot.models import OutboxMessage, OutboxStatus
from bot.outbox import OUTBOX, UNFINISHED, WAITING

LEASE = timedelta(seconds=60)  # well over the outbox client's 10 s timeout and its one retry


BACKOFF_CEILING = 60.0
CHECK_WAIT = timedelta(seconds=2)
"""How long a message waits after Slack would not show a channel's history (a read: it risks
no second post, so it is tried again soon, not after the message's growing backoff)."""


def backoff(attempts: int) -> timedelta:
    """How long a message waits after its `attempts`-th failed try: 1 s, doubling, to a
    minute (with MAX_ATTEMPTS tries, about 25 minutes of Slack failing before giving up)."""
    return timedelta(seconds=min(BACKOFF_CEILING, 2 ** max(0, attempts - 1)))


def worker_id() -> str:
    """host:pid:random, unique to each worker, even several in one process."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:80]


class NotNow(Exception):
    """Raised just before a Slack call that must not start: the channel's slot is someone
    else's (`wait` seconds), or the worker's lease is too short (`wait` 0)."""

    def __init__(self, wait: float) -> None:
        super().__init__(wait)
        self.wait = wait


def lapsed(now: datetime) -> Any:
    """A `sending` row whose lease has run out (or that never had one: an older version's)."""
    return or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) <= now)


def candidates(now: datetime, limit: int) -> Any:
    """Waiting rows whose time has come and rows on a lapsed lease, oldest first, each only
    when no earlier row of its channel is unfinished (first in, first out per channel)."""
    earlier = aliased(OutboxMessage)
    return (
        select(OutboxMessage)
        .where(
            or_(
                and_(
                    col(OutboxMessage.status).in_(WAITING),
                    col(OutboxMessage.next_attempt_at) <= now,
                ),
                and_(col(OutboxMessage.status) == OutboxStatus.sending, lapsed(now)),
            ),
            ~exists().where(
                col(earlier.channel) == col(OutboxMessage.channel),
                col(earlier.id) < col(OutboxMessage.id),
                col(earlier.status).in_(UNFINISHED),
            ),
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )


def due(db: Database, now: datetime, limit: int) -> list[OutboxMessage]:
    """The candidates, read (each still to be claimed)."""
    with db.session() as session:
        return list(session.exec(candidates(now, limit)).all())


def take_page(
    db: Database, owner: str, now: datetime, limit: int, lease: timedelta = LEASE
) -> list[tuple[OutboxMessage, datetime]]:
    """PostgreSQL: the candidates other workers are not claiming at this moment (`FOR UPDATE
    SKIP LOCKED`), claimed in the same transaction, each with the same conditional UPDATE as
    `claim`. Workers reading one page at once then take different rows instead of racing for
    the same ones (bench/claims.py). The rows keep the state they were read in."""
    taken = []
    with db.session() as session:
        rows = session.exec(candidates(now, limit).with_for_update(skip_locked=True, of=OUTBOX))
        for row in rows.all():
            statement, until = claiming(row, owner, now, lease)
            result = session.exec(statement.execution_options(synchronize_session=False))
            if result.rowcount == 1:
                taken.append((row, until))
    return taken


def claiming(row: OutboxMessage, owner: str, now: datetime, lease: timedelta) -> Any:
    """The UPDATE that takes the row for `lease` if it is still as it was read (waiting and
    due, or on a lapsed lease), and the lease's end."""
    still = (
        lapsed(now)
        if row.status == OutboxStatus.sending
        else col(OutboxMessage.next_attempt_at) <= now
    )
    until = now + lease
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row.id, col(OutboxMessage.status) == row.status, still)
        .values(
            status=OutboxStatus.sending,
            lease_owner=owner,
            lease_until=until,
            attempts=OutboxMessage.attempts + 1,
        )
    )
    return statement, until


def claim(
    db: Database, row: OutboxMessage, owner: str, now: datetime, lease: timedelta = LEASE
) -> datetime | None:
    """Take the row (`claiming`); returns the lease's end, or None when someone else has it."""
    statement, until = claiming(row, owner, now, lease)
    with db.session() as session:
        result = session.exec(statement)
    return until if result.rowcount == 1 else None


def owned(row: OutboxMessage, owner: str, lease: datetime) -> Any:
    """An UPDATE of the row that changes it only while it is still `owner`'s, on this lease."""
    return update(OutboxMessage).where(
        col(OutboxMessage.id) == row.id,
        col(OutboxMessage.status) == OutboxStatus.sending,
        col(OutboxMessage.lease_owner) == owner,
        col(OutboxMessage.lease_until) == lease,
    )


def parent_ts(db: Database, key: str) -> tuple[str | None, bool]:
    """For a reply queued under the thread of message `key`: the parent's ts, and whether the
    reply may go now (the parent is sent, or will never be: then it goes on its own)."""
    with db.session() as session:
        parent = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first()
    if parent is None or parent.status in (OutboxStatus.failed, OutboxStatus.held):
        return None, True
    return parent.ts, parent.status == OutboxStatus.sent


class CannotCheck(Exception):
    """The channel's history could not be read: whether a message landed is still unknown.
    `wait`: Slack's Retry-After, when it said one."""

    def __init__(self, why: str, wait: float | None = None) -> None:
        super().__init__(why)
        self.wait = wait

    @classmethod
    def of(cls, error: SlackApiError) -> CannotCheck:
        code, status = str(error.response.get("error", "")), error.response.status_code
        after = error.response.headers.get("Retry-After") if status == 429 else None
        return cls(code or f"HTTP {status}", float(after or 1) if after else None)
