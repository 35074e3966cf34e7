"""Writing one workspace's accounts and their history as the five CSV files.

Each table is streamed (`yield_per`) straight into its file, oldest row first: a database of
any size is written without holding it in memory, and an import into an empty database
stores the rows in the same order, so a second export is the same, byte for byte.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session, SQLModel

from bot.transfer.columns import (
    ACCOUNTS,
    COLUMNS,
    CONTACTS,
    INTERACTIONS,
    PROMISES,
    STAGES,
    cell,
)

BATCH = 1000  # rows fetched at a time


def statements(team_id: str) -> dict[str, Select[Any]]:
    """Per file, the query whose columns are the file's columns, in order."""
    tables = SQLModel.metadata.tables
    account, contact = tables["account"], tables["contact"]
    interaction, promise, move = tables["interaction"], tables["promise"], tables["stage_move"]
    mine = account.c.team_id == team_id

    def of_account(table: Any, *columns: Any) -> Select[Any]:
        joined = table.join(account, table.c.account_id == account.c.id)
        return select(account.c.slug, *columns).select_from(joined).where(mine)

    a = account.c
    c, i, p, m = contact.c, interaction.c, promise.c, move.c
    return {
        ACCOUNTS: select(
            a.slug, a.name, a.owner_id, a.channel_id, a.internal_channel_id, a.tier, a.stage,
            a.silence_days, a.quiet_days, a.buys, a.competitors, a.perception,
            a.clients_may_route, a.archived_at, a.created_at, a.created_by,
        ).where(mine).order_by(a.id),
        CONTACTS: of_account(
            contact, c.name, c.title, c.roles, c.attitude, c.looks_after, c.removed_at,
            c.created_at,
        ).order_by(c.id),
        INTERACTIONS: select(
            a.slug, i.occurred_on, i.kind, contact.c.name, i.summary, i.concern, i.logged_by,
            i.created_at,
        ).select_from(
            interaction.join(account, i.account_id == a.id).outerjoin(
                contact, i.contact_id == contact.c.id
            )
        ).where(mine).order_by(i.id),
        PROMISES: of_account(
            promise, p.what, p.owner_id, p.due_on, p.status, p.created_by, p.created_at,
            p.closed_at, p.closed_by, p.note, p.internal,
        ).order_by(p.id),
        STAGES: of_account(
            move, m.from_stage, m.to_stage, m.reason, m.moved_by, m.moved_at
        ).order_by(m.id),
    }  # fmt: skip


def write_rows(path: Path, columns: tuple[str, ...], rows: Iterable[Any]) -> int:
    """One file: the header, then each row's cells; the number of rows written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [cell(value, column) for value, column in zip(row, columns, strict=True)]
            )
            count += 1
    return count


def export_all(session: Session, team_id: str, folder: Path) -> dict[str, int]:
    """Write the five files into `folder` (made if missing, files replaced); rows per file."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name, statement in statements(team_id).items():
        rows = session.execute(statement.execution_options(yield_per=BATCH))
        written[name] = write_rows(folder / name, COLUMNS[name], rows)
    return written


def workspaces(session: Session) -> list[str]:
    """The workspaces this database holds accounts or people of (one, almost always)."""
    tables = SQLModel.metadata.tables
    found = select(tables["account"].c.team_id).union(select(tables["member"].c.team_id))
    return sorted(str(team) for team in session.execute(found).scalars())
