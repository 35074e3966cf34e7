"""One CSV row of an import into a typed record, or the reason it cannot be one.

Pure: no database. What a row refers to (its account, an existing contact) is checked by the
importer; here, each cell alone: a known tier, stage, role, attitude, kind or status, an ISO
day or moment, a Slack user or channel id of the right shape, text that fits its column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TypeVar

from sqlmodel import SQLModel

from bot.accounts.queries import slugify
from bot.models import Attitude, BuyingRole, InteractionKind, PromiseStatus, Stage, Tier
from bot.transfer.columns import unguard

USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,31}")
FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
DAYS_LIMIT = 3650
E = TypeVar("E", bound=StrEnum)


class BadCell(ValueError):
    """Why a row cannot be imported, in words for the operator (`attitude “x” is not …`)."""


def limit(table: str, column: str) -> int | None:
    """The column's size in the schema (bot/models.py), so no backend refuses a long value."""
    size = getattr(SQLModel.metadata.tables[table].c[column].type, "length", None)
    return int(size) if size else None


@dataclass(frozen=True)
class Cells:
    """A row's cells by column name; a missing column reads as an empty cell."""

    values: Mapping[str, str]
    table: str

    def raw(self, column: str) -> str:
        return self.values.get(column) or ""

    def text(self, column: str, *, required: bool = False, size: int | None = None) -> str | None:
        """Free text, exactly as written (a spreadsheet guard taken off); empty is None."""
        value = unguard(self.raw(column))
        if not value.strip():
            if required:
                raise BadCell(f"{column} is empty")
            return None
        size = size or limit(self.table, column)
        if size and len(value) > size:
            raise BadCell(f"{column} is {len(value)} characters long; at most {size} fit")
        return value

    def name(self, column: str = "name") -> str:
        """A person's or company's name: required, single-spaced."""
        return " ".join((self.text(column, required=True) or "").split())

    def user(self, column: str, *, required: bool = False) -> str | None:
        value = self.raw(column).strip()
        if not value:
            if required:
                raise BadCell(f"{column} is empty: give a Slack user id like U012AB3CD")
            return None
        if not USER_ID.fullmatch(value):
            raise BadCell(f"{column} “{value}” is not a Slack user id like U012AB3CD")
        return value

    def channel(self, column: str) -> str | None:
        value = self.raw(column).strip()
        if value and not CHANNEL_ID.fullmatch(value):
            raise BadCell(f"{column} “{value}” is not a Slack channel id like C012AB3CD")
        return value or None

    def choice(self, column: str, kind: type[E], default: E | None = None) -> E:
        value = self.raw(column).strip()
        if not value and default is not None:
            return default
        try:
            return kind(value.lower())
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise BadCell(f"{column} “{value}” is not one of {allowed}") from None

    def maybe_choice(self, column: str, kind: type[E]) -> E | None:
        return self.choice(column, kind) if self.raw(column).strip() else None

    def day(self, column: str) -> date:
        value = self.raw(column).strip()
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise BadCell(f"{column} “{value}” is not a date like 2026-12-31") from None

    def moment(self, column: str, *, required: bool = False) -> datetime | None:
        """An ISO date-time; one without an offset is read as UTC."""
        value = self.raw(column).strip()
        if not value:
            if required:
                raise BadCell(f"{column} is empty: give a date-time like 2026-12-31T09:00+01:00")
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise BadCell(
                f"{column} “{value}” is not a date-time like 2026-12-31T09:00:00+01:00"
            ) from None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)

    def count(self, column: str) -> int | None:
        value = self.raw(column).strip()
        if not value:
            return None
        if not value.isdigit() or not 1 <= int(value) <= DAYS_LIMIT:
            raise BadCell(f"{column} “{value}” is not a number of days from 1 to {DAYS_LIMIT}")
        return int(value)

    def flag(self, column: str, default: bool) -> bool:
        value = self.raw(column).strip().lower()
        if not value:
            return default
        if value not in FLAGS:
            raise BadCell(f"{column} “{value}” is not true or false")
        return FLAGS[value]


# -- the records -------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccountRow:
    line: int
    slug: str
    name: str
    owner: str
    channel: str | None
    internal_channel: str | None
    tier: Tier
    stage: Stage
    silence_days: int | None
    quiet_days: int | None
    buys: str | None
    competitors: str | None
    perception: str | None
    clients_may_route: bool
    archived_at: datetime | None
    created_at: datetime | None  # None: the moment of the import
    created_by: str | None  # None: the owner


@dataclass(frozen=True)
class ContactRow:
    line: int
    account: str
    name: str
    title: str | None
    roles: str
    attitude: Attitude | None
    looks_after: str | None
    removed_at: datetime | None
    created_at: datetime | None


@dataclass(frozen=True)
class InteractionRow:
    line: int
    account: str
    day: date
    kind: InteractionKind
    contact: str | None
    summary: str
    concern: bool
    logged_by: str
    created_at: datetime | None  # None: midnight UTC of its day


@dataclass(frozen=True)
class PromiseRow:
    line: int
    account: str
    what: str
    owner: str
    due: date
    status: PromiseStatus
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    note: str | None
    internal: bool


@dataclass(frozen=True)
class StageRow:
    line: int
    account: str
    from_stage: Stage
    to_stage: Stage
    reason: str
    moved_by: str
    moved_at: datetime


Row = AccountRow | ContactRow | InteractionRow | PromiseRow | StageRow


def slug_of(cells: Cells) -> str:
    """The account's slug as written, or made from its name as `/steward account add` does."""
    given = cells.raw("slug").strip()
    if given:
        if slugify(given) != given:
            raise BadCell(f"slug “{given}” is not a slug like acme-rail (lowercase, dashes)")
        return given
    made = slugify(cells.name())
    if not made:
        raise BadCell(f"name “{cells.name()}” has no letters or digits to make a slug of")
    return made


def account_ref(cells: Cells) -> str:
    value = cells.raw("account").strip()
    if not value:
        raise BadCell("account is empty: give the account's slug, like acme-rail")
    return value


def roles_of(cells: Cells) -> str:
    """`decider, buyer` → `decider,buyer`; each one a buying-centre role."""
    found: list[str] = []
    for word in cells.raw("roles").replace(",", " ").split():
        try:
            role = BuyingRole(word.lower())
        except ValueError:
            allowed = ", ".join(r.value for r in BuyingRole)
            raise BadCell(f"role “{word}” is not one of {allowed}") from None
        if role.value not in found:
            found.append(role.value)
    return ",".join(found)


def account_row(line: int, cells: Cells) -> AccountRow:
    owner = cells.user("owner", required=True) or ""
    channel, internal = cells.channel("channel"), cells.channel("internal_channel")
    if internal and internal == channel:  # as `account set internal:` refuses it
        raise BadCell("internal_channel is the account's channel with the client")
    return AccountRow(
        line=line,
        slug=slug_of(cells),
        name=cells.name(),
        owner=owner,
        channel=channel,
        internal_channel=internal,
        tier=cells.choice("tier", Tier, Tier.standard),
        stage=cells.choice("stage", Stage, Stage.responsive),
        silence_days=cells.count("silence_days"),
        quiet_days=cells.count("quiet_days"),
        buys=cells.text("buys"),
        competitors=cells.text("competitors"),
        perception=cells.text("perception"),
        clients_may_route=cells.flag("clients_may_route", True),
        archived_at=cells.moment("archived_at"),
        created_at=cells.moment("created_at"),
        created_by=cells.user("created_by"),
    )


def contact_row(line: int, cells: Cells) -> ContactRow:
    return ContactRow(
        line=line,
        account=account_ref(cells),
        name=cells.name(),
        title=cells.text("title"),
        roles=roles_of(cells),
        attitude=cells.maybe_choice("attitude", Attitude),
        looks_after=cells.user("looks_after"),
        removed_at=cells.moment("removed_at"),
        created_at=cells.moment("created_at"),
    )


def interaction_row(line: int, cells: Cells) -> InteractionRow:
    contact = " ".join((cells.text("contact", size=limit("contact", "name")) or "").split())
    return InteractionRow(
        line=line,
        account=account_ref(cells),
        day=cells.day("day"),
        kind=cells.choice("kind", InteractionKind, InteractionKind.other),
        contact=contact or None,
        summary=cells.text("summary", required=True) or "",
        concern=cells.flag("concern", False),
        logged_by=cells.user("logged_by", required=True) or "",
        created_at=cells.moment("created_at"),
    )


def promise_row(line: int, cells: Cells) -> PromiseRow:
    owner = cells.user("owner", required=True) or ""
    return PromiseRow(
        line=line,
        account=account_ref(cells),
        what=cells.text("what", required=True) or "",
        owner=owner,
        due=cells.day("due"),
        status=cells.choice("status", PromiseStatus, PromiseStatus.open),
        created_by=cells.user("created_by") or owner,
        created_at=cells.moment("created_at", required=True) or datetime.min,
        closed_at=cells.moment("closed_at"),
        closed_by=cells.user("closed_by"),
        note=cells.text("note"),
        internal=cells.flag("internal", False),
    )


def stage_row(line: int, cells: Cells) -> StageRow:
    return StageRow(
        line=line,
        account=account_ref(cells),
        from_stage=cells.choice("from", Stage),
        to_stage=cells.choice("to", Stage),
        reason=cells.text("reason") or "",
        moved_by=cells.user("moved_by", required=True) or "",
        moved_at=cells.moment("moved_at", required=True) or datetime.min,
    )
