"""The scheduled jobs. One tick runs each of them once, at the steward's clock.

APScheduler calls `tick` every few minutes (`steward serve`, `steward scheduler`); the console
calls it when its clock moves; `steward digest run` calls the digest job alone. Each job must be
safe to run at any time, any number of times, from several processes at once.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime

from bot.cases.aging import nudge_aging_cases
from bot.digest import queries as digest_queries
from bot.digest import service as digest
from bot.steward import Steward

log = logging.getLogger(__name__)

Job = Callable[[Steward, datetime], int]
"""A job: given the steward and the moment to act as of, does what is due; returns a count."""


def due_reps(st: Steward, as_of: datetime, *, ignore_time: bool = False) -> list[digest.Rep]:
    """The reps whose digest is due as of `as_of` (everyone, now, with `ignore_time`): the zones
    never cached are asked of Slack first, outside any transaction (only where Steward has a
    token: anyone else without a cached zone waits)."""
    with st.db.session() as session:
        people = digest_queries.candidates(session)
    served = functools.cache(st.workspaces.installed)
    missing = [who for who in digest.zones_to_find(people) if served(who[0])]
    zones = {who: st.directory.tz(*who) for who in missing}
    with st.db.session() as session:
        return digest.due_reps(session, people, as_of, zones, ignore_time=ignore_time)


def send_digests(st: Steward, as_of: datetime) -> int:
    """The digest job: queue each due rep's digest once; returns how many were queued. A rep
    of a workspace with no token (not installed, or uninstalled) gets none: nothing is queued
    for them, their data stays."""
    served = functools.cache(st.workspaces.installed)
    due = due_reps(st, as_of)
    reps = [rep for rep in due if served(rep.team_id)]
    if len(reps) < len(due):
        skipped = sorted({rep.team_id for rep in due} - {rep.team_id for rep in reps})
        log.info("digests: skipped workspaces with no token: %s", ", ".join(skipped))
    return digest.send_digests(st.db, reps, as_of, st.settings.silence_days)


def age_cases(st: Steward, as_of: datetime) -> int:
    """The case-aging job, for the workspaces that have a token."""
    return nudge_aging_cases(st, as_of, serves=functools.cache(st.workspaces.installed))


JOBS: dict[str, Job] = {"digest": send_digests, "case_aging": age_cases}
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
