"""`/logcontact <account> [kind] [when] [with <person>]: <summary>`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.accounts.grammar import take_account
from bot.accounts.queries import NAME_LIMIT
from bot.blocks import Reply, say
from bot.contacts import render, service
from bot.contacts.render import KINDS
from bot.contacts.service import EX_LOG
from bot.errors import UserError
from bot.grammar import LATEST_ZONE, day_or_refuse, form_account, form_date
from bot.invocation import Invocation
from bot.models import InteractionKind
from bot.slacktext import (
    SECTION_LIMIT,
    channel_id_of,
    defuse,
    escape,
    plain,
    tokens,
    unescape,
    user_id_of,
)

SUMMARY_LIMIT = SECTION_LIMIT
HELP = (
    "*Log a contact* — `/logcontact <account> [kind] [when] [with <person>]: <summary>`\n"
    f"• kinds: {', '.join(KINDS)} (default other); when: today (default), yesterday, a weekday, "
    "`3 days ago`, `2026-11-02`\n"
    f"• `{EX_LOG}`\n"
    "• In the account's channel you may leave the account out: `/logcontact call: quick check-in`\n"
    "• Type `/logcontact` alone for a form."
)


def logcontact(inv: Invocation, session: Session) -> Reply:
    if inv.text.lower() in ("help", "?"):
        return say(HELP)
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
        if len(person) > NAME_LIMIT:
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
    done = service.record(session, inv, account, kind, day, person, summary)
    return render.logged(done, inv.today)


@dataclass(frozen=True)
class LogForm:
    """The /logcontact form, as sent."""

    account: str | None  # the picked account's id
    kind: InteractionKind
    day: date | None  # None: today, the person's
    person: str | None
    summary: str

    @classmethod
    def read(cls, values: Mapping[str, Any], now: datetime) -> LogForm | dict[str, str]:
        """The form, or the errors to show beside its fields (in the ack)."""
        day = form_date(values.get("day"))
        if day and day > now.astimezone(LATEST_ZONE).date():
            return {"day": "That day is in the future."}
        summary = (values.get("summary") or "").strip()
        if not summary:
            return {"summary": "Write what was discussed."}
        kind = values.get("kind") or "other"
        if kind not in KINDS:
            return {"kind": f"Pick one of: {', '.join(KINDS)}."}
        return cls(
            account=values.get("account"),
            kind=InteractionKind(kind),
            day=day,
            person=(values.get("person") or "").strip() or None,
            summary=defuse(escape(summary)),
        )

    def log(self, inv: Invocation, session: Session) -> Reply:
        account = form_account(session, inv.team_id, self.account)
        day = self.day or inv.today
        done = service.record(session, inv, account, self.kind, day, self.person, self.summary)
        return render.logged(done, inv.today)
