"""The message shortcut *Route to counterpart…*: opens the route form (handlers/views/route.py)
with a team suggested from the message."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond

from bot.blocks import say
from bot.cases import service
from bot.cases.grammar import EX_ROUTE_SET, parse_keywords
from bot.cases.render import route_form
from bot.steward import Steward
from handlers.guard import Actor, answer, ours_only


def route_shortcut(st: Steward, who: Actor, body: dict[str, Any], respond: Respond) -> None:
    channel = body["channel"]["id"]
    message = body.get("message") or {}
    with st.db.session() as session:
        functions = service.functions_here(session, who.team_id, channel)
    if not functions:
        answer(
            st,
            who,
            respond,
            say(
                "I can only route threads in an account's channel, to a function with a "
                f"counterpart (`{EX_ROUTE_SET}`)."
            ),
        )
        return
    guess = service.suggest_function(
        message.get("text", ""), functions, parse_keywords(st.settings.route_keywords)
    )
    meta = {
        "channel_id": channel,
        "thread_ts": message.get("thread_ts") or body["message_ts"],
        "source_ts": body["message_ts"],
    }
    view = route_form(functions, guess, meta)
    st.gateway.open_view(
        team_id=who.team_id, trigger_id=body["trigger_id"], person=who.person, view=view
    )


def register(app: App, st: Steward) -> None:
    def shortcut(who: Actor, body: dict[str, Any], respond: Respond) -> None:
        route_shortcut(st, who, body, respond)

    app.shortcut("route_message")(ours_only(st, shortcut))
