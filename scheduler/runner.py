"""APScheduler, running `scheduler.jobs.tick` every few minutes.

One interval job, not one job per rep: the tick finds who is due, so nothing has to be kept in
sync when reps change their digest time. Several processes may run it: the digest ledger makes
each digest go out once. Each run logs one line with what it did.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import and_, case, func, select
from sqlmodel import col

from bot.config import DEFAULT_TICK_SECONDS
from bot.digest.queries import DIGEST
from bot.models import NudgeLedger, OutboxMessage, OutboxStatus
from bot.steward import Steward
from scheduler.jobs import tick

log = logging.getLogger(__name__)
DEFAULT_INTERVAL = DEFAULT_TICK_SECONDS


@dataclass
class DigestCounts:
    planned: int = 0
    """Reps whose digest this run judged (an empty digest is planned, and not queued)."""
    queued: int = 0
    sent: int = 0
    """Digests delivered since the previous run."""
    expired: int = 0
    """Digests dropped undelivered at their rep's midnight since the previous run."""


def digest_counts(st: Steward, moment: datetime, since: datetime | None) -> DigestCounts:
    """What the digest ledger and the outbox say about the run at `moment` and since `since`."""
    with st.db.engine.connect() as connection:
        planned, queued = connection.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((col(NudgeLedger.outbox_key) != "", 1))), 0),
            ).where(col(NudgeLedger.kind) == DIGEST, col(NudgeLedger.created_at) == moment)
        ).one()
        counts = DigestCounts(planned=planned, queued=queued)
        if since is None:
            return counts
        digests = (
            select(col(OutboxMessage.status), func.count())
            .join(NudgeLedger, col(NudgeLedger.outbox_key) == col(OutboxMessage.key))
            .where(
                and_(
                    col(OutboxMessage.status) == OutboxStatus.sent,
                    col(OutboxMessage.sent_at) > since,
                )
                | and_(
                    col(OutboxMessage.status) == OutboxStatus.expired,
                    col(OutboxMessage.expires_at) > since,
                    col(OutboxMessage.expires_at) <= moment,
                )
            )
            .group_by(col(OutboxMessage.status))
        )
        found: dict[str, int] = {status: count for status, count in connection.execute(digests)}
    counts.sent, counts.expired = found.get("sent", 0), found.get("expired", 0)
    return counts


class LoggedTick:
    """`tick`, then one line: digests planned, queued, sent and expired, cases nudged."""

    def __init__(self, st: Steward) -> None:
        self.st = st
        self.previous: datetime | None = None

    def __call__(self) -> None:
        started = time.perf_counter()
        moment = self.st.clock.now()
        done = tick(self.st, moment)
        try:
            counts = digest_counts(self.st, moment, self.previous)
        except Exception as error:  # the tick itself went through; only the line is short
            log.warning("scheduler tick done %s; cannot count digests: %s", done, error)
            return
        finally:
            self.previous = moment
        others = " ".join(f"{name}={n}" for name, n in done.items() if name != "digest")
        log.info(
            "scheduler tick: digests planned=%d queued=%d sent=%d expired=%d, %s (%.0f ms)",
            counts.planned,
            counts.queued,
            counts.sent,
            counts.expired,
            others,
            (time.perf_counter() - started) * 1000,
            extra={"job": "tick", **vars(counts), **{k: v for k, v in done.items()}},
        )


def interval(st: Steward) -> int:
    return st.settings.tick_seconds


def build(st: Steward, *, blocking: bool) -> BaseScheduler:
    scheduler = BlockingScheduler() if blocking else BackgroundScheduler(daemon=True)
    scheduler.add_job(
        LoggedTick(st),
        "interval",
        seconds=interval(st),
        id="tick",
        max_instances=1,  # a slow tick is not started twice in one process
        coalesce=True,  # after a pause, one catch-up run, not one per missed interval
        misfire_grace_time=None,
        next_run_time=st.clock.now(),  # run once at start: a bot down at 09:00 catches up
    )
    return scheduler
