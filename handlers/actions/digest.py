"""The digest's buttons: Log contact, Mark kept, New due date, Snooze. Then the digest updates.

Each click runs the same action a typed command would (`/promise done P-12`, `/promise due …`)
through `commands.run`, so a click on an item that changed since the digest went out gets the
same clear refusal, and changes nothing. A button we did not write gets one clear line.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import App, Respond
from sqlmodel import Session

from bot import keys
from bot.accounts.queries import account_of_team
from bot.blocks import Reply, failure, refusal
from bot.commands import Action, run
from bot.contacts import render as contact_render
from bot.digest import grammar, queries, service
from bot.digest.grammar import Button, DigestClick
from bot.digest.render import render_digest
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account, Audience, Promise
from bot.promises.grammar import promise_done, promise_due
from bot.steward import Steward
from handlers.events import home
from handlers.guard import Actor, answer, invocation, ours_only

log = logging.getLogger(__name__)
TITLE = "Couldn't do that"


def _command(button: Button, click: DigestClick, picked: str) -> tuple[str, str, Action]:
    """The command this click stands for: (command, text shown if refused, action)."""
    label = keys.promise_label(click.item_id)
    if button is Button.kept:
        return "/promise", f"done {label}", lambda i, s: promise_done(i, s, [label])
    if button is Button.due:
        return "/promise", f"due {label} {picked}", lambda i, s: promise_due(i, s, [label, picked])
    days = button.snooze_days
    assert days is not None, button  # Log contact, Mark kept and New due date are above

    def snooze(inv: Invocation, session: Session) -> Reply:
        return grammar.snooze(inv, session, click, days)

    return "/steward", grammar.snooze_typed(click, days), snooze


def register(app: App, st: Steward) -> None:
    def clicked(who: Actor, body: dict[str, Any], respond: Respond) -> None:
        action = body["actions"][0]
        container = body.get("container") or {}
        channel = container.get("channel_id") or ""
        from_home = home.in_home(body)  # no response_url there: the Home says how it went
        try:
            button, click = grammar.parse_click(action)
        except UserError as error:
            log.info("refused a digest click on a button we did not write")
            reply = refusal(error, title=TITLE, typed="")
            if from_home:
                home.refresh(st, who, notice=reply["text"])
            else:
                answer(st, who, respond, reply)
            return
        if button is Button.log:
            _open_log_form(st, body, who, channel, click.item_id)
            return
        picked = action.get("selected_date") or ""
        command, text, act = _command(button, click, picked)
        inv = None
        try:  # the look-ups too: whatever fails, the person hears that nothing was saved
            label = (action.get("text") or {}).get("text") or "New due date"
            inv = invocation(st, who, command, text, channel, button=label)
            reply = run(st.db, inv, act)
        except Exception:
            log.exception("digest click %s failed", button.value)
            reply = failure(f"{command} {text}")
        if from_home:
            home.refresh(st, who, notice=reply["text"])
            return
        answer(st, who, respond, reply)
        if inv is not None:
            update_digest(st, inv, container.get("message_ts"))
            if button in (Button.kept, Button.due):
                refresh_others(st, inv, click.item_id)  # a promise kept or moved: everywhere
        home.refresh(st, who)

    def opens_form(body: dict[str, Any]) -> bool:
        return bool(body["actions"][0].get("action_id") == Button.log)

    app.action(re.compile(r"^digest_"))(ours_only(st, clicked, urgent=opens_form))


def _open_log_form(
    st: Steward, body: dict[str, Any], who: Actor, channel: str, account_id: int
) -> None:
    """The /logcontact form, with the account filled in. Fast: trigger_id lives 3 seconds."""
    team, user = who.team_id, who.person.user_id
    with st.db.session() as session:
        account = account_of_team(session, team, str(account_id))
        tz = st.directory.cached_tz(session, team, user)
    meta = {
        "channel_id": channel,
        "response_url": body.get("response_url", ""),
        "digest_ts": (body.get("container") or {}).get("message_ts", ""),  # updated after
    }
    view = contact_render.form(account, st.clock.today(tz) if tz else None, meta)
    try:
        st.gateway.open_view(
            team_id=team, trigger_id=body["trigger_id"], person=who.person, view=view
        )
    except Exception:
        log.exception("could not open the log form from the digest")


def update_digest(st: Steward, inv: Invocation, ts: str | None) -> None:
    """Rewrite the person's digest message (in `inv.channel_id`) with what is left in it now;
    only their own digest, whatever channel a click's container names."""
    if not ts or not inv.channel_id:
        return
    try:
        with st.db.session() as session:
            if not queries.is_digest_of(session, inv.team_id, inv.user_id, inv.channel_id, ts):
                log.warning("a digest click named a message that is not the person's digest")
                return
            message = _digest_today(session, inv, inv.user_id, inv.tz, inv.today)
        _replace(st, inv.team_id, inv.channel_id, ts, message)
    except Exception:
        log.exception("could not update the digest in %s", inv.channel_id)


def refresh_others(st: Steward, inv: Invocation, promise_id: int) -> None:
    """Rewrite today's digest of everyone else it may show the promise to (its owner, its
    account's owner), so no digest still offers buttons for a promise already kept or moved."""
    try:
        with st.db.session() as session:
            found = session.get(Promise, promise_id)
            account = session.get(Account, found.account_id) if found else None
        if found is None or account is None:
            return
        for user in {found.owner_id, account.owner_id} - {inv.user_id}:
            person = st.directory.person(inv.team_id, user)
            today = st.clock.today(person.tz)
            with st.db.session() as session:
                posted = queries.posted_digest(session, inv.team_id, user, today)
                if posted is None:
                    continue
                message = _digest_today(session, inv, user, person.tz, today)
            _replace(st, inv.team_id, posted.channel, posted.ts, message)
    except Exception:
        log.exception(
            "could not refresh the other digests showing %s", keys.promise_label(promise_id)
        )


def _digest_today(session: Session, inv: Invocation, user: str, tz: ZoneInfo, today: date) -> Reply:
    """`user`'s digest as it stands now, rendered (read in the caller's transaction)."""
    digest = service.digest_now(session, inv.team_id, user, tz, today, inv.policy.silence_days)
    return render_digest(digest)


def _replace(st: Steward, team_id: str, channel: str, ts: str, message: Reply) -> None:
    """chat.update of a digest in place (outside any transaction: it waits on Slack)."""
    st.gateway.update(
        team_id=team_id,
        channel=channel,
        ts=ts,
        audience=Audience.internal,
        account_id=None,
        **message,
    )
