"""The assessment card in Block Kit: the same blocks answer `/steward account show` and sit in
App Home (bot/home/render.py)."""

from __future__ import annotations

from datetime import date

from bot.assessment.service import Assessment, Health, Trend, Word
from bot.blocks import Block, Reply, context, count, header, message, section
from bot.cases.render import case_line
from bot.contacts.roster import traits
from bot.dates import describe_day
from bot.keys import promise_label
from bot.models import Contact, StageMove
from bot.promises.render import due_text
from bot.slacktext import clip, escape

MARK = {Word.good: ":large_green_circle:", Word.watch: ":large_yellow_circle:"}
MARK[Word.at_risk] = ":red_circle:"
ARROW = {Trend.up: "↗ rising", Trend.down: "↘ falling", Trend.steady: "→ steady"}


def health_text(health: Health) -> str:
    """`:red_circle: *at risk* — no contact for 20 days (threshold 14); …`"""
    return f"{MARK[health.word]} *{health.word}* — " + "; ".join(health.reasons)


def contact_line(person: Contact) -> str:
    name = escape(person.name) + (f", {escape(person.title)}" if person.title else "")
    return f"*{name}* — {traits(person)}"


def move_line(move: StageMove, today: date) -> str:
    day = describe_day(move.moved_at.date(), today=today)
    return (
        f"{move.from_stage} → *{move.to_stage}*, {day} by <@{move.moved_by}>: "
        f"{clip(escape(move.reason), 200)}"
    )


def card_blocks(a: Assessment) -> list[Block]:
    """The card as blocks (at most 14: within a message's 50 and App Home's 100)."""
    acc, s, tally, today = a.account, a.signals, a.tally, a.today
    held = (today - a.stage_since.date()).days
    held_for = f"for {count(held, 'day')}" if held else "since today"
    kept = f"{s.kept_on_time} of {s.promised}" if s.promised else "none due"
    fields = [
        f"*Owner*\n<@{acc.owner_id}>",
        f"*Tier*\n{acc.tier}",
        f"*Stage*\n{acc.stage} {held_for}, {ARROW[a.trend]}",
        f"*Silence*\n{count(s.silent_days, 'day')} of {count(s.threshold, 'day')}"
        + ("" if acc.silence_days else " (tier default)"),
        f"*Kept on time (90 days)*\n{kept}",
        f"*Open cases*\n{tally.open_cases}",
        f"*Channel*\n{f'<#{acc.channel_id}>' if acc.channel_id else '— none —'}",
        f"*Contacts logged*\n{tally.logged}",
    ]
    blocks: list[Block] = [
        header(acc.name),
        section(health_text(a.health)),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
    ]
    if a.warnings:
        blocks.append(section("\n".join(f":warning: {w}" for w in a.warnings)))
    blocks.append(section(_last_contact(a)))
    if a.moves:
        lines = [move_line(m, today) for m in a.moves]
        blocks.append(section("*Stage moves*\n" + "\n".join(lines)))
    blocks.append(section(_contacts(a)))
    blocks.append(section(_promises(a)))
    if a.cases:
        more = tally.open_cases - len(a.cases)
        lines = [case_line(c, acc, today) for c in a.cases]
        tail = f"\n…and {more} more: `/steward cases {acc.slug}`" if more > 0 else ""
        blocks.append(section(f"*Open cases* ({tally.open_cases})\n" + "\n".join(lines) + tail))
    blocks.append(section(_relationship(a)))
    blocks.append(
        context(
            f"`/steward account history {acc.slug}` · `/steward account stage {acc.slug} "
            f"<stage>: <why>` · `/steward contact add {acc.slug} <name> role:decider`"
        )
    )
    return blocks


def _last_contact(a: Assessment) -> str:
    if a.last is None:
        return f"*Last contact:* none logged yet — `/logcontact {a.account.slug} call: …`"
    days = (a.today - a.last.occurred_on).days
    ago = f" ({count(days, 'day')} ago)" if days > 1 else ""  # not "today (0 days ago)"
    with_whom = f" with {escape(a.last.with_whom)}" if a.last.with_whom else ""
    return (
        f"*Last contact:* {a.last.kind}{with_whom}, "
        f"{describe_day(a.last.occurred_on, today=a.today)}{ago}\n"
        f"> {clip(a.last.summary, 500)}"
    )


def _contacts(a: Assessment) -> str:
    total = a.tally.contacts
    if not total:
        return (
            "*Key contacts:* none yet — "
            f"`/steward contact add {a.account.slug} Jan Kowalski, CFO role:decider`"
        )
    lines = [contact_line(c) for c in a.contacts]
    more = total - len(a.contacts)
    tail = f"\nand {more} more — `/steward contact list {a.account.slug}`" if more > 0 else ""
    return f"*Key contacts* ({total})\n" + "\n".join(lines) + tail


def _promises(a: Assessment) -> str:
    total = a.tally.open_promises
    if not total:
        return "*Open promises:* none"
    lines = [
        f"`{promise_label(p.id)}` {p.what} — <@{p.owner_id}>, due {due_text(p.due_on, a.today)}"
        for p in a.promises
    ]
    more = total - len(a.promises)
    tail = f"\n…and {more} more: `/promise list {a.account.slug}`" if more > 0 else ""
    return f"*Open promises* ({total})\n" + "\n".join(lines) + tail


def _relationship(a: Assessment) -> str:
    acc = a.account
    said = [
        ("Buys from us", acc.buys),
        ("From competitors", acc.competitors),
        ("How they see us", acc.perception),
    ]
    lines = [f"*{label}:* {clip(escape(value), 600)}" for label, value in said if value]
    if not lines:
        return (
            "*What they buy, from whom, how they see us:* not noted yet — "
            f'`/steward account set {acc.slug} buys:"…" competitors:"…" perception:"…"`'
        )
    return "\n".join(lines)


def account_card(a: Assessment) -> Reply:
    """`/steward account show`: the card as a reply."""
    acc = a.account
    return message(
        f"{acc.name}: {a.health.word}, {acc.stage}, owner <@{acc.owner_id}>", card_blocks(a)
    )
