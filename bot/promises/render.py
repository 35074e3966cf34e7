"""Promises in Block Kit: lists, the written confirmation, the notes about changes, the form."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks import (
    Block,
    Reply,
    account_select,
    context,
    count,
    field,
    message,
    modal,
    option,
    say,
    section,
)
from bot.dates import describe_day
from bot.keys import promise_label
from bot.models import Account, Promise
from bot.slacktext import chunks, escape

FORM = "promise_modal"  # the form's callback_id


def due_text(due: date, today: date) -> str:
    days = (due - today).days
    when = describe_day(due, today=today)
    if days < 0:
        return f"{when} — *{count(-days, 'day')} overdue*"
    return when


def promise_line(promise: Promise, account: Account, today: date, *, show_account: bool) -> str:
    where = f"*{escape(account.name)}* · " if show_account else ""
    return (
        f"`{promise_label(promise.id)}` {where}{promise.what} — <@{promise.owner_id}>, "
        f"due {due_text(promise.due_on, today)}"
    )


def promise_list(
    title: str, rows: list[tuple[Promise, Account]], today: date, *, empty: str
) -> dict[str, Any]:
    if not rows:
        return say(f"{title}: {empty}")
    show_account = len({a.id for _, a in rows}) > 1
    lines = [promise_line(p, a, today, show_account=show_account) for p, a in rows]
    blocks = [section(f"*{title}* ({len(rows)})")]
    blocks += [section(piece) for piece in chunks("\n".join(lines))]
    blocks.append(
        context("Close one with `/promise done P-12`, move it with `/promise due P-12 friday`.")
    )
    return message(f"{title}: " + "; ".join(lines), blocks)


def confirmation(promise: Promise, account: Account, today: date) -> dict[str, Any]:
    """The written confirmation posted in the account's channel: what, to whom, owner, due."""
    due = describe_day(promise.due_on, today=today)
    text = (
        f":handshake: *Promise {promise_label(promise.id)} to {escape(account.name)}:* "
        f"{promise.what}\n"
        f"Owner: <@{promise.owner_id}> · Due: {due} ({promise.due_on.isoformat()})"
    )
    return message(
        text, [section(text), context(f"Recorded by <@{promise.created_by}> with /promise")]
    )


def recorded(made: Promise, account: Account, today: date, where: str) -> Reply:
    due = made.due_on
    return say(
        f":white_check_mark: *{promise_label(made.id)}* recorded for *{escape(account.name)}*: "
        f"{made.what} — owner <@{made.owner_id}>, due {describe_day(due, today=today)} "
        f"({due.isoformat()}). {where}"
    )


def where_confirmed(account: Account, channel: str | None, internal: bool, shared: bool) -> str:
    """What the person is told about where the confirmation went and who can read it."""
    if channel is None:
        return (
            f"{escape(account.name)} has no channel for the written confirmation: "
            f"`/steward account set {account.slug} channel:#channel`, or add `internal` to "
            "keep it in the owner's DM."
        )
    if channel.startswith("@"):
        return f"Confirmation sent to <{channel}> by DM (internal)."
    if internal:
        return f"Confirmation posted in <#{channel}> (internal)."
    if shared:
        return (
            f"Confirmation posted in <#{channel}> — shared with the client: "
            f"{escape(account.name)}'s people can read it. Add `internal` to keep a "
            "promise to ourselves."
        )
    return f"Confirmation posted in <#{channel}>."


def kept_note(made: Promise, by: str) -> str:
    return f":white_check_mark: {promise_label(made.id)} kept — marked by <@{by}>."


def kept_owner_note(made: Promise, by: str) -> str:
    return (
        f":white_check_mark: <@{by}> marked your promise {promise_label(made.id)} kept: "
        f"{made.what}"
    )


def kept(made: Promise) -> Reply:
    return say(f":white_check_mark: {promise_label(made.id)} marked kept: {made.what}")


def _reason(reason: str | None) -> str:
    return f" (reason: {reason})" if reason else ""


def cancelled_note(made: Promise) -> str:
    return f":no_entry_sign: {promise_label(made.id)} cancelled."


def cancelled_owner_note(made: Promise, by: str, reason: str | None) -> str:
    return (
        f":no_entry_sign: <@{by}> cancelled your promise {promise_label(made.id)}: {made.what}"
        + _reason(reason)
    )


def cancelled(made: Promise, reason: str | None) -> Reply:
    return say(f":no_entry_sign: {promise_label(made.id)} cancelled: {made.what}{_reason(reason)}")


def moved_note(made: Promise, old: date, today: date) -> str:
    due = made.due_on
    return (
        f":calendar: {promise_label(made.id)} now due {describe_day(due, today=today)} "
        f"({due.isoformat()}), was {describe_day(old, today=today)}."
    )


def moved_owner_note(made: Promise, old: date, by: str) -> str:
    return (
        f":calendar: <@{by}> moved your promise {promise_label(made.id)} ({made.what}) to "
        f"{made.due_on.isoformat()}, from {old.isoformat()}."
    )


def already_due(made: Promise, today: date) -> Reply:
    shown = describe_day(made.due_on, today=today)
    return say(
        f":calendar: {promise_label(made.id)} is already due then: {shown} "
        f"({made.due_on.isoformat()}). Nothing changed."
    )


def moved(made: Promise, old: date, today: date) -> Reply:
    shown = describe_day(made.due_on, today=today)
    was = describe_day(old, today=today)
    return say(f":calendar: {promise_label(made.id)} is now due {shown} (was {was}).")


def reassigned_note(made: Promise, old: str) -> str:
    label = promise_label(made.id)
    return f":bust_in_silhouette: {label} is now <@{made.owner_id}>'s (was <@{old}>'s)."


def reassigned_to_note(made: Promise, old: str, by: str) -> str:
    return (
        f":bust_in_silhouette: <@{by}> gave you promise {promise_label(made.id)} "
        f"(was <@{old}>'s): {made.what} — due {made.due_on.isoformat()}."
    )


def reassigned_from_note(made: Promise, by: str) -> str:
    return (
        f":bust_in_silhouette: <@{by}> gave your promise {promise_label(made.id)} to "
        f"<@{made.owner_id}>: {made.what}"
    )


def reassigned(made: Promise, old: str) -> Reply:
    return say(
        f":bust_in_silhouette: {promise_label(made.id)} is now <@{made.owner_id}>'s "
        f"(was <@{old}>'s): {made.what}. Both were told."
    )


def reworded_note(made: Promise, old: str) -> str:
    return f":pencil2: {promise_label(made.id)} re-worded: {made.what} (was: {old})"


def reworded_owner_note(made: Promise, old: str, by: str) -> str:
    return (
        f":pencil2: <@{by}> re-worded your promise {promise_label(made.id)}: {made.what} "
        f"(was: {old})"
    )


def reworded(made: Promise, old: str) -> Reply:
    return say(f":pencil2: {promise_label(made.id)} now reads: {made.what} (was: {old})")


def reopened_note(made: Promise, today: date) -> str:
    due = describe_day(made.due_on, today=today)
    return f":arrows_counterclockwise: {promise_label(made.id)} is open again — due {due}."


def reopened_owner_note(made: Promise, by: str) -> str:
    return (
        f":arrows_counterclockwise: <@{by}> reopened your promise {promise_label(made.id)}: "
        f"{made.what} — due {made.due_on.isoformat()}."
    )


def reopened(made: Promise, today: date) -> Reply:
    return say(
        f":arrows_counterclockwise: {promise_label(made.id)} is open again: {made.what} — "
        f"owner <@{made.owner_id}>, due {due_text(made.due_on, today)}."
    )


def form(
    account: Account | None, owner_id: str, today: date | None, meta: dict[str, str]
) -> Block:
    due: dict[str, Any] = {"type": "datepicker", "action_id": "due"}
    if today:
        due["initial_date"] = today.isoformat()
    blocks = [
        account_select(account),
        field(
            "what",
            "What we promised",
            {"type": "plain_text_input", "action_id": "what", "max_length": 1000},
        ),
        field("due", "Due", due),
        field(
            "owner",
            "Owner",
            {"type": "users_select", "action_id": "owner", "initial_user": owner_id},
        ),
        field(
            "internal",
            "Who sees the confirmation",
            {
                "type": "checkboxes",
                "action_id": "internal",
                "options": [
                    option("Internal: keep it to us, not in the client's channel", "internal")
                ],
            },
            optional=True,
        ),
    ]
    return modal(FORM, "Record a promise", "Record", blocks, meta)
