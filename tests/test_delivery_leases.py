"""The outbox delivered by several workers on one database (issue 12): leases instead of a
global recover, pacing and 429 back-off shared in the database, DM channels stored, and a
message Slack refuses for good told to a person. Both backends, the stand-in over real HTTP;
time moves by the clock (bot/clock.py), never by sleeping."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlmodel import select

from bot.clock import Clock
from bot.config import ConfigError, Settings
from bot.db import Database
from bot.delivery import METADATA_EVENT, OutboxWorker
from bot.dev.standin import SlackStandIn
from bot.directory import Directory
from bot.gateway import Gateway
from bot.leases import CHECK_WAIT, LEASE, claim
from bot.models import Account, Audience, DmChannel, OutboxMessage
from bot.outbox import enqueue, queued
from tests.conftest import ALICE, BORIS, GENERAL

CLIENT = "UCLIENT"  # a client's person, in another organisation's workspace
TEAM = "T0001"  # the stand-in's workspace: ours


class Stalling(Gateway):
    """A gateway whose checks stall once, while `meanwhile` runs (a worker that hangs between
    claiming a message and posting it)."""

    meanwhile: Callable[[], None] | None = None

    def judge(
        self, team_id: str, channel: str, audience: Audience, account_id: int | None
    ) -> str | None:
        stall, self.meanwhile = self.meanwhile, None
        if stall:
            stall()
        return super().judge(team_id, channel, audience, account_id)


def worker(
    db: Database, standin: SlackStandIn, clock: Clock, interval: float = 0.0
) -> OutboxWorker:
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    gateway = Stalling(db, lambda _team: client, clock, Directory(db, lambda _team: client, clock))
    return OutboxWorker(db, gateway, clock, per_channel_interval=interval)


def queue(db: Database, clock: Clock, key: str, channel: str = GENERAL, **extra: Any) -> None:
    with db.session() as session:
        enqueue(
            session,
            key=key,
            channel=channel,
            text=f"text of {key}",
            now=clock.now(),
            audience=extra.pop("audience", Audience.internal),
            **extra,
        )


def row(db: Database, key: str) -> OutboxMessage:
    with db.session() as session:
        found = queued(session, key)
    assert found is not None, f"no outbox row {key!r}"
    return found


def abandon(db: Database, clock: Clock, key: str) -> None:
    """A worker claims the message, then dies before writing anything back."""
    assert claim(db, row(db, key), "dead-host:1:0", clock.now()) is not None


def posts(standin: SlackStandIn, channel: str | None = None) -> list[dict[str, Any]]:
    return [
        c["params"]
        for c in standin.calls
        if c["method"] == "chat.postMessage" and channel in (None, c["params"].get("channel"))
    ]


def land(standin: SlackStandIn, channel: str, key: str, thread_ts: str | None = None) -> str:
    """The message reached Slack (as the worker that died had posted it); returns its ts."""
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    metadata = {"event_type": METADATA_EVENT, "event_payload": {"key": key}}
    posted = client.chat_postMessage(
        channel=channel, text=key, metadata=metadata, thread_ts=thread_ts
    )
    return str(posted["ts"])


# -- leases ------------------------------------------------------------------------------------
def test_a_live_lease_is_left_alone_and_a_lapsed_one_posted_once(
    db: Database, standin: SlackStandIn
) -> None:
    clock = Clock()
    queue(db, clock, "k1")
    abandon(db, clock, "k1")
    other = worker(db, standin, clock)
    other.deliver_due()
    clock.offset += LEASE - timedelta(seconds=1)
    other.deliver_due()
    assert posts(standin) == [] and row(db, "k1").lease_owner == "dead-host:1:0"
    clock.offset += timedelta(seconds=2)  # the lease has run out: taken over, checked, posted
    other.deliver_due()
    other.deliver_due()
    assert [p["text"] for p in posts(standin)] == ["text of k1"]
    done = row(db, "k1")
    assert (done.status, done.lease_owner, done.ts) == ("sent", None, standin.messages[0]["ts"])
    history = [c["params"]["channel"] for c in standin.calls if "history" in c["method"]]
    assert history == [GENERAL]  # it looked before posting


def test_a_worker_starting_leaves_the_messages_others_are_sending(
    db: Database, standin: SlackStandIn
) -> None:
    """A rolling restart: the new process must not take a live worker's message for lost."""
    clock = Clock()
    queue(db, clock, "theirs")
    queue(db, clock, "mine", channel="CELSEWHERE")
    standin.add_channel("CELSEWHERE", "elsewhere")
    assert claim(db, row(db, "theirs"), "live-host:1:0", clock.now()) is not None
    restarted = worker(db, standin, clock)
    restarted.start()
    try:
        standin.wait_for(lambda: row(db, "mine").status == "sent", timeout=10)
    finally:
        restarted.stop()
    assert [p["text"] for p in posts(standin)] == ["text of mine"]
    assert (row(db, "theirs").status, row(db, "theirs").lease_owner) == ("sending", "live-host:1:0")


def test_a_lapsed_lease_whose_post_landed_is_marked_sent_without_a_second_post(
    db: Database, standin: SlackStandIn
) -> None:
    clock = Clock()
    queue(db, clock, "k1")
    abandon(db, clock, "k1")
    ts = land(standin, GENERAL, "k1")
    clock.offset += LEASE + timedelta(seconds=1)
    worker(db, standin, clock).deliver_due()
    assert len(posts(standin)) == 1  # the one that landed before the worker died
    assert (row(db, "k1").status, row(db, "k1").ts) == ("sent", ts)


def test_a_history_slack_would_not_show_costs_no_attempt_and_is_asked_again_soon(
    db: Database, standin: SlackStandIn
) -> None:
    """Checking is a read: Slack failing it (a 500, a 429) does not count as a try at sending,
    nor push the message back by its growing backoff; a 429's Retry-After is kept."""
    clock = Clock()
    queue(db, clock, "k1")
    abandon(db, clock, "k1")  # attempt 1, its outcome unknown
    clock.offset += LEASE + timedelta(seconds=1)
    standin.fail("conversations.history", status=500, times=3)
    other = worker(db, standin, clock)
    other.deliver_due()
    waiting = row(db, "k1")
    assert (waiting.status, waiting.attempts) == ("unknown", 1)
    assert waiting.next_attempt_at - clock.now() <= CHECK_WAIT
    clock.offset += CHECK_WAIT
    other.deliver_due()
    assert row(db, "k1").attempts == 1 and posts(standin) == []
    standin.reset()
    standin.fail("conversations.history", status=429, retry_after=7)
    clock.offset += CHECK_WAIT
    other.deliver_due()
    due_in = row(db, "k1").next_attempt_at - clock.now()
    assert timedelta(seconds=6) < due_in <= timedelta(seconds=7)
    clock.offset += timedelta(seconds=7)
    other.deliver_due()
    assert [p["text"] for p in posts(standin)] == ["text of k1"]
    assert (row(db, "k1").status, row(db, "k1").attempts) == ("sent", 2)


def test_a_thread_reply_of_unknown_outcome_is_looked_for_in_its_thread(
    db: Database, standin: SlackStandIn
) -> None:
    """Replies are not in the channel's history: conversations.replies has them."""
    clock = Clock()
    queue(db, clock, "parent")
    queue(db, clock, "reply", thread_key="parent")
    w = worker(db, standin, clock)
    w.deliver_due()
    parent_ts = row(db, "parent").ts
    assert parent_ts is not None
    abandon(db, clock, "reply")
    ts = land(standin, GENERAL, "reply", thread_ts=parent_ts)
    clock.offset += LEASE + timedelta(seconds=1)
    w.deliver_due()
    assert len(posts(standin)) == 2  # the parent, and the reply that landed before the crash
    assert (row(db, "reply").status, row(db, "reply").ts) == ("sent", ts)


def test_a_worker_whose_lease_ran_out_posts_nothing_and_overwrites_nothing(
    db: Database, standin: SlackStandIn
) -> None:
    """It hung between claiming and posting; another took the message over and sent it."""
    clock = Clock()
    queue(db, clock, "k1")
    hung, other = worker(db, standin, clock), worker(db, standin, clock)

    def hang() -> None:
        clock.offset += LEASE + timedelta(seconds=1)
        other.deliver_due()

    assert isinstance(hung.gateway, Stalling)
    hung.gateway.meanwhile = hang
    hung.deliver_due()
    assert [p["text"] for p in posts(standin)] == ["text of k1"]  # the other's post alone
    done = row(db, "k1")
    assert (done.status, done.ts, done.lease_owner) == ("sent", standin.messages[0]["ts"], None)


def test_a_finish_after_the_lease_was_taken_over_changes_nothing(
    db: Database, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """The post landed, then the worker hung past its lease, and another took the message over
    (it is checking the channel's history). The late worker's write-back must not count."""
    clock = Clock()
    queue(db, clock, "k1")
    slow = worker(db, standin, clock)

    def heard(kind: str, record: dict[str, Any]) -> None:
        if kind == "message" and record["text"] == "text of k1":
            clock.offset += LEASE + timedelta(seconds=1)  # before the slow one hears Slack
            assert claim(db, row(db, "k1"), "other:2:0", clock.now()) is not None

    standin.add_listener(heard)
    with caplog.at_level(logging.WARNING, logger="bot.delivery"):
        slow.deliver_due()
    assert "lease lost to another worker" in caplog.text
    taken = row(db, "k1")
    assert (taken.status, taken.lease_owner, taken.ts) == ("sending", "other:2:0", None)
    clock.offset += LEASE + timedelta(seconds=1)  # that one died too: a third finds the post
    worker(db, standin, clock).deliver_due()
    assert len(posts(standin)) == 1
    assert (row(db, "k1").status, row(db, "k1").ts) == ("sent", standin.messages[0]["ts"])


# -- pacing ------------------------------------------------------------------------------------
def test_two_workers_pace_one_channel_together(db: Database, standin: SlackStandIn) -> None:
    clock = Clock()
    interval = 0.25
    for n in range(5):
        queue(db, clock, f"k{n}")
    workers = [worker(db, standin, clock, interval), worker(db, standin, clock, interval)]
    threads = [threading.Thread(target=w.drain, kwargs={"timeout": 20}) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = sorted(c["at"] for c in standin.calls if c["method"] == "chat.postMessage")
    assert len(times) == 5
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= interval, f"posts {min(gaps):.3f} s apart"


def test_a_429_seen_by_one_worker_holds_the_other(db: Database, standin: SlackStandIn) -> None:
    clock = Clock()
    standin.fail("chat.postMessage", status=429, retry_after=30)
    queue(db, clock, "k1")
    worker(db, standin, clock).deliver_due()
    other = worker(db, standin, clock)  # another process: nothing of the first in its memory
    other.deliver_due()
    clock.offset += timedelta(seconds=29)
    other.deliver_due()
    assert standin.messages == []
    clock.offset += timedelta(seconds=2)
    other.deliver_due()
    assert [m["text"] for m in standin.messages] == ["text of k1"]


# -- DMs ---------------------------------------------------------------------------------------
def test_a_dm_goes_to_the_user_id_once_then_to_the_stored_dm_channel(
    db: Database, standin: SlackStandIn
) -> None:
    clock = Clock()
    queue(db, clock, "first", channel=f"@{ALICE}")
    worker(db, standin, clock).deliver_due()
    queue(db, clock, "second", channel=f"@{ALICE}")
    worker(db, standin, clock).deliver_due()  # a restart: a new process, nothing in memory
    assert [p["channel"] for p in posts(standin)] == [ALICE, f"D{ALICE}"]
    assert not [c for c in standin.calls if c["method"] == "conversations.open"]
    assert [m["channel"] for m in standin.messages] == [f"D{ALICE}", f"D{ALICE}"]
    assert row(db, "first").channel == f"D{ALICE}"


@pytest.mark.parametrize("known", [True, False], ids=["dm known", "dm never answered"])
def test_a_dm_of_unknown_outcome_is_checked_in_the_dm_channel(
    db: Database, standin: SlackStandIn, known: bool
) -> None:
    clock = Clock()
    queue(db, clock, "digest", channel=f"@{ALICE}")
    abandon(db, clock, "digest")
    if known:
        with db.session() as session:
            session.add(DmChannel(team_id=TEAM, user_id=ALICE, channel_id=f"D{ALICE}"))
    ts = land(standin, ALICE, "digest")
    clock.offset += LEASE + timedelta(seconds=1)
    worker(db, standin, clock).deliver_due()
    assert len(posts(standin)) == 1 and row(db, "digest").ts == ts
    history = [c["params"]["channel"] for c in standin.calls if "history" in c["method"]]
    opened = [c for c in standin.calls if c["method"] == "conversations.open"]
    assert (history, len(opened)) == ([f"D{ALICE}"], 0 if known else 1)


# -- permanent failures ------------------------------------------------------------------------
def account(db: Database, clock: Clock, owner: str = BORIS) -> int:
    with db.session() as session:
        acme = Account(
            team_id=TEAM,
            name="Acme",
            name_key="acme",
            slug="acme",
            owner_id=owner,
            created_at=clock.now(),
            created_by=owner,
        )
        session.add(acme)
        session.flush()
        assert acme.id is not None
        return acme.id


def told(standin: SlackStandIn, user: str) -> list[str]:
    return [m["text"] for m in standin.messages if m["channel"] == f"D{user}"]


def test_a_private_channel_never_joined_tells_who_caused_the_message(
    db: Database, standin: SlackStandIn
) -> None:
    clock = Clock()
    standin.add_channel("CPRIV", "deals", is_private=True)
    standin.fail("chat.postMessage", status=200, error="not_in_channel")
    standin.fail("conversations.join", status=200, error="method_not_supported_for_channel_type")
    queue(db, clock, "confirm", channel="CPRIV", caused_by=ALICE, account_id=account(db, clock))
    w = worker(db, standin, clock)
    for _ in range(4):
        w.deliver_due()
        clock.offset += timedelta(minutes=10)
    assert row(db, "confirm").status == "failed"
    [notice] = told(standin, ALICE)
    assert "<#CPRIV>" in notice and "`/invite @Steward` in <#CPRIV>" in notice
    assert "text of confirm" in notice and told(standin, BORIS) == []


def test_a_scheduled_message_that_fails_tells_the_account_owner(
    db: Database, standin: SlackStandIn
) -> None:
    clock = Clock()
    standin.add_channel("CDEALS", "deals", is_private=True)  # Steward was removed from it
    standin.fail("chat.postMessage", status=200, error="channel_not_found")
    queue(db, clock, "aging", channel="CDEALS", account_id=account(db, clock))
    worker(db, standin, clock).drain(timeout=10)
    assert row(db, "aging").last_error == "channel_not_found"
    [notice] = told(standin, BORIS)
    assert "<#CDEALS>" in notice and "`/invite @Steward` in <#CDEALS>" in notice


def test_a_client_who_caused_a_failed_message_is_never_told(
    db: Database, standin: SlackStandIn
) -> None:
    clock = Clock()
    standin.add_user(CLIENT, "jan", team_id="TCLIENT")
    standin.fail("chat.postMessage", status=200, error="is_archived")
    queue(db, clock, "route", channel=GENERAL, caused_by=CLIENT, account_id=account(db, clock))
    worker(db, standin, clock).drain(timeout=10)
    assert told(standin, CLIENT) == [] and len(told(standin, BORIS)) == 1


def test_a_notice_that_fails_brings_no_notice_about_itself(
    db: Database, standin: SlackStandIn
) -> None:
    """Nor about a notice held back: the account's owner is not someone Slack knows of ours."""
    clock = Clock()
    standin.fail("chat.postMessage", status=200, error="is_archived")
    queue(db, clock, "x", channel=GENERAL, account_id=account(db, clock, owner="UNOBODY"))
    worker(db, standin, clock).drain(timeout=10)
    with db.session() as session:
        rows = session.exec(select(OutboxMessage.key, OutboxMessage.status)).all()
    assert sorted(rows) == [("failed:x", "held"), ("x", "failed")]


def test_the_interval_and_the_lease_come_from_the_environment() -> None:
    settings = Settings.from_env({"STEWARD_OUTBOX_LEASE": "5", "STEWARD_OUTBOX_INTERVAL": "0.2"})
    assert (settings.outbox_lease, settings.outbox_interval) == (5.0, 0.2)
    assert Settings.from_env({}).outbox_lease == LEASE.total_seconds()
    with pytest.raises(ConfigError, match="STEWARD_OUTBOX_LEASE must be a number of seconds"):
        Settings.from_env({"STEWARD_OUTBOX_LEASE": "soon"})
