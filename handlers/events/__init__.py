"""Slack's events: mentions of Steward, thread messages, channels' standing. Bolt acks an
event at once; the work runs after (`handlers.guard.deferred`). Retries are dropped before
they reach a listener (handlers/middleware.py)."""

from __future__ import annotations

from slack_bolt import App

from bot.steward import Steward
from handlers.events import channels, home, mentions, messages


def register(app: App, st: Steward) -> None:
    mentions.register(app, st)
    messages.register(app, st)
    channels.register(app, st)
    home.register(app, st)
