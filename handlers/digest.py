"""The digest's buttons: Log contact, Mark kept, New due date, Snooze. Then the digest updates.

Each click runs the same action a typed command would (`/promise done P-12`, `/promise due …`)
through `commands.run`, so a click on an item that changed since the digest went out gets the
same clear refusal, and changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App, Respond

from bot import nudges
from bot.accounts.queries import account_of_team
from bot.blocks import failure
from bot.commands import run
from bot.contacts import render as contact_render
from bot.invocation import Invocation
from bot.models import Audience
from bot.promises.grammar import promise_done, promise_due
from bot.steward import Steward
from handlers.guard import Actor, answer, invocation, ours_only

log = logging.getLogger(__name__)
ITEM = re.compile(r"^(account|promise)-(\d+)$")
SNOOZE_DAYS = {"digest_snooze_day": 1, "digest_snooze_week": 7}


def _click(body: dict[str, Any]) -> tuple[str, str, str, int] | None:
    """(action_id, item kind, value, item id) of the click, or None when it is not ours."""
    action = body["actions"][0]
    match = ITEM.match(action.get("block_id") or "")
    if not match:
        return None
    value = action.get("selected_date") or action.get("value") or ""
    return action["action_id"], match.group(1), value, int(match.group(2))


def _action(action_id: str, kind: str, value: str, item: int) -> tuple[str, str, Callable]:
    """The command this click stands for: (command, text shown if refused, action)."""
    label = f"P-{item}"
    if action_id == "digest_kept":
        return "/promise", f"done {label}", lambda i, s: promise_done(i, s, [label])
    if action_id == "digest_due":
        return "/promise", f"due {label} {value}", lambda i, s: promise_due(i, s, [label, value])
    days = SNOOZE_DAYS[action_id]
    what = label if kind == "promise" else f"account {item}"
    return (
        "/steward",
        f"snooze {what} for {days} day{'s' if days > 1 else ''}",
        lambda i, s: nudges.snooze(i, s, kind, item, days),
    )


def register(app: App, st: Steward) -> None:
    def clicked(who: Actor, body: dict[str, Any], respond: Respond) -> None:
        click = _click(body)
        if click is None:
            return
        action_id, kind, value, item = click
        container = body.get("container") or {}
        channel = container.get("channel_id") or ""
        if action_id == "digest_log":
            _open_log_form(st, body, who, channel, item)
            return
        command, text, action = _action(action_id, kind, value, item)
        inv = invocation(st, who, command, text, channel)
        try:
            reply = run(st.db, inv, action)
        except Exception:
            log.exception("digest click %s failed", action_id)
            reply = failure(inv.typed)
        answer(st, who, respond, reply)
        update_digest(st, inv, container.get("message_ts"))

    app.action(re.compile(r"^digest_"))(ours_only(st, clicked))


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
        st.gateway.open_view(trigger_id=body["trigger_id"], person=who.person, view=view)
    except Exception:
        log.exception("could not open the log form from the digest")


def update_digest(st: Steward, inv: Invocation, ts: str | None) -> None:
    """Rewrite the person's digest message (in `inv.channel_id`) with what is left in it now."""
    if not ts or not inv.channel_id:
        return
    try:
        with st.db.session() as session:
            message = nudges.render_digest(nudges.digest_for(inv, session))
        st.gateway.update(
            channel=inv.channel_id, ts=ts, audience=Audience.internal, account_id=None, **message
        )
    except Exception:
        log.exception("could not update the digest in %s", inv.channel_id)
