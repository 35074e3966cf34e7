"""Cases, Slack-free: routing a thread, carrying replies between the two threads, taking,
resolving and reopening, the aging nudge.

Every post goes through the outbox under a key derived from what caused it (bot/keys.py), so
an event Slack retries, or a message seen twice, posts once. Each carries its audience: while
the origin channel is shared with the client (as it stands now, not when the case opened)
nothing said on our side goes back to the origin thread except what is meant for the client:
`@Steward reply …`, and a fixed line when the case is resolved or reopened. Client text quoted
on our side pings nobody.

Handlers gather what Slack knows first (the thread so far, its permalink, people's names,
whether a channel is shared: `Facts`) and deliver what comes back (`Outcome`: a line for the
person who acted, the route prompt, the case post's new state).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import keys
from bot.accounts import queries as account_queries
from bot.cases import queries
from bot.cases.grammar import EX_ROUTE_SET, RoutePick
from bot.cases.hours import MON_FRI
from bot.cases.render import case_post, label
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account, Audience, Case, Route
from bot.outbox import enqueue
from bot.people import Person
from bot.slacktext import clip, escape, inert

CLIENT_PASSED_ON = (
    "Thank you. I've passed this to the people who look after you here; they will follow up "
    "in this thread."
)
CLIENT_CANNOT_ROUTE = (
    "I can't route threads from here. Please ask the people you work with at our company."
)


# -- what goes in and what comes out ------------------------------------------------------------
@dataclass(frozen=True)
class RouteRequest:
    team_id: str
    person: Person  # who asked: ours, or someone of the client's organisation
    channel_id: str
    thread_ts: str  # the origin thread's root (the message itself when not in a thread)
    function: str | None
    note: str | None  # as typed: made inert with `Facts.names` when it is quoted
    source_ts: str  # the message that asked (keys the answer: a retry answers once)

    @property
    def user_id(self) -> str:
        return self.person.user_id


@dataclass(frozen=True)
class Facts:
    """What Slack had to say, gathered by the handler before the service runs."""

    names: Mapping[str, str] = field(default_factory=dict)  # user id → display name
    thread: Sequence[Mapping[str, Any]] = ()  # the origin thread so far
    permalink: str | None = None  # of the origin thread
    shared: bool = True  # the origin channel is shared with another organisation (unsure: yes)
    refusal: str | None = None  # why the counterpart channel may not take the case now

    def name(self, user: str) -> str:
        return self.names.get(user, user)

    def inert(self, text: str) -> str:
        return inert(text, self.name)


@dataclass(frozen=True)
class Choices:
    """Which team? The functions with a counterpart, the suggested one first."""

    guess: str | None
    functions: list[str]
    pick: RoutePick


@dataclass(frozen=True)
class PostState:
    """The case post, delivered, to be rewritten with the case's state."""

    case: Case
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]


@dataclass(frozen=True)
class Outcome:
    log: str  # what was done, in words for the log
    say: str | None = None  # to the person who acted, alone
    audience: Audience = Audience.internal  # what `say` is: internal text reaches ours only
    choices: Choices | None = None
    post: PostState | None = None


ALREADY_ROUTED = Outcome("already routed")


@dataclass(frozen=True)
class Plan:
    """A route worth asking Slack about: the account, and the function's counterpart."""

    account_id: int
    available: list[str]
    function: str | None = None
    channel: str | None = None  # the counterpart channel
    pass_reason: str | None = None  # a client's request we cannot route: to the owner

    @property
    def needs(self) -> str:
        """What the handler must gather: 'thread' (to suggest), 'link', or 'all'."""
        if self.pass_reason:
            return "link"
        return "thread" if self.function is None else "all"


# -- the two threads -------------------------------------------------------------------------
def to_case_thread(
    session: Session,
    case: Case,
    what: str,
    text: str,
    now: datetime,
    caused_by: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """Post in the case's thread in the counterpart channel (once the case post is out):
    for our people only."""
    enqueue(
        session,
        key=keys.case_note(case.id, what),
        channel=case.counterpart_channel,
        thread_key=keys.case_post(case.id),
        text=text,
        blocks=blocks,
        now=now,
        audience=Audience.internal,
        account_id=case.account_id,
        caused_by=caused_by,
        team_id=case.team_id,
    )


def to_origin_thread(
    session: Session,
    case: Case,
    what: str,
    text: str,
    now: datetime,
    audience: Audience,
    caused_by: str | None = None,
) -> None:
    """Post in the thread the case came from, for the audience given (the exit checks it)."""
    enqueue(
        session,
        key=keys.case_note(case.id, what),
        channel=case.origin_channel,
        thread_ts=case.origin_ts,
        text=text,
        now=now,
        audience=audience,
        account_id=case.account_id,
        caused_by=caused_by,
        team_id=case.team_id,
    )


# -- routes ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RouteSet:
    """A route as set, and where its zone came from: `given` (tz:), `kept` (the route had
    one), `members` (most of the channel's members', from Slack), `unknown` (UTC)."""

    route: Route
    zone_from: str


def set_route(
    session: Session,
    inv: Invocation,
    function: str,
    channel: str,
    account: Account | None,
    example: str,
    *,
    tz: str | None = None,
    workdays: str | None = None,
) -> RouteSet:
    """Point a function at one of our channels, with its team's working week. No `tz`: the
    one the route had for this channel, else the zone most of the channel's members have
    (`inv.team_zones`, asked of Slack by the handler), else UTC."""
    holder = account_queries.account_for_channel(session, inv.team_id, channel)
    if holder is not None:
        raise UserError(
            f"<#{channel}> is the channel of *{escape(holder.name)}*; a counterpart must be "
            "one of our team channels, never an account's.",
            example,
        )
    if inv.is_shared(session, channel):
        raise UserError(
            f"<#{channel}> is shared with another organisation (or Slack could not confirm it "
            "is not); cases carry internal notes, so they go only to channels of our own.",
            example,
        )
    scope = account.id or 0 if account else 0
    existing = queries.route_at(session, inv.team_id, function, scope)
    route = existing or Route(
        team_id=inv.team_id,
        function=function,
        account_id=scope,
        channel_id=channel,
        created_by=inv.user_id,
        created_at=inv.now,
    )
    zone_from = "given"
    if tz is None and existing and existing.channel_id == channel and existing.tz:
        tz, zone_from = existing.tz, "kept"
    elif tz is None:
        tz = inv.team_zones.get(channel)
        zone_from = "members" if tz else "unknown"
    route.channel_id, route.tz = channel, tz
    route.workdays = workdays or (existing.workdays if existing else MON_FRI)
    session.add(route)
    return RouteSet(route, zone_from)


def remove_route(session: Session, team_id: str, function: str, account: Account | None) -> bool:
    route = queries.route_at(session, team_id, function, account.id or 0 if account else 0)
    if route is None:
        return False
    session.delete(route)
    return True


def functions_here(session: Session, team_id: str, channel: str) -> list[str]:
    """The functions a thread in this channel can be routed to; [] when it is no account's."""
    account = account_queries.account_for_channel(session, team_id, channel)
    return queries.functions_for(session, team_id, account) if account else []


def suggest_function(
    text: str, functions: list[str], keywords: Mapping[str, tuple[str, ...]]
) -> str | None:
    """The function whose keywords the text mentions most, among those with a route."""
    lowered = text.lower()
    scores = {f: sum(lowered.count(word) for word in keywords.get(f, ())) for f in functions}
    best = max(scores, key=lambda f: scores[f], default=None)
    return best if best and scores[best] else None


# -- opening a case ----------------------------------------------------------------------------
def plan_route(session: Session, request: RouteRequest) -> Plan | Outcome:
    """What routing this thread takes, before Slack is asked anything; an Outcome when the
    answer is already known. A client's request that cannot be routed reaches the account's
    owner instead, never lost."""
    ours = request.person.trusted
    account = account_queries.account_for_channel(session, request.team_id, request.channel_id)
    if account is None or account.id is None or (not ours and not account.clients_may_route):
        return Outcome(
            "not an account channel" if account is None else "clients may not route",
            "I can only route threads in an account's channel; this channel is not one. "
            "Set it with `/steward account set <account> channel:#this-channel`."
            if ours
            else CLIENT_CANNOT_ROUTE,
        )
    available = queries.functions_for(session, request.team_id, account)
    function = request.function
    route = queries.counterpart(session, request.team_id, function, account) if function else None
    if not ours and route is None:
        wanted = f"*{function}*" if function else "no team named"
        reason = f"asked for {wanted}; no such route"
        return Plan(account.id, available, function, pass_reason=reason)
    if function is None:
        if not available:
            return Outcome(
                "no counterparts",
                f"No counterparts are set yet, so I can't route this. Add one: `{EX_ROUTE_SET}`.",
            )
        return Plan(account.id, available)
    if route is None:
        listed = ", ".join(f"*{f}*" for f in available) or "none yet"
        return Outcome(
            "no counterpart",
            f"There is no counterpart for *{function}*. Functions set: {listed}. "
            f"Add one: `/steward route set {function} #channel`.",
        )
    existing = queries.live_case(
        session, request.team_id, request.channel_id, request.thread_ts, function
    )
    if existing:
        return Outcome(
            "already routed",
            f"This thread is already {label(existing)} with our {function} team.",
            Audience.client,
        )
    return Plan(account.id, available, function, route.channel_id)


def open_case(
    session: Session,
    request: RouteRequest,
    plan: Plan,
    facts: Facts,
    now: datetime,
    keywords: Mapping[str, tuple[str, ...]],
) -> Outcome:
    """Route the thread as planned, with what Slack said (`facts`). Answers the asker alone.
    Raises IntegrityError when the same request opened its case already (a retry that lost
    the race): the transaction is lost, and the answer is `ALREADY_ROUTED`."""
    account = session.get(Account, plan.account_id)
    if account is None:
        return Outcome("account gone")
    reason = plan.pass_reason
    if reason is None and plan.function is None:
        return _ask_function(request, plan, facts, keywords)
    if reason is None and facts.refusal:
        reason = f"the *{plan.function}* route goes to <#{plan.channel}>, but {facts.refusal}"
        if request.person.trusted:
            return Outcome(
                "route refused",
                f"I can't open a case there: {reason}. Point it at one of our team channels: "
                f"`/steward route set {plan.function} #channel`.",
            )
    if reason is not None or plan.function is None or plan.channel is None:
        pass_to_owner(session, request, account, reason or "no route", facts, now)
        return Outcome("passed to the owner", CLIENT_PASSED_ON, Audience.client)
    case = Case(
        team_id=request.team_id,
        account_id=plan.account_id,
        function=plan.function,
        origin_channel=request.channel_id,
        origin_ts=request.thread_ts,
        source_key=request.source_ts[:64],
        counterpart_channel=plan.channel,
        raised_by=request.user_id,
        note=request.note,
        created_at=now,
    )
    session.add(case)
    session.flush()  # the same request, retried, raises IntegrityError here: ALREADY_ROUTED
    message = case_post(case, account, facts.thread, facts.permalink, facts.name)
    enqueue(
        session,
        key=keys.case_post(case.id),
        channel=case.counterpart_channel,
        now=now,
        audience=Audience.internal,
        account_id=case.account_id,
        caused_by=request.user_id,
        team_id=case.team_id,
        **message,
    )
    if facts.shared:
        where, audience = f"our {case.function} team", Audience.client
    else:
        where, audience = f"<#{case.counterpart_channel}> ({case.function})", Audience.internal
    to_origin_thread(
        session,
        case,
        "routed",
        f":arrow_right: Routed to {where} as *{label(case)}*, with this thread so far. "
        "Replies here are carried over; we'll post the resolution here.",
        now,
        audience,
        request.user_id,
    )
    return Outcome(f"opened {label(case)}")


def _ask_function(
    request: RouteRequest, plan: Plan, facts: Facts, keywords: Mapping[str, tuple[str, ...]]
) -> Outcome:
    text = " ".join(str(m.get("text", "")) for m in facts.thread)
    guess = suggest_function(text + " " + (request.note or ""), plan.available, keywords)
    pick = RoutePick(request.thread_ts, request.note)
    return Outcome("asked", choices=Choices(guess, plan.available, pick))


def pass_to_owner(
    session: Session,
    request: RouteRequest,
    account: Account,
    why: str,
    facts: Facts,
    now: datetime,
) -> None:
    """A client's request we cannot route: the owner hears what (the client, that it was
    passed on: the Outcome)."""
    link = facts.permalink
    where = f"<{link}|their thread>" if link else f"a thread in <#{request.channel_id}>"
    note = f"\n> {clip(request.note, 500)}" if request.note else ""
    enqueue(
        session,
        key=keys.route_owner_note(request.channel_id, request.source_ts),
        channel=f"@{account.owner_id}",
        text=(
            f":incoming_envelope: @{request.person.name or request.user_id} (client) asked "
            f"me to route {where} of *{escape(account.name)}*, but {why}.{note}\n"
            "Route it yourself in the thread: `@Steward route <function>: …`"
        ),
        now=now,
        audience=Audience.internal,
        account_id=account.id,
        team_id=account.team_id,
    )
