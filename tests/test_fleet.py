"""Several `steward serve` processes on one PostgreSQL deliver every queued message exactly once:
while one of them is SIGKILLed every few seconds and restarted, with and without a share of
Slack's answers failing, and through a rolling restart during a digest fan-out.

Real processes (`python -m bot.cli serve`) against the Slack stand-in over HTTP, which counts
what landed by the outbox key in each post's metadata. PostgreSQL only: SQLite is one process's
database. Each test runs for about half a minute: ten kills a couple of seconds apart, each
restarted process needing two seconds to start, is what the issue asks of it.
"""

from __future__ import annotations

import contextlib
import json
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import create_engine, func, text
from sqlmodel import SQLModel, col, select

from bot import keys
from bot.db import Database
from bot.dev.limits import Faults, Tiers
from bot.dev.local import SIGNING_SECRET
from bot.dev.standin import SlackStandIn
from bot.models import (
    Account,
    Audience,
    ChannelState,
    Member,
    NudgeLedger,
    OutboxMessage,
    OutboxStatus,
    Promise,
    Standing,
)
from bot.outbox import enqueue
from tests.conftest import ALICE, BORIS, CAROL, GENERAL
from tests.test_operations import Process
from tests.test_processes import healthy, process_env

TEAM = "T0001"  # the stand-in's workspace
MESSAGES, CHANNELS, DM_USERS = 1_000, 50, 20
KILLS = 10
LEASE = "25"  # s a process holds a row it sends: over twice the client timeout (10 s)
KILL_EVERY = 1.5  # seconds between two kills, and the one restarted last is serving
DONE_WAIT = 180.0  # after the last kill, all out within this: a lapsed lease alone is 25 s, and
# under 30% faults a row can reach 6 tries (a kill counts one for each row of a claimed page)
FAULT_METHODS = frozenset({"chat.postMessage", "conversations.open", "conversations.history"})
"""The calls delivery makes: the stand-in fails a share of these (the gateway's look-ups of
channels and people are answered from the database, seeded as Slack's events would have)."""


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    """The session's PostgreSQL scratch database, emptied (skipped, with the reason, when no
    PostgreSQL answers: see tests/conftest.py)."""
    engine = create_engine(postgres_url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield postgres_url


class Fleet:
    """`steward serve` processes on one database, each started, killed and restarted by slot."""

    def __init__(self, tmp_path: Path, standin: SlackStandIn, url: str, **settings: str) -> None:
        self.tmp_path = tmp_path
        self.env = process_env(
            tmp_path,
            STEWARD_OUTBOX_LEASE=LEASE,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=standin.api_url,
            DATABASE_URL=url,
            **settings,
        )
        self.processes: list[Process] = []
        self.ports: list[str] = []
        self.starts = 0

    def start(self, slot: int | None = None, *, wait: bool = True) -> None:
        """Start a process (in `slot`, replacing the one there); `wait`: until /healthz answers."""
        env = {**self.env, "PORT": str(process_env(self.tmp_path)["PORT"])}
        process = Process(["serve"], env, self.tmp_path)
        self.starts += 1
        if slot is None:
            self.processes.append(process)
            self.ports.append(env["PORT"])
        else:
            self.processes[slot], self.ports[slot] = process, env["PORT"]
        if wait:
            self.wait_healthy(len(self.processes) - 1 if slot is None else slot)

    def wait_healthy(self, slot: int) -> None:
        """Until the process in `slot` answers /healthz (a port another test run took meanwhile:
        started again on another)."""
        for _ in range(3):
            if healthy(self.processes[slot], f"http://127.0.0.1:{self.ports[slot]}"):
                return
            self.start(slot, wait=False)
        raise AssertionError("three free ports were all taken before steward could listen")

    def kill(self, slot: int) -> None:
        self.processes[slot].kill()  # SIGKILL: no shutdown, a send may be cut off mid-call

    def term(self, slot: int) -> tuple[int, str]:
        code, stderr, _ = self.processes[slot].stop(signal.SIGTERM)
        return code, stderr

    def close(self) -> None:
        for process in self.processes:
            process.kill()


@contextlib.contextmanager
def fleet(
    tmp_path: Path, standin: SlackStandIn, url: str, size: int, **settings: str
) -> Iterator[Fleet]:
    running = Fleet(tmp_path, standin, url, **settings)
    try:
        for _ in range(size):
            running.start()
        yield running
    finally:
        running.close()


def seed_known(db: Database, channels: list[str], users: list[str], now: datetime) -> None:
    """What Slack's events and earlier look-ups would have left in the database: each channel's
    standing and each person's organisation and zone."""
    with db.session() as session:
        for channel in channels:
            state = ChannelState(channel_id=channel, standing=Standing.internal, checked_at=now)
            session.add(state)
        for user in users:
            session.add(ChannelState(channel_id="D" + user, standing=Standing.dm, dm_user=user,
                                     checked_at=now))  # fmt: skip
            session.merge(Member(team_id=TEAM, user_id=user, org_team_id=TEAM, tz="UTC",
                                 tz_fetched_at=now, name=user.lower()))  # fmt: skip


def queue_messages(db: Database, standin: SlackStandIn) -> list[str]:
    """1,000 messages over 50 channels and 20 people's DMs; their keys."""
    channels = [f"CFLEET{c:02d}" for c in range(CHANNELS)]
    users = [f"UFLEET{u:02d}" for u in range(DM_USERS)]
    for channel in channels:
        standin.add_channel(channel, channel.lower(), members=[standin.bot_user_id])
    for user in users:
        standin.add_user(user, user.lower(), tz="UTC")
    now = datetime.now(UTC)
    seed_known(db, channels, users, now)
    targets = channels + [f"@{user}" for user in users]
    queued = []
    with db.session() as session:
        for i in range(MESSAGES):
            key = f"fleet:{i:04d}"
            enqueue(session, key=key, channel=targets[i % len(targets)], text=f"message {i}",
                    now=now, audience=Audience.internal)  # fmt: skip
            queued.append(key)
    return queued


def statuses(db: Database) -> Counter[str]:
    with db.session() as session:
        query = select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
        return Counter({status: count for status, count in session.exec(query)})


def assert_exactly_once(standin: SlackStandIn, db: Database, keys_: list[str]) -> None:
    """Every key landed once (the stand-in's count), and every row says `sent`; else what not."""
    done = statuses(db)
    twice = {key: n for key, n in standin.posted.items() if n > 1}
    missing = [key for key in keys_ if not standin.posted[key]]
    stray = set(standin.posted) - set(keys_)
    assert not twice, f"{len(twice)} key(s) posted more than once, e.g. {sorted(twice.items())[:5]}"
    assert not missing, f"{len(missing)} key(s) never posted, e.g. {missing[:5]}; rows: {done}"
    assert not stray, f"posts with keys never queued: {sorted(stray)[:5]}"
    assert done == {OutboxStatus.sent: len(keys_)}, f"rows not all sent: {dict(done)}"


def waiting(db: Database, limit: int = 8) -> list[str]:
    """The first rows not sent: key, status, attempts, due in how long, last error."""
    now = datetime.now(UTC)
    with db.session() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.status) != OutboxStatus.sent)
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        ).all()
    return [
        f"{r.key} {r.status} x{r.attempts} in {(r.next_attempt_at - now).total_seconds():.0f} s "
        f"{r.last_error or ''}".strip()
        for r in rows
    ]


def wait_all_sent(db: Database, standin: SlackStandIn, total: int, timeout: float) -> None:
    """Until every row is `sent`; a timeout fails the test with what the rows and Slack say."""
    deadline = time.monotonic() + timeout
    while statuses(db)[OutboxStatus.sent] < total:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:g} s waiting for all {total} rows to be sent: "
                f"rows {dict(statuses(db))}, {len(standin.posted)} keys landed "
                f"({sum(n > 1 for n in standin.posted.values())} twice); waiting: "
                + "; ".join(waiting(db))
            )
        time.sleep(0.2)


@pytest.mark.parametrize("faults", [False, True], ids=["clean", "30pct-429-500"])
@pytest.mark.parametrize("size", [2, 3])
def test_processes_killed_and_restarted_deliver_each_message_once(
    pg_url: str, standin: SlackStandIn, tmp_path: Path, size: int, faults: bool
) -> None:
    db = Database(pg_url)
    try:
        queued = queue_messages(db, standin)
        standin.latency = 0.01  # a little of Slack's round trip: sends overlap kills
        # 1% of posts land 3 s late, so restarts happen while another process's post is in
        # flight; with faults, 30% of calls fail and 5% of posts land but are never answered
        standin.faults = Faults(share=0.3 if faults else 0.0, seed=size, methods=FAULT_METHODS,
                                landed=0.05 if faults else 0.0, slow=0.01)  # fmt: skip
        backlog = []
        with fleet(tmp_path, standin, pg_url, size, STEWARD_SCHEDULER="off",
                   STEWARD_OUTBOX_INTERVAL="0.05") as running:  # fmt: skip
            for kill in range(KILLS):
                time.sleep(KILL_EVERY)
                if kill:  # the process restarted last serves before the next is killed
                    running.wait_healthy((kill - 1) % size)
                backlog.append(MESSAGES - statuses(db)[OutboxStatus.sent])
                running.kill(kill % size)
                running.start(kill % size, wait=False)
            wait_all_sent(db, standin, MESSAGES, DONE_WAIT)
        assert backlog[KILLS // 2] > 0, f"delivery was over before half the kills: {backlog}"
        assert_exactly_once(standin, db, queued)
        injected = standin.faults.injected
        assert injected["slow"] >= 3 and (not faults or injected["failed"] >= 200), injected
    finally:
        db.dispose()


# -- rolling restart during a digest fan-out -----------------------------------------------------
REPS = 300


def workday_zone(now: datetime) -> ZoneInfo | None:
    """A zone where it is a workday now (a digest at 00:00 is due there), or None (weekends,
    from Saturday noon to Sunday 10:00 UTC, every zone is in the weekend)."""
    for hours in range(-12, 15):
        tz = ZoneInfo(f"Etc/GMT{-hours:+d}" if hours else "UTC")
        if now.astimezone(tz).weekday() < 5:
            return tz
    return None


def seed_reps(db: Database, standin: SlackStandIn, tz: ZoneInfo, now: datetime) -> list[str]:
    """REPS reps, each owning an account with a promise due today: each has a digest due (at
    00:00 in `tz`); the digest keys."""
    today: date = now.astimezone(tz).date()
    users = [f"UREP{r:04d}" for r in range(REPS)]
    seed_known(db, [], users, now)
    with db.session() as session:
        for r, user in enumerate(users):
            standin.add_user(user, user.lower(), tz=tz.key)
            member = session.get(Member, (TEAM, user))
            assert member
            member.tz, member.digest_time = tz.key, "00:00"
            account = Account(team_id=TEAM, name=f"Account {r}", name_key=f"account {r}",
                              slug=f"account-{r}", owner_id=user, created_at=now,
                              created_by=user)  # fmt: skip
            session.add(account)
            session.flush()
            assert account.id
            session.add(Promise(account_id=account.id, what=f"send the quote {r}", owner_id=user,
                                due_on=today, created_by=user, created_at=now))  # fmt: skip
    return [keys.digest(TEAM, user, today) for user in users]


def test_rolling_restart_during_a_digest_fan_out_sends_each_digest_once(
    pg_url: str, standin: SlackStandIn, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    tz = workday_zone(now) or workday_zone(now + timedelta(hours=3))
    if tz is None or workday_zone(now + timedelta(minutes=2)) != tz:
        pytest.skip("no zone has a workday now (Saturday noon to Sunday 10:00 UTC)")
    db = Database(pg_url)
    try:
        digest_keys = seed_reps(db, standin, tz, now)
        standin.latency = 0.01
        standin.tiers = Tiers(scale=30)  # Slack's tiers, 30 times faster: 25 DMs opened a second
        standin.faults = Faults(share=0.0, slow=0.02)  # a post in flight at some restarts
        restarts = []
        with fleet(tmp_path, standin, pg_url, 3, STEWARD_TICK_SECONDS="10",
                   STEWARD_OUTBOX_INTERVAL="0.05") as running:  # fmt: skip
            for slot in range(3):  # every process in turn: stopped, then started again
                time.sleep(1.0)
                restarts.append(REPS - statuses(db)[OutboxStatus.sent])
                code, stderr = running.term(slot)
                assert code == 0 and "Traceback" not in stderr, stderr
                running.start(slot)
            wait_all_sent(db, standin, REPS, DONE_WAIT)
        with db.session() as session:
            ledger = session.exec(select(NudgeLedger.outbox_key)).all()
        assert restarts[0] > 0, f"the fan-out was over before the first restart: {restarts}"
        assert sorted(ledger) == sorted(digest_keys)  # one ledger row per rep, each queued
        assert_exactly_once(standin, db, digest_keys)
    finally:
        db.dispose()


# -- the stand-in's limits and faults ------------------------------------------------------------
def test_stand_in_enforces_slacks_tiers_and_injects_seeded_faults(standin: SlackStandIn) -> None:
    moment = [1000.0]
    standin.tiers = Tiers(clock=lambda: moment[0], workspace_per_second=2.0, workspace_burst=4)
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    client.retry_handlers = []

    def status(method: str, **params: str) -> tuple[int, str | None]:
        try:
            client.api_call(method, params=params)
            return 200, None
        except SlackApiError as error:
            return error.response.status_code, error.response.headers.get("Retry-After")
        except OSError:  # the connection closed unanswered
            return 0, None

    opens = [status("conversations.open", users=ALICE) for _ in range(6)]
    assert opens == [(200, None)] * 5 + [(429, "2")]  # a burst of 5, then 50 a minute
    posts = [status("chat.postMessage", channel=GENERAL, text="hi") for _ in range(4)]
    assert posts == [(200, None)] * 3 + [(429, "1")]  # a burst of 3 in one channel, then 1/s
    assert status("chat.postMessage", channel=BORIS, text="hi") == (200, None)  # another channel
    assert status("chat.postMessage", channel=CAROL, text="hi")[0] == 429  # the workspace's 4
    moment[0] += 60 / 50
    assert status("conversations.open", users=ALICE) == (200, None)

    standin.tiers = None
    standin.posted.clear()
    standin.faults = Faults(share=0.3, seed=1, methods=frozenset({"chat.postMessage"}), landed=0.1)
    outcomes = Counter(
        status("chat.postMessage", channel=GENERAL, text="hi", metadata=json.dumps(
            {"event_type": "steward_outbox", "event_payload": {"key": f"k{i}"}}))[0]
        for i in range(400)
    )  # fmt: skip
    failed = standin.faults.injected["failed"]
    assert 0.25 < failed / 400 < 0.35 and outcomes[429] == standin.faults.injected["429"]
    hidden = standin.faults.injected["landed-drop"]  # landed, then no answer at all
    assert outcomes[0] == hidden > 0 and outcomes[200] == 400 - failed - hidden
    landed = standin.posted  # what landed, hidden or not, each once
    assert len(landed) == sum(landed.values()) == 400 - failed
