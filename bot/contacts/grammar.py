"""`/logcontact <account> [kind] [when] [with <person> (title)]: <summary>`, its `edit L-12` and
`delete L-12`, and `/steward contact add|set|list|remove` for an account's key contacts."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot import keys
from bot.accounts.grammar import named_or_here, take_account
from bot.accounts.queries import NAME_LIMIT, prefix_matches
from bot.blocks import Reply, say
from bot.contacts import render, roster, service
from bot.contacts.queries import close_names, contact_named, key_contacts
from bot.contacts.render import KINDS
from bot.contacts.service import EX_EDIT, EX_LOG
from bot.errors import UserError
from bot.grammar import LATEST_ZONE, day_or_refuse, form_account, form_date, split_options
from bot.invocation import Invocation
from bot.models import Account, Attitude, BuyingRole, Contact, InteractionKind
from bot.slacktext import (
    SECTION_LIMIT,
    SPECIAL_MENTION,
    channel_id_of,
    defuse,
    escape,
    plain,
    tokens,
    unescape,
    user_id_of,
)

SUMMARY_LIMIT = SECTION_LIMIT
EX_DELETE = "/logcontact delete L-12"
HELP = (
    "*Log a contact* — `/logcontact <account> [kind] [when] [with <person> (title)]: <summary>`\n"
    f"• kinds: {', '.join(KINDS)} (default other); when: today (default), yesterday, a weekday, "
    "`3 days ago`, `2026-11-02`\n"
    f"• `{EX_LOG}`\n"
    "• In the account's channel you may leave the account out: `/logcontact call: quick check-in`\n"
    "• The answer names it `L-12`: `/logcontact edit L-12 meeting: <new summary>` changes what "
    "you give (by whoever logged it or the account's owner) · `/logcontact delete L-12`\n"
    "• A summary that complains, worries or reports a problem or delay (English, Polish or "
    "Russian; not after “no”/“not”/“nie”/“нет”), or starts with `!`, marks a concern.\n"
    "• Type `/logcontact` alone for a form."
)
EX_CONTACT = (
    "/steward contact add acme-rail Jan Kowalski, CFO role:decider,buyer attitude:supporter "
    "looks-after:@anna"
)
HELP_CONTACTS = (
    "*Key contacts* — `/steward contact add <account> <name>[, title] [role:<roles>] "
    "[attitude:<attitude>] [looks-after:@person]`\n"
    f"• `{EX_CONTACT}`\n"
    f"• roles (comma-separated): {', '.join(r.value for r in BuyingRole)}; attitudes, warmest "
    f"first: {', '.join(a.value for a in Attitude)}\n"
    "• `/steward contact set acme-rail Jan Kowalski attitude:champion title:CFO` (`none` clears) · "
    "`/steward contact list acme-rail` · `/steward contact remove acme-rail Jan Kowalski`\n"
    "• In the account's channel you may leave the account out."
)


# -- /logcontact ---------------------------------------------------------------------------------
def logcontact(inv: Invocation, session: Session) -> Reply:
    words = tokens(inv.text)
    first = words[0].lower() if words else ""
    if first in ("help", "?"):
        return say(HELP)
    label = words[1].rstrip(":") if len(words) > 1 else ""
    if first in ("edit", "delete") and (_is_label(label) or ":" not in inv.text):
        if not label:
            raise UserError(
                f"which logged contact? Give its label after `{first}` (the answer to "
                "/logcontact shows it).",
                EX_EDIT if first == "edit" else EX_DELETE,
            )
        ref = f"L-{label}" if label.isdigit() else label
        if first == "delete":
            found = service.logged_contact(session, inv, ref, EX_DELETE)
            service.delete(session, inv, found)
            return render.deleted(found)
        return logcontact_edit(inv, session, ref)
    head, colon, summary = inv.text.partition(":")
    if not colon:
        raise UserError("the summary is missing: write it after a colon.", EX_LOG)
    try:
        account, rest = take_account(
            inv, session, tokens(head), EX_LOG, skip=frozenset({*KINDS, "with"})
        )
    except UserError:
        if first in ("edit", "delete"):  # not an account named so: a label mistyped
            raise UserError(
                f"“{label}” is not a logged contact's label; labels look like `L-12`.",
                EX_EDIT if first == "edit" else EX_DELETE,
            ) from None
        raise
    said = read_head_here(inv, session, account, rest)
    done = service.record(
        session,
        inv,
        account,
        said.kind or InteractionKind.other,
        said.day or inv.today,
        said.person,
        read_summary(summary, EX_LOG),
        said.title,
    )
    return render.logged(done, inv.today)


def read_head_here(inv: Invocation, session: Session, account: Account, rest: list[str]) -> Head:
    """`read_head`, saying so plainly when a word it cannot read as a day starts another
    account's name: in #globex, `/logcontact acme call: …` logs for Globex unless Acme is named
    in full, so say that rather than "couldn't read “acme” as a day"."""
    first = rest[0] if rest else ""
    try:
        return read_head(inv, list(rest), EX_LOG)
    except UserError:
        others = [a for a in prefix_matches(session, inv.team_id, first) if a.id != account.id]
        if not others or first.lower() in (*KINDS, "with"):
            raise
        names = " or ".join(f"*{escape(a.name)}* (`{a.slug}`)" for a in others[:3])
        here = escape(account.name)
        raise UserError(
            f"this is *{here}*'s channel, so a contact logged here is {here}'s unless you name "
            f"another account in full. “{first}” looks like {names}: name it in full, or log it "
            "in its own channel.",
            f"/logcontact {others[0].slug} call: …",
        ) from None


def _is_label(word: str) -> bool:
    return keys.interaction_number(word) is not None or (word.isdigit() and len(word) < 10)


def logcontact_edit(inv: Invocation, session: Session, ref: str) -> Reply:
    """`/logcontact edit L-12 [kind] [when] [with <person>] [: <summary>]`: what is given
    changes, the rest stays."""
    found = service.logged_contact(session, inv, ref, EX_EDIT)
    service.may_change(inv, found, "edit", EX_EDIT)
    head, colon, summary = inv.text.partition(":")
    said = read_head(inv, tokens(head)[2:], EX_EDIT)
    if not colon and said == Head():
        raise UserError(
            "say what to change after the label: a kind, a day, `with <person>`, or a new "
            "summary after a colon.",
            EX_EDIT,
        )
    change = service.Edit(
        kind=said.kind,
        day=said.day,
        person=said.person,
        title=said.title,
        summary=read_summary(summary, EX_EDIT) if colon else None,
    )
    return render.edited(found, service.edit(session, inv, found, change))


def read_summary(text: str, example: str) -> str:
    summary = defuse(text.strip())
    if not summary:
        raise UserError("the summary is missing: write it after a colon.", example)
    if len(summary) > SUMMARY_LIMIT:
        raise UserError(
            f"the summary is {len(summary):,} characters; Slack shows at most {SUMMARY_LIMIT:,}. "
            "Shorten it, or log the main points and link the notes.",
            example,
        )
    return summary


@dataclass(frozen=True)
class Head:
    """What comes before the summary's colon, past the account; None: not said."""

    kind: InteractionKind | None = None
    day: date | None = None
    person: str | None = None
    title: str | None = None


TITLED = re.compile(r"^(?P<name>.*?)\s*\((?P<title>[^()]*)\)$")


def name_and_title(person: str) -> tuple[str, str | None]:
    """`Jan Kowalski (CFO)` → (`Jan Kowalski`, `CFO`); a name without brackets has no title."""
    person = person.strip()
    match = TITLED.match(person)
    if not match or not match.group("name").strip():
        return person, None
    return match.group("name").strip(), match.group("title").strip() or None


def read_head(inv: Invocation, rest: list[str], example: str) -> Head:
    """`[kind] [when] [with <person> (title)]`, in that order or with the day first."""
    lowered = [w.lower() for w in rest]
    kind = None
    for at, word in enumerate(lowered):
        if word == "with":
            break
        if word in KINDS:  # the kind may come before or after the day
            kind = InteractionKind(word)
            del rest[at], lowered[at]
            break
    person = title = None
    if "with" in lowered:
        at = lowered.index("with")
        person, rest = " ".join(rest[at + 1 :]), rest[:at]
        if user_id_of(person) or channel_id_of(person) or SPECIAL_MENTION.search(person):
            raise UserError(
                f"“with” takes the client person's name as text, not a mention ({defuse(person)}).",
                example,
            )
        person, title = name_and_title(unescape(plain(person)))
        if not person:
            raise UserError("“with” needs the person's name.", example)
        if len(person) > NAME_LIMIT or len(title or "") > NAME_LIMIT:
            raise UserError(
                "that person's name or title is too long (200 characters at most).", example
            )
    when_text = " ".join(rest)
    day = None
    if when_text:
        day = day_or_refuse(
            inv,
            when_text,
            prefer="past",
            what=f"a day (kinds are {', '.join(KINDS)})",
            example=example,
        )
    return Head(kind, day, person, title)


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
        person, title = name_and_title(self.person) if self.person else (None, None)
        done = service.record(
            session, inv, account, self.kind, day, person or None, self.summary, title
        )
        return render.logged(done, inv.today)


# -- /steward contact ----------------------------------------------------------------------------
def contact(inv: Invocation, session: Session, words: list[str]) -> Reply:
    """`/steward contact add|set|list|remove …` (`contacts acme` lists)."""
    verb = words[0].lower() if words else "list"
    if verb in ("help", "?"):
        return say(HELP_CONTACTS)
    verbs: dict[str, Callable[[Invocation, Session, list[str]], Reply]] = {
        "add": contact_add,
        "set": contact_set,
        "list": contact_list,
        "remove": contact_remove,
    }
    if verb not in verbs:
        raise UserError(
            f"`contact {words[0]}` is not a command; use add, set, list or remove.", EX_CONTACT
        )
    return verbs[verb](inv, session, words[1:])


def contacts(inv: Invocation, session: Session, words: list[str]) -> Reply:
    """`/steward contacts [account]`: the list; `contacts add …` works as `contact add …`."""
    if words and words[0].lower() in ("add", "set", "list", "remove", "help", "?"):
        return contact(inv, session, words)
    return contact_list(inv, session, words)


def _joined_roles(words: list[str]) -> list[str]:
    """`role:decider, buyer` typed with a space after the comma: one option again."""
    out: list[str] = []
    for word in words:
        if out and out[-1].endswith(",") and out[-1].lower().startswith(("role:", "roles:")):
            out[-1] += word
        else:
            out.append(word)
    return out


def _named(
    inv: Invocation, session: Session, words: list[str], example: str
) -> tuple[Account, str, str | None, dict[str, str]]:
    """The account, the person's name, a title after a comma, and the options."""
    words, options = split_options(_joined_roles(words))
    account, rest = take_account(inv, session, words, example)
    for word in rest:
        if user_id_of(word) or channel_id_of(word):
            raise UserError(
                f"a key contact is a person at the client: write their name, not a mention "
                f"({word}). Say which of us looks after them with `looks-after:@person`.",
                example,
            )
    name, comma, title = unescape(plain(" ".join(rest))).partition(",")
    name = " ".join(name.split())
    if not name:
        raise UserError("whose name? Write it after the account.", example)
    if len(name) > NAME_LIMIT or len(title.strip()) > NAME_LIMIT:
        raise UserError("that name or title is too long (200 characters at most).", example)
    return account, name, (title.strip() if comma else None), options


def read_details(
    inv: Invocation, options: dict[str, str], title: str | None, example: str
) -> roster.Details:
    """The options a key contact takes; `none` clears one."""
    values: dict[str, str] = {}
    if title is not None:
        values["title"] = title
    for key, raw in options.items():
        value = raw.strip().strip("\"“”'")
        if key in ("role", "roles"):
            values["roles"] = roster.read_roles(value, example)
        elif key == "attitude":
            values["attitude"] = roster.read_attitude(value, example)
        elif key in ("looks-after", "looked-after-by", "owner"):
            person = user_id_of(value)
            if value.lower() in ("none", "nobody"):
                values["looks_after"] = ""
            elif not person:
                raise UserError("looks-after: takes a mention of one of our people.", example)
            else:
                values["looks_after"] = inv.require_ours(
                    person, "whoever looks after a key contact", example
                )
        elif key == "title":
            values["title"] = "" if value.lower() == "none" else unescape(plain(value))[:200]
        else:
            raise UserError(
                f"`{key}:` is not something a key contact has; use role:, attitude:, "
                "looks-after: or title:.",
                example,
            )
    return roster.Details(**values)


def contact_add(inv: Invocation, session: Session, words: list[str]) -> Reply:
    account, name, title, options = _named(inv, session, words, EX_CONTACT)
    details = read_details(inv, options, title, EX_CONTACT)
    added, restored = roster.add(session, inv, account, name, details)
    return render.contact_added(account, added, restored)


def contact_set(inv: Invocation, session: Session, words: list[str]) -> Reply:
    example = "/steward contact set acme-rail Jan Kowalski role:decider attitude:champion"
    account, name, title, options = _named(inv, session, words, example)
    details = read_details(inv, options, title, example)
    if not details.given():
        raise UserError(
            "say what to change: role:, attitude:, looks-after: or title: (or `, <title>` "
            "after the name).",
            example,
        )
    found = _current(session, account, name, example)
    return render.contact_changed(
        account, found, roster.change(session, inv, account, found, details)
    )


def contact_remove(inv: Invocation, session: Session, words: list[str]) -> Reply:
    example = "/steward contact remove acme-rail Jan Kowalski"
    account, name, _title, _options = _named(inv, session, words, example)
    found = _current(session, account, name, example)
    roster.remove(session, inv, account, found)
    return render.contact_removed(account, found)


def contact_list(inv: Invocation, session: Session, words: list[str]) -> Reply:
    example = "/steward contact list acme-rail"
    account = named_or_here(inv, session, words, example, "Name it, or run this in its channel.")
    rows, total = key_contacts(session, account)
    return render.contact_list(account, rows, total, inv.today)


def _current(session: Session, account: Account, name: str, example: str) -> Contact:
    """The account's key contact so named; else a refusal with the closest names."""
    found = contact_named(session, account, name)
    if found is not None and found.removed_at is None:
        return found
    again = " (removed; `contact add` brings them back)" if found is not None else ""
    raise UserError(
        f"{name} is not a key contact of {account.name}{again}.",
        example,
        close_names(session, account, name),
    )
