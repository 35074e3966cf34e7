"""The scheduled jobs. One tick runs each of them once, at the steward's clock.

APScheduler calls `tick` every few minutes (`steward serve`, `steward scheduler`); the console
calls it when its clock moves; `steward nudges run` calls the nudges job alone. Each job must be
safe to run at any time, any number of times, from several processes at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.cases.lifecycle import nudge_aging_cases
from bot.nudges import send_digests
from bot.steward import Steward

log = logging.getLogger(__name__)

Job = Callable[[Steward, datetime], int]
"""A job: given the steward and the moment to act as of, does what is due; returns a count."""

JOBS: dict[str, Job] = {"nudges": send_digests, "case_aging": nudge_aging_cases}
"""Every scheduled job by name."""


def tick(st: Steward, as_of: datetime | None = None) -> dict[str, int]:
    """Run every job once as of `as_of` (default: now); one failing job does not stop the rest."""
    moment = as_of or st.clock.now()
    done: dict[str, int] = {}
    for name, job in JOBS.items():
        try:
            done[name] = job(st, moment)
        except Exception:
            log.exception("scheduled job %s failed; it runs again at the next tick", name)
            done[name] = 0
    return done
