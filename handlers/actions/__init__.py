"""Buttons and menus in messages: each module has `register(app, st)`."""

from __future__ import annotations

from slack_bolt import App

from bot.steward import Steward
from handlers.actions import cases, digest


def register(app: App, st: Steward) -> None:
    cases.register(app, st)
    digest.register(app, st)
