"""The route form (opened by the message shortcut, handlers/shortcuts.py) sent back."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks import form_values
from bot.cases.render import ROUTE_FORM
from bot.cases.service import RouteRequest
from bot.steward import Steward
from handlers import casework
from handlers.guard import actor, after_ack, metadata
from handlers.views.forms import refused


def register(app: App, st: Steward) -> None:
    @app.view(ROUTE_FORM)
    def route_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        ack()
        after_ack(st, route_form_sent, body, view, context)

    def route_form_sent(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        who = actor(st, body, context)
        if refused(st, view, who):
            return
        form, meta = form_values(view), metadata(view)
        request = RouteRequest(
            team_id=who.team_id,
            person=who.person,
            channel_id=meta.get("channel_id", ""),
            thread_ts=meta.get("thread_ts", ""),
            function=form.get("function"),
            note=(form.get("note") or "").strip() or None,
            source_ts=f"form-{meta.get('source_ts', '')}",
        )
        casework.route(st, request)
