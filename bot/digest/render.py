"""The digest as a Slack message: a header, one section per kind of item, each item with its
buttons (whose values and block ids are written by `grammar.DigestClick`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any, TypeVar

from bot import keys
from bot.blocks import context, count, header, message, say, section
from bot.cases.render import case_line
from bot.dates import describe_day
from bot.digest.grammar import Button, DigestClick
from bot.digest.queries import ESCALATE_AFTER, DueItem, SilentAccount
from bot.digest.signs import QuietAccount, StageDown
from bot.promises import render as promise_render
from bot.slacktext import clip, defuse, escape

if TYPE_CHECKING:
    from bot.digest.service import Digest, PutAside

Block = dict[str, Any]
Item = TypeVar("Item", SilentAccount, QuietAccount, StageDown, DueItem)
MAX_ITEMS = 20  # at most two blocks an item
MAX_CASES = 10
MAX_BLOCKS = 50  # Slack's limit for a message
NOTHING_LEFT = "Nothing left in today's digest. :white_check_mark:"


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def _snooze_buttons(click: DigestClick) -> list[Block]:
    return [
        button("Snooze 1 day", Button.snooze_day, click.value),
        button("Snooze 1 week", Button.snooze_week, click.value),
    ]


def _actions(click: DigestClick, elements: list[Block]) -> Block:
    return {
        "type": "actions",
        "block_id": click.block_id,
        "elements": elements + _snooze_buttons(click),
    }


def silent_blocks(item: SilentAccount, day: date) -> list[Block]:
    line = (
        f"*{escape(item.name)}* (`{item.slug}`) — *{count(item.days, 'day')}* without a "
        f"contact (threshold {item.threshold})"
    )
    if item.last_on:
        summary = clip(item.last_summary or "", 300)  # stored as mrkdwn already
        line += f"\nLast: {describe_day(item.last_on, today=day)} — {summary}"
    else:
        line += "\nNo contact logged since the account was added."
    if item.quiet_for is not None:
        line += f"\nAnd nothing raised with us for {count(item.quiet_for, 'day')}."
    click = DigestClick("account", item.account_id, day)
    return [
        section(line),
        _actions(click, [button("Log contact", Button.log, click.value)]),
    ]


def quiet_blocks(item: QuietAccount, day: date) -> list[Block]:
    """Quiet, though perhaps in touch: the seeds' most convincing sign of a relationship going
    bad is that the client no longer complains."""
    line = (
        f"*{escape(item.name)}* (`{item.slug}`) — nothing raised with us for "
        f"*{count(item.days, 'day')}* (threshold {item.threshold}): no case, no concern in a "
        "logged contact, no message from their people in its channel."
    )
    if item.last_on:
        line += f"\nLast contact: {describe_day(item.last_on, today=day)}. Ask what is not working."
    click = DigestClick("account", item.account_id, day)
    return [
        section(line),
        _actions(click, [button("Log contact", Button.log, click.value)]),
    ]


def stage_down_blocks(item: StageDown, day: date, tz: tzinfo) -> list[Block]:
    when = describe_day(item.moved_at.astimezone(tz).date(), today=day)
    reason = clip(defuse(item.reason), 300)  # typed by one of ours, as mrkdwn
    return [
        section(
            f"*{escape(item.name)}* (`{item.slug}`) — {item.from_stage} → *{item.to_stage}*, "
            f"by <@{item.moved_by}> {when}: “{reason}”"
        )
    ]


def promise_blocks(item: DueItem, day: date, *, show_owner: bool) -> list[Block]:
    owner = f" — owner <@{item.owner_id}>" if show_owner else ""
    line = (
        f"`{keys.promise_label(item.promise_id)}` *{escape(item.account_name)}* · "
        f"{item.what}{owner}\nDue {promise_render.due_text(item.due_on, day)}"
    )
    click = DigestClick("promise", item.promise_id, day)
    picker = {
        "type": "datepicker",
        "action_id": Button.due,
        "placeholder": {"type": "plain_text", "text": "New due date"},
    }
    kept = button("Mark kept", Button.kept, click.value, "primary")
    return [section(line), _actions(click, [kept, picker])]


def _part(
    items: Sequence[Item], title: str, blocks_of: Callable[[Item], list[Block]]
) -> tuple[Sequence[Any], str, Callable[[Any], list[Block]]]:
    return items, title, blocks_of


def render_digest(digest: Digest) -> dict[str, Any]:
    """The digest as a Slack message (text for notifications, blocks for reading), within
    MAX_ITEMS items and Slack's MAX_BLOCKS blocks; what does not fit is counted at the end."""
    day, tz = digest.rep.day, digest.rep.tz
    if not digest.count:
        return message(NOTHING_LEFT, [section(NOTHING_LEFT)])
    parts = [
        _part(digest.silent, "Clients gone quiet", lambda i: silent_blocks(i, day)),
        _part(digest.quiet, "Too quiet to trust", lambda i: quiet_blocks(i, day)),
        _part(digest.stage_downs, "Stage moves down", lambda i: stage_down_blocks(i, day, tz)),
        _part(
            digest.overdue,
            "Promises overdue",
            lambda i: promise_blocks(i, day, show_owner=False),
        ),
        _part(
            digest.due_soon,
            "Due today or tomorrow",
            lambda i: promise_blocks(i, day, show_owner=False),
        ),
        _part(
            digest.escalated,
            f"Overdue over {ESCALATE_AFTER} days on your accounts (someone else's promise)",
            lambda i: promise_blocks(i, day, show_owner=True),
        ),
    ]
    summary = ", ".join(f"{len(items)} {title.lower()}" for items, title, _ in parts if items)
    if digest.cases:
        summary += f"{', ' if summary else ''}{len(digest.cases)} open cases"
    text = f"Your digest for {day:%a} {day.day} {day:%b}: {summary}"
    blocks = [header(f"Your digest — {day:%A} {day.day} {day:%B}")]
    room, left = MAX_ITEMS, 0
    budget = MAX_BLOCKS - 1  # room for the closing "…and N more"
    for items, title, blocks_of in parts:
        shown: list[Block] = []
        for n, item in enumerate(items):
            more = blocks_of(item)
            if room <= 0 or len(blocks) + 1 + len(shown) + len(more) > budget:
                left += len(items) - n
                break
            shown += more
            room -= 1
        if shown:
            blocks += [section(f"*{title}* ({len(items)})"), *shown]
    if digest.cases:
        fits = max(0, min(MAX_CASES, len(digest.cases), budget - len(blocks) - 1))
        if fits:
            blocks.append(section(f"*Cases open on your accounts* ({len(digest.cases)})"))
            blocks += [section(case_line(c, a, day)) for c, a in digest.cases[:fits]]
        left += len(digest.cases) - fits
    if left:
        blocks.append(
            context(f"…and {left} more: `/promise list mine`, `/steward account list`.")
        )
    return message(text, blocks)


def set_reply(off: bool, at: str) -> dict[str, Any]:
    if off:
        return say("Your daily digest is *off*. `/steward digest on` brings it back.")
    return say(f"Your daily digest is *on*, at {at} your time.")


def snoozed_reply(put: PutAside, today: date) -> dict[str, Any]:
    what = f"`{put.label}`" if put.kind == "promise" else f"*{escape(put.label)}*"
    return say(f"Snoozed {what} until {promise_render.due_text(put.until, today)}.")
