"""The outbox wakes itself after commit (Database.on_queued): a message queued inside a
transaction reaches Slack within 0.5 s of the commit, not at the worker's next poll (5 s), and a
transaction that rolls back queues nothing and wakes nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.config import Settings
from bot.dev.standin import SlackStandIn
from bot.models import Audience, OutboxMessage, OutboxStatus
from bot.outbox import enqueue
from bot.steward import Steward
from tests.conftest import GENERAL

WITHIN = 0.5  # seconds from commit to chat.postMessage
HELD_OPEN = 0.3  # seconds the queuing transaction stays open before it commits


class Arrivals:
    """When each message reached the stand-in (time.monotonic()), by its text."""

    def __init__(self, standin: SlackStandIn) -> None:
        self.at: dict[str, float] = {}
        self._changed = threading.Condition()
        standin.add_listener(self._heard)

    def _heard(self, kind: str, record: dict[str, Any]) -> None:
        if kind == "message":
            with self._changed:
                self.at[record["text"]] = time.monotonic()
                self._changed.notify_all()

    def wait(self, text: str, timeout: float) -> float:
        with self._changed:
            if not self._changed.wait_for(lambda: text in self.at, timeout):
                raise AssertionError(f"timed out after {timeout:g} s waiting for {text!r}")
            return self.at[text]


@pytest.fixture
def steward(database_url: str, standin: SlackStandIn) -> Iterator[Steward]:
    settings = Settings(
        bot_token="xoxb-test",
        database_url=database_url,
        slack_api_url=standin.api_url,
        outbox_interval=0.0,  # no pacing between posts to one channel
    )
    st = Steward.from_settings(settings)
    yield st
    st.outbox.stop()
    st.db.dispose()


def queue(st: Steward, session: Session, text: str) -> None:
    enqueue(
        session,
        key=f"wakeup:{text}",
        channel=GENERAL,
        text=text,
        now=st.clock.now(),
        audience=Audience.internal,
    )


def status(st: Steward, text: str) -> str | None:
    with st.db.session() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.text == text)).first()
    return row.status if row else None


def wait_status(st: Steward, text: str, wanted: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while (found := status(st, text)) != wanted:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {text!r} to be {wanted} (is {found})")
        time.sleep(0.01)


def test_a_message_queued_in_a_transaction_leaves_within_half_a_second_of_the_commit(
    steward: Steward, standin: SlackStandIn
) -> None:
    st = steward
    arrivals = Arrivals(standin)
    with st.db.session() as session:  # first, one message through: every cache warm, and
        queue(st, session, "warm-up")  # the worker back in its poll wait (5 s) afterwards
    st.outbox.start()
    arrivals.wait("warm-up", timeout=10)
    wait_status(st, "warm-up", OutboxStatus.sent)  # its writes done: nothing holds a lock

    with st.db.session() as session:
        queue(st, session, "the one")
        time.sleep(HELD_OPEN)  # the transaction stays open; nothing may leave meanwhile
        assert "the one" not in arrivals.at
        committing = time.monotonic()
    arrived = arrivals.wait("the one", timeout=10)  # past the poll: how late, if late
    assert arrived - committing < WITHIN, f"delivered {arrived - committing:.2f} s after commit"


def test_a_rolled_back_transaction_queues_nothing_and_wakes_nothing(
    steward: Steward, standin: SlackStandIn
) -> None:
    st = steward
    woken: list[int] = []

    def visible_rows() -> int:
        with Session(st.db.engine) as other:  # another connection: only committed rows
            return int(other.exec(select(func.count()).select_from(OutboxMessage)).one())

    st.db.on_queued(lambda: woken.append(visible_rows()))
    st.outbox.start()

    with pytest.raises(RuntimeError), st.db.session() as session:
        queue(st, session, "never sent")
        raise RuntimeError("the work failed after queuing")
    assert woken == []
    assert visible_rows() == 0
    with st.db.session() as session:  # a transaction that queues nothing wakes nothing
        session.exec(select(OutboxMessage)).all()
    assert woken == []

    with st.db.session() as session:
        queue(st, session, "sent once")
    assert woken == [1]  # once, after the commit: the row was visible when it woke
    assert st.outbox.drain(timeout=10)
    assert [m["text"] for m in standin.messages] == ["sent once"]
