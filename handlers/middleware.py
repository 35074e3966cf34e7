"""Bolt middleware of our own: Slack's retries of an event are dropped before any listener.

Slack sends an event again (same event_id) when it did not see our 200 in time; each one is
recorded the first time (bot/cases/queries.py), and a second arrival is answered 200 and
goes no further.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.cases.queries import first_sighting
from bot.steward import Steward

log = logging.getLogger(__name__)


def drop_retried_events(
    st: Steward,
) -> Callable[[dict[str, Any], Callable[[], BoltResponse | None]], BoltResponse | None]:
    def middleware(
        body: dict[str, Any], next: Callable[[], BoltResponse | None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not first_sighting(st.db, str(event_id), st.clock.now()):
            log.info("event %s seen before (retry %s); dropped", event_id, body.get("retry_num"))
            return BoltResponse(status=200, body="")
        return next()

    return middleware


def register(app: App, st: Steward) -> None:
    app.use(drop_retried_events(st))
