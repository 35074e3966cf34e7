"""The outbox: nothing lost, nothing doubled, paced — against the stand-in over real HTTP."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import select

from bot.clock import Clock
from bot.db import Database
from bot.delivery import METADATA_EVENT, OutboxWorker
from bot.dev.standin import SlackStandIn
from bot.directory import Directory
from bot.gateway import Gateway
from bot.models import Audience, OutboxMessage
from bot.outbox import enqueue

CHANNEL = "COUT"


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    with SlackStandIn() as s:
        s.add_channel(CHANNEL, "outbox")
        s.add_channel("COTHER", "other")
        yield s


def worker(
    db: Database, stand_in: SlackStandIn, clock: Clock, interval: float = 0.0
) -> OutboxWorker:
    client = WebClient(token="xoxb-test", base_url=stand_in.api_url)
    gateway = Gateway(db, lambda _team: client, clock, Directory(db, lambda _team: client, clock))
    return OutboxWorker(db, gateway, clock, per_channel_interval=interval)


def queue(
    db: Database,
    clock: Clock,
    key: str,
    channel: str = CHANNEL,
    audience: Audience = Audience.internal,
    **extra: object,
) -> None:
    with db.session() as session:
        enqueue(
            session,
            key=key,
            channel=channel,
            text=f"text of {key}",
            now=clock.now(),
            audience=audience,
            **extra,  # type: ignore[arg-type]
        )


def statuses(db: Database) -> dict[str, str]:
    with db.session() as session:
        return {m.key: m.status for m in session.exec(select(OutboxMessage)).all()}


def passes(w: OutboxWorker, clock: Clock, count: int = 6) -> None:
    """Run delivery passes, moving the clock past each backoff instead of sleeping."""
    for _ in range(count):
        w.deliver_due()
        clock.offset += timedelta(minutes=10)


def test_enqueue_is_idempotent_by_key(db: Database) -> None:
    clock = Clock()
    queue(db, clock, "k1")
    queue(db, clock, "k1")
    assert list(statuses(db).values()) == ["pending"]


def test_429_and_500_are_retried_and_the_message_arrives_once(
    db: Database, stand_in: SlackStandIn
) -> None:
    clock = Clock()
    stand_in.fail("chat.postMessage", status=429, retry_after=1)
    stand_in.fail("chat.postMessage", status=500, times=2)
    queue(db, clock, "k1")
    w = worker(db, stand_in, clock)
    passes(w, clock)
    assert [m["text"] for m in stand_in.messages] == ["text of k1"]
    tries = [c["status"] for c in stand_in.calls if c["method"] == "chat.postMessage"]
    assert tries == [429, 500, 500, 200]
    with db.session() as session:
        row = session.exec(select(OutboxMessage)).one()
    assert (row.status, row.attempts, row.ts) == ("sent", 3, stand_in.messages[0]["ts"])


def test_retry_after_is_honoured(db: Database, stand_in: SlackStandIn) -> None:
    clock = Clock()
    stand_in.fail("chat.postMessage", status=429, retry_after=30)
    queue(db, clock, "k1")
    w = worker(db, stand_in, clock)
    w.deliver_due()
    clock.offset += timedelta(seconds=29)
    w.deliver_due()
    assert stand_in.messages == []
    clock.offset += timedelta(seconds=2)
    w.deliver_due()
    assert len(stand_in.messages) == 1


def test_permanent_errors_are_not_retried(db: Database, stand_in: SlackStandIn) -> None:
    clock = Clock()
    queue(db, clock, "gone", channel="CNOWHERE", audience=Audience.client)
    passes(worker(db, stand_in, clock), clock)
    assert statuses(db) == {"gone": "failed"}
    assert len([c for c in stand_in.calls if c["method"] == "chat.postMessage"]) == 1


def test_a_send_of_unknown_outcome_is_checked_before_it_is_retried(
    db: Database, stand_in: SlackStandIn
) -> None:
    clock = Clock()
    queue(db, clock, "landed")
    queue(db, clock, "lost")
    # "landed" reached Slack before the crash; "lost" did not. Both were left mid-send.
    client = WebClient(token="xoxb-test", base_url=stand_in.api_url)
    client.chat_postMessage(
        channel=CHANNEL,
        text="text of landed",
        metadata={"event_type": METADATA_EVENT, "event_payload": {"key": "landed"}},
    )
    with db.session() as session:  # claimed by a worker that died: its lease has run out
        for row in session.exec(select(OutboxMessage)).all():
            row.status, row.lease_owner = "sending", "dead:1:0"
            row.lease_until = clock.now() - timedelta(seconds=1)
            session.add(row)
    w = worker(db, stand_in, clock)
    passes(w, clock, 2)
    assert sorted(m["text"] for m in stand_in.messages) == ["text of landed", "text of lost"]
    assert statuses(db) == {"landed": "sent", "lost": "sent"}


def test_two_workers_on_one_database_send_each_message_once(
    db: Database, stand_in: SlackStandIn
) -> None:
    clock = Clock()
    for n in range(20):
        queue(db, clock, f"k{n}", channel=CHANNEL if n % 2 else "COTHER")
    workers = [worker(db, stand_in, clock), worker(db, stand_in, clock)]
    threads = [threading.Thread(target=w.drain, kwargs={"timeout": 20}) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    texts = sorted(m["text"] for m in stand_in.messages)
    assert texts == sorted(f"text of k{n}" for n in range(20))


def test_posts_to_one_channel_are_paced(db: Database, stand_in: SlackStandIn) -> None:
    clock = Clock()
    for n in range(3):
        queue(db, clock, f"k{n}")
    assert worker(db, stand_in, clock, interval=0.2).drain()
    times = [c["at"] for c in stand_in.calls if c["method"] == "chat.postMessage"]
    assert len(times) == 3
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(times))


def test_a_thread_reply_waits_for_its_parent(db: Database, stand_in: SlackStandIn) -> None:
    clock = Clock()
    stand_in.fail("chat.postMessage", status=500)
    queue(db, clock, "parent")
    queue(db, clock, "child", thread_key="parent")
    w = worker(db, stand_in, clock)
    w.deliver_due()  # parent fails once; child must not go out on its own
    assert stand_in.messages == []
    passes(w, clock, 3)
    parent, child = stand_in.messages
    assert parent["text"] == "text of parent" and child["thread_ts"] == parent["ts"]


def test_joins_a_public_channel_it_is_not_in_and_posts_once(
    db: Database, stand_in: SlackStandIn
) -> None:
    clock = Clock()
    w = worker(db, stand_in, clock)
    stand_in.fail("chat.postMessage", status=200, error="not_in_channel")
    queue(db, clock, "join")
    passes(w, clock, 2)
    assert statuses(db) == {"join": "sent"}
    sends = ("chat.postMessage", "conversations.join")  # not the look-ups around them
    assert [c["method"] for c in stand_in.calls if c["method"] in sends] == [
        "chat.postMessage",
        "conversations.join",
        "chat.postMessage",
    ]
    assert stand_in.bot_user_id in stand_in.channels[CHANNEL]["members"]


def test_a_private_channel_it_cannot_join_fails_clearly(
    db: Database, stand_in: SlackStandIn
) -> None:
    clock = Clock()
    w = worker(db, stand_in, clock)
    stand_in.fail("chat.postMessage", status=200, error="not_in_channel")
    stand_in.fail("conversations.join", status=200, error="method_not_supported_for_channel_type")
    queue(db, clock, "private")
    passes(w, clock, 2)
    assert statuses(db) == {"private": "failed"}
    with db.session() as session:
        assert session.exec(select(OutboxMessage)).one().last_error == "not_in_channel"


def test_a_channel_s_messages_leave_in_order_whoever_delivers(
    db: Database, stand_in: SlackStandIn
) -> None:
    """While another worker is still sending a channel's earlier message, its next waits."""
    clock = Clock()
    queue(db, clock, "first")
    queue(db, clock, "second")
    queue(db, clock, "elsewhere", channel="COTHER")
    with db.session() as session:  # another worker has claimed "first" and is sending it
        row = session.exec(select(OutboxMessage).where(OutboxMessage.key == "first")).one()
        row.status, row.lease_owner = "sending", "other:2:0"
        row.lease_until = clock.now() + timedelta(seconds=60)
        session.add(row)
    w = worker(db, stand_in, clock)
    w.deliver_due()
    assert statuses(db) == {"first": "sending", "second": "pending", "elsewhere": "sent"}
    with db.session() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.key == "first")).one()
        row.status = "sent"
        session.add(row)
    w.deliver_due()
    assert statuses(db)["second"] == "sent"


def test_two_requests_queuing_one_key_at_once_queue_it_once(db: Database) -> None:
    """Slack may deliver one event twice, to two workers: the second enqueue waits for the
    first and finds its row, rather than failing its transaction on the unique key."""
    now = datetime.now(UTC)
    first_in = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        first_in.wait(5)
        try:
            with db.session() as session:
                enqueue(session, key="k:once", channel="C1", text="b", now=now,
                        audience=Audience.internal)  # fmt: skip
        except BaseException as error:  # the test fails below, with what it was
            errors.append(error)

    racer = threading.Thread(target=second)
    racer.start()
    with db.session() as session:
        enqueue(session, key="k:once", channel="C1", text="a", now=now,
                audience=Audience.internal)  # fmt: skip
        first_in.set()
        racer.join(0.5)  # the second waits on this transaction's insert (or its own snapshot)
    racer.join(10)
    assert not racer.is_alive(), "the second enqueue never finished"
    assert errors == []
    with db.session() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.key == "k:once")).all()
    assert [r.text for r in rows] == ["a"]
