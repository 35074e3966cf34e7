"""Engine, sessions and migrations. SQLite (WAL) by default, PostgreSQL in production."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date
from sqlmodel import Session, SQLModel, create_engine

QUEUED = "steward.queued"  # session.info: this transaction queued an outbox message
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def normalize_url(url: str) -> str:
    """Let people write postgresql:// and still get psycopg 3 (the driver we install)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _forget_queued(session: Session) -> None:
    session.info.pop(QUEUED, None)


class Database:
    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self.engine: Engine = create_engine(
                self.url, connect_args={"check_same_thread": False, "timeout": 10}
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=10)
        self._on_queued: list[Callable[[], None]] = []
        # The commit hooks, listened for once on a Session class of this database's own
        # (listening on each new session would cost more than the session).
        self._session_class = type("StewardSession", (Session,), {})
        event.listen(self._session_class, "after_commit", self._committed)
        event.listen(self._session_class, "after_rollback", _forget_queued)

    def on_queued(self, wake: Callable[[], None]) -> None:
        """Call `wake` after each commit of a transaction that queued an outbox message
        (`mark_queued`): the outbox sends as soon as the row is visible, never before."""
        self._on_queued.append(wake)

    @staticmethod
    def mark_queued(session: Session) -> None:
        session.info[QUEUED] = True

    def _committed(self, session: Session) -> None:
        if session.info.pop(QUEUED, False):
            for wake in self._on_queued:
                wake()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on error."""
        with self._session_class(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def upsert(
        self,
        model: type[SQLModel],
        values: dict[str, Any],
        keys: tuple[str, ...],
        session: Session | None = None,
    ) -> None:
        """Insert or update one row by its key in one statement (INSERT … ON CONFLICT DO
        UPDATE): no read first, so no clash with another request writing the same row.

        `session`: the caller's open transaction, if any. SQLite has one writer at a time: a
        second transaction beside the caller's would wait for it and time out, and a savepoint
        inside it opens a read snapshot that another commit can make unwritable."""
        insert = sqlite_insert if self.is_sqlite else postgresql_insert
        statement = insert(model).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: statement.excluded[name] for name in values if name not in keys},
        )
        if session is not None:
            session.exec(statement)
            return
        with self.session() as own:
            own.exec(statement)

    def alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (run on every start; a no-op when current)."""
        command.upgrade(self.alembic_config(), "head")

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def scratch_postgres(server_url: str, prefix: str = "steward_scratch") -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of `server_url`, dropped afterwards.

    For tests and benchmarks, so they never write into a database somebody else uses.
    """
    admin = create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin.url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database(postgres_server: str | None = None) -> Iterator[str]:
    """The URL of a new, empty database, gone afterwards: a SQLite file in a temporary folder,
    or, given a PostgreSQL server's URL, a scratch database there (benchmarks, tools)."""
    if postgres_server:
        with scratch_postgres(postgres_server, "steward_scratch") as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'steward.db'}"


class days_before(FunctionElement[date]):
    """SQL for the date `n` days before `day` (n an integer expression, per row)."""

    type = Date()
    inherit_cache = True


@compiles(days_before, "sqlite")
def _days_before_sqlite(element: days_before, compiler: Any, **kw: Any) -> str:
    day, n = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date({day}, '-' || ({n}) || ' days')"


@compiles(days_before, "postgresql")
def _days_before_postgresql(element: days_before, compiler: Any, **kw: Any) -> str:
    day, n = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST({day} AS DATE) - ({n}))"


class day_of(FunctionElement[date]):
    """SQL for the (UTC) calendar day of a stored datetime."""

    type = Date()
    inherit_cache = True


@compiles(day_of, "sqlite")
def _day_of_sqlite(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(day_of, "postgresql")
def _day_of_postgresql(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


# -- operations: steward db current | downgrade | check ----------------------------------------
def head_revision(db: Database) -> str | None:
    """The newest migration in migrations/versions."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(db.alembic_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    """The migration the database is at (None: never migrated)."""
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def downgrade(db: Database, revision: str) -> None:
    command.downgrade(db.alembic_config(), revision)


def schema_differences(db: Database) -> list[Any]:
    """What the database's schema lacks or has beyond the models (alembic's compare_metadata);
    on a database at the newest migration, [] means the migrations build the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import bot.models  # noqa: F401 - registers the tables

    with db.engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), SQLModel.metadata))
