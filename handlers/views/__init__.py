"""Forms (view submissions) and the account picker's options."""

from __future__ import annotations

from slack_bolt import App

from bot.steward import Steward
from handlers.views import forms


def register(app: App, st: Steward) -> None:
    forms.register(app, st)
