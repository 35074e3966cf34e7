"""The /logcontact and /promise forms, and the account picker in them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext
from slack_sdk.webhook import WebhookClient

from bot.accounts.queries import search
from bot.blocks import ACCOUNT_ACTION, Reply, account_option, failure, form_values
from bot.commands import Action, run
from bot.contacts import render as contact_render
from bot.contacts.grammar import LogForm
from bot.invocation import Invocation
from bot.models import Audience
from bot.promises import render as promise_render
from bot.promises.grammar import PromiseForm
from bot.steward import Steward
from handlers.actions.digest import update_digest
from handlers.events import home
from handlers.guard import Actor, actor, after_ack, invocation, metadata

log = logging.getLogger(__name__)
F = TypeVar("F")
Reader = Callable[[dict[str, Any], datetime], "F | dict[str, str]"]
Submitted = Callable[[Ack, dict[str, Any], dict[str, Any], BoltContext], None]


def answer_form(
    st: Steward, meta: dict[str, str], who: Actor, reply: Reply, audience: Audience
) -> None:
    """Send a form's result, seen by its sender alone, where the command was typed: its
    response_url, else an ephemeral there (or in their DM)."""
    url = meta.get("response_url")
    if url:
        st.gateway.respond(
            WebhookClient(url).send,
            person=who.person,
            audience=audience,
            **reply,
            response_type="ephemeral",
            replace_original=False,
        )
        return
    channel = meta.get("channel_id") or who.person.user_id
    st.gateway.ephemeral(
        team_id=who.team_id, channel=channel, person=who.person, audience=audience, **reply
    )


def refused(st: Steward, view: dict[str, Any], who: Actor) -> bool:
    """A form sent by someone who may not use it: told so, alone; nothing is stored."""
    if who.ours:
        return False
    try:
        answer_form(st, metadata(view), who, {"text": who.refusal}, Audience.client)
    except Exception:
        log.exception("could not answer %s", who.person.user_id)
    return True


def register(app: App, st: Steward) -> None:
    @app.options(ACCOUNT_ACTION)
    def account_options(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        who = actor(st, body, context)
        if not who.ours:
            ack(options=[])  # account names are ours to know
            return
        with st.db.session() as session:
            found = search(session, who.team_id, body.get("value") or "")
        ack(options=[account_option(a) for a in found])

    def form(read: Reader[F], work: Callable[[Actor, dict[str, str], F], None]) -> Submitted:
        """A form's listener: its fields checked in the ack (errors beside them), then the
        work after it, for our people only."""

        def submitted(
            ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
        ) -> None:
            sent = read(form_values(view), st.clock.now())
            if isinstance(sent, dict):
                ack(response_action="errors", errors=sent)
                return
            ack()
            after_ack(st, judged, body, view, sent, context)

        def judged(
            body: dict[str, Any], view: dict[str, Any], sent: F, context: BoltContext
        ) -> None:
            who = actor(st, body, context)
            if not refused(st, view, who):
                work(who, metadata(view), sent)

        return submitted

    def log_contact(who: Actor, meta: dict[str, str], sent: LogForm) -> None:
        def asked() -> Invocation:
            return invocation(st, who, "/logcontact", "", meta.get("channel_id", ""))

        inv = _finish(st, who, asked, meta, sent.log, sent.summary)
        if inv is not None:
            update_digest(st, inv, meta.get("digest_ts"))  # opened from a digest: it shrinks

    def record_promise(who: Actor, meta: dict[str, str], sent: PromiseForm) -> None:
        owner = sent.owner or who.person.user_id

        def asked() -> Invocation:
            return invocation(st, who, "/promise", "", meta.get("channel_id", ""), people=[owner])

        _finish(st, who, asked, meta, sent.record, sent.what)

    app.view(contact_render.FORM)(form(LogForm.read, log_contact))
    app.view(promise_render.FORM)(form(PromiseForm.read, record_promise))


def _finish(
    st: Steward,
    who: Actor,
    asked: Callable[[], Invocation],
    meta: dict[str, str],
    action: Action,
    typed: str,
) -> Invocation | None:
    """Run a form's action and answer its sender; the Invocation, unless building it failed."""
    inv = None
    try:  # the look-ups too: whatever fails, the person hears that nothing was saved
        inv = asked()
        reply = run(st.db, inv, action)
    except Exception:
        log.exception("a form failed")
        reply = failure(typed)
    try:
        answer_form(st, meta, who, reply, Audience.internal)
    except Exception:
        log.exception("could not answer %s", who.person.user_id)
    home.refresh(st, who)
    return inv
