"""What people type about cases, and what case buttons carry, read into typed values.

`/steward route …` and `/steward cases …` are dispatched here by bot/commands.py;
`@Steward route|reply|resolve|reopen …` is read by `Mention`. The button values are read here
and written by render.py and service.py, which import this module: the two command functions
import them in turn only when they run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from sqlmodel import Session

from bot.accounts import queries as account_queries
from bot.blocks import Reply, message, say, section
from bot.cases import hours, queries
from bot.errors import UserError
from bot.grammar import split_options
from bot.invocation import Invocation
from bot.models import Account, Route
from bot.slacktext import channel_id_of, escape, tokens

FUNCTION = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+>\s*")
REPLY_MARK = re.compile(r"(?i)(?:^|\s)reply:\s*")
DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "finance": ("invoice", "payment", "credit note", "billing", "refund", "overdue", "vat"),
    "logistics": ("delivery", "shipment", "shipping", "tracking", "warehouse", "courier"),
    "legal": ("contract", "clause", "liability", "nda", "gdpr"),
    "service": ("outage", "broken", "error", "bug", "support", "ticket"),
}
EX_ROUTE_SET = "/steward route set finance #finance-team"
ZONE_EX = "America/New_York"
EX_ROUTE_HOURS = f"/steward route set finance #finance-us tz:{ZONE_EX} days:mon-fri"
PICK_VALUE_LIMIT = 1900  # a button's value is at most 2000 characters
HELP_ROUTE = (
    "*Routing* — send a client thread to our team for it, and keep both threads in step\n"
    f"• `{EX_ROUTE_SET}` · `/steward route set finance #finance-acme account:acme-rail` · "
    "`/steward route list` · `/steward route remove finance`\n"
    f"• A team's working hours (09:00–17:00 there): `{EX_ROUTE_HOURS}` (or `days:sun-thu`); "
    "without `tz:`, the zone most of the channel's members have. A case nobody takes is "
    "nudged after 4 working hours, again each working day, and after the second nudge its "
    "account's owner is told\n"
    "• In the client's thread: `@Steward route finance: invoice 4411 disputed` (or the message "
    "menu's *Route to counterpart…*); `@Steward reply <text>` in the case thread answers the "
    "client; `@Steward resolve [note] [reply: text for the client]` in either thread closes "
    "it (the note stays with us; the client's thread hears that it is resolved, and only the "
    "`reply:` part); `@Steward reopen` or the *Reopen* button opens it again\n"
    "• Counterparts are our own channels: never a channel shared with another organisation, "
    "nor an account's channel. While a client's thread is shared, nothing said in the case "
    "thread goes back there.\n"
    "• `/steward cases [open|mine|all|<account>]`"
)


# -- button values -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RoutePick:
    """A `route_pick_<function>` button: the thread to route and the note asked with it."""

    thread_ts: str
    note: str | None = None

    @classmethod
    def parse(cls, value: str | None) -> Self:
        thread_ts, bar, note = (value or "").partition("|")
        if not bar or not re.fullmatch(r"\d{1,12}\.\d{1,8}", thread_ts):
            raise ValueError(f"not a route pick: {value!r}")
        return cls(thread_ts, note or None)

    @property
    def value(self) -> str:
        return f"{self.thread_ts}|{self.note or ''}"[:PICK_VALUE_LIMIT]


@dataclass(frozen=True)
class CaseRef:
    """A case button (Take it, Resolve, Reopen): which case."""

    case_id: int

    @classmethod
    def parse(cls, value: str | None) -> Self:
        if not value or not re.fullmatch(r"[1-9]\d{0,17}", value):
            raise ValueError(f"not a case id: {value!r}")
        return cls(int(value))

    @property
    def value(self) -> str:
        return str(self.case_id)


# -- @Steward … --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mention:
    """`@Steward <verb> <rest>`: the verb lowercased, the rest as typed."""

    verb: str
    rest: str

    @classmethod
    def parse(cls, text: str) -> Self:
        text = LEADING_MENTION.sub("", text, count=1).strip()
        verb, _, rest = text.partition(" ")
        return cls(verb.lower().rstrip(":"), rest)

    def route(self) -> tuple[str | None, str]:
        """`route finance: the note` (or `route finance the note`): the function and note."""
        head, colon, tail = self.rest.partition(":")
        words = head.split()
        function = words[0].lower() if words else None
        return function, tail.strip() if colon else " ".join(words[1:])


def resolution(text: str) -> tuple[str, str]:
    """`<internal note> reply: <for the client>`: the note, and the reply (either may be '')."""
    parts = REPLY_MARK.split(text, maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def parse_keywords(text: str | None) -> dict[str, tuple[str, ...]]:
    """`ROUTE_KEYWORDS=finance=invoice,payment;logistics=delivery`: replaces those functions'."""
    keywords = dict(DEFAULT_KEYWORDS)
    for part in filter(None, (p.strip() for p in (text or "").split(";"))):
        function, _, words = part.partition("=")
        keywords[function.strip().lower()] = tuple(
            w.strip().lower() for w in words.split(",") if w.strip()
        )
    return keywords


# -- /steward route … and /steward cases … -----------------------------------------------------
def function_name(word: str, example: str) -> str:
    function = word.lower().strip(":")
    if not FUNCTION.match(function):
        raise UserError(
            f"“{word}” is not a function name; use one word like finance, logistics or legal.",
            example,
        )
    return function


def route_command(inv: Invocation, session: Session, words: list[str]) -> Reply:
    from bot.cases import service  # the service's modules read the values above

    verb = words[0].lower() if words else "list"
    rest, options = split_options(words[1:])
    account = None
    if "account" in options:
        account = account_queries.resolve_account(
            session, inv.team_id, options["account"], EX_ROUTE_SET + " account:acme-rail"
        )
    if verb == "list":
        return route_list(session, inv.team_id)
    if verb == "set":
        if len(rest) < 2 or not channel_id_of(rest[1]):
            raise UserError("say which function and which of our channels takes it.", EX_ROUTE_SET)
        function = function_name(rest[0], EX_ROUTE_SET)
        channel = channel_id_of(rest[1]) or ""
        tz = hours.zone_name(options["tz"], EX_ROUTE_HOURS) if "tz" in options else None
        days = hours.day_names(options["days"], EX_ROUTE_HOURS) if "days" in options else None
        done = service.set_route(
            session, inv, function, channel, account, EX_ROUTE_SET, tz=tz, workdays=days
        )
        where = f" for *{escape(account.name)}*" if account else ""
        return say(
            f":white_check_mark: *{function}* now goes to <#{channel}>{where}. "
            + working_week(done.route, done.zone_from)
            + f" In a client thread: `@Steward route {function}: <note>`."
        )
    if verb == "remove":
        if not rest:
            raise UserError("say which function.", "/steward route remove finance")
        function = function_name(rest[0], "/steward route remove finance")
        if not service.remove_route(session, inv.team_id, function, account):
            raise UserError(
                f"no counterpart is set for *{function}*"
                + (f" on {account.slug}" if account else "")
                + ".",
                "/steward route list",
            )
        return say(f"Removed the counterpart for *{function}*.")
    raise UserError(f"I don't know `route {verb}`.", EX_ROUTE_SET, ["set", "list", "remove"])


def route_list(session: Session, team_id: str) -> Reply:
    found = queries.routes(session, team_id)
    if not found:
        return say(f"No counterparts are set yet. Set one: `{EX_ROUTE_SET}`")
    names: Mapping[int | None, str] = {
        a.id: a.slug for a in account_queries.list_accounts(session, team_id)
    }
    lines = [
        f"• *{r.function}* → <#{r.channel_id}>"
        + (f" for `{names.get(r.account_id, str(r.account_id))}`" if r.account_id else "")
        + f" · {hours.describe_days(r.workdays)} 09:00–17:00 {r.tz or 'UTC (no zone set)'}"
        for r in found
    ]
    return say("*Counterparts*\n" + "\n".join(lines))


def working_week(route: Route, zone_from: str) -> str:
    """What the answer to `route set` says of the team's hours, and where the zone came from."""
    week = f"{hours.describe_days(route.workdays)} 09:00–17:00 {route.tz or 'UTC'}"
    if zone_from == "unknown":
        return (
            f"Cases wait by working hours: {week}, as Slack couldn't tell me where the "
            f"channel's members are. Set their zone with `tz:`, e.g. `/steward route set "
            f"{route.function} #their-channel tz:{ZONE_EX} days:mon-fri`."
        )
    why = {"members": ", where most of the channel's members are", "kept": " as before"}
    return f"Cases wait by its team's working hours: {week}{why.get(zone_from, '')}."


def team_zone_channel(command: str, text: str) -> str | None:
    """The channel whose members' zone `route set` needs (none is typed with `tz:`): what a
    handler asks Slack before the command runs (`Invocation.team_zones`)."""
    words = tokens(text)
    if command != "/steward" or len(words) < 4 or [w.lower() for w in words[:2]] not in (
        ["route", "set"],
        ["routes", "set"],
    ):
        return None
    rest, options = split_options(words[2:])
    return None if "tz" in options or len(rest) < 2 else channel_id_of(rest[1])


def cases_command(inv: Invocation, session: Session, words: list[str]) -> Reply:
    from bot.cases.render import case_line  # it renders the values above

    which = words[0].lower() if words else "open"
    account: Account | None = None
    if which not in ("open", "all", "mine"):
        account = account_queries.resolve_account(
            session, inv.team_id, " ".join(words), "/steward cases acme-rail"
        )
    found = queries.case_list(
        session,
        inv.team_id,
        mine=inv.user_id if which == "mine" else None,
        account_id=account.id if account else None,
        resolved_too=which == "all",
    )
    title = {"open": "Open cases", "mine": "Your cases", "all": "All cases"}.get(which, "")
    if account is not None:
        title = f"Cases of {escape(account.name)}"
    if not found:
        return say(f"*{title}:* none.")
    lines = [case_line(c, a, inv.today) for c, a in found]
    return message(
        f"{title}: {len(found)}",
        [section(f"*{title}* ({len(found)})"), *[section(line) for line in lines]],
    )
