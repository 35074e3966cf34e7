"""Contacts in Block Kit: what was logged, and the /logcontact form."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks import Block, Reply, account_select, field, modal, option, say
from bot.contacts.service import Logged
from bot.dates import describe_day
from bot.models import Account, InteractionKind
from bot.slacktext import escape

FORM = "logcontact_modal"  # the form's callback_id
KINDS = [k.value for k in InteractionKind]


def logged(done: Logged, today: date) -> Reply:
    """One line saying what was stored."""
    who = ""
    if done.contact:
        who = f" with {escape(done.contact.name)}{' (new contact)' if done.new_contact else ''}"
    return say(
        f":white_check_mark: Logged {done.kind.value}{who} at *{escape(done.account.name)}*, "
        f"{describe_day(done.day, today=today)}: “{done.summary}”"
    )


def form(
    account: Account | None, today: date | None, meta: dict[str, str]
) -> Block:
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
