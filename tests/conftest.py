"""Fixtures: a database on SQLite and on PostgreSQL, the Slack stand-in, the real app over HTTP."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from bot.db import Database, normalize_url, scratch_postgres
from bot.dev.local import LocalSlack
from bot.dev.standin import SlackStandIn

POSTGRES_URL = os.environ.get(
    "STEWARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]
THREAD_GRACE = 10.0
"""Seconds a test's threads get to end after its teardown (each is joined; most end at once)."""
_peak_threads = [0]


@pytest.fixture(autouse=True)
def no_threads_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves threads running after its teardown: every server, pool and worker
    a test or fixture starts must be stopped and joined (left running they piled up to ~8,300
    threads in one run, and one run hung). Autouse and requested first, this tears down last."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + THREAD_GRACE
    left = [t for t in threading.enumerate() if t not in before]
    for thread in left:
        thread.join(max(0.0, deadline - time.monotonic()))
    left = [t for t in left if t.is_alive()]
    if left:
        names = ", ".join(sorted(t.name for t in left))
        pytest.fail(f"{request.node.nodeid} left {len(left)} thread(s) running: {names}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Note the live threads at the end of each test's body (before its teardown)."""
    try:
        return (yield)
    finally:
        _peak_threads[0] = max(_peak_threads[0], threading.active_count())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(f"peak live threads (end of a test body): {_peak_threads[0]}")


def _postgres_unreachable() -> str:
    """Why the PostgreSQL tests must be skipped here, or '' when the server answers."""
    engine = create_engine(normalize_url(POSTGRES_URL))
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        return ""
    except Exception as error:  # no server here: say so, and skip those tests
        return f"PostgreSQL not reachable at {POSTGRES_URL} ({type(error).__name__})"
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating each time costs more)."""
    path = tmp_path_factory.mktemp("template") / "steward.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A scratch database for this test session, migrated once, dropped at the end."""
    why = _postgres_unreachable()
    if why:
        pytest.skip(why)
    with scratch_postgres(POSTGRES_URL, "steward_test") as url:
        db = Database(url)
        db.upgrade()
        db.dispose()
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """A migrated, empty database: a fresh SQLite file, or the PostgreSQL scratch database
    emptied before the test."""
    if request.param == "sqlite":
        path = tmp_path / "steward.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


ALICE, BORIS, CAROL = "UALICE", "UBORIS", "UCAROL"
ACME_CHANNEL, GLOBEX_CHANNEL, GENERAL = "CACME", "CGLOBEX", "CGENERAL"


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    stand_in = SlackStandIn().start()
    stand_in.add_user(ALICE, "alice", real_name="Alice Nowak", tz="Europe/Warsaw", locale="pl-PL")
    stand_in.add_user(
        BORIS, "boris", real_name="Boris Ivanov", tz="America/New_York", locale="en-US"
    )
    stand_in.add_user(CAROL, "carol", real_name="Carol Tanaka", tz="Asia/Tokyo")
    stand_in.add_channel(ACME_CHANNEL, "acme-rail", is_ext_shared=True)
    stand_in.add_channel(GLOBEX_CHANNEL, "globex")
    stand_in.add_channel(GENERAL, "general")
    yield stand_in
    stand_in.stop()


class Slack(LocalSlack):
    """LocalSlack with the waits the tests need."""

    def reply(self, command: str, text: str, *, user: str = ALICE, channel: str = GENERAL) -> str:
        """Run a command and return the text of what came back through its response_url."""
        result, key = self.command(command, text, user=user, channel=channel)
        assert result.status == 200, result.body
        return self.response_text(key)


@pytest.fixture
def slack(database_url: str, standin: SlackStandIn) -> Iterator[Slack]:
    local = Slack(database_url, standin=standin)
    yield local
    local.close()
