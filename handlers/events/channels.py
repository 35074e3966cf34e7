"""Channel events that keep each channel's standing current (shared with another
organisation or not): the exit judges every message by it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.models import Standing
from bot.steward import Steward
from handlers.guard import actor, deferred

log = logging.getLogger(__name__)


def register(app: App, st: Steward) -> None:
    def shared(event: dict[str, Any]) -> None:
        st.gateway.mark(event["channel"], Standing.shared)
        log.info("channel %s is now shared with another organisation", event["channel"])

    def unshared(event: dict[str, Any]) -> None:
        still = event.get("is_ext_shared", True)  # shared with others still? When unsure: yes
        st.gateway.mark(event["channel"], Standing.shared if still else Standing.internal)

    def joined(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        if not actor(st, body, context).ours:  # someone of another organisation is in it now
            st.gateway.mark(event["channel"], Standing.shared)

    app.event("channel_shared")(deferred(st, shared))
    app.event("channel_unshared")(deferred(st, unshared))
    app.event("member_joined_channel")(deferred(st, joined))
