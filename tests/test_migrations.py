"""The migrations build exactly the schema the models describe, and go down again."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import bot.install  # registers Slack's install tables (slack_sdk's definitions)
import bot.models  # noqa: F401 - registers the tables
from bot.db import Database


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
