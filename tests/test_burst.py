"""Acks never wait on work: a request is acked while every work thread is busy."""

from __future__ import annotations

import threading

from bot.dev.local import HttpResult
from tests.conftest import ALICE, GENERAL, Slack


def hold_every_work_thread(slack: Slack, release: threading.Event) -> None:
    """Occupy each work thread until `release` is set; returns once all are taken."""
    started = threading.Semaphore(0)

    def stuck() -> None:
        started.release()
        release.wait(30)

    for _ in range(slack.steward.work.workers):
        slack.steward.work.submit(stuck)
    for _ in range(slack.steward.work.workers):
        assert started.acquire(timeout=10), "a work thread never took the held work"


def test_a_command_is_acked_while_all_work_is_stuck(slack: Slack) -> None:
    """Every work thread is held; commands are still acked at once (their work queues), and
    every one is answered once the threads are free again."""
    release = threading.Event()
    hold_every_work_thread(slack, release)
    keys: list[str] = []
    acked: list[HttpResult] = []
    try:
        came_back = threading.Event()

        def burst() -> None:
            for _ in range(slack.steward.work.workers + 2):
                result, key = slack.command("/steward", "help", user=ALICE, channel=GENERAL)
                acked.append(result)
                keys.append(key)
            came_back.set()

        threading.Thread(target=burst, daemon=True).start()
        assert came_back.wait(5), "an ack waited for work"
        assert all(r.status == 200 and r.body == "" for r in acked)
        assert slack.standin.responses == []  # none of that work has run yet
        assert slack.steward.work.held == 2 * slack.steward.work.workers + 2
    finally:
        release.set()
    assert slack.settle(), "the work did not finish once released"
    answered = {r["key"] for r in slack.standin.responses}
    assert answered == set(keys), "every command was answered once the work was released"


def test_a_form_opens_while_all_work_is_stuck(slack: Slack) -> None:
    """Opening a form must happen within 3 s of the command (its trigger expires): it does not
    queue behind the work of a burst, even when every work thread is held."""
    release = threading.Event()
    hold_every_work_thread(slack, release)
    try:
        result, _key = slack.command("/logcontact", "", user=ALICE, channel=GENERAL)
        assert result.status == 200
        slack.standin.wait_for(lambda: slack.standin.views, 5, what="the form to open")
        assert slack.standin.views[0]["view"]["callback_id"] == "logcontact_modal"
    finally:
        release.set()
    assert slack.settle()
