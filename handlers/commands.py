"""Slash commands: ack at once, then parse, store and answer through response_url."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import App, Respond

from bot.accounts.queries import account_for_channel
from bot.blocks import failure, say
from bot.cases.grammar import team_zone_channel
from bot.commands import run
from bot.contacts import render as contact_render
from bot.promises import render as promise_render
from bot.steward import Steward
from handlers import casework
from handlers.events import home
from handlers.guard import Actor, answer, invocation, ours_only

log = logging.getLogger(__name__)
MODAL_COMMANDS = ("/logcontact", "/promise")


def open_form(st: Steward, body: dict[str, Any], who: Actor) -> None:
    """Open the command's modal. Fast path only: trigger_id expires 3 s after the command."""
    team, user, channel = who.team_id, who.person.user_id, body["channel_id"]
    with st.db.session() as session:
        account = account_for_channel(session, team, channel)
        tz = st.directory.cached_tz(session, team, user)
    today = st.clock.today(tz) if tz else None
    meta = {"channel_id": channel, "response_url": body.get("response_url", "")}
    if body["command"] == "/logcontact":
        view = contact_render.form(account, today, meta)
    else:
        view = promise_render.form(account, user, today, meta)
    st.gateway.open_view(team_id=team, trigger_id=body["trigger_id"], person=who.person, view=view)


def register(app: App, st: Steward) -> None:
    def handle(who: Actor, body: dict[str, Any], respond: Respond) -> None:
        command, text = body["command"], body.get("text") or ""
        if command in MODAL_COMMANDS and not text.strip():
            try:
                open_form(st, body, who)
            except Exception:
                log.exception("could not open the %s form", command)
                answer(
                    st,
                    who,
                    respond,
                    say(
                        f"I couldn't open the form. Type the command in one line instead: "
                        f"`{command} help` shows how."
                    ),
                )
            return
        try:  # the look-ups too: whatever fails, the person hears that nothing was saved
            inv = invocation(st, who, command, text.strip(), body["channel_id"])
            if channel := team_zone_channel(command, inv.text):  # route set: its team's zone
                zone = casework.team_zone(st, who.team_id, channel)
                inv = replace(inv, team_zones={channel: zone} if zone else {})
            reply = run(st.db, inv)
        except Exception:
            log.exception("%s failed", command)
            reply = failure(f"{command} {text}".strip())
        answer(st, who, respond, reply)
        home.refresh(st, who)

    def opens_form(body: dict[str, Any]) -> bool:
        return body["command"] in MODAL_COMMANDS and not (body.get("text") or "").strip()

    for name in ("/steward", "/logcontact", "/promise"):
        app.command(name)(ours_only(st, handle, urgent=opens_form))
