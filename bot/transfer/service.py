"""`steward export` and `steward import`, Slack-free: a session, a workspace and a path in,
the lines to show the operator out. Rows and their text go only to the operator's terminal,
never to the logs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from bot.transfer.columns import FILES
from bot.transfer.export import export_all
from bot.transfer.importer import Plan, Tally, plan_import, store
from bot.transfer.reader import Bad, files_at, read_files

SHOWN = 20  # bad rows listed before "and N more"


@dataclass(frozen=True)
class Outcome:
    """What an import did (or would do, or why it did nothing); `lines` for the terminal."""

    stored: bool
    lines: list[str]
    bad: list[str]


def export_to(session: Session, team_id: str, folder: Path) -> list[str]:
    written = export_all(session, team_id, folder)
    lines = [f"{name}: {count} rows" for name, count in written.items()]
    return [*lines, f"Exported workspace {team_id} to {folder}."]


def bad_lines(bad: list[Bad]) -> list[str]:
    """Up to SHOWN bad rows, in file order then line order, then how many more."""
    ordered = sorted(bad, key=lambda b: (FILES.index(b.file), b.line))
    lines = [str(b) for b in ordered[:SHOWN]]
    if len(ordered) > SHOWN:
        lines.append(f"and {len(ordered) - SHOWN} more")
    return lines


def tally_line(name: str, tally: Tally, dry_run: bool) -> str:
    verb = "would add" if dry_run else "added"
    line = f"{name}: {verb} {tally.added}, {tally.present} already there"
    if tally.contacts_made:
        line += f" ({verb} {tally.contacts_made} contacts it names that no contacts file lists)"
    return line


def summary(plan: Plan, dry_run: bool) -> list[str]:
    lines = [
        tally_line(name, plan.tallies[name], dry_run) for name in FILES if name in plan.tallies
    ]
    if dry_run:
        return [*lines, "Dry run: nothing was stored."]
    return [*lines, f"Imported into workspace {plan.team_id}."]


def import_path(
    session: Session, team_id: str, path: Path, now: datetime, *, dry_run: bool = False
) -> Outcome:
    """Read, check and (unless `dry_run` or a row is bad) store the files at `path`, in the
    caller's transaction: nothing of an import with one bad row is stored.

    Raises reader.NotImportable when `path` names no file an import reads."""
    files, bad = read_files(files_at(path))
    unsure = {b.slug for b in bad if b.slug}
    plan = plan_import(session, team_id, files, now, unsure)
    bad = [*bad, *plan.bad]
    if bad:
        total = f"Nothing was imported: {len(bad)} bad row{'s' if len(bad) != 1 else ''}."
        return Outcome(stored=False, lines=[total], bad=bad_lines(bad))
    if not dry_run:
        store(session, plan)
    return Outcome(stored=not dry_run, lines=summary(plan, dry_run), bad=[])
