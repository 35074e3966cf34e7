"""Routing's surfaces: @Steward mentions, thread messages, the message shortcut and its form,
and the case buttons. Bolt acks events at once; the work below runs after the ack."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError

from bot import modals, routing
from bot.models import SeenEvent
from bot.routing import RouteRequest
from bot.services.accounts import account_for_channel
from bot.slacktext import clip, defuse
from bot.steward import Steward
from handlers.commands import metadata

log = logging.getLogger(__name__)
LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+>\s*")
ROUTE_FORM = "route_modal"
HELP_CLIENT = (
    "I can send this thread to the right team on our side and keep you posted here: "
    "`@Steward route finance: invoice 4411 is disputed`."
)


def is_external(event: dict[str, Any], body: dict[str, Any]) -> bool:
    """Written by someone of another organisation (Slack Connect)."""
    team = event.get("user_team") or event.get("team") or body.get("team_id")
    return bool(team) and team != body.get("team_id")


def handle_mention(st: Steward, event: dict[str, Any], body: dict[str, Any]) -> str:
    text = LEADING_MENTION.sub("", event.get("text") or "", count=1).strip()
    verb, _, rest = text.partition(" ")
    verb = verb.lower().rstrip(":")
    external = is_external(event, body)
    thread_ts = event.get("thread_ts") or event["ts"]
    if verb == "route":
        head, colon, tail = rest.partition(":")
        words = head.split()
        function = words[0].lower() if words else None
        note = tail.strip() if colon else " ".join(words[1:])
        request = RouteRequest(
            team_id=body["team_id"],
            user_id=event.get("user", ""),
            channel_id=event["channel"],
            thread_ts=thread_ts,
            function=function,
            note=clip(defuse(note), 2000) or None,
            source_ts=event["ts"],
        )
        return routing.open_case(st, request)
    if verb == "reply" and not external:
        return routing.reply_to_client(st, event, rest.strip())
    if verb == "resolve":
        with st.db.session() as session:
            case, _ = routing.case_for_thread(session, event["channel"], thread_ts)
        if case is None:
            return routing.tell(st, event, "There is no open case in this thread to resolve.")
        if external and case.raised_by != event.get("user"):
            return routing.tell(st, event, "Only the person who raised this case can close it.")
        return routing.resolve(
            st, case.id, event["channel"], thread_ts, event.get("user", ""), rest
        )
    return routing.tell(st, event, HELP_CLIENT if external else routing.HELP_ROUTE)


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
    def mentioned(event: dict[str, Any], body: dict[str, Any]) -> None:
        if not first_time(st, body):
            return
        try:
            outcome = handle_mention(st, event, body)
        except Exception:
            log.exception("mention %s failed", event.get("ts"))
            outcome = routing.tell(
                st,
                event,
                "Something went wrong on our side and nothing was done. Please try "
                "again in a minute; what you wrote is still in the thread.",
            )
        log.info("mention %s in %s: %s", event.get("ts"), event.get("channel"), outcome)

    @app.event("message")
    def message(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("subtype") or event.get("bot_id") or not first_time(st, body):
            return  # edits, joins, and every bot's posts, ours included: no echo loops
        bot_user = context.get("bot_user_id") or ""
        if event.get("user") == bot_user or f"<@{bot_user}>" in (event.get("text") or ""):
            return  # a mention of Steward is a command, handled as app_mention
        routing.carry(st, event, is_external(event, body))

    @app.shortcut("route_message")
    def shortcut(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        team, channel = body["team"]["id"], body["channel"]["id"]
        message = body.get("message") or {}
        with st.db.session() as session:
            account = account_for_channel(session, team, channel)
            functions = routing.functions_for(session, team, account) if account else []
        if account is None or not functions:
            respond(
                text="I can only route threads in an account's channel, to a function with a "
                f"counterpart (`{routing.EX_ROUTE_SET}`).",
                response_type="ephemeral",
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
        client.views_open(trigger_id=body["trigger_id"], view=route_form(functions, guess, meta))

    @app.view(ROUTE_FORM)
    def route_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        ack()
        form, meta = modals.values(view), metadata(view)
        request = RouteRequest(
            team_id=body["team"]["id"],
            user_id=body["user"]["id"],
            channel_id=meta.get("channel_id", ""),
            thread_ts=meta.get("thread_ts", ""),
            function=form.get("function"),
            note=(form.get("note") or "").strip() or None,
            source_ts=f"form-{meta.get('source_ts', '')}",
        )
        routing.open_case(st, request)

    @app.action(re.compile(r"^route_pick_"))
    def picked(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        action = body["actions"][0]
        thread_ts, _, note = (action.get("value") or "").partition("|")
        channel = (body.get("channel") or {}).get("id") or body["container"].get("channel_id", "")
        request = RouteRequest(
            team_id=body["team"]["id"],
            user_id=body["user"]["id"],
            channel_id=channel,
            thread_ts=thread_ts,
            function=action["action_id"].removeprefix("route_pick_"),
            note=note or None,
            source_ts=f"pick-{thread_ts}",
        )
        routing.open_case(st, request)
        respond(delete_original=True)

    @app.action("case_take")
    def take(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        said = routing.take(st, int(body["actions"][0]["value"]), body["user"]["id"])
        respond(text=said, response_type="ephemeral", replace_original=False)

    @app.action("case_resolve")
    def resolve(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        case_id = int(body["actions"][0]["value"])
        outcome = routing.resolve(st, case_id, "", None, body["user"]["id"], "")
        said = "Resolved; both threads are told."
        if outcome != "resolved":
            said = "It was already resolved."
        respond(text=said, response_type="ephemeral", replace_original=False)


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
