"""The slash commands' grammar and actions, independent of Slack's transport.

A handler builds an `Invocation` after it has acked, calls `run`, and sends back the reply.
Every refusal is a `UserError`, rendered with what was wrong, an example and the user's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session

from bot import keys, render
from bot.dates import describe_day, parse_day
from bot.db import Database
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account, Audience, InteractionKind, Promise, PromiseStatus, Stage, Tier
from bot.outbox import enqueue
from bot.services import accounts as accounts_svc
from bot.services import promises as promises_svc
from bot.services.interactions import log_interaction
from bot.slacktext import (
    SECTION_LIMIT,
    channel_id_of,
    defuse,
    plain,
    tokens,
    unescape,
    user_id_of,
)

Reply = dict[str, Any]
KINDS = [k.value for k in InteractionKind]
SUMMARY_LIMIT = SECTION_LIMIT

EX_LOG = "/logcontact acme-rail call yesterday with Jan Kowalski: agreed the Q1 renewal terms"
EX_PROMISE = "/promise acme-rail send the revised quote by friday"
EX_ADD = "/steward account add Acme Rail #acme-rail @owner tier:key"
EX_SET = "/steward account set acme-rail stage:cooperating"


TITLES = {
    "/logcontact": "Couldn't log that contact",
    "/promise": "Couldn't do that with promises",
    "/steward": "Couldn't do that",
}


Action = Callable[[Invocation, Session], Reply]
COMMANDS: dict[str, Action] = {}


def run(db: Database, inv: Invocation, action: Action | None = None) -> Reply:
    """Run a slash command (or `action`, for its modal) in one transaction.

    Never raises for anything the user typed: a refusal comes back as the reply.
    """
    inv.text = inv.text.strip()  # mrkdwn as Slack sends it: &lt; for a typed <
    handler = action or COMMANDS[inv.command]
    try:
        with db.session() as session:
            reply = handler(inv, session)
    except UserError as error:
        return render.refusal(error, title=TITLES[inv.command], typed=inv.typed)
    return reply


# -- finding the account in a command ---------------------------------------------------------
def take_account(
    inv: Invocation,
    session: Session,
    words: list[str],
    example: str,
    *,
    skip: frozenset[str] = frozenset(),
) -> tuple[Account, list[str]]:
    """Find the account at the start of `words`; returns it and the words after it.

    Inside an account's channel the reference may be left out; there only an exact reference
    (slug, name or channel mention) switches to another account, so free text that happens to
    begin like another account's name stays with the channel's account; the start of the
    channel's own account's name is taken as naming it.
    """
    looked = words and words[0].lower() not in skip
    refs = [" ".join(words[:n]) for n in range(1, min(len(words), 6) + 1)] if looked else []
    here, exact = accounts_svc.channel_and_exact_matches(  # every length of ref in one query
        session, inv.team_id, inv.channel_id, refs
    )
    if looked:

        def matches(ref: str, exact_only: bool) -> list[Account]:
            if channel_id_of(ref):
                return accounts_svc.find_accounts(session, inv.team_id, ref)
            found = exact.get(accounts_svc.name_key(ref), [])
            if found or exact_only:
                return found
            return accounts_svc.prefix_matches(session, inv.team_id, ref)

        for n in range(min(len(words), 6), 0, -1):
            ref = " ".join(words[:n])
            found = matches(ref, exact_only=n > 1 or here is not None)
            if len(found) == 1:
                return found[0], words[n:]
            if here is not None and n == 1 and here in matches(ref, exact_only=False):
                return here, words[1:]  # `acme` in #acme-rail: the start of its own name
            if len(found) > 1 and here is None:
                raise UserError(
                    f"“{ref}” matches more than one account.", example, [a.slug for a in found]
                )
    if here is not None:
        return here, words
    if not words:
        raise UserError("which account? Name it first (slug, name or #channel).", example)
    raise UserError(
        f"no account matches “{words[0]}”.",
        example,
        accounts_svc.suggest(session, inv.team_id, words[0]),
    )


def day_or_refuse(inv: Invocation, text: str, *, prefer: str, what: str, example: str) -> date:
    day = parse_day(text, today=inv.today, prefer=prefer)  # type: ignore[arg-type]
    if day is None:
        raise UserError(
            f"I couldn't read “{text}” as {what}. Use today, yesterday, a weekday, "
            f"`3 days ago`, `in 2 weeks` or a date like `{inv.today.isoformat()}`.",
            example,
        )
    return day


# -- /logcontact -------------------------------------------------------------------------------
def logcontact(inv: Invocation, session: Session) -> Reply:
    if inv.text.lower() in ("help", "?"):
        return render.say(HELP_LOG)
    head, colon, summary = inv.text.partition(":")
    summary = defuse(summary.strip())
    if not colon or not summary:
        raise UserError("the summary is missing: write it after a colon.", EX_LOG)
    if len(summary) > SUMMARY_LIMIT:
        raise UserError(
            f"the summary is {len(summary):,} characters; Slack shows at most {SUMMARY_LIMIT:,}. "
            "Shorten it, or log the main points and link the notes.",
            EX_LOG,
        )
    account, rest = take_account(
        inv, session, tokens(head), EX_LOG, skip=frozenset({*KINDS, "with"})
    )
    person = None
    lowered = [w.lower() for w in rest]
    kind = InteractionKind.other
    for at, word in enumerate(lowered):
        if word == "with":
            break
        if word in KINDS:  # the kind may come before or after the day
            kind = InteractionKind(word)
            del rest[at], lowered[at]
            break
    if "with" in lowered:
        at = lowered.index("with")
        person, rest = " ".join(rest[at + 1 :]), rest[:at]
        if user_id_of(person) or channel_id_of(person):
            raise UserError(
                f"“with” takes the client person's name as text, not a mention ({person}).",
                EX_LOG,
            )
        person = unescape(plain(person)).strip()
        if not person:
            raise UserError("“with” needs the person's name.", EX_LOG)
        if len(person) > accounts_svc.NAME_LIMIT:
            raise UserError("that person's name is too long (200 characters at most).", EX_LOG)
    when_text = " ".join(rest)
    day = inv.today
    if when_text:
        day = day_or_refuse(
            inv,
            when_text,
            prefer="past",
            what=f"a day (kinds are {', '.join(KINDS)})",
            example=EX_LOG,
        )
    return record_contact(inv, session, account, kind, day, person, summary)


def record_contact(
    inv: Invocation,
    session: Session,
    account: Account,
    kind: InteractionKind,
    day: date,
    person: str | None,
    summary: str,
) -> Reply:
    """Store a contact (from the command or its modal) and say, in one line, what was stored."""
    if day > inv.today:
        raise UserError(
            f"{day.isoformat()} is in the future; log a contact once it has happened "
            "(for a commitment, use /promise).",
            EX_LOG,
        )
    _, contact, new_contact = log_interaction(
        session,
        account=account,
        kind=kind,
        occurred_on=day,
        summary=summary,
        logged_by=inv.user_id,
        now=inv.now,
        person=person,
    )
    who = (
        f" with {render.escape(contact.name)}{' (new contact)' if new_contact else ''}"
        if contact
        else ""
    )
    return render.say(
        f":white_check_mark: Logged {kind.value}{who} at *{render.escape(account.name)}*, "
        f"{describe_day(day, today=inv.today)}: “{summary}”"
    )


# -- /promise ----------------------------------------------------------------------------------
def promise(inv: Invocation, session: Session) -> Reply:
    words = tokens(inv.text)
    verb = words[0].lower() if words else ""
    sub: dict[str, Callable[[Invocation, Session, list[str]], Reply]] = {
        "list": promise_list,
        "done": promise_done,
        "kept": promise_done,
        "cancel": promise_cancel,
        "due": promise_due,
    }
    if verb in ("help", "?"):
        return render.say(HELP_PROMISE)
    if verb in sub:
        return sub[verb](inv, session, words[1:])
    return promise_new(inv, session, words)


INTERNAL = "internal"


def promise_new(inv: Invocation, session: Session, words: list[str]) -> Reply:
    owner = inv.user_id
    internal = False
    for at in (0, -1):  # `/promise internal acme …` or `… by friday @owner internal`
        if words and words[at].lower() == INTERNAL:
            words.pop(at)
            internal = True
    if words and user_id_of(words[-1]):
        owner = user_id_of(words.pop()) or owner
        inv.require_ours(owner, "a promise's owner", EX_PROMISE + " @owner")
    lowered = [w.lower() for w in words]
    if "by" not in lowered:
        raise UserError("the due date is missing: end with ` by <when>`.", EX_PROMISE)
    at = len(lowered) - 1 - lowered[::-1].index("by")
    due_words, words = words[at + 1 :], words[:at]
    if not due_words:
        raise UserError("the due date is missing after “by”.", EX_PROMISE)
    for word in due_words:
        if user_id_of(word) or channel_id_of(word):
            raise UserError(
                f"the owner mention goes at the very end, after the date ({word}).",
                EX_PROMISE + " @owner",
            )
    account, what_words = take_account(inv, session, words, EX_PROMISE)
    what = defuse(" ".join(what_words)).strip()
    if not what:
        raise UserError("say what was promised, between the account and “by”.", EX_PROMISE)
    if len(what) > promises_svc.WHAT_LIMIT:
        raise UserError(
            f"the promise is {len(what):,} characters; keep it under "
            f"{promises_svc.WHAT_LIMIT:,} and link the details.",
            EX_PROMISE,
        )
    due = day_or_refuse(
        inv, " ".join(due_words), prefer="future", what="a due date", example=EX_PROMISE
    )
    return record_promise(inv, session, account, what, owner, due, internal=internal)


def record_promise(
    inv: Invocation,
    session: Session,
    account: Account,
    what: str,
    owner: str,
    due: date,
    *,
    internal: bool = False,
) -> Reply:
    """Store a promise (from the command or its modal) and queue its written confirmation."""
    if due < inv.today:
        raise UserError(
            f"the due date {due.isoformat()} has passed; a promise needs a date still ahead.",
            EX_PROMISE,
        )
    made = promises_svc.make_promise(
        session,
        account=account,
        what=what,
        owner_id=owner,
        due_on=due,
        created_by=inv.user_id,
        now=inv.now,
        internal=internal,
    )
    where = confirm_in_channel(session, inv, made, account)
    return render.say(
        f":white_check_mark: *P-{made.id}* recorded for *{render.escape(account.name)}*: {what} — "
        f"owner <@{owner}>, due {describe_day(due, today=inv.today)} ({due.isoformat()}). {where}"
    )


def confirmation_target(made: Promise, account: Account) -> tuple[str, Audience] | None:
    """Where a promise is confirmed in writing, and for whom: the client's channel (the point of
    /promise), or, for an internal one, the account's internal channel or the owner's DM."""
    if made.internal:
        return account.internal_channel_id or f"@{made.owner_id}", Audience.internal
    if account.channel_id:
        return account.channel_id, Audience.client
    return None


def confirm_in_channel(session: Session, inv: Invocation, made: Promise, account: Account) -> str:
    target = confirmation_target(made, account)
    if target is None:
        return (
            f"{render.escape(account.name)} has no channel for the written confirmation: "
            f"`/steward account set {account.slug} channel:#channel`, or add `internal` to "
            "keep it in the owner's DM."
        )
    channel, audience = target
    body = render.promise_confirmation(made, account, inv.today)
    enqueue(
        session,
        key=keys.promise_confirmation(made.id),
        channel=channel,
        now=inv.now,
        audience=audience,
        account_id=account.id,
        caused_by=inv.user_id,
        **body,
    )
    if channel.startswith("@"):
        return f"Confirmation sent to <{channel}> by DM (internal)."
    if audience == Audience.internal:
        return f"Confirmation posted in <#{channel}> (internal)."
    if inv.is_shared(session, channel):
        return (
            f"Confirmation posted in <#{channel}> — shared with the client: "
            f"{render.escape(account.name)}'s people can read it. Add `internal` to keep a "
            "promise to ourselves."
        )
    return f"Confirmation posted in <#{channel}>."


def promise_update_in_thread(
    session: Session, inv: Invocation, made: Promise, key: str, text: str
) -> None:
    """A change to a promise, said in the thread of its written confirmation."""
    account = session.get(Account, made.account_id)
    target = confirmation_target(made, account) if account else None
    if account is None or target is None:
        return
    channel, audience = target
    enqueue(
        session,
        key=keys.promise_note(made.id, key),
        channel=channel,
        text=text,
        thread_key=keys.promise_confirmation(made.id),
        now=inv.now,
        audience=audience,
        account_id=account.id,
        caused_by=inv.user_id,
    )


def tell_owner(session: Session, inv: Invocation, made: Promise, key: str, text: str) -> None:
    """Someone changed a promise they do not own: its owner hears of it by DM."""
    if made.owner_id == inv.user_id:
        return
    enqueue(
        session,
        key=keys.promise_owner_note(made.id, key),
        channel=f"@{made.owner_id}",
        text=text,
        now=inv.now,
        audience=Audience.internal,
        caused_by=inv.user_id,
    )


EX_LIST = "/promise list mine"


def promise_list(inv: Invocation, session: Session, words: list[str]) -> Reply:
    arg = " ".join(words).strip()
    team = inv.team_id
    if not arg:
        here = accounts_svc.account_for_channel(session, team, inv.channel_id)
        if here:
            rows = promises_svc.open_promises(session, team, account=here)
            return render.promise_list(
                f"Open promises to {render.escape(here.name)}", rows, inv.today, empty="none."
            )
        arg = "mine"
    if arg.lower() == "mine":
        rows = promises_svc.open_promises(session, team, owner_id=inv.user_id)
        return render.promise_list("Your open promises", rows, inv.today, empty="none. :tada:")
    if arg.lower() == "overdue":
        rows = promises_svc.open_promises(session, team, due_before=inv.today)
        return render.promise_list("Overdue promises", rows, inv.today, empty="none. :tada:")
    if user_id_of(arg):
        owner = user_id_of(arg)
        rows = promises_svc.open_promises(session, team, owner_id=owner)
        return render.promise_list(
            f"Open promises owned by <@{owner}>", rows, inv.today, empty="none."
        )
    account = accounts_svc.resolve_account(session, team, arg, EX_LIST)
    rows = promises_svc.open_promises(session, team, account=account)
    return render.promise_list(
        f"Open promises to {render.escape(account.name)}", rows, inv.today, empty="none."
    )


def _promise_arg(inv: Invocation, session: Session, words: list[str], example: str) -> Promise:
    if not words:
        raise UserError("which promise? Give its id.", example)
    return promises_svc.get_promise(session, inv.team_id, words[0], example)


def promise_done(inv: Invocation, session: Session, words: list[str]) -> Reply:
    made = _promise_arg(inv, session, words, "/promise done P-12")
    note = defuse(" ".join(words[1:])).strip() or None
    promises_svc.close(
        session, made, status=PromiseStatus.kept, by=inv.user_id, now=inv.now, note=note
    )
    promise_update_in_thread(
        session,
        inv,
        made,
        "kept",
        f":white_check_mark: P-{made.id} kept — marked by <@{inv.user_id}>.",
    )
    tell_owner(
        session,
        inv,
        made,
        "kept",
        f":white_check_mark: <@{inv.user_id}> marked your promise P-{made.id} kept: {made.what}",
    )
    return render.say(f":white_check_mark: P-{made.id} marked kept: {made.what}")


def promise_cancel(inv: Invocation, session: Session, words: list[str]) -> Reply:
    made = _promise_arg(inv, session, words, "/promise cancel P-12 client no longer needs it")
    reason = defuse(" ".join(words[1:])).strip() or None
    promises_svc.close(
        session, made, status=PromiseStatus.cancelled, by=inv.user_id, now=inv.now, note=reason
    )
    promise_update_in_thread(  # the reason may be internal: it stays out of the thread
        session, inv, made, "cancelled", f":no_entry_sign: P-{made.id} cancelled."
    )
    tell_owner(
        session,
        inv,
        made,
        "cancelled",
        f":no_entry_sign: <@{inv.user_id}> cancelled your promise P-{made.id}: {made.what}"
        + (f" (reason: {reason})" if reason else ""),
    )
    return render.say(
        f":no_entry_sign: P-{made.id} cancelled: {made.what}"
        + (f" (reason: {reason})" if reason else "")
    )


def promise_due(inv: Invocation, session: Session, words: list[str]) -> Reply:
    example = "/promise due P-12 next friday"
    made = _promise_arg(inv, session, words, example)
    if len(words) < 2:
        raise UserError("give the new due date after the id.", example)
    due = day_or_refuse(
        inv, " ".join(words[1:]), prefer="future", what="a due date", example=example
    )
    if due < inv.today:
        raise UserError(f"the new due date {due.isoformat()} has passed.", example)
    old = promises_svc.reschedule(session, made, due)
    shown = describe_day(due, today=inv.today)
    promise_update_in_thread(
        session,
        inv,
        made,
        f"due:{due.isoformat()}",
        f":calendar: P-{made.id} now due {shown} ({due.isoformat()}), was {old.isoformat()}.",
    )
    tell_owner(
        session,
        inv,
        made,
        f"due:{due.isoformat()}",
        f":calendar: <@{inv.user_id}> moved your promise P-{made.id} ({made.what}) to "
        f"{due.isoformat()}, from {old.isoformat()}.",
    )
    return render.say(f":calendar: P-{made.id} is now due {shown} (was {old.isoformat()}).")


# -- /steward ----------------------------------------------------------------------------------
Verb = Callable[[Invocation, Session, list[str]], Reply]
STEWARD_VERBS: dict[str, Verb] = {}
"""`/steward <verb> …`: each feature's module adds its verbs (and a HELP section) on import."""


def steward(inv: Invocation, session: Session) -> Reply:
    words = tokens(inv.text)
    verb = words[0].lower() if words else "help"
    if verb in ("help", "?"):
        return help_reply()
    if handler := STEWARD_VERBS.get(verb):
        return handler(inv, session, words[1:])
    return help_reply(f"I don't know `{words[0]}`. Here is what I can do:")


def account(inv: Invocation, session: Session, words: list[str]) -> Reply:
    verb = words[0].lower() if words else "list"
    rest = words[1:]
    if verb == "add":
        return account_add(inv, session, rest)
    if verb == "list":
        return render.account_list(accounts_svc.list_accounts(session, inv.team_id))
    if verb == "show":
        example = "/steward account show acme-rail"
        if rest:
            found = accounts_svc.resolve_account(session, inv.team_id, " ".join(rest), example)
        else:
            found = accounts_svc.account_for_channel(session, inv.team_id, inv.channel_id)
            if not found:
                raise UserError("which account? Name it, or run this in its channel.", example)
        card = accounts_svc.card(session, found)
        return render.account_card(
            card,
            inv.today,
            accounts_svc.silence_threshold(found, inv.policy.silence_days),
        )
    if verb == "set":
        return account_set(inv, session, rest)
    raise UserError(
        f"`account {words[0] if words else ''}` is not a command; use add, list, show or set.",
        EX_ADD,
    )


OPTION = re.compile(r"^([a-z][a-z-]*):(.*)$", re.IGNORECASE)


def split_options(words: list[str]) -> tuple[list[str], dict[str, str]]:
    """`key:value` options apart from the other words; `owner:<@U1>` arrives as two tokens."""
    plain_words: list[str] = []
    options: dict[str, str] = {}
    pending: str | None = None
    for word in words:
        match = OPTION.match(word) if not word.startswith("<") else None
        if pending is not None and word.startswith("<"):
            options[pending] = word
        elif match:
            options[match.group(1).lower()] = match.group(2)
        else:
            plain_words.append(word)
        pending = match.group(1).lower() if match and not match.group(2) else None
    return plain_words, options


def choice(value: str, allowed: list[str], what: str, example: str) -> str:
    value = value.strip().lower()
    if value not in allowed:
        raise UserError(f"{what} must be one of {', '.join(allowed)} (got “{value}”).", example)
    return value


def account_add(inv: Invocation, session: Session, words: list[str]) -> Reply:
    channel_id = None
    owner = inv.user_id
    name_words: list[str] = []
    words, options = split_options(words)
    for word in words:
        if channel_id_of(word):
            channel_id = channel_id_of(word)
        elif user_id_of(word):
            owner = inv.require_ours(
                user_id_of(word) or owner, "an account's owner", EX_ADD
            )
        else:
            name_words.append(word)
    unknown = set(options) - {"tier"}
    if unknown:
        raise UserError(f"`{sorted(unknown)[0]}:` is not an option of account add.", EX_ADD)
    tier = Tier(choice(options.get("tier", "standard"), [t.value for t in Tier], "tier", EX_ADD))
    created = accounts_svc.add_account(
        session,
        team_id=inv.team_id,
        name=unescape(plain(" ".join(name_words))),
        owner_id=owner,
        created_by=inv.user_id,
        now=inv.now,
        channel_id=channel_id,
        tier=tier,
    )
    channel = f", channel <#{channel_id}>" if channel_id else ""
    return render.say(
        f":white_check_mark: Added *{render.escape(created.name)}* as `{created.slug}` — "
        f"owner <@{owner}>, tier {tier.value}{channel}. "
        f"Log a contact: `/logcontact {created.slug} call: …`"
    )


def account_set(inv: Invocation, session: Session, words: list[str]) -> Reply:
    ref_words, options = split_options(words)
    if not options:
        raise UserError(
            "say what to change: stage:, tier:, owner:, silence:, channel:, internal: or "
            "client-routing:.",
            EX_SET,
        )
    if ref_words:
        found = accounts_svc.resolve_account(session, inv.team_id, " ".join(ref_words), EX_SET)
    else:
        found = accounts_svc.account_for_channel(session, inv.team_id, inv.channel_id)
        if not found:
            raise UserError("which account? Name it before the options.", EX_SET)
    changes: list[str] = []
    for key, value in options.items():
        if key == "stage":
            found.stage = choice(value, [s.value for s in Stage], "stage", EX_SET)
            changes.append(f"stage {found.stage}")
        elif key == "tier":
            example = f"/steward account set {found.slug} tier:key"
            found.tier = choice(value, [t.value for t in Tier], "tier", example)
            changes.append(f"tier {found.tier}")
        elif key == "owner":
            owner = user_id_of(value)
            if not owner:
                raise UserError(
                    "owner: takes a mention of a person.",
                    f"/steward account set {found.slug} owner:@jan",
                )
            found.owner_id = inv.require_ours(
                owner,
                "an account's owner",
                f"/steward account set {found.slug} owner:@jan",
            )
            changes.append(f"owner <@{owner}>")
        elif key == "silence":
            found.silence_days = silence_value(value, found.slug)
            days = accounts_svc.silence_threshold(found, inv.policy.silence_days)
            changes.append(f"silence threshold {days} days")
        elif key == "channel":
            channel = channel_id_of(value)
            if value.lower() == "none":
                found.channel_id = None
                changes.append("no channel")
            elif not channel:
                raise UserError(
                    "channel: takes a channel mention (or `none`).",
                    f"/steward account set {found.slug} channel:#acme-rail",
                )
            else:
                accounts_svc.set_channel(session, found, channel)
                changes.append(f"channel <#{channel}>")
        elif key == "internal":
            changes.append(internal_channel(inv, session, found, value))
        elif key == "client-routing":
            example = f"/steward account set {found.slug} client-routing:off"
            found.clients_may_route = (
                choice(value, ["on", "off"], "client-routing", example) == "on"
            )
            changes.append(f"client routing {'on' if found.clients_may_route else 'off'}")
        else:
            raise UserError(f"`{key}:` is not something an account has.", EX_SET)
    session.add(found)
    return render.say(
        f":white_check_mark: *{render.escape(found.name)}*: " + ", ".join(changes) + "."
    )


def internal_channel(inv: Invocation, session: Session, found: Account, value: str) -> str:
    """`internal:#acme-team`: our own channel about the account, for internal promises."""
    example = f"/steward account set {found.slug} internal:#{found.slug}-team"
    if value.lower() == "none":
        found.internal_channel_id = None
        return "no internal channel"
    channel = channel_id_of(value)
    if not channel:
        raise UserError("internal: takes a channel mention (or `none`).", example)
    if channel == found.channel_id:
        raise UserError(f"<#{channel}> is already the account's channel with the client.", example)
    if inv.is_shared(session, channel):
        raise UserError(
            f"<#{channel}> is shared with another organisation (or Slack could not confirm it is "
            "not), so it cannot hold internal notes. Pick a channel only our people are in.",
            example,
        )
    accounts_svc.check_channel_free(session, found.team_id, channel, found)
    found.internal_channel_id = channel
    return f"internal channel <#{channel}>"


def silence_value(value: str, slug: str) -> int | None:
    example = f"/steward account set {slug} silence:21d"
    value = value.strip().lower()
    if value in ("default", "off", "none"):
        return None
    match = re.fullmatch(r"(\d{1,3})\s*d?", value)
    if not match or not 1 <= int(match.group(1)) <= 365:
        raise UserError(
            f"silence: takes a number of days from 1 to 365, like `21d` (got “{value}”).",
            example,
        )
    return int(match.group(1))


# -- help --------------------------------------------------------------------------------------
HELP_LOG = (
    "*Log a contact* — `/logcontact <account> [kind] [when] [with <person>]: <summary>`\n"
    f"• kinds: {', '.join(KINDS)} (default other); when: today (default), yesterday, a weekday, "
    "`3 days ago`, `2026-11-02`\n"
    f"• `{EX_LOG}`\n"
    "• In the account's channel you may leave the account out: `/logcontact call: quick check-in`\n"
    "• Type `/logcontact` alone for a form."
)
HELP_PROMISE = (
    "*Record a promise* — `/promise <account> <what> by <when> [@owner]`\n"
    f"• `{EX_PROMISE}` — owner defaults to you; the confirmation is posted in the "
    "account's channel, where the client can read it if it is shared with them. "
    "`/promise internal acme …` keeps it to us (the account's internal channel, or the "
    "owner's DM)\n"
    "• `/promise list [account|mine|overdue|@person]` · `/promise done P-12` · "
    "`/promise cancel P-12 [reason]` · `/promise due P-12 next friday`\n"
    "• Type `/promise` alone for a form."
)
HELP_ACCOUNT = (
    "*Accounts* — `/steward account add <name> [#channel] [@owner] [tier:strategic|key|standard]`\n"
    f"• `{EX_ADD}`\n"
    "• `/steward account list` · `/steward account show acme-rail`\n"
    "• `/steward account set <account> stage:<stage> | tier:<tier> | owner:@person | "
    "silence:21d | channel:#channel | internal:#our-channel | client-routing:on|off`\n"
    f"• stages, cold to partner: {', '.join(s.value for s in Stage)}\n"
    "• Refer to an account by slug, name, the start of either, or its #channel."
)


HELP = [HELP_ACCOUNT, HELP_LOG, HELP_PROMISE]
"""One section per feature, in the order `/steward help` shows them."""


def help_reply(
    lead: str = "*Steward* keeps your promises to clients and notices silence.",
) -> Reply:
    sections = [lead, *HELP]
    return render.message("\n".join(sections), [render.section(s) for s in sections])


COMMANDS.update({"/logcontact": logcontact, "/promise": promise, "/steward": steward})
STEWARD_VERBS.update({"account": account, "accounts": account})
