"""The scheduler runner (scheduler/runner.py): the real APScheduler, under freezegun, fires the
tick, and a rep whose local 09:00 on a workday has passed gets the digest."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    JobExecutionEvent,
)
from freezegun import freeze_time
from sqlmodel import select

from bot import keys
from bot.models import NudgeLedger, OutboxMessage
from scheduler.runner import build
from tests.conftest import ACME_CHANNEL, ALICE, Slack

WARSAW = ZoneInfo("Europe/Warsaw")  # Alice's zone in the stand-in
WAIT = 30.0


class Runs:
    """APScheduler's own events: each finished run of a job, waited for with a timeout."""

    def __init__(self) -> None:
        self.events: list[JobExecutionEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: JobExecutionEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait(self, count: int, timeout: float = WAIT) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.events) >= count, timeout):
                raise AssertionError(
                    f"timed out after {timeout:g} s waiting for run {count} of the scheduler's "
                    f"tick (saw {len(self.events)})"
                )
        failed = [e for e in self.events if e.exception]
        assert not failed, failed[0].traceback


def a_workday_after(day: date, days: int) -> date:
    day += timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def digests(slack: Slack) -> list[tuple[str, str]]:
    with slack.steward.db.session() as session:
        rows = session.exec(
            select(NudgeLedger.user_id, NudgeLedger.outbox_key).where(NudgeLedger.kind == "digest")
        ).all()
    return [(user, key) for user, key in rows]


def test_the_runner_fires_the_tick_and_queues_a_digest_after_nine(slack: Slack) -> None:
    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail>")
    slack.reply("/promise", "acme send the renewal deck by tomorrow")
    slack.reply("/steward", "account set acme silence:1d")
    day = a_workday_after(datetime.now(WARSAW).date(), 3)  # the promise is overdue by then
    st = slack.steward
    runs = Runs()
    start = datetime(day.year, day.month, day.day, 8, 58, tzinfo=WARSAW)
    with freeze_time(start, tick=True) as at:
        scheduler = build(st, blocking=False)
        scheduler.add_listener(runs, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        scheduler.start()
        try:
            runs.wait(1)  # at start: 08:58 in Warsaw, nobody is due yet
            assert digests(slack) == []
            at.tick(timedelta(minutes=3))  # 09:01: the next interval is past due
            scheduler.wakeup()  # as its timer would, 120 s later; freezegun moves no timers
            runs.wait(2)
        finally:
            scheduler.shutdown(wait=True)
        key = keys.digest(slack.team_id, ALICE, day)
        assert digests(slack) == [(ALICE, key)]
        with st.db.session() as session:
            queued = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        nine = datetime(day.year, day.month, day.day, 9, tzinfo=WARSAW)
        assert nine < queued.created_at < nine + timedelta(minutes=2)  # queued by the 2nd run
        dm = slack.standin._open_im(ALICE)
        [digest] = slack.wait_posts(dm, 1)
    assert "renewal deck" in digest["text"] or "renewal deck" in str(digest["blocks"])
