"""Reading one CSV file of an import: its header checked, each row typed by grammar.py, each
row that cannot be typed kept with its line and reason."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.accounts.queries import slugify
from bot.transfer.columns import (
    ACCOUNTS,
    COLUMNS,
    CONTACTS,
    FILES,
    INTERACTIONS,
    PROMISES,
    REQUIRED,
    STAGES,
)
from bot.transfer.grammar import (
    BadCell,
    Cells,
    Row,
    account_row,
    contact_row,
    interaction_row,
    promise_row,
    stage_row,
)

# -- a file ------------------------------------------------------------------------------------
PARSERS: dict[str, Callable[[int, Cells], Row]] = {
    ACCOUNTS: account_row,
    CONTACTS: contact_row,
    INTERACTIONS: interaction_row,
    PROMISES: promise_row,
    STAGES: stage_row,
}
TABLES = {
    ACCOUNTS: "account",
    CONTACTS: "contact",
    INTERACTIONS: "interaction",
    PROMISES: "promise",
    STAGES: "stage_move",
}


@dataclass(frozen=True)
class Bad:
    """A row that cannot be imported: `contacts.csv line 7: attitude “friendly” is not …`."""

    file: str
    line: int
    reason: str
    slug: str | None = None  # accounts.csv: the account the row meant (its rows refer to it)

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.reason}"


def header_problem(name: str, columns: list[str]) -> str | None:
    known = COLUMNS[name]
    unknown = [c for c in columns if c not in known]
    if unknown:
        return f"unknown column “{unknown[0]}”; the columns are {', '.join(known)}"
    doubled = sorted({c for c in columns if columns.count(c) > 1})
    if doubled:
        return f"column “{doubled[0]}” is named twice"
    missing = sorted(REQUIRED[name] - set(columns))
    if missing:
        return f"no column “{missing[0]}” (needed: {', '.join(sorted(REQUIRED[name]))})"
    return None


def meant_slug(columns: list[str], record: list[str]) -> str | None:
    """The slug a bad accounts.csv row meant, so rows that refer to it are not bad too."""
    cells = dict(zip(columns, record, strict=True))
    return (cells.get("slug") or "").strip() or slugify(cells.get("name") or "") or None


def read_rows(name: str, stream: Iterable[str]) -> tuple[list[Row], list[Bad]]:
    """Every row of one file (`name` is one of FILES), typed, and every row that is not.

    A record may span lines (a quoted summary with line breaks): it is reported by the line
    it starts on, counting the header as line 1."""
    reader = csv.reader(stream, strict=True)
    rows: list[Row] = []
    bad: list[Bad] = []
    try:
        header = next(reader, None)
        if header is None:
            return rows, [Bad(name, 1, "the file is empty; its first line names the columns")]
        columns = [column.strip().lower() for column in header]
        problem = header_problem(name, columns)
        if problem:
            return rows, [Bad(name, 1, problem)]
        parse, table = PARSERS[name], TABLES[name]
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(value.strip() for value in record):
                continue  # a blank line
            if len(record) != len(columns):
                reason = f"{len(record)} cells, but the header names {len(columns)} columns"
                bad.append(Bad(name, line, reason))
                continue
            try:
                rows.append(parse(line, Cells(dict(zip(columns, record, strict=True)), table)))
            except BadCell as error:
                meant = meant_slug(columns, record) if name == ACCOUNTS else None
                bad.append(Bad(name, line, str(error), meant))
    except csv.Error as error:
        bad.append(Bad(name, reader.line_num, f"not readable as CSV ({error})"))
    except UnicodeDecodeError:
        bad.append(Bad(name, reader.line_num + 1, "not UTF-8 text (save the file as UTF-8)"))
    return rows, bad


class NotImportable(ValueError):
    """The path names no file an import reads."""


def files_at(path: Path) -> list[Path]:
    """The files to read: those of the five a folder holds, or the one file named."""
    if path.is_dir():
        found = [path / name for name in FILES if (path / name).is_file()]
        if not found:
            raise NotImportable(f"{path}: the folder holds none of {', '.join(FILES)}")
        return found
    if path.is_file():
        if path.name not in FILES:
            raise NotImportable(
                f"{path}: name the file after what it holds, one of {', '.join(FILES)}"
            )
        return [path]
    raise NotImportable(f"{path}: no such file or folder")


def read_files(paths: list[Path]) -> tuple[dict[str, list[Row]], list[Bad]]:
    """Every file's typed rows by file name, and every bad row. A byte-order mark (as
    spreadsheets write) is skipped."""
    files: dict[str, list[Row]] = {}
    bad: list[Bad] = []
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            files[path.name], problems = read_rows(path.name, stream)
        bad.extend(problems)
    return files, bad
