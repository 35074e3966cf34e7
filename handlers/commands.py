"""Slash commands: ack at once, then parse, store and answer through response_url."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import modals, render
from bot.commands import Invocation, run
from bot.services.accounts import account_for_channel
from bot.steward import Steward

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


def open_form(st: Steward, body: dict[str, Any], client: WebClient) -> None:
    """Open the command's modal. Fast path only: trigger_id expires 3 s after the command."""
    team, user, channel = body["team_id"], body["user_id"], body["channel_id"]
    with st.db.session() as session:
        account = account_for_channel(session, team, channel)
        tz = st.directory.cached_tz(session, team, user)
    today = st.clock.today(tz) if tz else None
    meta = {"channel_id": channel, "response_url": body.get("response_url", "")}
    if body["command"] == "/logcontact":
        view = modals.logcontact_view(account, today, meta)
    else:
        view = modals.promise_view(account, user, today, meta)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def from_another_organisation(body: dict[str, Any], context: BoltContext) -> bool:
    """Typed by someone of another organisation in a channel shared with them (Slack Connect):
    their workspace is not the one Steward is installed in."""
    result = context.authorize_result
    home = result.team_id if result else None
    return bool(home) and body.get("team_id") != home


EXTERNAL_REPLY = (
    "Steward's commands are for the team that runs it. To raise something with us, mention "
    "@Steward in your thread: `@Steward route finance: invoice 4411 is disputed`."
)


def register(app: App, st: Steward) -> None:
    def handle(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        if from_another_organisation(body, context):
            respond(text=EXTERNAL_REPLY, response_type="ephemeral")  # nothing internal
            return
        command, text = body["command"], body.get("text") or ""
        if command in MODAL_COMMANDS and not text.strip():
            try:
                open_form(st, body, client)
            except Exception:
                log.exception("could not open the %s form", command)
                respond(
                    text=f"I couldn't open the form. Type the command in one line instead: "
                    f"`{command} help` shows how.",
                    response_type="ephemeral",
                )
            return
        inv = Invocation(
            steward=st,
            command=command,
            text=text,
            team_id=body["team_id"],
            user_id=body["user_id"],
            channel_id=body["channel_id"],
        )
        try:
            reply = run(inv)
        except Exception:
            log.exception("%s failed", command)
            reply = failure_reply(inv.typed)
        respond(**reply, response_type="ephemeral", replace_original=False)

    for name in ("/steward", "/logcontact", "/promise"):
        app.command(name)(handle)


def metadata(view: dict[str, Any]) -> dict[str, str]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}
