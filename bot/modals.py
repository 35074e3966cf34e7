"""The forms a bare /logcontact or /promise opens, and reading their submissions."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.commands import KINDS
from bot.models import Account
from bot.slacktext import clip

LOG_CALLBACK = "logcontact_modal"
PROMISE_CALLBACK = "promise_modal"
ACCOUNT_ACTION = "account_select"


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": optional,
    }


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": clip(text, 75)}, "value": value}


def account_option(account: Account) -> dict[str, Any]:
    return _option(f"{account.name} ({account.slug})", str(account.id))


def _account_select(account: Account | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "external_select",
        "action_id": ACCOUNT_ACTION,
        "placeholder": {"type": "plain_text", "text": "Type to search accounts"},
        "min_query_length": 0,
    }
    if account:
        element["initial_option"] = account_option(account)
    return _input("account", "Account", element)


def _modal(callback_id: str, title: str, submit: str, blocks: list, meta: dict) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


def logcontact_view(
    account: Account | None, today: date | None, meta: dict[str, str]
) -> dict[str, Any]:
    kind = {
        "type": "static_select",
        "action_id": "kind",
        "options": [_option(k, k) for k in KINDS],
        "initial_option": _option("call", "call"),
    }
    day: dict[str, Any] = {"type": "datepicker", "action_id": "day"}
    if today:
        day["initial_date"] = today.isoformat()
    blocks = [
        _account_select(account),
        _input("kind", "Kind", kind),
        _input("day", "When (empty: today)", day, optional=True),
        _input(
            "person",
            "With (a person at the client)",
            {"type": "plain_text_input", "action_id": "person", "max_length": 200},
            optional=True,
        ),
        _input(
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
    return _modal(LOG_CALLBACK, "Log a contact", "Log", blocks, meta)


def promise_view(
    account: Account | None, owner_id: str, today: date | None, meta: dict[str, str]
) -> dict[str, Any]:
    due: dict[str, Any] = {"type": "datepicker", "action_id": "due"}
    if today:
        due["initial_date"] = today.isoformat()
    blocks = [
        _account_select(account),
        _input(
            "what",
            "What we promised",
            {"type": "plain_text_input", "action_id": "what", "max_length": 1000},
        ),
        _input("due", "Due", due),
        _input(
            "owner",
            "Owner",
            {"type": "users_select", "action_id": "owner", "initial_user": owner_id},
        ),
        _input(
            "internal",
            "Who sees the confirmation",
            {
                "type": "checkboxes",
                "action_id": "internal",
                "options": [
                    _option("Internal: keep it to us, not in the client's channel", "internal")
                ],
            },
            optional=True,
        ),
    ]
    return _modal(PROMISE_CALLBACK, "Record a promise", "Record", blocks, meta)


def values(view: dict[str, Any]) -> dict[str, Any]:
    """Flatten view.state.values to {block_id: value} for the element types our forms use."""
    out: dict[str, Any] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        for element in actions.values():
            kind = element.get("type")
            if kind in ("static_select", "external_select"):
                chosen = element.get("selected_option")
                out[block_id] = chosen.get("value") if chosen else None
            elif kind == "datepicker":
                out[block_id] = element.get("selected_date")
            elif kind == "users_select":
                out[block_id] = element.get("selected_user")
            elif kind == "checkboxes":
                out[block_id] = [o.get("value") for o in element.get("selected_options") or []]
            else:
                out[block_id] = element.get("value")
    return out
