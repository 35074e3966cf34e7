"""Importing the typed rows of the five files into one workspace, all or nothing.

One pass of look-ups into dicts (the workspace's accounts; the contacts and the keys of what
is stored for the accounts the files name), then a plan: each row is new, already there, or
bad (an account named nowhere, a channel another account holds, a row twice in a file). Only a
plan without a bad row is stored, in bulk inserts, in the caller's one transaction.

Matching, so that importing the same files twice changes nothing: accounts by slug, contacts by
(account, name), logged contacts by (account, day, kind, contact, summary, logged by), promises
by (account, what, owner, created at), stage moves by (account, moved at, to). Rows alike by
those keys are counted: a file with two identical logged contacts stores two, once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session, SQLModel

from bot.accounts.queries import name_key
from bot.contacts import last
from bot.transfer.columns import ACCOUNTS, CONTACTS, FILES, INTERACTIONS, PROMISES, STAGES
from bot.transfer.grammar import (
    AccountRow,
    ContactRow,
    InteractionRow,
    PromiseRow,
    Row,
    StageRow,
)
from bot.transfer.reader import Bad

CHUNK = 500  # account ids per `IN (…)` of a look-up
TABLE: dict[str, Table] = {
    name: SQLModel.metadata.tables[table]
    for name, table in (
        (ACCOUNTS, "account"),
        (CONTACTS, "contact"),
        (INTERACTIONS, "interaction"),
        (PROMISES, "promise"),
        (STAGES, "stage_move"),
    )
}


@dataclass
class Tally:
    """What one file would add and what is already there."""

    added: int = 0
    present: int = 0
    contacts_made: int = 0  # interactions.csv: people named there and in no contacts file


@dataclass
class Plan:
    """Rows to insert, per file, once every reference is resolved; and the bad rows."""

    team_id: str
    now: datetime
    tallies: dict[str, Tally] = field(default_factory=dict)
    bad: list[Bad] = field(default_factory=list)
    slugs: dict[str, int] = field(default_factory=dict)  # the workspace's accounts by slug
    new_accounts: list[AccountRow] = field(default_factory=list)
    contacts: dict[tuple[str, str], int] = field(default_factory=dict)  # (slug, key) → id
    new_contacts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def chunks(items: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def present_keys(
    session: Session, statement: Any, account_ids: Sequence[int], slug_of: dict[int, str]
) -> Counter[Hashable]:
    """How many stored rows there are of each key (the statement's columns after account_id),
    for the given accounts only, read in one streamed pass per chunk of accounts."""
    counts: Counter[Hashable] = Counter()
    for some in chunks(account_ids):
        chosen = statement.where(statement.selected_columns[0].in_(some))
        for row in session.execute(chosen.execution_options(yield_per=2000)):
            counts[(slug_of[row[0]], *row[1:])] += 1
    return counts


def contacts_of(account_ids: Sequence[int]) -> Any:
    """(account id, name key, id) of these accounts' contacts."""
    c = TABLE[CONTACTS].c
    return select(c.account_id, c.name_key, c.id).where(c.account_id.in_(account_ids))


def take(counts: Counter[Hashable], key: Hashable) -> bool:
    """True (and one fewer left) when a stored row has this key: the row is already there."""
    if counts[key] > 0:
        counts[key] -= 1
        return True
    return False


class Planner:
    """Builds a Plan from the rows of the files, reading the database but writing nothing."""

    def __init__(
        self, session: Session, team_id: str, now: datetime, unsure: set[str] | None = None
    ) -> None:
        self.session = session
        self.unsure = unsure or set()  # slugs of bad accounts.csv rows: their rows wait for them
        self.plan = Plan(team_id=team_id, now=now)
        self.channels: dict[str, str] = {}  # channel id → the slug of the account holding it
        a = TABLE[ACCOUNTS].c
        accounts = session.execute(
            select(a.id, a.slug, a.channel_id, a.internal_channel_id).where(a.team_id == team_id)
        ).all()
        for account_id, slug, channel, internal in accounts:
            self.plan.slugs[slug] = account_id
            for held in (channel, internal):
                if held:
                    self.channels[held] = slug
        self.new_slugs: set[str] = set()

    def bad(self, name: str, row: Row, reason: str) -> None:
        self.plan.bad.append(Bad(name, row.line, reason))

    def known(self, name: str, row: Row, slug: str) -> bool:
        if slug in self.plan.slugs or slug in self.new_slugs:
            return True
        if slug in self.unsure:
            return False  # its account's row is bad, and said so
        self.bad(name, row, f"account “{slug}” is neither in accounts.csv nor in the database")
        return False

    def stored_accounts(self, rows: Iterable[Row]) -> list[int]:
        """The ids of the stored accounts these rows name (new ones have nothing stored)."""
        slugs = {getattr(row, "account", "") for row in rows}
        return sorted(self.plan.slugs[s] for s in slugs if s in self.plan.slugs)

    def slug_of(self) -> dict[int, str]:
        return {account_id: slug for slug, account_id in self.plan.slugs.items()}

    def tally(self, name: str) -> Tally:
        return self.plan.tallies.setdefault(name, Tally())

    # -- each file ------------------------------------------------------------------------------
    def accounts(self, rows: list[AccountRow]) -> None:
        tally = self.tally(ACCOUNTS)
        lines: dict[str, int] = {}
        for row in rows:
            if row.slug in lines:
                self.bad(ACCOUNTS, row, f"slug “{row.slug}” is already on line {lines[row.slug]}")
                continue
            lines[row.slug] = row.line
            if row.slug in self.plan.slugs:
                tally.present += 1
                continue
            held = [c for c in (row.channel, row.internal_channel) if c and c in self.channels]
            if held:
                holder = self.channels[held[0]]
                self.bad(ACCOUNTS, row, f"channel {held[0]} is already the channel of “{holder}”")
                continue
            for channel in (row.channel, row.internal_channel):
                if channel:
                    self.channels[channel] = row.slug
            self.new_slugs.add(row.slug)
            self.plan.new_accounts.append(row)
            tally.added += 1

    def load_contacts(self, rows: list[Row]) -> None:
        slug_of = self.slug_of()
        for some in chunks(self.stored_accounts(rows)):
            found = self.session.execute(contacts_of(some))
            for account_id, key, contact_id in found:
                self.plan.contacts[(slug_of[account_id], key)] = contact_id

    def contact_values(
        self, slug: str, name: str, created_at: datetime, row: ContactRow | None = None
    ) -> dict[str, Any]:
        values: dict[str, Any] = {"slug": slug, "name": name, "name_key": name_key(name)}
        values["created_at"] = created_at
        values.update(title=None, roles="", attitude=None, looks_after=None, removed_at=None)
        if row is not None:
            values.update(title=row.title, roles=row.roles, attitude=row.attitude)
            values.update(looks_after=row.looks_after, removed_at=row.removed_at)
        return values

    def contacts(self, rows: list[ContactRow]) -> None:
        tally = self.tally(CONTACTS)
        lines: dict[tuple[str, str], int] = {}
        for row in rows:
            if not self.known(CONTACTS, row, row.account):
                continue
            key = (row.account, name_key(row.name))
            if key in lines:
                self.bad(CONTACTS, row, f"“{row.name}” is already on line {lines[key]}")
                continue
            lines[key] = row.line
            if key in self.plan.contacts:
                tally.present += 1
                continue
            created = row.created_at or self.plan.now
            self.plan.new_contacts[key] = self.contact_values(row.account, row.name, created, row)
            tally.added += 1

    def interactions(self, rows: list[InteractionRow]) -> None:
        interaction, contact = TABLE[INTERACTIONS], TABLE[CONTACTS]
        statement = select(
            interaction.c.account_id,
            interaction.c.occurred_on,
            interaction.c.kind,
            contact.c.name_key,
            interaction.c.summary,
            interaction.c.logged_by,
        ).select_from(interaction.outerjoin(contact, interaction.c.contact_id == contact.c.id))
        stored = present_keys(self.session, statement, self.stored_accounts(rows), self.slug_of())
        tally, out = self.tally(INTERACTIONS), self.plan.inserts.setdefault(INTERACTIONS, [])
        for row in rows:
            if not self.known(INTERACTIONS, row, row.account):
                continue
            person = (row.account, name_key(row.contact)) if row.contact else None
            key = (row.account, row.day, row.kind.value, person and person[1])
            if take(stored, (*key, row.summary, row.logged_by)):
                tally.present += 1
                continue
            created = row.created_at or datetime.combine(row.day, time(), UTC)
            if person and person not in self.plan.contacts and person not in self.plan.new_contacts:
                values = self.contact_values(row.account, row.contact or "", created)
                self.plan.new_contacts[person] = values
                tally.contacts_made += 1
            out.append(
                {
                    "slug": row.account,
                    "person": person,
                    "kind": row.kind.value,
                    "occurred_on": row.day,
                    "summary": row.summary,
                    "concern": row.concern,
                    "logged_by": row.logged_by,
                    "created_at": created,
                }
            )
            tally.added += 1

    def promises(self, rows: list[PromiseRow]) -> None:
        table = TABLE[PROMISES]
        statement = select(table.c.account_id, table.c.what, table.c.owner_id, table.c.created_at)
        stored = present_keys(self.session, statement, self.stored_accounts(rows), self.slug_of())
        tally, out = self.tally(PROMISES), self.plan.inserts.setdefault(PROMISES, [])
        for row in rows:
            if not self.known(PROMISES, row, row.account):
                continue
            if take(stored, (row.account, row.what, row.owner, row.created_at)):
                tally.present += 1
                continue
            out.append(
                {
                    "slug": row.account,
                    "what": row.what,
                    "owner_id": row.owner,
                    "due_on": row.due,
                    "status": row.status.value,
                    "created_by": row.created_by,
                    "created_at": row.created_at,
                    "closed_at": row.closed_at,
                    "closed_by": row.closed_by,
                    "note": row.note,
                    "internal": row.internal,
                }
            )
            tally.added += 1

    def stages(self, rows: list[StageRow]) -> None:
        table = TABLE[STAGES]
        statement = select(table.c.account_id, table.c.moved_at, table.c.to_stage)
        stored = present_keys(self.session, statement, self.stored_accounts(rows), self.slug_of())
        tally, out = self.tally(STAGES), self.plan.inserts.setdefault(STAGES, [])
        for row in rows:
            if not self.known(STAGES, row, row.account):
                continue
            if take(stored, (row.account, row.moved_at, row.to_stage.value)):
                tally.present += 1
                continue
            out.append(
                {
                    "slug": row.account,
                    "from_stage": row.from_stage.value,
                    "to_stage": row.to_stage.value,
                    "reason": row.reason,
                    "moved_by": row.moved_by,
                    "moved_at": row.moved_at,
                }
            )
            tally.added += 1


def plan_import(
    session: Session,
    team_id: str,
    files: dict[str, list[Row]],
    now: datetime,
    unsure: set[str] | None = None,
) -> Plan:
    """What importing these files' rows would do; reads, never writes. `unsure`: slugs of
    accounts whose rows were bad (rows referring to them are not reported again)."""
    planner = Planner(session, team_id, now, unsure)
    rows = {name: files.get(name, []) for name in FILES}
    if ACCOUNTS in files:
        planner.accounts([r for r in rows[ACCOUNTS] if isinstance(r, AccountRow)])
    planner.load_contacts([*rows[CONTACTS], *rows[INTERACTIONS]])
    if CONTACTS in files:
        planner.contacts([r for r in rows[CONTACTS] if isinstance(r, ContactRow)])
    if INTERACTIONS in files:
        planner.interactions([r for r in rows[INTERACTIONS] if isinstance(r, InteractionRow)])
    if PROMISES in files:
        planner.promises([r for r in rows[PROMISES] if isinstance(r, PromiseRow)])
    if STAGES in files:
        planner.stages([r for r in rows[STAGES] if isinstance(r, StageRow)])
    return planner.plan


def store(session: Session, plan: Plan) -> None:
    """Insert a plan without bad rows, in bulk, in the caller's transaction."""
    if plan.bad:
        raise ValueError("a plan with bad rows is never stored")
    if plan.new_accounts:
        session.execute(
            TABLE[ACCOUNTS].insert(), [account_values(plan, row) for row in plan.new_accounts]
        )
        slugs = [row.slug for row in plan.new_accounts]
        a = TABLE[ACCOUNTS].c
        found = session.execute(
            select(a.slug, a.id).where(a.team_id == plan.team_id, a.slug.in_(slugs))
        )
        plan.slugs.update({slug: account_id for slug, account_id in found})
    if plan.new_contacts:
        values = [
            {**{k: v for k, v in row.items() if k != "slug"}, "account_id": plan.slugs[row["slug"]]}
            for row in plan.new_contacts.values()
        ]
        session.execute(TABLE[CONTACTS].insert(), values)
        ids = sorted({v["account_id"] for v in values})
        slug_of = {account_id: slug for slug, account_id in plan.slugs.items()}
        for some in chunks(ids):
            found = session.execute(contacts_of(some))
            plan.contacts.update({(slug_of[a], key): c for a, key, c in found})
    for name in (INTERACTIONS, PROMISES, STAGES):
        rows = plan.inserts.get(name, [])
        for row in rows:
            row["account_id"] = plan.slugs[row.pop("slug")]
            if name == INTERACTIONS:
                person = row.pop("person")
                row["contact_id"] = plan.contacts[person] if person else None
        if rows:
            session.execute(TABLE[name].insert(), rows)
            if name == INTERACTIONS:  # their accounts' last contact, from all their rows
                last.recount(session, {row["account_id"] for row in rows})


def account_values(plan: Plan, row: AccountRow) -> dict[str, Any]:
    return {
        "team_id": plan.team_id,
        "name": row.name,
        "name_key": name_key(row.name),
        "slug": row.slug,
        "owner_id": row.owner,
        "channel_id": row.channel,
        "internal_channel_id": row.internal_channel,
        "clients_may_route": row.clients_may_route,
        "tier": row.tier.value,
        "stage": row.stage.value,
        "silence_days": row.silence_days,
        "quiet_days": row.quiet_days,
        "buys": row.buys,
        "competitors": row.competitors,
        "perception": row.perception,
        "archived_at": row.archived_at,
        "created_at": row.created_at or plan.now,
        "created_by": row.created_by or row.owner,
    }
