"""`@Steward …`: routing a thread (the one thing someone of the client's organisation may ask),
replying to the client, resolving and reopening a case."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.cases import lifecycle
from bot.cases.grammar import HELP_ROUTE, Mention
from bot.cases.render import label
from bot.cases.service import Facts, RouteRequest
from bot.models import Audience
from bot.slacktext import clip
from bot.steward import Steward
from handlers import casework
from handlers.casework import tell
from handlers.guard import Actor, actor, deferred

log = logging.getLogger(__name__)
HELP_CLIENT = (
    "I can send this thread to the right people on our side and keep you posted here: "
    "`@Steward route <topic>: what it is about`."
)
FAILED = (
    "Something went wrong on our side and nothing was done. Please try again in a minute; "
    "what you wrote is still in the thread."
)


def handle_mention(st: Steward, event: dict[str, Any], who: Actor) -> str:
    mention = Mention.parse(event.get("text") or "")
    thread_ts = event.get("thread_ts") or event["ts"]
    person = who.person
    if mention.verb == "route":  # the one thing someone of the client's organisation may ask
        function, note = mention.route()
        request = RouteRequest(
            team_id=who.team_id,
            person=person,
            channel_id=event["channel"],
            thread_ts=thread_ts,
            function=function,
            note=clip(casework.quoted(st, who.team_id, note), 2000) or None,
            source_ts=event["ts"],
        )
        return casework.route(st, request)
    if not who.ours:
        line = HELP_CLIENT if person.ours is False else who.refusal
        return tell(st, who.team_id, event, person, line, Audience.client)
    if mention.verb == "reply":
        return reply(st, event, who, mention.rest.strip())
    if mention.verb in ("resolve", "reopen"):
        with st.db.session() as session:
            case, _ = lifecycle.case_for_thread(session, event["channel"], thread_ts)
        if case is None or case.id is None:
            return tell(
                st,
                who.team_id,
                event,
                person,
                f"There is no case in this thread to {mention.verb}.",
            )
        if mention.verb == "reopen":
            return tell(
                st, who.team_id, event, person, casework.reopen(st, case.id, person).say or ""
            )
        outcome = casework.resolve(st, who.team_id, case.id, person, mention.rest)
        if outcome.log != "resolved":
            tell(st, who.team_id, event, person, f"{label(case)} is already resolved.")
        return outcome.log
    return tell(st, who.team_id, event, person, HELP_ROUTE)


def reply(st: Steward, event: dict[str, Any], who: Actor, text: str) -> str:
    """`@Steward reply <text>` in a case thread: said in the origin thread, for the client."""
    said = lifecycle.Said(event["channel"], event["ts"], event.get("thread_ts"), text)
    facts = Facts(names=casework.names_for(st, who.team_id, [text], []))
    with st.db.session() as session:
        outcome = lifecycle.reply_to_client(session, said, who.person, text, facts, st.clock.now())
    if outcome.say:
        return tell(st, who.team_id, event, who.person, outcome.say)
    return outcome.log


def register(app: App, st: Steward) -> None:
    def mentioned(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        who = actor(st, body, context)
        try:
            outcome = handle_mention(st, event, who)
        except Exception:
            log.exception("mention %s failed", event.get("ts"))
            # said to whoever wrote, ours or the client's
            outcome = tell(st, who.team_id, event, who.person, FAILED, Audience.client)
        log.info("mention %s in %s: %s", event.get("ts"), event.get("channel"), outcome)

    app.event("app_mention")(deferred(st, mentioned))
