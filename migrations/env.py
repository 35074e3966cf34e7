"""Alembic environment: uses the engine Steward hands over, or sqlalchemy.url."""

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot import install, models  # noqa: F401  (register the tables on the metadata)

config = context.config
target_metadata = SQLModel.metadata


def run() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("no engine handed over and no sqlalchemy.url set")
        engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
