"""An account's story in Block Kit: one line per entry, newest first, and where the next page is.

Stored text (summaries, promises, reasons, notes) is Slack's mrkdwn as typed, its broadcast
mentions already inert; names people typed as plain text are escaped here.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.accounts.queries import stage_rank
from bot.blocks import Block, Reply, context, header, message, section
from bot.dates import describe_day
from bot.keys import case_label, interaction_label, promise_label
from bot.models import (
    Account,
    AccountEvent,
    Case,
    EventKind,
    Interaction,
    Promise,
    PromiseStatus,
    StageMove,
)
from bot.slacktext import clip, escape
from bot.story.queries import Entry, Happened, Page

LINE = 280  # characters of stored text an entry quotes

EVENT_WORDS: dict[str, str] = {
    EventKind.contact_edited: ":pencil2: logged contact edited",
    EventKind.contact_deleted: ":wastebasket: logged contact deleted",
    EventKind.person_added: ":bust_in_silhouette: key contact added",
    EventKind.person_changed: ":bust_in_silhouette: key contact changed",
    EventKind.person_removed: ":bust_in_silhouette: key contact removed",
    EventKind.promise_reassigned: ":arrows_counterclockwise: promise reassigned",
    EventKind.promise_reworded: ":pencil2: promise re-worded",
    EventKind.promise_reopened: ":leftwards_arrow_with_hook: promise reopened",
    EventKind.renamed: ":label: renamed",
    EventKind.archived: ":file_cabinet: archived",
    EventKind.unarchived: ":outbox_tray: unarchived",
    EventKind.assessed: ":mag: assessment",
}


def short(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def one_line(text: str | None, limit: int = LINE) -> str:
    """Stored text on one line, clipped."""
    return clip(" ".join((text or "").split()), limit)


def entry_line(entry: Entry, tz: ZoneInfo) -> str:
    row = entry.row
    if isinstance(row, Interaction):
        return _contact(row, entry)
    if isinstance(row, Promise):
        return _promise(row, entry, tz)
    if isinstance(row, StageMove):
        arrow = (
            ":arrow_up:"
            if stage_rank(row.to_stage) > stage_rank(row.from_stage)
            else ":arrow_down:"
        )
        return (
            f"{arrow} stage {row.from_stage} → *{row.to_stage}* by <@{row.moved_by}>: "
            f"“{one_line(row.reason)}”"
        )
    if isinstance(row, Case):
        return _case(row, entry)
    if isinstance(row, AccountEvent):
        words = EVENT_WORDS.get(row.kind, row.kind)  # a StrEnum key is found by its value
        subject = f" `{row.subject}`" if row.subject else ""
        return f"{words}{subject} by <@{row.by}>: {one_line(row.detail)}"
    if isinstance(row, Account):
        return f":seedling: account added by <@{row.created_by}>"
    return ""


def _contact(row: Interaction, entry: Entry) -> str:
    with_whom = f" with {escape(entry.contact.name)}" if entry.contact else ""
    concern = " :warning: concern" if row.concern else ""
    return (
        f":speech_balloon: `{interaction_label(row.id)}` {row.kind}{with_whom}{concern} "
        f"(<@{row.logged_by}>): “{one_line(row.summary)}”"
    )


def _promise(row: Promise, entry: Entry, tz: ZoneInfo) -> str:
    label, what = promise_label(row.id), one_line(row.what, 200)
    if entry.happened == Happened.promise_made:
        return (
            f":handshake: `{label}` promised: {what} — <@{row.owner_id}>, due {short(row.due_on)}"
        )
    note = f" — {one_line(row.note, 120)}" if row.note else ""
    if row.status == PromiseStatus.kept:
        closed_day = row.closed_at.astimezone(tz).date() if row.closed_at else row.due_on
        if closed_day <= row.due_on:
            return f":white_check_mark: `{label}` kept on time: {what}{note}"
        late = (closed_day - row.due_on).days
        return f":hourglass: `{label}` kept late ({late} d after {short(row.due_on)}): {what}{note}"
    if row.status == PromiseStatus.broken:
        return f":x: `{label}` broken: {what}{note}"
    if row.status == PromiseStatus.cancelled:
        return f":heavy_multiplication_x: `{label}` cancelled: {what}{note}"
    return f":leftwards_arrow_with_hook: `{label}` closed, then reopened: {what}"


def _case(row: Case, entry: Entry) -> str:
    label = case_label(row.id)
    if entry.happened == Happened.case_opened:
        note = f": {one_line(row.note, 200)}" if row.note else ""
        return f":inbox_tray: `{label}` {row.function} case opened by <@{row.raised_by}>{note}"
    note = f": {one_line(row.resolution, 200)}" if row.resolution else ""
    return (
        f":white_check_mark: `{label}` {row.function} case resolved by <@{row.resolved_by}>{note}"
    )


def story(account: Account, page: Page, today: date, tz: ZoneInfo) -> Reply:
    """One page: a line per entry under its day, newest first; never more than 50 blocks."""
    blocks: list[Block] = [header(f"{account.name} — its story")]
    shown: date | None = None
    for entry in page.entries:
        day = f"*{describe_day(entry.day, today=today)}*  " if entry.day != shown else ""
        shown = entry.day
        blocks.append(section(day + entry_line(entry, tz)))
    where = f"page {page.number} of {page.pages} · {page.total} entries"
    if page.number < page.pages:
        where += f" — next: `/steward account history {account.slug} {page.number + 1}`"
    blocks.append(context(where))
    return message(f"{account.name}: its story, {where}", blocks)
