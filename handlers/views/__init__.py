"""Forms (modal views) sent back: each surface module has `register(app, st)`."""

from __future__ import annotations

from slack_bolt import App

from bot.steward import Steward
from handlers.views import forms, route


def register(app: App, st: Steward) -> None:
    forms.register(app, st)
    route.register(app, st)
