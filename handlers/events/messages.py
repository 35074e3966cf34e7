"""Messages: a reply in a case's origin thread or case thread is carried to the other
(bot/cases/lifecycle.py says what goes where); a message from the client's people in an
account's channel is noted as a sign of life (when, never what)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App

from bot import keys, outbox
from bot.cases import lifecycle
from bot.cases.service import Facts
from bot.digest import service as digest
from bot.digest import signs
from bot.models import Audience, CaseStatus
from bot.steward import Steward
from handlers import casework
from handlers.casework import tell
from handlers.guard import actor, authorized_team, deferred

log = logging.getLogger(__name__)
SPOKEN = {None, "file_share", "thread_broadcast"}  # subtypes that are a person writing


Context = Mapping[str, Any]  # Bolt's: which workspace the request was authorized for


def heard(st: Steward, event: dict[str, Any], body: dict[str, Any], context: Context) -> str:
    """Note when the client's people last wrote in their account's channel (the digest's "too
    quiet to trust"). Who wrote is asked of the directory only in an account's channel."""
    channel = str(event.get("channel") or "")
    team = authorized_team(context)
    if team is None:
        return "no workspace authorized"
    with st.db.session() as session:
        if signs.account_in(session, team, channel) is None:
            return "not an account's channel"
    if actor(st, body, context).person.ours is not False:  # ours, or unsure: not the client
        return "not the client"
    try:
        at = min(datetime.fromtimestamp(float(event["ts"]), UTC), st.clock.now())
    except (KeyError, TypeError, ValueError):
        at = st.clock.now()
    with st.db.session() as session:
        digest.client_spoke(session, team, channel, at)
    return "the client spoke"


DM_HELP = (
    "Hi! I work through commands rather than messages: `/logcontact` logs a contact, "
    "`/promise` records a promise, `/steward help` shows everything (each one alone opens a "
    "form or an example). Your Home tab lists your accounts, promises and cases."
)


def answer_dm(st: Steward, event: dict[str, Any], body: dict[str, Any], context: Context) -> str:
    """A message written to Steward in its DM gets a short help (a client's person, the one
    line they may have), once per message however often Slack retries it."""
    who = actor(st, body, context)
    person = who.person
    if not who.team_id:
        return "no workspace authorized"
    line, audience = (DM_HELP, Audience.internal) if person.trusted else (
        who.refusal,
        Audience.client,
    )
    channel = str(event["channel"])
    with st.db.session() as session:
        outbox.enqueue(
            session,
            key=keys.dm_help(channel, str(event["ts"])),
            channel=channel,
            text=line,
            now=st.clock.now(),
            audience=audience,
            caused_by=person.user_id,
            team_id=who.team_id,
        )
    return "answered a DM"


def carry(st: Steward, event: dict[str, Any], body: dict[str, Any], context: Context) -> str:
    """Carry a thread reply; who wrote it is asked of Slack only when the thread is a case's."""
    said = lifecycle.Said(event["channel"], event["ts"], event.get("thread_ts"), "")
    if not said.thread_ts or said.thread_ts == said.ts:
        return "not a thread reply"
    with st.db.session() as session:
        case, side = lifecycle.case_for_thread(session, said.channel, said.thread_ts)
    if case is None or case.id is None:
        return "no case"
    who = actor(st, body, context)
    if who.team_id != case.team_id:
        return "another workspace's case"
    person = who.person
    text = event.get("text") or ""
    shared = True
    if side == lifecycle.CASE and case.status != CaseStatus.resolved and person.trusted:
        shared = st.gateway.is_shared(case.team_id, case.origin_channel)
    facts = Facts(
        names=casework.names_for(st, case.team_id, [text], [person.user_id]), shared=shared
    )
    said = lifecycle.Said(said.channel, said.ts, said.thread_ts, text)
    with st.db.session() as session:
        outcome = lifecycle.carry(session, case.id, side, said, person, facts, st.clock.now())
    if outcome.say:
        tell(st, case.team_id, event, person, outcome.say)
    return outcome.log


def register(app: App, st: Steward) -> None:
    def message(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("subtype") not in SPOKEN or event.get("bot_id"):
            return  # edits, joins, and every bot's posts, ours included: no echo loops
        bot_user = context.get("bot_user_id") or ""
        if event.get("user") == bot_user:
            return
        try:
            log.debug("message %s: %s", event.get("ts"), heard(st, event, body, context))
        except Exception:
            log.exception("could not note a message in %s", event.get("channel"))
        if event.get("subtype") or f"<@{bot_user}>" in (event.get("text") or ""):
            return  # a mention of Steward is a command, handled as app_mention
        if event.get("channel_type") == "im" and not event.get("thread_ts"):
            log.info("message %s: %s", event.get("ts"), answer_dm(st, event, body, context))
            return
        log.debug("message %s: %s", event.get("ts"), carry(st, event, body, context))

    app.event("message")(deferred(st, message))
