"""The /logcontact and /promise forms, and the account picker in them."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
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
from handlers.guard import Actor, actor, after_ack, invocation, metadata

log = logging.getLogger(__name__)


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
    st.gateway.ephemeral(channel=channel, person=who.person, audience=audience, **reply)


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
    def account_options(ack: Ack, body: dict[str, Any]) -> None:
        who = actor(st, body)
        if not who.ours:
            ack(options=[])  # account names are ours to know
            return
        with st.db.session() as session:
            found = search(session, who.team_id, body.get("value") or "")
        ack(options=[account_option(a) for a in found])

    @app.view(contact_render.FORM)
    def logcontact_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = LogForm.read(form_values(view), st.clock.now())
        if isinstance(form, dict):
            ack(response_action="errors", errors=form)
            return
        ack()
        after_ack(st, log_contact, body, view, form)

    def log_contact(body: dict[str, Any], view: dict[str, Any], form: LogForm) -> None:
        who = actor(st, body)
        if refused(st, view, who):
            return
        meta = metadata(view)
        inv = invocation(st, who, "/logcontact", "", meta.get("channel_id", ""))
        _finish(st, who, inv, meta, form.log, form.summary)
        update_digest(st, inv, meta.get("digest_ts"))  # opened from a digest: it shrinks

    @app.view(promise_render.FORM)
    def promise_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = PromiseForm.read(form_values(view), st.clock.now())
        if isinstance(form, dict):
            ack(response_action="errors", errors=form)
            return
        ack()
        after_ack(st, record_promise, body, view, form)

    def record_promise(body: dict[str, Any], view: dict[str, Any], form: PromiseForm) -> None:
        who = actor(st, body)
        if refused(st, view, who):
            return
        meta = metadata(view)
        owner = form.owner or who.person.user_id
        inv = invocation(st, who, "/promise", "", meta.get("channel_id", ""), people=[owner])
        _finish(st, who, inv, meta, form.record, form.what)


def _finish(
    st: Steward, who: Actor, inv: Invocation, meta: dict[str, str], action: Action, typed: str
) -> None:
    try:
        reply = run(st.db, inv, action)
    except Exception:
        log.exception("%s form failed", inv.command)
        reply = failure(typed)
    try:
        answer_form(st, meta, who, reply, Audience.internal)
    except Exception:
        log.exception("could not answer %s", inv.user_id)
