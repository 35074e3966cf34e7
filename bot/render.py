"""Block Kit for every reply, within Slack's limits. No database or Slack calls here."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.dates import describe_day
from bot.errors import UserError
from bot.models import Account, Promise
from bot.services.accounts import AccountCard
from bot.slacktext import MESSAGE_BLOCKS, SECTION_LIMIT, chunks, clip, escape

Block = dict[str, Any]


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 3000)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, 150)}}


def fenced(text: str) -> list[Block]:
    """The user's own text (mrkdwn, as Slack sent it) in code blocks, split so none is lost."""
    return [section(f"```{piece}```") for piece in chunks(text, SECTION_LIMIT - 6)]


def message(text: str, blocks: list[Block] | None = None) -> dict[str, Any]:
    blocks = blocks or [section(text)]
    if len(blocks) > MESSAGE_BLOCKS:
        blocks = [*blocks[: MESSAGE_BLOCKS - 1], context(f"…and {len(blocks) - 49} more.")]
    return {"text": clip(text, 3000), "blocks": blocks}


def refusal(error: UserError, *, title: str, typed: str) -> dict[str, Any]:
    lines = [f":warning: *{title}:* {error.problem}"]
    blocks = [section(lines[0])]
    if error.suggestions:
        did_you_mean = "Did you mean " + ", ".join(f"`{s}`" for s in error.suggestions) + "?"
        lines.append(did_you_mean)
        blocks.append(section(did_you_mean))
    if error.example:
        lines.append(f"Try: `{error.example}`")
        blocks.append(section(f"*Try:* `{escape(error.example)}`"))
    if typed.strip():
        blocks.append(context("You typed (copy it to fix and send again):"))
        blocks.extend(fenced(typed))
        lines.append(f"You typed: {typed}")
    return message("\n".join(lines), blocks)


def say(text: str) -> dict[str, Any]:
    return message(text)


def count(number: int, noun: str) -> str:
    """`1 day`, `3 days`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def due_text(due: date, today: date) -> str:
    days = (due - today).days
    when = describe_day(due, today=today)
    if days < 0:
        return f"{when} — *{count(-days, 'day')} overdue*"
    return when


def promise_line(promise: Promise, account: Account, today: date, *, show_account: bool) -> str:
    where = f"*{escape(account.name)}* · " if show_account else ""
    return (
        f"`P-{promise.id}` {where}{promise.what} — <@{promise.owner_id}>, "
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


def promise_confirmation(promise: Promise, account: Account, today: date) -> dict[str, Any]:
    """The written confirmation posted in the account's channel: what, to whom, owner, due."""
    due = describe_day(promise.due_on, today=today)
    text = (
        f":handshake: *Promise P-{promise.id} to {escape(account.name)}:* {promise.what}\n"
        f"Owner: <@{promise.owner_id}> · Due: {due} ({promise.due_on.isoformat()})"
    )
    return message(
        text, [section(text), context(f"Recorded by <@{promise.created_by}> with /promise")]
    )


def account_line(account: Account) -> str:
    channel = f" · <#{account.channel_id}>" if account.channel_id else ""
    return (
        f"*{escape(account.name)}* `{account.slug}` — {account.tier}, {account.stage}, "
        f"owner <@{account.owner_id}>{channel}"
    )


def account_list(accounts: list[Account]) -> dict[str, Any]:
    if not accounts:
        return say("No accounts yet. Add one: `/steward account add Acme Rail #acme-rail tier:key`")
    lines = [account_line(a) for a in accounts]
    blocks = [section(f"*Accounts* ({len(accounts)})")]
    blocks += [section(piece) for piece in chunks("\n".join(lines))]
    return message("Accounts: " + "; ".join(a.slug for a in accounts), blocks)


def account_card(card: AccountCard, today: date, silence_days: int) -> dict[str, Any]:
    a = card.account
    fields = [
        f"*Owner*\n<@{a.owner_id}>",
        f"*Tier*\n{a.tier}",
        f"*Stage*\n{a.stage}",
        f"*Channel*\n{f'<#{a.channel_id}>' if a.channel_id else '— none —'}",
        f"*Silence threshold*\n{silence_days} days{'' if a.silence_days else ' (tier default)'}",
        f"*Contacts logged*\n{card.interaction_count}",
    ]
    if a.internal_channel_id:
        fields.insert(4, f"*Internal channel*\n<#{a.internal_channel_id}>")
    blocks: list[Block] = [
        header(a.name),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
    ]
    if card.last:
        days = (today - card.last.occurred_on).days
        with_whom = f" with {escape(card.last_with.name)}" if card.last_with else ""
        last = (
            f"*Last contact:* {card.last.kind}{with_whom}, "
            f"{describe_day(card.last.occurred_on, today=today)} ({count(days, 'day')} ago)\n"
            f"> {clip(card.last.summary, 2500)}"
        )
    else:
        last = "*Last contact:* none logged yet — `/logcontact " + a.slug + " call: …`"
    blocks.append(section(last))
    if card.open_promises:
        lines = [
            f"`P-{p.id}` {p.what} — <@{p.owner_id}>, due {due_text(p.due_on, today)}"
            for p in card.open_promises[:20]
        ]
        more = len(card.open_promises) - 20
        tail = f"\n…and {more} more: `/promise list {a.slug}`" if more > 0 else ""
        blocks.append(
            section(f"*Open promises* ({len(card.open_promises)})\n" + "\n".join(lines) + tail)
        )
    else:
        blocks.append(section("*Open promises:* none"))
    if card.contacts:
        names = ", ".join(
            escape(c.name) + (f" ({c.role})" if c.role else "") for c in card.contacts
        )
        blocks.append(section(f"*Key contacts:* {names}"))
    blocks.append(context(f"`/steward account set {a.slug} stage:cooperating` to update"))
    return message(f"{a.name}: {a.tier}, {a.stage}, owner <@{a.owner_id}>", blocks)
