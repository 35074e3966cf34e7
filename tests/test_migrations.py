"""The migrations build exactly the schema the models describe, and go down again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import bot.install  # registers Slack's install tables (slack_sdk's definitions)
import bot.models  # noqa: F401 - registers the tables
from bot.db import Database, scratch_postgres

ROOT = Path(__file__).resolve().parent.parent


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_migrations_go_down_and_up_again(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'updown.db'}")
    db.upgrade()
    command.downgrade(db.alembic_config(), "base")
    assert inspect(db.engine).get_table_names() == ["alembic_version"]
    db.upgrade()
    assert "case" in inspect(db.engine).get_table_names()
    db.dispose()


def test_processes_starting_at_once_migrate_one_at_a_time(postgres_url: str) -> None:
    """A rolling deploy starts several processes on an old schema at once: each migrates on
    start, and none fails on a table another has just created (PostgreSQL's advisory lock)."""
    script = "import sys; from bot.db import Database; Database(sys.argv[1]).upgrade()"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with scratch_postgres(postgres_url, "steward_migrate") as url:
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", script, url], env=env, stderr=subprocess.PIPE, text=True
            )
            for _ in range(4)
        ]
        outcomes = [(run.wait(timeout=120), run.stderr.read()[-300:]) for run in runs if run.stderr]
        assert outcomes == [(0, "")] * 4
        db = Database(url)
        assert "outbox" in inspect(db.engine).get_table_names()
        db.dispose()
