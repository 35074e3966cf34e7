"""Where the work of Slack's requests runs, after the ack: Steward's own bounded pool.

Listeners run on the thread that answers Slack (Bolt's `process_before_response`): they ack,
hand their work here and return, so an ack never waits for a thread that is busy with earlier
requests' work. Under a burst the work queues here, in order, while every request is acked.
The pool counts what it holds, so tests and the console can wait until all work is done, and
`shutdown()` lets what was accepted finish before the process exits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

WORKERS = 2
"""Threads doing the work itself: parsing, the database, rendering. It is mostly CPU, and every
thread doing it competes with the acks for the interpreter: bench/burst.py on 2 cores gives
the best acks with 2 (4 and more raise the ack p99), and the same answer rate from 2 to 16.
Waiting on Slack is not done here: answers are sent on the answer lane."""

ANSWER_WORKERS = 8
"""Threads sending answers to response_urls. Against Slack each waits ~0.1-0.3 s on the network
holding no lock, so several overlap while the work threads go on to the next request. Locally
(bench/burst.py, the stand-in answering at once) sending is CPU and competes with the acks:
4 gave ack p99 0.84-1.36x bare Bolt's, 16 gave 1.04-1.97x. 8: about 30 answers a second at
Slack's usual latency."""


URGENT_WORKERS = 2
"""Threads for work with a deadline of its own: opening a form, which Slack allows only within
3 seconds of the click (its trigger_id expires), must not queue behind a burst's work."""


class WorkPool:
    """A fixed set of threads taking work in order, and a small lane for work that cannot
    wait in that queue (`submit_urgent`); submitting never blocks."""

    def __init__(self, workers: int = WORKERS, name: str = "steward-work") -> None:
        self.workers = workers
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._urgent = ThreadPoolExecutor(URGENT_WORKERS, thread_name_prefix=f"{name}-urgent")
        self._answers = ThreadPoolExecutor(ANSWER_WORKERS, thread_name_prefix=f"{name}-answer")
        self._held = 0  # submitted and not finished
        self._idle = threading.Condition()
        self._closed = False

    @property
    def held(self) -> int:
        """Work submitted and not yet finished (queued or running)."""
        return self._held

    def submit(self, fn: Callable[..., None], /, *args: Any, **kwargs: Any) -> None:
        """Run `fn(*args, **kwargs)` on the pool; an exception it raises is logged."""
        self._submit(self._executor, fn, args, kwargs)

    def submit_urgent(self, fn: Callable[..., None], /, *args: Any, **kwargs: Any) -> None:
        """Like `submit`, on the lane that no queue of ordinary work holds up."""
        self._submit(self._urgent, fn, args, kwargs)

    def submit_answer(self, fn: Callable[..., None], /, *args: Any, **kwargs: Any) -> None:
        """Like `submit`, on the lane that sends answers (waiting on Slack's network)."""
        self._submit(self._answers, fn, args, kwargs)

    def _submit(
        self,
        executor: ThreadPoolExecutor,
        fn: Callable[..., None],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        with self._idle:
            if self._closed:
                log.error("work arrived after shutdown; %s dropped", _name(fn))
                return
            self._held += 1
        try:
            executor.submit(self._run, fn, args, kwargs)
        except RuntimeError:  # the executor shut down between the check and here
            self._finished()
            log.error("work arrived after shutdown; %s dropped", _name(fn))

    def _run(self, fn: Callable[..., None], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:
            log.exception("unhandled error in %s", _name(fn))
        finally:
            self._finished()

    def _finished(self) -> None:
        with self._idle:
            self._held -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """True once nothing is queued or running; False if that did not happen in time."""
        with self._idle:
            return self._idle.wait_for(lambda: self._held == 0, timeout)

    def shutdown(self, timeout: float = 20.0) -> bool:
        """Take no more work; let what was accepted finish, for up to `timeout` seconds.
        False (and one line saying how much) when some was still unfinished then."""
        with self._idle:
            self._closed = True
        done = self.wait_idle(timeout)
        if not done:
            log.warning("stopping with %d request(s) of work unfinished", self._held)
        for executor in (self._executor, self._urgent, self._answers):
            executor.shutdown(wait=done, cancel_futures=not done)
        return done


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__
