"""Modal submissions and the account picker's options."""

from __future__ import annotations

import logging
from datetime import date, timedelta, timezone
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.webhook import WebhookClient
from sqlmodel import Session, col, or_, select

from bot import modals
from bot.commands import Invocation, Reply, record_contact, record_promise, run
from bot.errors import UserError
from bot.models import Account, Audience, InteractionKind
from bot.services.accounts import account_of_team, name_key
from bot.slacktext import defuse, escape
from bot.steward import Steward
from handlers.commands import failure_reply, metadata
from handlers.digest import update_digest
from handlers.guard import Actor, actor, after_ack, invocation

log = logging.getLogger(__name__)
LATEST_ZONE = timezone(timedelta(hours=14))  # nobody's today is later than this
EARLIEST_ZONE = timezone(timedelta(hours=-12))


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


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
    @app.options(modals.ACCOUNT_ACTION)
    def account_options(ack: Ack, body: dict[str, Any]) -> None:
        who = actor(st, body)
        if not who.ours:
            ack(options=[])  # account names are ours to know
            return
        team = who.team_id
        key = name_key(body.get("value") or "")
        with st.db.session() as session:
            query = select(Account).where(Account.team_id == team)
            if key:
                pattern = f"%{key}%"
                query = query.where(
                    or_(col(Account.slug).contains(key), col(Account.name_key).like(pattern))
                )
            found = session.exec(query.order_by(Account.slug).limit(100)).all()
        ack(options=[modals.account_option(a) for a in found])

    @app.view(modals.LOG_CALLBACK)
    def logcontact_submitted(ack: Ack, body: dict[str, Any], view: dict) -> None:
        form = modals.values(view)
        day = _date(form.get("day"))
        if day and day > st.clock.now().astimezone(LATEST_ZONE).date():
            ack(response_action="errors", errors={"day": "That day is in the future."})
            return
        if not (form.get("summary") or "").strip():
            ack(response_action="errors", errors={"summary": "Write what was discussed."})
            return
        ack()
        after_ack(st, logcontact_work, body, view, form, day)

    def logcontact_work(body: dict[str, Any], view: dict, form: dict, day: date | None) -> None:
        who = actor(st, body)
        if refused(st, view, who):
            return
        team, meta = who.team_id, metadata(view)
        inv = invocation(st, who, "/logcontact", "", meta.get("channel_id", ""))

        def action(inv: Invocation, session: Session) -> Reply:
            account = account_of_team(session, team, form.get("account"))
            if account is None:
                raise UserError("that account no longer exists.", "/steward account list")
            kind = InteractionKind(form.get("kind") or "other")
            person = (form.get("person") or "").strip() or None
            summary = defuse(escape(form["summary"].strip()))
            return record_contact(inv, session, account, kind, day or inv.today, person, summary)

        _finish(st, who, inv, meta, action, form.get("summary") or "")
        update_digest(st, inv, meta.get("digest_ts"))  # opened from a digest: it shrinks

    @app.view(modals.PROMISE_CALLBACK)
    def promise_submitted(ack: Ack, body: dict[str, Any], view: dict) -> None:
        form = modals.values(view)
        due = _date(form.get("due"))
        if due is None or due < st.clock.now().astimezone(EARLIEST_ZONE).date():
            ack(response_action="errors", errors={"due": "Pick a due date from today on."})
            return
        if not (form.get("what") or "").strip():
            ack(response_action="errors", errors={"what": "Say what we promised."})
            return
        ack()
        after_ack(st, promise_work, body, view, form, due)

    def promise_work(body: dict[str, Any], view: dict, form: dict, due: date) -> None:
        who = actor(st, body)
        if refused(st, view, who):
            return
        team, meta = who.team_id, metadata(view)
        owner = form.get("owner") or who.person.user_id
        inv = invocation(st, who, "/promise", "", meta.get("channel_id", ""), people=[owner])
        internal = bool(form.get("internal"))

        def action(inv: Invocation, session: Session) -> Reply:
            account = account_of_team(session, team, form.get("account"))
            if account is None:
                raise UserError("that account no longer exists.", "/steward account list")
            what = defuse(escape(form["what"].strip()))
            example = "/promise acme send the quote by friday"
            inv.require_ours(owner, "a promise's owner", example)
            return record_promise(inv, session, account, what, owner, due, internal=internal)

        _finish(st, who, inv, meta, action, form.get("what") or "")


def _finish(st: Steward, who: Actor, inv: Invocation, meta: dict, action: Any, typed: str) -> None:
    try:
        reply = run(st.db, inv, action)
    except Exception:
        log.exception("%s form failed", inv.command)
        reply = failure_reply(escape(typed))
    try:
        answer_form(st, meta, who, reply, Audience.internal)
    except Exception:
        log.exception("could not answer %s", inv.user_id)
