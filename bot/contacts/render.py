"""Contacts in Block Kit: what was logged, edited or deleted, the /logcontact form, and an
account's key contacts."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks import (
    Block,
    Reply,
    account_select,
    context,
    field,
    message,
    modal,
    option,
    say,
    section,
)
from bot.contacts.roster import describe
from bot.contacts.service import Found, Logged
from bot.dates import describe_day
from bot.models import Account, Contact, InteractionKind
from bot.slacktext import chunks, escape

FORM = "logcontact_modal"  # the form's callback_id
KINDS = [k.value for k in InteractionKind]


def logged(done: Logged, today: date) -> Reply:
    """One line saying what was stored."""
    who = ""
    if done.contact:
        who = f" with {escape(done.contact.name)}{' (new contact)' if done.new_contact else ''}"
    what = "a contact" if done.kind is InteractionKind.other else done.kind.value
    return say(
        f":white_check_mark: Logged {what}{who} at *{escape(done.account.name)}*, "
        f"{describe_day(done.day, today=today)}: “{done.summary}” · `{done.label}`"
    )


def edited(found: Found, changed: list[str]) -> Reply:
    where = f"{found.label} at *{escape(found.account.name)}*"
    if not changed:
        return say(f"Nothing to change in {where}: it already says that.")
    return say(f":pencil2: Edited {where}: {'; '.join(changed)}.")


def deleted(found: Found) -> Reply:
    return say(
        f":wastebasket: Deleted {found.label} at *{escape(found.account.name)}* "
        f"({found.described()}). The account's history keeps that it was."
    )


def contact_added(account: Account, contact: Contact, restored: bool) -> Reply:
    again = " again" if restored else ""
    return say(
        f":bust_in_silhouette: Added{again} to *{escape(account.name)}*'s key contacts: "
        f"{describe(contact)}"
    )


def contact_changed(account: Account, contact: Contact, changed: list[str]) -> Reply:
    if not changed:
        return say(f"Nothing to change: {describe(contact)}.")
    return say(
        f":pencil2: {escape(contact.name)} at *{escape(account.name)}*: {'; '.join(changed)}."
    )


def contact_removed(account: Account, contact: Contact) -> Reply:
    return say(
        f":wave: {escape(contact.name)} is no longer a key contact of *{escape(account.name)}*; "
        "the contacts logged with them stay."
    )


def contact_list(
    account: Account, rows: list[tuple[Contact, date | None]], total: int, today: date
) -> Reply:
    """One line per key contact: roles (or "role unknown"), attitude, who looks after them."""
    title = f"*Key contacts at {escape(account.name)}* ({total})"
    if not rows:
        return say(
            f"{title}: none yet. Add one: "
            f"`/steward contact add {account.slug} Jan Kowalski, CFO role:decider`"
        )
    lines = []
    for contact, last in rows:
        met = f" — last met {describe_day(last, today=today)}" if last else ""
        lines.append(f"• {describe(contact)}{met}")
    blocks = [section(piece) for piece in chunks("\n".join([title, *lines]))]
    if total > len(rows):
        blocks.append(context(f"…and {total - len(rows)} more."))
    return message(title, blocks)


def form(account: Account | None, today: date | None, meta: dict[str, str]) -> Block:
    kind = {
        "type": "static_select",
        "action_id": "kind",
        "options": [option(k, k) for k in KINDS],
        "initial_option": option("call", "call"),
    }
    day: dict[str, Any] = {"type": "datepicker", "action_id": "day"}
    if today:
        day["initial_date"] = today.isoformat()
    blocks = [
        account_select(account),
        field("kind", "Kind", kind),
        field("day", "When (empty: today)", day, optional=True),
        field(
            "person",
            "With (a person at the client)",
            {"type": "plain_text_input", "action_id": "person", "max_length": 200},
            optional=True,
        ),
        field(
            "summary",
            "Summary",
            {
                "type": "plain_text_input",
                "action_id": "summary",
                "multiline": True,
                "max_length": 3000,
            },
        ),
    ]
    return modal(FORM, "Log a contact", "Log", blocks, meta)
