"""`/promise`: record one (`/promise acme send the quote by friday @nina`), list, mark kept,
cancel, move, give to another owner, re-word, reopen."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.accounts.grammar import take_account
from bot.accounts.queries import account_for_channel, resolve_account
from bot.blocks import Reply, say
from bot.dates import split_due
from bot.errors import UserError
from bot.grammar import EARLIEST_ZONE, day_or_refuse, day_refusal, form_account, form_date
from bot.invocation import Invocation
from bot.models import Audience, Promise, PromiseStatus
from bot.promises import render, service
from bot.promises.queries import get_promise, open_promises
from bot.promises.service import EX_PROMISE, WHAT_LIMIT
from bot.slacktext import channel_id_of, defuse, escape, tokens, user_id_of

INTERNAL = "internal"
EX_LIST = "/promise list mine"
HELP = (
    "*Record a promise* — `/promise <account> <what> by <when> [@owner]`\n"
    f"• `{EX_PROMISE}` — owner defaults to you; the confirmation is posted in the "
    "account's channel, where the client can read it if it is shared with them. "
    "`/promise internal acme …` keeps it to us (the account's internal channel, or the "
    "owner's DM)\n"
    "• `/promise list [account|mine|overdue|all|@person]` · `/promise done P-12` · "
    "`/promise cancel P-12 [reason]` · `/promise due P-12 next friday`\n"
    "• `/promise owner P-12 @nina` gives it to someone else · `/promise reword P-12 <new "
    "words>` · `/promise reopen P-12 [by friday]` opens a kept, broken or cancelled one again\n"
    "• Type `/promise` alone for a form."
)


def promise(inv: Invocation, session: Session) -> Reply:
    words = tokens(inv.text)
    verb = words[0].lower() if words else ""
    sub: dict[str, Callable[[Invocation, Session, list[str]], Reply]] = {
        "list": promise_list,
        "done": promise_done,
        "kept": promise_done,
        "cancel": promise_cancel,
        "due": promise_due,
        "owner": promise_owner,
        "reword": promise_reword,
        "reopen": promise_reopen,
    }
    if verb in ("help", "?"):
        return say(HELP)
    if verb in sub:
        return sub[verb](inv, session, words[1:])
    return promise_new(inv, session, words)


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
    found = split_due(" ".join(words), today=inv.today, locale=inv.locale)
    if found.due is None:
        if found.unread is None:
            raise UserError(
                "the due date is missing: end with ` by <when>` (or `do` / `до` / `к`).",
                EX_PROMISE,
            )
        for word in tokens(found.unread):
            if user_id_of(word) or channel_id_of(word):
                raise UserError(
                    f"the owner mention goes at the very end, after the date ({word}).",
                    EX_PROMISE + " @owner",
                )
        if not found.unread:
            raise UserError("the due date is missing after “by”.", EX_PROMISE)
        raise day_refusal(inv, found.unread, what="a due date", example=EX_PROMISE)
    due = found.due.day
    account, what_words = take_account(inv, session, tokens(found.what), EX_PROMISE)
    what = defuse(" ".join(what_words)).strip()
    if not what:
        raise UserError("say what was promised, between the account and “by”.", EX_PROMISE)
    if len(what) > WHAT_LIMIT:
        raise UserError(
            f"the promise is {len(what):,} characters; keep it under "
            f"{WHAT_LIMIT:,} and link the details.",
            EX_PROMISE,
        )
    return recorded(inv, service.record(session, inv, account, what, owner, due, internal=internal))


def recorded(inv: Invocation, done: service.Recorded) -> Reply:
    """The answer to a recorded promise, from the command or its form."""
    sent = done.confirmation
    where = render.where_confirmed(
        done.account,
        sent.channel if sent else None,
        internal=bool(sent and sent.audience == Audience.internal),
        shared=bool(sent and sent.shared),
    )
    return render.recorded(done.promise, done.account, inv.today, where)


def promise_list(inv: Invocation, session: Session, words: list[str]) -> Reply:
    arg = " ".join(words).strip()
    team = inv.team_id
    if not arg:
        here = account_for_channel(session, team, inv.channel_id)
        if here:
            rows = open_promises(session, team, account=here)
            return render.promise_list(
                f"Open promises to {escape(here.name)}", rows, inv.today, empty="none."
            )
        arg = "mine"
    if arg.lower() == "mine":
        rows = open_promises(session, team, owner_id=inv.user_id)
        return render.promise_list("Your open promises", rows, inv.today, empty="none. :tada:")
    if arg.lower() == "overdue":
        rows = open_promises(session, team, due_before=inv.today)
        return render.promise_list("Overdue promises", rows, inv.today, empty="none. :tada:")
    if arg.lower() == "all":
        rows = open_promises(session, team)
        return render.promise_list("All open promises", rows, inv.today, empty="none. :tada:")
    owner = user_id_of(arg)
    if owner:
        rows = open_promises(session, team, owner_id=owner)
        return render.promise_list(
            f"Open promises owned by <@{owner}>", rows, inv.today, empty="none."
        )
    try:
        account = resolve_account(session, team, arg, EX_LIST)
    except UserError as error:
        raise UserError(
            f"`list` takes mine, overdue, all, an @person or an account, and {error.problem}",
            EX_LIST,
            error.suggestions,
        ) from None
    rows = open_promises(session, team, account=account)
    return render.promise_list(
        f"Open promises to {escape(account.name)}", rows, inv.today, empty="none."
    )


def _promise_arg(inv: Invocation, session: Session, words: list[str], example: str) -> Promise:
    if not words:
        raise UserError("which promise? Give its id.", example)
    return get_promise(session, inv.team_id, words[0], example)


def promise_done(inv: Invocation, session: Session, words: list[str]) -> Reply:
    made = _promise_arg(inv, session, words, "/promise done P-12")
    service.mark_kept(session, inv, made, defuse(" ".join(words[1:])).strip() or None)
    return render.kept(made)


def promise_cancel(inv: Invocation, session: Session, words: list[str]) -> Reply:
    made = _promise_arg(inv, session, words, "/promise cancel P-12 client no longer needs it")
    reason = defuse(" ".join(words[1:])).strip() or None
    service.cancel(session, inv, made, reason)
    return render.cancelled(made, reason)


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
    if due == made.due_on and made.status == PromiseStatus.open:
        return render.already_due(made, inv.today)  # nothing changed: nothing announced
    old = service.move(session, inv, made, due)
    return render.moved(made, old, inv.today)


EX_OWNER = "/promise owner P-12 @nina"
EX_REWORD = "/promise reword P-12 send the revised quote with the volume discount"
EX_REOPEN = "/promise reopen P-12 by friday"


def promise_owner(inv: Invocation, session: Session, words: list[str]) -> Reply:
    """`/promise owner P-12 @nina`: the new owner must be one of ours."""
    made = _promise_arg(inv, session, words, EX_OWNER)
    owner = user_id_of(words[1]) if len(words) == 2 else None
    if owner is None:
        raise UserError("give the new owner as one @mention after the id.", EX_OWNER)
    inv.require_ours(owner, "a promise's owner", EX_OWNER)
    old = service.reassign(session, inv, made, owner)
    return render.reassigned(made, old)


def promise_reword(inv: Invocation, session: Session, words: list[str]) -> Reply:
    """`/promise reword P-12 <new words>`."""
    made = _promise_arg(inv, session, words, EX_REWORD)
    what = defuse(" ".join(words[1:])).strip()
    if not what:
        raise UserError("give the new words after the id.", EX_REWORD)
    if len(what) > WHAT_LIMIT:
        raise UserError(f"keep the promise under {WHAT_LIMIT:,} characters.", EX_REWORD)
    old = service.reword(session, inv, made, what)
    return render.reworded(made, old)


def promise_reopen(inv: Invocation, session: Session, words: list[str]) -> Reply:
    """`/promise reopen P-12 [by <when>]`: due as it was unless a day is given."""
    made = _promise_arg(inv, session, words, EX_REOPEN)
    rest = words[1:]
    if rest and rest[0].lower() == "by":
        rest = rest[1:]
    due = None
    if rest:
        due = day_or_refuse(
            inv, " ".join(rest), prefer="future", what="a due date", example=EX_REOPEN
        )
        if due < inv.today:
            raise UserError(f"the new due date {due.isoformat()} has passed.", EX_REOPEN)
    service.reopen(session, inv, made, due)
    return render.reopened(made, inv.today)


@dataclass(frozen=True)
class PromiseForm:
    """The /promise form, as sent."""

    account: str | None  # the picked account's id
    what: str
    due: date
    owner: str | None
    internal: bool

    @classmethod
    def read(cls, values: Mapping[str, Any], now: datetime) -> PromiseForm | dict[str, str]:
        """The form, or the errors to show beside its fields (in the ack)."""
        due = form_date(values.get("due"))
        if due is None or due < now.astimezone(EARLIEST_ZONE).date():
            return {"due": "Pick a due date from today on."}
        what = (values.get("what") or "").strip()
        if not what:
            return {"what": "Say what we promised."}
        return cls(
            account=values.get("account"),
            what=defuse(escape(what)),
            due=due,
            owner=values.get("owner") or None,
            internal=bool(values.get("internal")),
        )

    def record(self, inv: Invocation, session: Session) -> Reply:
        account = form_account(session, inv.team_id, self.account)
        owner = self.owner or inv.user_id
        inv.require_ours(owner, "a promise's owner", "/promise acme send the quote by friday")
        done = service.record(
            session, inv, account, self.what, owner, self.due, internal=self.internal
        )
        return recorded(inv, done)
