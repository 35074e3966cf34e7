"""Acks never wait on work: a request is acked while every work thread is busy."""

from __future__ import annotations

import threading
from typing import Any

from bot.dev.local import HttpResult
from tests.conftest import ALICE, GENERAL, Slack


def test_a_command_is_acked_while_all_work_is_stuck(slack: Slack) -> None:
    """Every work thread is held inside a command's answer (the response_url does not answer
    until released); another command's ack still comes back, before any of that work ends."""
    release, stuck = threading.Event(), threading.Semaphore(0)

    def hold(kind: str, record: dict[str, Any]) -> None:
        if kind == "response" and not release.is_set():
            stuck.release()  # this answer's work is now held
            release.wait(30)

    slack.standin.add_listener(hold)
    held = slack.steward.work.workers + 2  # every thread busy, and work waiting behind them
    keys: list[str] = []
    acked: list[HttpResult] = []
    try:
        for _ in range(held):
            result, key = slack.command("/steward", "help", user=ALICE, channel=GENERAL)
            assert result.status == 200, f"an ack waited on earlier work: {result.body}"
            keys.append(key)
        for _ in range(slack.steward.work.workers):
            assert stuck.acquire(timeout=10), "the work did not reach the response_url"
        came_back = threading.Event()

        def another() -> None:
            result, key = slack.command("/steward", "help", user=ALICE, channel=GENERAL)
            acked.append(result)
            keys.append(key)
            came_back.set()

        threading.Thread(target=another, daemon=True).start()
        assert came_back.wait(5), "the ack waited for the work of earlier requests"
        assert slack.steward.work.held == held + 1  # none of that work has finished
        assert acked[0].status == 200 and acked[0].body == ""
    finally:
        release.set()
    assert slack.settle(), "the work did not finish once released"
    answered = {r["key"] for r in slack.standin.responses}
    assert answered == set(keys), "every command was answered once the work was released"


def test_a_form_opens_while_all_work_is_stuck(slack: Slack) -> None:
    """Opening a form must happen within 3 s of the command (its trigger expires): it does not
    queue behind the work of a burst, even when every work thread is held."""
    release, stuck = threading.Event(), threading.Semaphore(0)

    def hold(kind: str, record: dict[str, Any]) -> None:
        if kind == "response" and not release.is_set():
            stuck.release()
            release.wait(30)

    slack.standin.add_listener(hold)
    try:
        for _ in range(slack.steward.work.workers + 2):
            result, _key = slack.command("/steward", "help", user=ALICE, channel=GENERAL)
            assert result.status == 200
        for _ in range(slack.steward.work.workers):
            assert stuck.acquire(timeout=10), "the work did not reach the response_url"
        result, _key = slack.command("/logcontact", "", user=ALICE, channel=GENERAL)
        assert result.status == 200
        slack.standin.wait_for(lambda: slack.standin.views, 5, what="the form to open")
        assert slack.standin.views[0]["view"]["callback_id"] == "logcontact_modal"
    finally:
        release.set()
    assert slack.settle()
