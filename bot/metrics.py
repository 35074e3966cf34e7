"""Prometheus metrics, served at GET /metrics.

Each Steward gets its own `CollectorRegistry` (not prometheus-client's global one), so tests and
the console can build several apps in one process. Counters are fed as things happen (requests
by the middleware in bot/observe.py, Web API responses by `ApiObserver`); what the database
knows (outbox depth, digests sent, open cases) is read at scrape time, so every web process
reports the same figures whichever process did the work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from sqlalchemy import func, select
from sqlmodel import col

from bot.db import Database
from bot.models import Case, CaseStatus, NudgeLedger, OutboxMessage, OutboxStatus

log = logging.getLogger("steward.slack")

ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
"""Seconds; Slack gives up on an ack after 3 s."""
WAITING = ("pending", "unknown")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "steward_requests",
            "Slack requests handled, by surface (command, action, view, event, shortcut, "
            "options) and outcome (ok, error, refused)",
            ["surface", "outcome"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "steward_ack_seconds",
            "Seconds from a Slack request's arrival (Socket Mode: its dispatch) to its ack",
            ["surface"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.api_calls = Counter(
            "steward_slack_api_calls",
            "Slack Web API responses by client (app, outbox, socket), method and outcome "
            "(ok, ratelimited, error); each retry counts",
            ["client", "method", "outcome"],
            registry=self.registry,
        )
        self.socket_connected = Gauge(
            "steward_socket_mode_connected",
            "1 while the Socket Mode connection is up (Socket Mode only)",
            registry=self.registry,
        )
        self.socket_attempts = Counter(
            "steward_socket_mode_connect_attempts",
            "Socket Mode connection attempts, by outcome (ok, failed)",
            ["outcome"],
            registry=self.registry,
        )

    def observer(self, client: str, *, quiet: bool = False) -> ApiObserver:
        return ApiObserver(self, client, quiet=quiet)

    def watch(self, db: Database, now: Callable[[], datetime]) -> None:
        """Report what the database knows at each scrape."""
        self.registry.register(DatabaseCollector(db, now))

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def value(self, name: str, **labels: str) -> float | None:
        """One sample's current value (tests, and the shutdown line)."""
        return self.registry.get_sample_value(name, labels)


def api_method(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1] or "unknown"


class ApiObserver(RetryHandler):
    """Counts every Web API response, retries included, and logs the failed ones.

    slack_sdk asks each retry handler about every response (and every network error) before
    deciding whether to retry; this one answers "no" after counting, so the handlers after it
    decide as before. Bolt copies the app client's handlers into its per-request clients, so
    calls made through a listener's `client` are counted too.
    """

    def __init__(self, metrics: Metrics, client: str, *, quiet: bool = False) -> None:
        super().__init__(max_retry_count=0)
        self.metrics = metrics
        self.client = client
        self.quiet = quiet  # the caller logs its failures itself (Socket Mode's attempts)

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = api_method(request.url)
        outcome, why = "error", ""
        if response is None:
            why = f"{type(error).__name__}: {error}" if error else "no response"
        elif response.status_code == 429:
            outcome = "ratelimited"
            why = f"HTTP 429, Retry-After {_header(response, 'retry-after') or '?'} s"
        elif response.status_code >= 400:
            why = f"HTTP {response.status_code}"
        elif isinstance(response.body, dict) and response.body.get("ok") is False:
            why = str(response.body.get("error") or "ok: false")
        else:
            outcome = "ok"
        self.metrics.api_calls.labels(self.client, method, outcome).inc()
        if outcome != "ok" and not self.quiet:
            # ok:false answers (user_not_found, not_in_channel…) are often expected by the caller
            level = logging.INFO if response is not None and response.status_code < 400 else 30
            log.log(level, "slack %s (%s client) failed: %s", method, self.client, why)
        return False

    def _can_retry(self, **_: Any) -> bool:  # pragma: no cover - can_retry is overridden
        return False


def _header(response: HttpResponse, name: str) -> str | None:
    for key, values in (response.headers or {}).items():
        if key.lower() == name:
            return values[0] if isinstance(values, list) and values else str(values)
    return None


class DatabaseCollector(Collector):
    """Outbox depth and age, digests sent and open cases, read from the database per scrape."""

    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self.db = db
        self.now = now

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("steward_database_up", "1 when the last scrape read the database")
        try:
            figures = self._read()
        except Exception as error:  # a scrape must answer even when the database does not
            logging.getLogger(__name__).warning("metrics: cannot read the database: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures

    def _read(self) -> list[Metric]:
        outbox = GaugeMetricFamily(
            "steward_outbox_messages", "Outbox rows by status", labels=["status"]
        )
        depth = GaugeMetricFamily(
            "steward_outbox_depth", "Messages waiting to be delivered (pending or unknown)"
        )
        age = GaugeMetricFamily(
            "steward_outbox_oldest_pending_age_seconds",
            "Age of the oldest message waiting to be delivered; 0 when none waits",
        )
        digests = CounterMetricFamily(
            "steward_digests_sent", "Digests delivered to reps (from the digest ledger)"
        )
        cases = GaugeMetricFamily(
            "steward_open_cases", "Cases not yet resolved, by status", labels=["status"]
        )
        with self.db.engine.connect() as connection:
            by_status = connection.execute(
                select(
                    col(OutboxMessage.status), func.count(), func.min(col(OutboxMessage.created_at))
                ).group_by(col(OutboxMessage.status))
            ).all()
            sent = connection.execute(
                select(func.count())
                .select_from(NudgeLedger)
                .join(OutboxMessage, col(OutboxMessage.key) == col(NudgeLedger.outbox_key))
                .where(col(OutboxMessage.status) == OutboxStatus.sent)
            ).scalar_one()
            open_cases: dict[str, int] = {
                status: count
                for status, count in connection.execute(
                    select(col(Case.status), func.count())
                    .where(col(Case.status) != CaseStatus.resolved)
                    .group_by(col(Case.status))
                )
            }
        waiting, oldest = 0, None
        for status, count, first in by_status:
            outbox.add_metric([status], count)
            if status in WAITING:
                waiting += count
                oldest = first if oldest is None or (first and first < oldest) else oldest
        depth.add_metric([], waiting)
        age.add_metric([], max(0.0, (self.now() - oldest).total_seconds()) if oldest else 0.0)
        digests.add_metric([], sent)
        for status in (CaseStatus.open, CaseStatus.taken):
            cases.add_metric([status.value], open_cases.get(status.value, 0))
        return [outbox, depth, age, digests, cases]
