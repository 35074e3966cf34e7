"""Case buttons: the route prompt's team buttons, and Take it / Resolve / Reopen on a case.
Only our people press them (`ours_only`); the outcome is said to the presser alone."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks import say
from bot.cases.grammar import CaseRef, RoutePick
from bot.cases.service import Outcome, RouteRequest
from bot.steward import Steward
from handlers import casework
from handlers.guard import Actor, answer, ours_only

log = logging.getLogger(__name__)
PICK = re.compile(r"^route_pick_")


def picked(st: Steward, who: Actor, body: dict[str, Any], respond: Respond) -> None:
    """A team chosen on the route prompt: route the thread there."""
    action = body["actions"][0]
    try:
        pick = RoutePick.parse(action.get("value"))
    except ValueError:
        log.warning("a route pick with an unreadable value; refused")
        answer(st, who, respond, say("That button is not one I can read; nothing was routed."))
        return
    channel = (body.get("channel") or {}).get("id") or body["container"].get("channel_id", "")
    request = RouteRequest(
        team_id=who.team_id,
        person=who.person,
        channel_id=channel,
        thread_ts=pick.thread_ts,
        function=str(action["action_id"]).removeprefix("route_pick_"),
        note=pick.note,
        source_ts=f"pick-{pick.thread_ts}",
    )
    casework.route(st, request)
    respond(delete_original=True)


def resolve_said(st: Steward, who: Actor, case_id: int) -> str:
    done = casework.resolve(st, who.team_id, case_id, who.person).log == "resolved"
    return "Resolved; both threads are told." if done else "It was already resolved."


def case_button(
    st: Steward, act: Callable[[Actor, int], str]
) -> Callable[[Ack, dict[str, Any], Respond, BoltContext], None]:
    """A case button: only our people act; the outcome is said to the presser alone."""

    def pressed(who: Actor, body: dict[str, Any], respond: Respond) -> None:
        try:
            ref = CaseRef.parse(body["actions"][0].get("value"))
        except ValueError:
            log.warning("a case button with an unreadable value; ignored")
            return
        answer(st, who, respond, say(act(who, ref.case_id)))

    return ours_only(st, pressed)


def said(outcome: Outcome) -> str:
    return outcome.say or outcome.log


def register(app: App, st: Steward) -> None:
    app.action(PICK)(ours_only(st, lambda who, body, respond: picked(st, who, body, respond)))

    def take(who: Actor, case_id: int) -> str:
        return said(casework.take(st, case_id, who.person))

    def reopen(who: Actor, case_id: int) -> str:
        return said(casework.reopen(st, case_id, who.person))

    def resolve(who: Actor, case_id: int) -> str:
        return resolve_said(st, who, case_id)

    app.action("case_take")(case_button(st, take))
    app.action("case_resolve")(case_button(st, resolve))
    app.action("case_reopen")(case_button(st, reopen))


