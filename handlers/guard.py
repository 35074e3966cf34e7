"""Who is acting: one of our people, or someone of another organisation (a client in a channel
shared with us). Judged by what Slack says about the person (users.info, cached: their team and
Enterprise Grid org), never by the team a payload names, which can only make us stricter.

People of another organisation may raise things with us (`@Steward route …` in their thread)
and have their own words in a routed thread carried to our team; everything else gets one
polite line, seen by them alone, that names nothing internal.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ParamSpec

from slack_bolt import Ack, BoltContext, Respond

from bot.home.render import refusal_home
from bot.invocation import Invocation, Policy
from bot.models import Audience
from bot.people import Person
from bot.slacktext import CHANNEL_MENTION, USER_MENTION
from bot.steward import Steward
from bot.workspaces import NotInstalled

CLIENT_LINE = (
    "Sorry, that is only for the team that runs Steward here. To raise something with us, "
    "mention @Steward in your thread: `@Steward route <topic>: what it is about`."
)
UNSURE_LINE = (
    "I couldn't check your Slack account just now, so I did nothing. Please try again in a minute."
)


@dataclass(frozen=True)
class Actor:
    team_id: str  # our workspace: the scope of every record, whatever the payload says
    person: Person

    @property
    def ours(self) -> bool:
        return self.person.trusted

    @property
    def refusal(self) -> str:
        """The one line for someone who may not do this (or whom Slack could not vouch for)."""
        return CLIENT_LINE if self.person.ours is False else UNSURE_LINE


def user_and_team(body: dict[str, Any]) -> tuple[str, str | None]:
    """The acting user and the team the payload says they belong to, for every shape Slack
    sends: slash commands, interactions (buttons, forms, shortcuts, menus) and events."""
    event = body.get("event")
    if isinstance(event, dict):
        team = event.get("user_team") or event.get("source_team") or event.get("team")
        return str(event.get("user") or ""), team
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or ""), user.get("team_id") or (body.get("team") or {}).get("id")
    return str(body.get("user_id") or ""), body.get("team_id")


def authorized_team(context: Mapping[str, Any]) -> str | None:
    """The workspace Bolt authorized this request for: the installation whose token it found
    (several workspaces), or what SLACK_BOT_TOKEN's auth.test says (one). Never a payload's."""
    result = context.get("authorize_result")
    team = getattr(result, "team_id", None) if result is not None else None
    return str(team) if team else None


def actor(st: Steward, body: dict[str, Any], context: Mapping[str, Any]) -> Actor:
    """Who is acting, in the workspace Bolt authorized (`context`, Bolt's). Without one, or
    when its token is gone, nobody Slack vouched for: they are refused with the unsure line."""
    user, hinted = user_and_team(body)
    team = authorized_team(context)
    if team is None:
        return Actor("", Person(user, None))
    try:
        return Actor(team, st.directory.person(team, user, hint_team=hinted))
    except NotInstalled:
        return Actor(team, Person(user, None))


def refuse(st: Steward, who: Actor, respond: Respond, body: dict[str, Any] | None = None) -> None:
    """One polite line, seen by them alone, naming nothing internal; nothing else happens. A
    click in the Home tab has no response_url: their Home becomes that line."""
    if body is not None and not body.get("response_url") and (
        (body.get("view") or {}).get("type") == "home"
    ):
        if not who.team_id:
            return  # no workspace Bolt vouched for: no Home to publish in
        st.work.submit_answer(
            st.gateway.publish_home,
            team_id=who.team_id,
            person=who.person,
            view=refusal_home(who.refusal),
            audience=Audience.client,
        )
        return
    st.work.submit_answer(
        st.gateway.respond,
        respond,
        person=who.person,
        audience=Audience.client,
        text=who.refusal,
        response_type="ephemeral",
        replace_original=False,
    )


def answer(st: Steward, who: Actor, respond: Respond, reply: dict[str, Any]) -> None:
    """An answer seen only by the person who acted (one of ours), sent on the answer lane."""
    st.work.submit_answer(
        st.gateway.respond,
        respond,
        person=who.person,
        audience=Audience.internal,
        **reply,
        response_type="ephemeral",
        replace_original=False,
    )


def invocation(
    st: Steward,
    who: Actor,
    command: str,
    text: str,
    channel_id: str,
    *,
    people: Iterable[str] = (),
    button: str | None = None,
) -> Invocation:
    """The Invocation for one of our people, with what Slack has to say looked up now, before
    any transaction: everyone the text mentions (and `people`), and the standing of the
    channel they are in and of every channel the text names."""
    mentioned = {*USER_MENTION.findall(text), *people}
    found = {u: st.directory.person(who.team_id, u) for u in mentioned if u}
    named = {m[0] for m in CHANNEL_MENTION.findall(text)}  # what a setting may be about: fresh
    team = who.team_id
    standings = {c: st.gateway.standing(team, c) for c in named if not c.startswith("D")}
    if channel_id and channel_id not in named and not channel_id.startswith("D"):
        standings[channel_id] = st.gateway.recent_standing(team, channel_id)  # what they are told
    return Invocation(
        command=command,
        text=text,
        team_id=who.team_id,
        person=who.person,
        channel_id=channel_id,
        now=st.clock.now(),
        policy=Policy(st.settings.silence_days, st.settings.route_keywords),
        people=found,
        standings=standings,
        button=button,
    )


Act = Callable[[Actor, dict[str, Any], Respond], None]
P = ParamSpec("P")

# Listeners run on the thread that answers Slack (bot/app.py): whatever they do before they
# return delays the ack. So each acks, hands its work to the pool (`st.work`) and returns.


def ours_only(
    st: Steward, act: Act, *, urgent: Callable[[dict[str, Any]], bool] | None = None
) -> Callable[[Ack, dict[str, Any], Respond, BoltContext], None]:
    """A listener for a command, button or shortcut that only our people may use: it acks at
    once; then, off the ack's path, it judges who is acting (users.info may be asked: never
    before the ack) and refuses anyone else with one line before `act` runs. `urgent`: which
    requests open a form, whose trigger expires in 3 s: they skip the queue of work."""

    def judged(body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        who = actor(st, body, context)
        if not who.ours:
            refuse(st, who, respond, body)
            return
        act(who, body, respond)

    def listener(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        if urgent is not None and urgent(body):
            st.work.submit_urgent(judged, body, respond, context)
        else:
            st.work.submit(judged, body, respond, context)

    return listener


def deferred(st: Steward, work: Callable[P, None]) -> Callable[P, None]:
    """An event listener whose work runs off the ack's path (Bolt acks the event when the
    listener returns). Bolt passes arguments by the names `work` asks for, which this keeps."""

    @functools.wraps(work)
    def listener(*args: P.args, **kwargs: P.kwargs) -> None:
        st.work.submit(work, *args, **kwargs)

    return listener


def after_ack(st: Steward, fn: Callable[P, None], *args: P.args, **kwargs: P.kwargs) -> None:
    """Run what follows an ack (a form's work, once its values passed the checks that answer
    in the ack) off the ack's path."""
    st.work.submit(fn, *args, **kwargs)


def metadata(view: dict[str, Any]) -> dict[str, str]:
    """What a form carries from where it was opened (channel, response_url, digest ts)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}
