"""Promise changes over HTTP on both databases: give a promise to another owner, re-word it,
reopen it; who is told, what the client's channel hears, what the account's story keeps, and
the refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.blocks import rendered
from bot.models import AccountEvent, EventKind, Promise, PromiseStatus
from tests.conftest import ACME_CHANNEL, ALICE, BORIS, CAROL, Slack
from tests.test_routing import CLIENT


@pytest.fixture
def acme(slack: Slack) -> Slack:
    """Acme Rail (its channel shared with the client) and Alice's P-1 to it, confirmed there."""
    slack.standin.add_user(CLIENT, "jan", real_name="Jan Client", team_id="TCLIENT")
    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail>")
    assert "*P-1* recorded" in slack.reply("/promise", "acme send the revised quote by friday")
    slack.wait_posts(ACME_CHANNEL, 1)
    return slack


def thread_notes(slack: Slack, count: int) -> list[str]:
    """What was said in the thread of P-1's written confirmation, once there are `count`."""
    posts = slack.wait_posts(ACME_CHANNEL, 1 + count)
    return [rendered(p) for p in posts if p.get("thread_ts")]


def dms(slack: Slack, user: str, count: int) -> list[str]:
    return [rendered(m) for m in slack.wait_posts(slack.standin._open_im(user), count)]


def story(slack: Slack) -> list[AccountEvent]:
    with slack.steward.db.session() as session:
        return list(session.exec(select(AccountEvent).order_by(AccountEvent.id)).all())


def p1(slack: Slack) -> Promise:
    with slack.steward.db.session() as session:
        promise = session.get(Promise, 1)
        assert promise is not None
        return promise


def test_give_a_promise_to_another_owner(acme: Slack) -> None:
    slack = acme
    answer = slack.reply("/promise", f"owner P-1 <@{BORIS}>", user=CAROL)
    assert f"P-1 is now <@{BORIS}>'s (was <@{ALICE}>'s)" in answer
    assert p1(slack).owner_id == BORIS
    [to_boris] = dms(slack, BORIS, 1)
    assert f"<@{CAROL}> gave you promise P-1 (was <@{ALICE}>'s): send the revised quote" in to_boris
    [to_alice] = dms(slack, ALICE, 1)
    assert f"<@{CAROL}> gave your promise P-1 to <@{BORIS}>" in to_alice
    assert thread_notes(slack, 1) == [
        f":bust_in_silhouette: P-1 is now <@{BORIS}>'s (was <@{ALICE}>'s)."
    ]
    [event] = story(slack)
    assert (event.kind, event.subject, event.by) == (EventKind.promise_reassigned, "P-1", CAROL)
    assert event.detail == f"owner <@{ALICE}> → <@{BORIS}>"
    # Given back, and given again: each change is told, every time.
    slack.reply("/promise", f"owner P-1 <@{ALICE}>", user=CAROL)
    slack.reply("/promise", f"owner P-1 <@{BORIS}>", user=CAROL)
    assert len(dms(slack, BORIS, 3)) == 3
    assert len(story(slack)) == 3


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        (f"owner P-1 <@{CLIENT}>", f"<@{CLIENT}> is not of our organisation"),
        (f"owner P-99 <@{BORIS}>", "there is no promise P-99"),
        (f"owner P-1 <@{ALICE}>", f"P-1 is already <@{ALICE}>'s"),
        ("owner P-1", "give the new owner as one @mention"),
        ("reword P-1", "give the new words after the id"),
        ("reword P-99 say it better", "there is no promise P-99"),
        ("reopen P-1", "P-1 is already open"),
        ("reopen P-1 by someday", "I couldn't read “someday” as a due date"),
    ],
)
def test_refusals_change_nothing(acme: Slack, text: str, refused: str) -> None:
    slack = acme
    before = p1(slack)
    answer = slack.reply("/promise", text)
    assert refused in answer and f"/promise {text}" in answer  # the person's own text echoed
    assert p1(slack) == before and story(slack) == []


def test_reword_is_said_in_the_thread_and_told_to_the_owner(acme: Slack) -> None:
    slack = acme
    answer = slack.reply(
        "/promise", "reword P-1 send the revised quote with the discount", user=BORIS
    )
    assert (
        "P-1 now reads: send the revised quote with the discount (was: send the revised quote)"
        in answer
    )
    assert p1(slack).what == "send the revised quote with the discount"
    [note] = thread_notes(slack, 1)
    assert "P-1 re-worded: send the revised quote with the discount" in note
    [told] = dms(slack, ALICE, 1)
    assert f"<@{BORIS}> re-worded your promise P-1" in told
    [event] = story(slack)
    assert event.kind == EventKind.promise_reworded
    assert event.detail == "“send the revised quote” → “send the revised quote with the discount”"


def test_reopen_a_kept_promise_as_it_was_or_with_a_new_date(acme: Slack) -> None:
    slack = acme
    slack.reply("/promise", "done P-1 sent on Tuesday")
    due = p1(slack).due_on
    answer = slack.reply("/promise", "reopen P-1")
    assert "P-1 is open again: send the revised quote" in answer
    reopened = p1(slack)
    assert reopened.status == PromiseStatus.open and reopened.due_on == due
    assert reopened.closed_at is None and reopened.closed_by is None
    [event] = story(slack)
    assert event.kind == EventKind.promise_reopened
    assert event.detail.startswith(f"reopened: was kept by <@{ALICE}> on ")
    assert "(sent on Tuesday)" in event.detail
    slack.reply("/promise", "cancel P-1 client changed their mind")
    later = due + timedelta(days=14)
    slack.reply("/promise", f"reopen P-1 by {later.isoformat()}", user=BORIS)
    again = p1(slack)
    assert again.status == PromiseStatus.open and again.due_on == later
    assert len(dms(slack, ALICE, 1)) == 1  # Boris reopened Alice's promise: she is told
    assert "is open again" in thread_notes(slack, 4)[-1]
