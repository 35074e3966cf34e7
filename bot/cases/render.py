"""Cases in Block Kit: the case post and its buttons, case lines, the route form and prompt."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from bot import keys
from bot.blocks import context, count, header, message, section
from bot.cases.grammar import CaseRef, RoutePick
from bot.dates import describe_day
from bot.models import Account, Case, CaseStatus
from bot.slacktext import SECTION_LIMIT, chunks, clip, escape, inert

Block = dict[str, Any]
THREAD_MESSAGES = 30  # the thread so far, at most this many messages in the case post
ROUTE_FORM = "route_modal"
OWNER_TOLD_AT = 2  # the aging nudge after which the account's owner hears of the case


def label(case: Case) -> str:
    return keys.case_label(case.id)


def case_line(case: Case, account: Account, today: date) -> str:
    who = f"taken by <@{case.taken_by}>" if case.taken_by else "nobody has taken it"
    if case.status == CaseStatus.resolved:
        who = f"resolved by <@{case.resolved_by}>"
    opened = describe_day(case.created_at.date(), today=today)
    return (
        f"`{label(case)}` *{escape(account.name)}* · {case.function} → "
        f"<#{case.counterpart_channel}>"
        f" — opened {opened}, {who}"
    )


def aging_nudge(case: Case, n: int, hours: int, week: str) -> str:
    """The `n`th aging nudge in the case thread, after `hours` working hours (`week`: the
    team's zone and days, e.g. `America/New_York, Mon–Fri`)."""
    said = (
        f":hourglass: *{label(case)}* has waited {hours} working hours ({week}) and nobody "
        "has taken it" + (f" (reminder {n})" if n > 1 else "") + ". Press *Take it* on the "
        "case above."
    )
    return said + (" I've told the account's owner." if n == OWNER_TOLD_AT else "")


def aging_owner_note(case: Case, account: Account, hours: int, week: str) -> str:
    """The account's owner told, once, that our counterpart team has left a case untaken."""
    return (
        f":hourglass: *{label(case)}* for *{escape(account.name)}* ({case.function}, in "
        f"<#{case.counterpart_channel}>) has waited {hours} working hours ({week}) and nobody "
        f"has taken it, though I've reminded the team {OWNER_TOLD_AT} times. `/steward cases "
        f"{account.slug}` lists it."
    )


def button(text: str, action_id: str, case: Case, style: str | None = None) -> Block:
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": CaseRef(case.id or 0).value,
    }
    return {**element, "style": style} if style else element


def case_buttons(case: Case) -> Block:
    """The case post's buttons as its state: Take it and Resolve; Resolve; Reopen."""
    take = button("Take it", "case_take", case, "primary")
    resolve = button("Resolve", "case_resolve", case)
    elements = {
        CaseStatus.open: [take, resolve],
        CaseStatus.taken: [resolve],
        CaseStatus.resolved: [button("Reopen", "case_reopen", case)],
    }[CaseStatus(case.status)]
    return {"type": "actions", "block_id": f"case-{case.id}", "elements": elements}


def late_message(case: Case, piece: str) -> list[Block]:
    """A client's words after the case was resolved, with a Reopen button."""
    reopen = button("Reopen", "case_reopen", case)
    return [
        section(piece),
        {"type": "actions", "block_id": f"case-{case.id}-late", "elements": [reopen]},
    ]


def _author(message: Mapping[str, Any], names: Callable[[str], str]) -> str:
    if message.get("bot_id") and not message.get("user"):
        return "a bot"
    return "@" + names(str(message.get("user", "?")))


def case_post(
    case: Case,
    account: Account,
    thread: Sequence[Mapping[str, Any]],
    permalink: str | None,
    names: Callable[[str], str],
) -> dict[str, Any]:
    """The case as posted in the counterpart channel: who, what, the thread so far, buttons.
    Everything quoted from the thread pings nobody."""
    head = f"{label(case)} · {account.name} · {case.function}"
    raiser = "@" + names(case.raised_by)
    intro = (
        f"*{label(case)}* for *{escape(account.name)}*, raised by {raiser} in "
        f"<#{case.origin_channel}>"
    )
    if case.note:
        intro += f"\n> {clip(inert(case.note, names), 1000)}"
    blocks: list[Block] = [header(head), section(intro)]
    shown = thread[:THREAD_MESSAGES]
    if shown:
        blocks.append(context(f"The thread so far ({count(len(thread), 'message')}):"))
        room = 40 - len(blocks)
        text = "\n".join(f"{_author(m, names)}: {inert(m.get('text', ''), names)}" for m in shown)
        pieces = chunks(text, SECTION_LIMIT - 10)
        for piece in pieces[:room]:
            blocks.append(section(piece))
        if len(pieces) > room or len(thread) > len(shown):
            blocks.append(context("…the rest is in the original thread."))
    if permalink:
        blocks.append(context(f"<{permalink}|Open the original thread>"))
    blocks.append(case_buttons(case))
    return message(f"{head}: raised by {raiser}", blocks)


def post_with_status(case: Case, blocks: Sequence[Block]) -> list[Block]:
    """The case post's blocks with its state instead of the old: who has it, or how it was
    resolved, and the buttons for what can be done next."""
    state: list[Block] = []
    if case.status == CaseStatus.resolved:
        state.append(context(f":white_check_mark: Resolved by <@{case.resolved_by}>"))
    elif case.taken_by:
        state.append(context(f":raising_hand: Taken by <@{case.taken_by}>"))
    kept = [
        b
        for b in blocks
        if b.get("block_id") != f"case-{case.id}" and not b.get("block_id", "").startswith("state")
    ]
    for n, block in enumerate(state):
        block["block_id"] = f"state-{n}"
    return [*kept, *state, case_buttons(case)]


def route_prompt(guess: str | None, functions: Sequence[str], pick: RoutePick) -> dict[str, Any]:
    """Which team? Up to five buttons, the suggested one first."""
    ordered = ([guess] if guess else []) + [f for f in functions if f != guess]
    buttons = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": f},
            "action_id": f"route_pick_{f}",
            "value": pick.value,
            **({"style": "primary"} if f == guess else {}),
        }
        for f in ordered[:5]
    ]
    lead = (
        f"This looks like one for *{guess}*. Route it there?"
        if guess
        else "Route this thread to which team?"
    )
    blocks = [
        section(lead),
        {"type": "actions", "block_id": "route_pick", "elements": buttons},
    ]
    return message(lead, blocks)


def route_form(functions: list[str], guess: str | None, meta: dict[str, str]) -> dict[str, Any]:
    options = [{"text": {"type": "plain_text", "text": f}, "value": f} for f in functions]
    select: dict[str, Any] = {"type": "static_select", "action_id": "function", "options": options}
    if guess:
        select["initial_option"] = next(o for o in options if o["value"] == guess)
    return {
        "type": "modal",
        "callback_id": ROUTE_FORM,
        "title": {"type": "plain_text", "text": "Route to counterpart"},
        "submit": {"type": "plain_text", "text": "Route"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(meta),
        "blocks": [
            {
                "type": "input",
                "block_id": "function",
                "label": {"type": "plain_text", "text": "To which team"},
                "element": select,
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": {"type": "plain_text", "text": "Note for them"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "note",
                    "multiline": True,
                    "max_length": 2000,
                },
            },
        ],
    }
