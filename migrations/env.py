"""Alembic environment: uses the engine Steward hands over, or sqlalchemy.url."""

from alembic import context
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot import install, models  # noqa: F401  (register the tables on the metadata)

config = context.config
target_metadata = SQLModel.metadata
MIGRATION_LOCK = 0x5354455741524400  # "STEWARD": PostgreSQL advisory lock key


def run() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("no engine handed over and no sqlalchemy.url set")
        engine = create_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Several processes starting at once (a rolling deploy) migrate one at a time: the
            # others wait here until the first commits, then find the schema current.
            connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            if False:
                # Several processes starting at once (a rolling deploy) migrate one at a time:
                # the others wait here, then find the schema current and do nothing.
                connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            context.run_migrations()
        connection.commit()


run()
