"""The aging nudge (Slack-free): a case nobody has taken is said again in its thread until
someone takes it, by the working hours of the team it waits on (its route's zone and days,
09:00–17:00 there; bot/cases/hours.py).

When: the first nudge once the case has waited 4 working hours, then one more each further
working day at the same working-hour mark (every 8 working hours: a case opened Friday 15:00
in New York is nudged Monday 11:00 and Tuesday 11:00 New York time). Each nudge has its number
in its outbox key (`case:<id>:aging:<n>`) and on the case (`nudges`), counted by a conditional
update, so two schedulers or a rerun say each nudge once. A job that did not run for days says
one nudge, numbered for the working days waited, not a burst. After the second nudge the
account's owner is told by DM, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import keys
from bot.cases import queries
from bot.cases.hours import DAY_HOURS, Week, describe_days
from bot.cases.render import OWNER_TOLD_AT, aging_nudge, aging_owner_note
from bot.cases.service import to_case_thread
from bot.clock import Clock
from bot.db import Database
from bot.models import Account, Audience, Case, CaseStatus
from bot.outbox import enqueue

log = logging.getLogger(__name__)
AGING_HOURS = 4  # working hours before the first nudge


def nudges_due(hours: float) -> int:
    """How many nudges a case is owed after `hours` working hours untaken."""
    return 0 if hours < AGING_HOURS else 1 + int((hours - AGING_HOURS) // DAY_HOURS)


def nudge_case(session: Session, case_id: int, as_of: datetime, now: datetime) -> bool:
    """Nudge this case if a nudge is due as of `as_of` and not yet said (delivered `now`)."""
    case = session.get(Case, case_id)
    if case is None or case.status != CaseStatus.open or case.id is None:
        return False
    route = queries.route_of(session, case)
    week = Week.of(route.tz, route.workdays) if route else Week.of(None, None)
    due = nudges_due(week.hours_between(case.created_at, as_of))
    if due <= case.nudges or not queries.count_nudge(session, case.id, case.nudges, due, as_of):
        return False
    hours = AGING_HOURS + DAY_HOURS * (due - 1)
    named = f"{week.zone.key}, {describe_days(route.workdays if route else '')}"
    to_case_thread(session, case, f"aging:{due}", aging_nudge(case, due, hours, named), now)
    account = session.get(Account, case.account_id)
    if due >= OWNER_TOLD_AT and account is not None:
        enqueue(
            session,
            key=keys.case_aging_owner(case.id),
            channel=f"@{account.owner_id}",
            text=aging_owner_note(case, account, hours, named),
            now=now,
            audience=Audience.internal,
            account_id=account.id,
            team_id=case.team_id,
        )
    return True


class Runs(Protocol):
    """What a scheduled job needs of the steward (bot.steward.Steward has it)."""

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...


def nudge_aging_cases(
    st: Runs, as_of: datetime, *, serves: Callable[[str], bool] | None = None
) -> int:
    """The scheduled job: each waiting case judged as of `as_of` in a transaction of its own
    (one case's trouble never holds back the rest); what is due is delivered now. `serves`:
    whether a workspace is served (has a token); others' cases wait, their nudges unsaid."""
    with st.db.session() as session:
        waiting = queries.waiting_cases(session)
    nudged = 0
    for case_id, team_id in waiting:
        if serves is not None and not serves(team_id):
            continue
        try:
            with st.db.session() as session:
                nudged += nudge_case(session, case_id, as_of, st.clock.now())
        except IntegrityError:  # another run queued this very nudge first: it is said once
            log.info("case %s: its aging nudge was queued by another run", case_id)
    return nudged
