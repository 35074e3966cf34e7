"""What the stand-in (bot/dev/standin.py) can add to its answers for fleet tests and benchmarks:
Slack's rate-limit tiers, and faults chosen by a seeded random.

Slack's published limits (docs.slack.dev/apis/web-api/rate-limits), applied per method per
workspace: Tier 3 (`conversations.open`, `.info`, `.history`) "50+ per minute, sporadic bursts
welcome", Tier 4 (`users.info`) "100+ per minute";
`chat.postMessage` "generally one message per second per channel, short bursts >1 allowed, while
also maintaining a workspace-wide limit" (no number given: `workspace_per_second`, off unless
set). Past a limit Slack answers HTTP 429 with `Retry-After` in whole seconds. Each limit is a
token bucket here (a rate and a burst); `scale` runs every rate that many times faster, so a test
can run the same tiers compressed (Retry-After stays whole seconds, at least 1, as Slack's does).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Answer = tuple[int, dict[str, str], dict[str, Any]]
LANDED_500 = "landed-500"
"""The post is recorded, then answered 500: it landed, and the caller cannot know."""
DROPPED = -1
"""An answer never sent: the stand-in closes the connection instead."""
LANDED_DROP = "landed-drop"
"""The post is recorded, then the connection is closed unanswered (a timeout, a crash mid-call)."""


@dataclass
class Bucket:
    """A token bucket: `burst` calls at once, then `rate` a second."""

    rate: float
    burst: float
    tokens: float = -1.0
    at: float = 0.0

    def take(self, now: float) -> float:
        """0 when a call may go now (and it is counted), else the seconds until one may."""
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


TIERED = {
    "conversations.open": 50.0,  # Tier 3
    "conversations.info": 50.0,  # Tier 3
    "conversations.history": 50.0,  # Tier 3 (internal apps; Marketplace rules differ)
    "users.info": 100.0,  # Tier 4
}


@dataclass
class Tiers:
    """Slack's limits for the methods a fan-out uses; rates are per second before `scale`."""

    per_minute: dict[str, float] = field(default_factory=lambda: dict(TIERED))
    """Methods limited per workspace, calls a minute (chat.postMessage is limited apart)."""
    method_burst: int = 5
    channel_per_second: float = 1.0  # chat.postMessage, per channel
    channel_burst: int = 3
    workspace_per_second: float | None = None  # chat.postMessage, the whole workspace
    workspace_burst: int = 10
    scale: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[tuple[str, str], Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _bucket(self, name: str, key: str) -> Bucket:
        bucket = self._buckets.get((name, key))
        if bucket is None:
            rate, burst = {
                "method": (self.per_minute.get(key, 0.0) / 60, self.method_burst),
                "channel": (self.channel_per_second, self.channel_burst),
                "workspace": (self.workspace_per_second or 0.0, self.workspace_burst),
            }[name]
            bucket = self._buckets[(name, key)] = Bucket(rate * self.scale, burst)
        return bucket

    def check(self, method: str, channel: str) -> float:
        """0 when this call is within the limits (and counted), else Slack's wait in seconds.
        `channel`: the channel a chat.postMessage lands in (a user id's DM channel for a user)."""
        now = self.clock()
        with self._lock:
            if method in self.per_minute:
                return self._bucket("method", method).take(now)
            if method != "chat.postMessage":
                return 0.0
            per_channel = self._bucket("channel", channel)
            wait = per_channel.take(now)
            if wait or not self.workspace_per_second:
                return wait
            wait = self._bucket("workspace", "").take(now)
            if wait:
                per_channel.tokens += 1  # refused after all: the channel's token is given back
            return wait

    @staticmethod
    def retry_after(wait: float) -> str:
        """Slack's Retry-After: whole seconds, at least one."""
        return str(max(1, math.ceil(wait)))


@dataclass
class Faults:
    """A seeded share of calls that fail: `share` of the calls to `methods` (None: every method
    but auth.test, which a process needs to start) answer 429 (Retry-After: 1) or 500, half each,
    and change nothing; of the chat.postMessage calls that went through, `landed` more land and
    are then answered as `landed_mode` says (LANDED_500 or LANDED_DROP), and `slow` land late:
    a process starting meanwhile must not take the post in flight for one lost."""

    share: float = 0.3
    seed: int = 12
    methods: frozenset[str] | None = None
    landed: float = 0.0
    landed_mode: str = LANDED_DROP
    slow: float = 0.0
    """The share of chat.postMessage calls that land only after `slow_seconds` (Slack slow)."""
    slow_seconds: float = 3.0
    injected: dict[str, int] = field(default_factory=dict)
    _random: random.Random = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def _roll(self, kind: str, share: float) -> bool:
        with self._lock:
            hit = self._random.random() < share
            if hit:
                self.injected[kind] = self.injected.get(kind, 0) + 1
            return hit

    def before(self, method: str) -> Answer | None:
        """The failure to answer instead of the call, or None to answer it."""
        chosen = method != "auth.test" if self.methods is None else method in self.methods
        if not chosen:
            return None
        if not self._roll("failed", self.share):
            return None
        if self._roll("429", 0.5):
            return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
        return 500, {}, {"ok": False, "error": "internal_error"}

    def delay(self, method: str) -> float:
        """How long this call takes before it lands."""
        slow = method == "chat.postMessage" and self.slow and self._roll("slow", self.slow)
        return self.slow_seconds if slow else 0.0

    def after(self, method: str) -> str | None:
        """For a post that landed: LANDED_500 / LANDED_DROP to hide that it did, or None."""
        if method != "chat.postMessage" or not self.landed:
            return None
        return self.landed_mode if self._roll(self.landed_mode, self.landed) else None


_COUNTING = threading.Lock()


def refused(
    tiers: Tiers | None, faults: Faults | None, method: str, params: dict[str, Any]
) -> Answer | None:
    """An injected fault or the tiers' 429 instead of answering the call; else None (a slow
    post has been delayed by then)."""
    fault = faults.before(method) if faults else None
    if fault:
        return fault
    if tiers:
        channel = str(params.get("channel") or "")
        wait = tiers.check(method, "D" + channel if channel.startswith("U") else channel)
        if wait:
            return (
                429,
                {"Retry-After": tiers.retry_after(wait)},
                {"ok": False, "error": "ratelimited"},
            )
    if faults:
        time.sleep(faults.delay(method))
    return None


def landed(
    faults: Faults | None, posted: Counter[str], method: str, params: dict[str, Any], answer: Answer
) -> Answer:
    """Count a post that landed by its outbox key (metadata), and hide it when `faults` say."""
    if answer[0] != 200 or not answer[2].get("ok") or method != "chat.postMessage":
        return answer
    payload = (params.get("metadata") or {}).get("event_payload") or {}
    with _COUNTING:  # the stand-in answers each call on its own thread
        posted[str(payload.get("key", ""))] += 1
    hidden = faults.after(method) if faults else None
    if hidden == LANDED_500:
        return 500, {}, {"ok": False, "error": "internal_error"}
    return (DROPPED, {}, {}) if hidden == LANDED_DROP else answer
