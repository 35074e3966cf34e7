"""Slack's surfaces, one module (or package) each: parse, ack, judge who is acting
(handlers/guard.py), call one service, hand the result to rendering, send it through the
gateway. Each has `register(app, st)`; `register` here is the one list of them."""

from __future__ import annotations

from slack_bolt import App

from bot.steward import Steward
from handlers import commands, digest, routing, views


def register(app: App, st: Steward) -> None:
    commands.register(app, st)
    views.register(app, st)
    digest.register(app, st)
    routing.register(app, st)
