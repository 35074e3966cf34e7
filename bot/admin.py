"""`steward db upgrade|current|downgrade REV|check`: the database, by hand."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, mask_url
from bot.startup import database_errors, open_database

if TYPE_CHECKING:
    from bot.db import Database


def db_command(settings: Settings, task: str, revision: str | None = None) -> int:
    """`steward db upgrade|current|downgrade REV|check`; URLs shown with the password masked."""
    from alembic.util.exc import CommandError

    from bot import db as database

    where = mask_url(settings.database_url)
    db = open_database(settings, migrate=False)
    try:
        with database_errors(settings):
            head = database.head_revision(db)
            if task == "upgrade":
                db.upgrade()
                print(f"database is up to date (revision {head}): {where}")
            elif task == "current":
                current = database.current_revision(db)
                state = "the newest" if current == head else f"newest is {head}: steward db upgrade"
                print(f"database is at revision {current or 'none'} ({state}): {where}")
            elif task == "downgrade":
                try:
                    database.downgrade(db, revision or "")
                except CommandError as error:
                    raise ConfigError(
                        f"steward db downgrade {revision}: {error} (revisions go from base to "
                        f"{head}; steward db current shows where {where} is)"
                    ) from None
                current = database.current_revision(db)
                print(f"database downgraded to revision {current or 'none (empty)'}: {where}")
            elif task == "check":
                return db_check(db, head, where)
    finally:
        db.dispose()
    return 0


def db_check(db: Database, head: str | None, where: str) -> int:
    # Slack's install tables and ours, registered here rather than in bot/db.py, which the
    # features import (they must not reach slack_sdk)
    import bot.install  # noqa: F401
    from bot import db as database

    current = database.current_revision(db)
    if current != head:
        print(
            f"database is at revision {current or 'none'}, the newest is {head}: run "
            f"steward db upgrade first ({where})",
            file=sys.stderr,
        )
        return 1
    differences = database.schema_differences(db)
    if differences:
        print(f"the models and the migrations differ ({where}):", file=sys.stderr)
        for difference in differences:
            print(f"  {difference}", file=sys.stderr)
        return 1
    print(f"the models match the migrations (revision {head}): {where}")
    return 0
