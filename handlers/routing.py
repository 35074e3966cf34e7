"""Routing's surfaces: @Steward mentions, thread messages, the message shortcut and its form,
the case buttons, and the channel events that keep each channel's standing current. Bolt acks
events at once; the work below runs after the ack. Only our people act here, except that
someone of the client's organisation may ask `@Steward route …` in their thread."""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from sqlalchemy.exc import IntegrityError

from bot import modals, render, routing
from bot.models import Audience, SeenEvent, Standing
from bot.people import Person
from bot.routing import RouteRequest
from bot.services.accounts import account_for_channel
from bot.slacktext import clip
from bot.steward import Steward
from handlers.commands import metadata
from handlers.guard import Actor, actor, after_ack, answer, deferred, ours_only
from handlers.views import refused

log = logging.getLogger(__name__)
LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+>\s*")
ROUTE_FORM = "route_modal"
HELP_CLIENT = (
    "I can send this thread to the right people on our side and keep you posted here: "
    "`@Steward route <topic>: what it is about`."
)


def handle_mention(st: Steward, event: dict[str, Any], who: Actor) -> str:
    text = LEADING_MENTION.sub("", event.get("text") or "", count=1).strip()
    verb, _, rest = text.partition(" ")
    verb = verb.lower().rstrip(":")
    thread_ts = event.get("thread_ts") or event["ts"]
    person = who.person
    if verb == "route":  # the one thing someone of the client's organisation may ask
        head, colon, tail = rest.partition(":")
        words = head.split()
        function = words[0].lower() if words else None
        note = tail.strip() if colon else " ".join(words[1:])
        request = RouteRequest(
            team_id=who.team_id,
            person=person,
            channel_id=event["channel"],
            thread_ts=thread_ts,
            function=function,
            note=clip(routing.quoted(st, who.team_id, note), 2000) or None,
            source_ts=event["ts"],
        )
        return routing.open_case(st, request)
    if not who.ours:
        line = HELP_CLIENT if person.ours is False else who.refusal
        return routing.tell(st, event, person, line, Audience.client)
    if verb == "reply":
        return routing.reply_to_client(st, event, person, rest.strip())
    if verb in ("resolve", "reopen"):
        with st.db.session() as session:
            case, _ = routing.case_for_thread(session, event["channel"], thread_ts)
        if case is None or case.id is None:
            return routing.tell(st, event, person, f"There is no case in this thread to {verb}.")
        if verb == "reopen":
            return routing.tell(st, event, person, routing.reopen(st, case.id, person))
        outcome = routing.resolve(st, case.id, person, rest)
        if outcome != "resolved":
            routing.tell(st, event, person, f"{routing.label(case)} is already resolved.")
        return outcome
    return routing.tell(st, event, person, routing.HELP_ROUTE)


def first_time(st: Steward, body: dict[str, Any]) -> bool:
    """True the first time this event_id arrives; Slack's retries of it return False."""
    event_id = body.get("event_id")
    if not event_id:
        return True
    try:
        with st.db.session() as session:
            session.add(SeenEvent(event_id=event_id, seen_at=st.clock.now()))
    except IntegrityError:
        log.info("event %s seen before (retry %s); dropped", event_id, body.get("retry_num"))
        return False
    return True


def register(app: App, st: Steward) -> None:
    @app.event("app_mention")
    @functools.partial(deferred, st)
    def mentioned(event: dict[str, Any], body: dict[str, Any]) -> None:
        if not first_time(st, body):
            return
        who = actor(st, body)
        try:
            outcome = handle_mention(st, event, who)
        except Exception:
            log.exception("mention %s failed", event.get("ts"))
            outcome = routing.tell(
                st,
                event,
                who.person,
                "Something went wrong on our side and nothing was done. Please try "
                "again in a minute; what you wrote is still in the thread.",
                Audience.client,  # said to whoever wrote, ours or the client's
            )
        log.info("mention %s in %s: %s", event.get("ts"), event.get("channel"), outcome)

    @app.event("message")
    @functools.partial(deferred, st)
    def message(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("subtype") or event.get("bot_id") or not first_time(st, body):
            return  # edits, joins, and every bot's posts, ours included: no echo loops
        bot_user = context.get("bot_user_id") or ""
        if event.get("user") == bot_user or f"<@{bot_user}>" in (event.get("text") or ""):
            return  # a mention of Steward is a command, handled as app_mention
        routing.carry(st, event, lambda: actor(st, body).person)

    @app.event("channel_shared")
    @functools.partial(deferred, st)
    def shared(event: dict[str, Any]) -> None:
        st.gateway.mark(event["channel"], Standing.shared)
        log.info("channel %s is now shared with another organisation", event["channel"])

    @app.event("channel_unshared")
    @functools.partial(deferred, st)
    def unshared(event: dict[str, Any]) -> None:
        still = event.get("is_ext_shared", True)  # shared with others still? When unsure: yes
        st.gateway.mark(event["channel"], Standing.shared if still else Standing.internal)

    @app.event("member_joined_channel")
    @functools.partial(deferred, st)
    def joined(event: dict[str, Any], body: dict[str, Any]) -> None:
        if not actor(st, body).ours:  # someone of another organisation is in it now
            st.gateway.mark(event["channel"], Standing.shared)

    def shortcut(who: Actor, body: dict[str, Any], respond: Respond) -> None:
        team, channel = who.team_id, body["channel"]["id"]
        message = body.get("message") or {}
        with st.db.session() as session:
            account = account_for_channel(session, team, channel)
            functions = routing.functions_for(session, team, account) if account else []
        if account is None or not functions:
            answer(
                st,
                who,
                respond,
                render.say(
                    "I can only route threads in an account's channel, to a function with a "
                    f"counterpart (`{routing.EX_ROUTE_SET}`)."
                ),
            )
            return
        guess = routing.suggest_function(
            message.get("text", ""), functions, routing.parse_keywords(st.settings.route_keywords)
        )
        meta = {
            "channel_id": channel,
            "thread_ts": message.get("thread_ts") or body["message_ts"],
            "source_ts": body["message_ts"],
        }
        view = route_form(functions, guess, meta)
        st.gateway.open_view(trigger_id=body["trigger_id"], person=who.person, view=view)

    app.shortcut("route_message")(ours_only(st, shortcut))

    @app.view(ROUTE_FORM)
    def route_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        ack()
        after_ack(st, route_form_sent, body, view)

    def route_form_sent(body: dict[str, Any], view: dict[str, Any]) -> None:
        who = actor(st, body)
        if refused(st, view, who):
            return
        form, meta = modals.values(view), metadata(view)
        request = RouteRequest(
            team_id=who.team_id,
            person=who.person,
            channel_id=meta.get("channel_id", ""),
            thread_ts=meta.get("thread_ts", ""),
            function=form.get("function"),
            note=(form.get("note") or "").strip() or None,
            source_ts=f"form-{meta.get('source_ts', '')}",
        )
        routing.open_case(st, request)

    def picked(who: Actor, body: dict[str, Any], respond: Respond) -> None:
        action = body["actions"][0]
        thread_ts, _, note = (action.get("value") or "").partition("|")
        channel = (body.get("channel") or {}).get("id") or body["container"].get("channel_id", "")
        request = RouteRequest(
            team_id=who.team_id,
            person=who.person,
            channel_id=channel,
            thread_ts=thread_ts,
            function=action["action_id"].removeprefix("route_pick_"),
            note=note or None,
            source_ts=f"pick-{thread_ts}",
        )
        routing.open_case(st, request)
        respond(delete_original=True)

    app.action(re.compile(r"^route_pick_"))(ours_only(st, picked))

    def case_button(act: Callable[[int, Person], str]) -> Callable[..., None]:
        """A case button: only our people act; the outcome is said to the presser alone."""

        def pressed(who: Actor, body: dict[str, Any], respond: Respond) -> None:
            said = act(int(body["actions"][0]["value"]), who.person)
            answer(st, who, respond, render.say(said))

        return ours_only(st, pressed)

    def resolve_said(case_id: int, person: Person) -> str:
        done = routing.resolve(st, case_id, person) == "resolved"
        return "Resolved; both threads are told." if done else "It was already resolved."

    app.action("case_take")(case_button(lambda case_id, p: routing.take(st, case_id, p)))
    app.action("case_resolve")(case_button(resolve_said))
    app.action("case_reopen")(case_button(lambda case_id, p: routing.reopen(st, case_id, p)))


def route_form(functions: list[str], guess: str | None, meta: dict[str, str]) -> dict[str, Any]:
    options = [{"text": {"type": "plain_text", "text": f}, "value": f} for f in functions]
    select: dict[str, Any] = {"type": "static_select", "action_id": "function", "options": options}
    if guess:
        select["initial_option"] = next(o for o in options if o["value"] == guess)
    return {
        "type": "modal",
        "callback_id": ROUTE_FORM,
        "title": {"type": "plain_text", "text": "Route to counterpart"},
        "submit": {"type": "plain_text", "text": "Route"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(meta),
        "blocks": [
            {
                "type": "input",
                "block_id": "function",
                "label": {"type": "plain_text", "text": "To which team"},
                "element": select,
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": {"type": "plain_text", "text": "Note for them"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "note",
                    "multiline": True,
                    "max_length": 2000,
                },
            },
        ],
    }
