"""The tests' waits fail the test when what they wait for never happens: a call site that forgets
to assert cannot pass by accident."""

from __future__ import annotations

import threading

import pytest

from bot.dev.standin import SlackStandIn, WaitTimedOut
from tests.conftest import GENERAL, Slack


def test_wait_for_raises_an_assertion_naming_what_it_waited_for(standin: SlackStandIn) -> None:
    assert standin.wait_for(lambda: True, 0.05) is True
    with pytest.raises(AssertionError, match=r"waiting for the moon"):
        standin.wait_for(lambda: False, 0.05, what="the moon")
    with pytest.raises(AssertionError, match=r"<lambda> at .*test_waits\.py:\d+"):
        standin.wait_for(lambda: [], 0.05)  # unnamed: where the condition was written


def test_wait_posts_and_response_fail_on_timeout(slack: Slack) -> None:
    with pytest.raises(WaitTimedOut, match=r"1 post\(s\) in CGENERAL \(have 0\)"):
        slack.wait_posts(GENERAL, 1, timeout=0.05)
    with pytest.raises(AssertionError, match=r"response_url of nothing-sent"):
        slack.response("nothing-sent", timeout=0.05)


def test_settle_fails_while_a_listener_is_still_working(slack: Slack) -> None:
    release = threading.Event()
    slack.listeners.submit(release.wait, 10)
    try:
        with pytest.raises(AssertionError, match=r"listeners to finish \(1 still running\)"):
            slack.settle(0.1)
    finally:
        release.set()
    assert slack.settle() is True
