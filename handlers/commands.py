"""Slash commands: ack at once, then parse, store and answer through response_url."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, Respond

from bot import modals, render
from bot.commands import run
from bot.services.accounts import account_for_channel
from bot.steward import Steward
from handlers.guard import Actor, answer, invocation, ours_only

log = logging.getLogger(__name__)
MODAL_COMMANDS = ("/logcontact", "/promise")


def failure_reply(typed: str) -> dict[str, Any]:
    """What the user sees when we fail: nothing is lost, and no internals are shown."""
    return render.message(
        ":x: Something went wrong on our side and that was *not* saved. Please try again in a "
        "minute; here is what you typed.",
        [
            render.section(
                ":x: Something went wrong on our side and that was *not* saved. "
                "Please try again in a minute; here is what you typed:"
            ),
            *render.fenced(typed),
        ],
    )


def open_form(st: Steward, body: dict[str, Any], who: Actor) -> None:
    """Open the command's modal. Fast path only: trigger_id expires 3 s after the command."""
    team, user, channel = who.team_id, who.person.user_id, body["channel_id"]
    with st.db.session() as session:
        account = account_for_channel(session, team, channel)
        tz = st.directory.cached_tz(session, team, user)
    today = st.clock.today(tz) if tz else None
    meta = {"channel_id": channel, "response_url": body.get("response_url", "")}
    if body["command"] == "/logcontact":
        view = modals.logcontact_view(account, today, meta)
    else:
        view = modals.promise_view(account, user, today, meta)
    st.gateway.open_view(trigger_id=body["trigger_id"], person=who.person, view=view)


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
                    render.say(
                        f"I couldn't open the form. Type the command in one line instead: "
                        f"`{command} help` shows how."
                    ),
                )
            return
        inv = invocation(st, who, command, text.strip(), body["channel_id"])
        try:
            reply = run(st.db, inv)
        except Exception:
            log.exception("%s failed", command)
            reply = failure_reply(inv.typed)
        answer(st, who, respond, reply)

    for name in ("/steward", "/logcontact", "/promise"):
        app.command(name)(ours_only(st, handle))


def metadata(view: dict[str, Any]) -> dict[str, str]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}
