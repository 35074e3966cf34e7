"""What every case surface shares: what Slack knows, gathered before a cases service runs
(never inside its transaction), and the service's outcome delivered through the gateway."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.cases import lifecycle, service
from bot.cases import render as case_render
from bot.cases.grammar import parse_keywords, resolution
from bot.cases.hours import most_common_zone
from bot.cases.service import Facts, Outcome, Plan, PostState, RouteRequest
from bot.models import Audience, CaseStatus
from bot.people import Person
from bot.slacktext import USER_MENTION, inert
from bot.steward import Steward

log = logging.getLogger(__name__)


# -- what Slack knows --------------------------------------------------------------------------
def names_for(
    st: Steward, team_id: str, texts: Iterable[str], users: Iterable[str]
) -> dict[str, str]:
    """Names for everyone these texts mention and these users (users.info may write its
    cache: never inside a transaction)."""
    ids = {*users, *(m.group(1) for text in texts for m in USER_MENTION.finditer(text))}
    return {user: st.directory.name(team_id, user) for user in ids if user}


def quoted(st: Steward, team_id: str, text: str) -> str:
    """`text` pinging nobody: mentions become names."""
    names = names_for(st, team_id, [text], [])
    return inert(text, lambda user: names.get(user, user))


def team_zone(st: Steward, team_id: str, channel: str) -> str | None:
    """The zone most of the channel's members have (users.info, cached; ties: the
    alphabetically first), for a route's working hours; None when Slack would not say."""
    members = st.gateway.members(team_id, channel) or []
    people = (st.directory.person(team_id, user) for user in members)
    return most_common_zone(p.tz.key for p in people if p.ours is not None)


def gather(st: Steward, request: RouteRequest, plan: Plan) -> Facts:
    """What opening this case needs from Slack, and only that."""
    if plan.needs == "thread":
        return Facts(
            thread=st.gateway.thread(request.team_id, request.channel_id, request.thread_ts)
        )
    permalink = st.gateway.permalink(request.team_id, request.channel_id, request.thread_ts)
    if plan.needs == "link" or plan.channel is None:
        return Facts(permalink=permalink)
    refusal = st.gateway.judge(request.team_id, plan.channel, Audience.internal, plan.account_id)
    if refusal:
        return Facts(permalink=permalink, refusal=refusal)
    thread = st.gateway.thread(request.team_id, request.channel_id, request.thread_ts)
    shared = st.gateway.is_shared(request.team_id, request.channel_id)
    names = names_for(
        st,
        request.team_id,
        [str(m.get("text", "")) for m in thread] + [request.note or ""],
        [request.user_id] + [str(m.get("user") or "") for m in thread],
    )
    return Facts(names=names, thread=thread, permalink=permalink, shared=shared)


# -- delivering --------------------------------------------------------------------------------
def whisper(
    st: Steward,
    team_id: str,
    channel: str,
    thread_ts: str,
    person: Person,
    audience: Audience,
    **message: Any,
) -> None:
    """A message in a thread that only `person` sees; `audience` is what the text is (the exit
    refuses internal text to someone outside our organisation). A failure is logged."""
    try:
        st.gateway.ephemeral(
            team_id=team_id,
            channel=channel,
            person=person,
            audience=audience,
            thread_ts=thread_ts,
            **message,
        )
    except Exception:
        log.exception("could not answer %s", person.user_id)


def tell(
    st: Steward,
    team_id: str,
    event: Mapping[str, Any],
    person: Person,
    text: str,
    audience: Audience = Audience.internal,
) -> str:
    """An answer seen only by `person`, in the thread they wrote in (workspace `team_id`)."""
    thread_ts = event.get("thread_ts") or event["ts"]
    whisper(st, team_id, event["channel"], thread_ts, person, audience, text=text)
    return "noted"


def show_status(st: Steward, post: PostState | None) -> None:
    """Rewrite the case post's buttons as its state: who has it, or how it was resolved."""
    if post is None:
        return
    case = post.case
    try:
        st.gateway.update(
            team_id=case.team_id,
            channel=post.channel,
            ts=post.ts,
            audience=Audience.internal,
            account_id=case.account_id,
            text=post.text,
            blocks=case_render.post_with_status(case, post.blocks),
        )
    except Exception as error:
        log.warning("could not update the post of %s: %s", case_render.label(case), error)


def deliver(st: Steward, outcome: Outcome, request: RouteRequest) -> str:
    """Say what the service had to say, to the asker alone in the thread; show the post's
    state."""
    where = (st, request.team_id, request.channel_id, request.thread_ts, request.person)
    if outcome.choices is not None:
        c = outcome.choices
        prompt = case_render.route_prompt(c.guess, c.functions, c.pick)
        whisper(*where, Audience.internal, **prompt)
    elif outcome.say:
        whisper(*where, outcome.audience, text=outcome.say)
    show_status(st, outcome.post)
    return outcome.log


# -- the flows several surfaces share ----------------------------------------------------------
def route(st: Steward, request: RouteRequest) -> str:
    """Route the thread: plan, ask Slack what the plan needs, open; answers the asker alone."""
    with st.db.session() as session:
        plan = service.plan_route(session, request)
    if isinstance(plan, Outcome):
        return deliver(st, plan, request)
    facts = gather(st, request, plan)
    keywords = parse_keywords(st.settings.route_keywords)
    try:
        with st.db.session() as session:
            outcome = service.open_case(session, request, plan, facts, st.clock.now(), keywords)
    except IntegrityError:
        outcome = service.ALREADY_ROUTED
    return deliver(st, outcome, request)


def resolve(st: Steward, team_id: str, case_id: int, person: Person, text: str = "") -> Outcome:
    """Resolve a case; `text`: an internal note, then optionally `reply: …` for the client."""
    note, reply = resolution(text)
    with st.db.session() as session:
        case = lifecycle.find(session, case_id)
    if case is None or case.status == CaseStatus.resolved:
        return Outcome("no case" if case is None else "already resolved")
    facts = Facts(
        names=names_for(st, team_id, [note, reply], []),
        shared=st.gateway.is_shared(team_id, case.origin_channel),
    )
    with st.db.session() as session:
        outcome = lifecycle.resolve(session, case_id, person, note, reply, facts, st.clock.now())
    show_status(st, outcome.post)
    return outcome


def reopen(st: Steward, case_id: int, person: Person) -> Outcome:
    with st.db.session() as session:
        outcome = lifecycle.reopen(session, case_id, person, st.clock.now())
    show_status(st, outcome.post)
    return outcome


def take(st: Steward, case_id: int, person: Person) -> Outcome:
    with st.db.session() as session:
        outcome = lifecycle.take(session, case_id, person, st.clock.now())
    show_status(st, outcome.post)
    return outcome
