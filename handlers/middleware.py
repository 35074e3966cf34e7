"""Bolt middleware of our own: Slack's retries of an event are dropped before any listener.

Slack sends an event again (same event_id, with an X-Slack-Retry-Num header) when it did not
see our 200 in time. Mentions and people's thread messages are recorded after the ack, off its
path (bot/cases/queries.py); a retry of one already recorded is answered 200 and goes no
further. Only a retry costs a read before its ack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.cases.queries import first_sighting, seen_before
from bot.steward import Steward

log = logging.getLogger(__name__)


def drop_retried_events(
    st: Steward,
) -> Callable[..., BoltResponse | None]:
    def middleware(
        body: dict[str, Any], request: BoltRequest, next: Callable[[], BoltResponse | None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id:
            return next()
        retry = request.headers.get("x-slack-retry-num")
        if retry:
            with st.db.session() as session:
                if seen_before(session, str(event_id)):
                    log.info("event %s seen before (retry %s); dropped", event_id, retry[0])
                    return BoltResponse(status=200, body="")
        if remembered(body.get("event") or {}):
            st.work.submit(record, str(event_id))
        return next()

    def record(event_id: str) -> None:
        first_sighting(st.db, event_id, st.clock.now())

    return middleware


def remembered(event: dict[str, Any]) -> bool:
    """The events whose retries could do something twice: mentions and people's messages."""
    kind = event.get("type")
    return kind in ("app_mention", "message") and not event.get("subtype") and not event.get(
        "bot_id"
    )


def register(app: App, st: Steward) -> None:
    app.use(drop_retried_events(st))
