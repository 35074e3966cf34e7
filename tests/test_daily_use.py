"""Daily use (issue 11) over the real wire: dates as each person writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.models import Promise
from tests.conftest import ALICE, BORIS, GLOBEX_CHANNEL, Slack


def due_of(slack: Slack, what: str) -> date:
    with slack.steward.db.session() as session:
        promise = session.exec(select(Promise).where(Promise.what == what)).one()
        return promise.due_on


@pytest.mark.parametrize(
    ("user", "typed", "expected", "said"),
    [
        (BORIS, "03/04", date(2027, 3, 4), "Thu 4 Mar"),  # New York, en-US: month/day
        (BORIS, "12/15", date(2026, 12, 15), "Tue 15 Dec"),
        (ALICE, "03/04", date(2027, 4, 3), "Sat 3 Apr"),  # Warsaw, pl-PL: day/month
        (ALICE, "15.12", date(2026, 12, 15), "Tue 15 Dec"),
        (BORIS, "2026-12-15", date(2026, 12, 15), "Tue 15 Dec"),  # ISO, for everyone
    ],
)
def test_numeric_due_dates_read_as_the_person_writes_them(
    slack: Slack, user: str, typed: str, expected: date, said: str
) -> None:
    slack.steward.clock.offset = datetime(2026, 11, 30, 12, tzinfo=UTC) - datetime.now(UTC)
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>", user=user)
    text = slack.reply("/promise", f"globex send the deck by {typed}", user=user)
    assert due_of(slack, "send the deck") == expected
    assert said in text, text
