"""Block Kit building blocks for every reply, message and form, within Slack's limits.
Plain dicts: no database, no Slack calls. Each feature's render.py builds on these."""

from __future__ import annotations

import json
from typing import Any

from bot.errors import UserError
from bot.models import Account
from bot.slacktext import MESSAGE_BLOCKS, SECTION_LIMIT, chunks, clip, escape

Block = dict[str, Any]
Reply = dict[str, Any]
"""A message as chat.postMessage or response_url takes it: text and blocks."""

ACCOUNT_ACTION = "account_select"  # the account picker in every form: its options are searched


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 3000)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, 150)}}


def fenced(text: str) -> list[Block]:
    """The user's own text (mrkdwn, as Slack sent it) in code blocks, split so none is lost."""
    return [section(f"```{piece}```") for piece in chunks(text, SECTION_LIMIT - 6)]


def message(text: str, blocks: list[Block] | None = None) -> Reply:
    blocks = blocks or [section(text)]
    if len(blocks) > MESSAGE_BLOCKS:
        blocks = [*blocks[: MESSAGE_BLOCKS - 1], context(f"…and {len(blocks) - 49} more.")]
    return {"text": clip(text, 3000), "blocks": blocks}


def refusal(error: UserError, *, title: str, typed: str, button: str | None = None) -> Reply:
    """What was wrong, an example that works, and the person's own text back (or, for a
    button, what the button tried: they typed nothing)."""
    lines = [f":warning: *{title}:* {error.problem}"]
    blocks = [section(lines[0])]
    if error.suggestions:
        did_you_mean = "Did you mean " + ", ".join(f"`{s}`" for s in error.suggestions) + "?"
        lines.append(did_you_mean)
        blocks.append(section(did_you_mean))
    if error.example:
        lines.append(f"Try: `{error.example}`")
        blocks.append(section(f"*Try:* `{escape(error.example)}`"))
    if button and typed.strip():
        tried = f"The button “{button}” tried `{typed}`."
        blocks.append(context(escape(tried)))
        lines.append(tried)
    elif typed.strip():
        blocks.append(context("You typed (copy it to fix and send again):"))
        blocks.extend(fenced(typed))
        lines.append(f"You typed: {typed}")
    return message("\n".join(lines), blocks)


def say(text: str) -> Reply:
    return message(text)


def count(number: int, noun: str) -> str:
    """`1 day`, `3 days`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, 75)},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def rendered(message: Reply) -> str:
    """Everything a person would read in a message: its text and every block's text."""
    parts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        if "text" in block and isinstance(block["text"], dict):
            parts.append(block["text"].get("text", ""))
        for item in block.get("fields", []) + block.get("elements", []):
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                parts.append(item["text"])
    return "\n".join(parts)


def failure(typed: str) -> Reply:
    """What the user sees when we fail: nothing is lost, and no internals are shown."""
    return message(
        ":x: Something went wrong on our side and that was *not* saved. Please try again in a "
        "minute; here is what you typed.",
        [
            section(
                ":x: Something went wrong on our side and that was *not* saved. "
                "Please try again in a minute; here is what you typed:"
            ),
            *fenced(typed),
        ],
    )


# -- forms -------------------------------------------------------------------------------------
def field(block_id: str, label: str, element: Block, *, optional: bool = False) -> Block:
    """An input block of a form."""
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": optional,
    }


def option(text: str, value: str) -> Block:
    return {"text": {"type": "plain_text", "text": clip(text, 75)}, "value": value}


def account_option(account: Account) -> Block:
    return option(f"{account.name} ({account.slug})", str(account.id))


def account_select(account: Account | None) -> Block:
    """The account picker: searched as the person types (handlers/views/forms.py answers)."""
    element: Block = {
        "type": "external_select",
        "action_id": ACCOUNT_ACTION,
        "placeholder": {"type": "plain_text", "text": "Type to search accounts"},
        "min_query_length": 0,
    }
    if account:
        element["initial_option"] = account_option(account)
    return field("account", "Account", element)


def modal(
    callback_id: str, title: str, submit: str, blocks: list[Block], meta: dict[str, str]
) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


def form_values(view: Block) -> dict[str, Any]:
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
