"""Which outbox rows are due, and who sends each: every process delivering the outbox runs the
same queries, and a row is sent by whoever's conditional UPDATE claimed it, for `LEASE`.

A worker's lease is (`lease_owner`, `lease_until`): what it writes after its Slack call is
conditioned on both, so a worker whose lease ran out (it hung, and another took the row over)
changes nothing. A row left `sending` by a process that died is due again once its lease has
run out; bot/delivery.py treats it as a send of unknown outcome and checks before posting.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from bot.db import Database
from bot.models import OutboxMessage, OutboxStatus
from bot.outbox import UNFINISHED, WAITING

LEASE = timedelta(seconds=60)  # well over the outbox client's 10 s timeout and its one retry


def lapsed(now: datetime) -> Any:
    """A `sending` row whose lease has run out (or that never had one: an older version's)."""
    return or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) <= now)


def due(db: Database, now: datetime, limit: int) -> list[OutboxMessage]:
    """Waiting rows whose time has come and rows on a lapsed lease, oldest first, each only
    when no earlier row of its channel is unfinished (first in, first out per channel)."""
    earlier = aliased(OutboxMessage)
    with db.session() as session:
        return list(
            session.exec(
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
            ).all()
        )


def claim(
    db: Database, row: OutboxMessage, owner: str, now: datetime, lease: timedelta = LEASE
) -> datetime | None:
    """Take the row for `lease` if it is still as `due` read it (waiting and due, or on a
    lapsed lease); returns the lease's end, or None when someone else has it."""
    still = (
        lapsed(now)
        if row.status == OutboxStatus.sending
        else col(OutboxMessage.next_attempt_at) <= now
    )
    until = now + lease
    with db.session() as session:
        result = session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == row.id, col(OutboxMessage.status) == row.status, still)
            .values(
                status=OutboxStatus.sending,
                lease_owner=owner,
                lease_until=until,
                attempts=OutboxMessage.attempts + 1,
            )
        )
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
