"""App Home: published when a person opens Steward's Home tab (`app_home_opened`), again after
each of their actions (a button, a command, a form) once they have opened it, and on its own
buttons: "Card" (an account's card on top), "Close card" and "Show more".

Only our people get their accounts and promises there, and only their own; anyone else gets
one line saying Steward is for the team that runs it. All of it runs after the ack."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.home import render, service
from bot.home.service import HomeState
from bot.models import Audience, Member
from bot.steward import Steward
from handlers.guard import Actor, actor, deferred, ours_only

log = logging.getLogger(__name__)


def publish(
    st: Steward,
    who: Actor,
    *,
    state: HomeState | None = None,
    notice: str | None = None,
    opened: bool = False,
) -> None:
    """Build the person's Home and publish it; `opened`: they are looking at it now, so it is
    kept fresh from here on (Member.home_opened_at)."""
    if not who.ours:
        view = render.refusal_home(who.refusal)
        st.gateway.publish_home(
            team_id=who.team_id, person=who.person, view=view, audience=Audience.client
        )
        return
    user, now = who.person.user_id, st.clock.now()
    with st.db.session() as session:
        if opened:
            values = {"team_id": who.team_id, "user_id": user, "home_opened_at": now}
            st.db.upsert(Member, values, ("team_id", "user_id"), session)
            st.homes.saw(who.team_id, user, now)
        home = service.build(
            session,
            who.team_id,
            user,
            today=now.astimezone(who.person.tz).date(),
            now=now,
            tiers=st.settings.silence_days,
            state=state,
        )
    st.gateway.publish_home(
        team_id=who.team_id, person=who.person, view=render.home_view(home, notice)
    )


def refresh(st: Steward, who: Actor, notice: str | None = None) -> None:
    """Republish the person's Home after something they did, if they ever opened it (else
    nothing: a read by primary key at most every few minutes, see bot/home/service.Watchers).
    Never raises: the action itself is done."""
    try:
        if not who.ours:
            return
        team, user, now = who.team_id, who.person.user_id, st.clock.now()
        opened = st.homes.known(team, user, now)
        if opened is None:
            with st.db.session() as session:
                opened = st.homes.read(session, team, user, now)
        if opened:
            publish(st, who, notice=notice)
    except Exception:
        log.exception("could not refresh the Home of %s", who.person.user_id)


def in_home(body: dict[str, Any]) -> bool:
    """Was this click made in the Home tab?"""
    view = body.get("view") or {}
    return (body.get("container") or {}).get("type") == "view" and view.get("type") == "home"


def register(app: App, st: Steward) -> None:
    def opened(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        if event.get("tab") != "home":
            return  # the Messages tab: nothing to publish
        who = actor(st, body, context)
        try:
            publish(st, who, opened=True)
        except Exception:
            log.exception("could not publish the Home of %s", who.person.user_id)

    def clicked(who: Actor, body: dict[str, Any], respond: Respond) -> None:
        action = body["actions"][0]
        state = HomeState.read((body.get("view") or {}).get("private_metadata"))
        value = str(action.get("value") or "")
        name = action.get("action_id")
        if name == render.MORE and value.isdigit():
            state = HomeState.read(HomeState(int(value), state.card).meta)
        elif name == render.CARD and value.isdigit():
            state = HomeState(state.page, int(value))
        elif name == render.CLOSE:
            state = HomeState(state.page, None)
        else:
            log.info("refused a Home click on a button we did not write")
        publish(st, who, state=state)

    app.event("app_home_opened")(deferred(st, opened))
    for name in (render.MORE, render.CARD, render.CLOSE):
        app.action(name)(ours_only(st, clicked))
