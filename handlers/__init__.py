"""Slack's surfaces, one module (or package) each: parse, ack, judge who is acting
(handlers/guard.py), call one service, hand the result to rendering, send it through the
gateway. Each has `register(app, st)`; `register` here is the one list of them."""

from __future__ import annotations

from slack_bolt import App

from bot.steward import Steward
from handlers import actions, commands, events, install, middleware, shortcuts, views


def register(app: App, st: Steward) -> None:
    middleware.register(app, st)  # first: Slack's retries of an event go no further
    commands.register(app, st)
    actions.register(app, st)
    views.register(app, st)
    events.register(app, st)
    shortcuts.register(app, st)
    install.register(app, st)  # app_uninstalled, tokens_revoked
