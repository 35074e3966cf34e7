"""APScheduler, running `scheduler.jobs.tick` every few minutes.

One interval job, not one job per rep: the tick finds who is due, so nothing has to be kept in
sync when reps change their digest time. Several processes may run it: the nudge ledger makes
each digest go out once.
"""

from __future__ import annotations

import logging
import os

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.steward import Steward
from scheduler.jobs import tick

log = logging.getLogger(__name__)
DEFAULT_INTERVAL = 120  # seconds: a digest due at 09:00 leaves by 09:02


def interval() -> int:
    try:
        return max(10, int(os.environ.get("STEWARD_TICK_SECONDS", DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


def build(st: Steward, *, blocking: bool) -> BaseScheduler:
    scheduler = BlockingScheduler() if blocking else BackgroundScheduler(daemon=True)
    scheduler.add_job(
        tick,
        "interval",
        args=[st],
        seconds=interval(),
        id="tick",
        max_instances=1,  # a slow tick is not started twice in one process
        coalesce=True,  # after a pause, one catch-up run, not one per missed interval
        misfire_grace_time=None,
        next_run_time=st.clock.now(),  # run once at start: a bot down at 09:00 catches up
    )
    return scheduler
