"""`steward export` and `steward import`: CSV files in and out, on SQLite and PostgreSQL.

Driven through the command's own entry (bot.cli.main), in-process, against the `database_url`
fixture's database and a second, empty one.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlmodel import Session, SQLModel
from sqlmodel import select as model_select

from bot.accounts.queries import name_key
from bot.cli import main
from bot.contacts import last
from bot.db import Database, scratch_postgres
from bot.models import Account, Contact, Interaction, Promise, StageMove
from bot.transfer.columns import FILES, guard, unguard
from tests.conftest import POSTGRES_URL

TEAM, OTHER_TEAM = "T0001", "T0999"
T0 = datetime(2026, 11, 30, 9, 15, 7, 123456, tzinfo=UTC)
MULTILINE = 'agreed the "Q1" terms, mostly;\nrenewal in March\r\nand a visit'
NOT_EXPORTED = {("account", "client_spoke_at")}  # observed by the bot, never typed


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second database on the same backend, with nothing in it (not even the schema)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with scratch_postgres(POSTGRES_URL, "steward_transfer") as url:
        yield url


@pytest.fixture(autouse=True)
def no_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No .env of the developer's, and no DATABASE_URL: each command names its --db."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def steward(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- seed data: every column a person can set, in its awkward forms ---------------------------
def seed(url: str) -> None:
    db = Database(url)
    with db.session() as session:
        acme = account(session, 'Łódź Rail, "Ltd"', "lodz-rail-ltd", channel_id="CACME")
        acme.internal_channel_id, acme.tier, acme.stage = "CACMEINT", "strategic", "cooperating"
        acme.silence_days, acme.quiet_days, acme.clients_may_route = 10, 45, False
        acme.buys, acme.competitors = 'rail freight, "express"', "=DB Cargo — cheaper"
        acme.perception = "reliable;\nslow invoicing"
        acme.client_spoke_at = T0
        globex = account(session, "Газпром Globex", "газпром-globex", channel_id="CGLOBEX")
        globex.archived_at, globex.owner_id = T0 + timedelta(days=3), "UBORIS"
        account(session, "Other Co", "other-co", team_id=OTHER_TEAM, channel_id="COTHER")
        session.flush()
        jan = contact(session, acme, "Jan Kowalski", title="CFO, finance", roles="decider,buyer")
        jan.attitude, jan.looks_after = "supporter", "UANNA"
        hooft = contact(session, acme, "'t Hooft", title="-head of ops")
        hooft.removed_at = T0 + timedelta(days=1)
        zoe = contact(session, globex, "Zoë Ångström")
        session.flush()
        for _ in range(2):  # logged twice, word for word: two rows, kept as two
            session.add(interaction(acme, "call", MULTILINE, jan))
        session.add(interaction(acme, "email", "@here 'quoted' + plus", None, concern=True))
        session.add(interaction(globex, "visit", "Zoë: «ok»", zoe))
        last.recount(session, [acme.id or 0, globex.id or 0])  # what logging them keeps
        session.add(
            Promise(account_id=acme.id, what="send the quote, signed", owner_id="UBORIS",
                    due_on=date(2026, 12, 4), status="kept", created_by="UALICE",
                    created_at=T0, closed_at=T0 + timedelta(hours=5), closed_by="UBORIS",
                    note="sent\nby post", internal=True)
        )  # fmt: skip
        session.add(
            Promise(account_id=globex.id, what="book training", owner_id="UALICE",
                    due_on=date(2027, 1, 8), created_by="UALICE", created_at=T0)
        )  # fmt: skip
        session.add(
            StageMove(account_id=acme.id, from_stage="responsive", to_stage="cooperating",
                      reason="signed the framework agreement, finally", moved_by="UALICE",
                      moved_at=T0)
        )  # fmt: skip
    db.dispose()


def account(session: Session, name: str, slug: str, **values: Any) -> Account:
    values = {"team_id": TEAM, "owner_id": "UALICE", **values}
    row = Account(name=name, name_key=name_key(name), slug=slug, created_at=T0,
                  created_by="UALICE", **values)  # fmt: skip
    session.add(row)
    return row


def contact(session: Session, at: Account, name: str, **values: Any) -> Contact:
    row = Contact(account_id=at.id, name=name, name_key=name_key(name), created_at=T0, **values)
    session.add(row)
    return row


def interaction(
    at: Account, kind: str, summary: str, met: Contact | None, concern: bool = False
) -> Interaction:
    return Interaction(account_id=at.id, kind=kind, occurred_on=date(2026, 11, 27),
                       contact_id=met.id if met else None, summary=summary, concern=concern,
                       logged_by="UALICE", created_at=T0 - timedelta(minutes=3))  # fmt: skip


def snapshot(url: str, team: str = TEAM) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored value of a workspace's five tables, ids replaced by what they stand for
    (an account by its slug, a contact by its name), sorted: equal snapshots, equal data."""
    engine = create_engine(Database(url).url)
    tables = SQLModel.metadata.tables
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        accounts = tables["account"].c
        mine = select(accounts.id, accounts.slug).where(accounts.team_id == team)
        slugs = dict(connection.execute(mine).all())
        people = dict(
            connection.execute(select(tables["contact"].c.id, tables["contact"].c.name)).all()
        )
        for name in ("account", "contact", "interaction", "promise", "stage_move"):
            table = tables[name]
            rows = []
            for row in connection.execute(select(table)).mappings():
                if name == "account" and row["team_id"] != team:
                    continue
                if name != "account" and row["account_id"] not in slugs:
                    continue
                values = {
                    k: v for k, v in row.items() if k != "id" and (name, k) not in NOT_EXPORTED
                }
                if "account_id" in values:
                    values["account_id"] = slugs[values["account_id"]]
                if values.get("contact_id") is not None:
                    values["contact_id"] = people[values["contact_id"]]
                rows.append(tuple(sorted(values.items(), key=lambda kv: kv[0])))
            found[name] = sorted(rows, key=repr)
    engine.dispose()
    return found


def files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


# -- the tests ----------------------------------------------------------------------------------
def test_export_then_import_into_an_empty_database_gives_the_same_data(
    database_url: str, empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(database_url)
    one, two = tmp_path / "one", tmp_path / "two"
    code, out, err = steward(capsys, "export", "--to", str(one), "--db", database_url)
    assert code == 2 and "2 workspaces" in err  # which one? it asks, it does not guess
    code, out, err = steward(capsys, "export", "--to", str(one), "--db", database_url,
                             "--team", TEAM)  # fmt: skip
    assert code == 0, err
    assert "accounts.csv: 2 rows" in out and "interactions.csv: 4 rows" in out
    first = files(one)
    assert b"Other Co" not in first["accounts.csv"]  # one workspace's data, no other's
    interactions = read_csv(one / "interactions.csv")
    assert interactions[1][4] == MULTILINE and interactions[3][4] == "'@here 'quoted' + plus"
    code, out, err = steward(capsys, "import", str(one), "--db", empty_url, "--team", TEAM)
    assert code == 0, err
    assert snapshot(empty_url) == snapshot(database_url)
    code, out, err = steward(capsys, "export", "--to", str(two), "--db", empty_url)
    assert code == 0, err
    assert files(two) == first


def test_importing_the_same_files_twice_changes_nothing(
    database_url: str, empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(database_url)
    folder = tmp_path / "out"
    assert (
        steward(capsys, "export", "--to", str(folder), "--db", database_url, "--team", TEAM)[0] == 0
    )
    assert steward(capsys, "import", str(folder), "--db", empty_url, "--team", TEAM)[0] == 0
    once = snapshot(empty_url)
    code, out, err = steward(capsys, "import", str(folder), "--db", empty_url)
    assert code == 0, err
    assert "interactions.csv: added 0, 4 already there" in out
    assert "accounts.csv: added 0, 2 already there" in out
    assert snapshot(empty_url) == once
    # One more identical row in the file is one more logged contact: rows alike are counted.
    rows = read_csv(folder / "interactions.csv")
    write_csv(folder / "interactions.csv", [*rows, rows[1]])
    code, out, err = steward(capsys, "import", str(folder / "interactions.csv"), "--db", empty_url)
    assert "interactions.csv: added 1, 4 already there" in out, err
    assert len(snapshot(empty_url)["interaction"]) == 5


def test_a_bad_row_stores_nothing_and_names_its_file_line_and_reason(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(database_url)
    before = snapshot(database_url)
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "accounts.csv", [
        ["slug", "name", "owner", "channel"],
        ["", "New Co", "UALICE", "CNEW"],
        ["thief", "Thief", "UALICE", "CACME"],
    ])  # fmt: skip
    write_csv(folder / "contacts.csv", [
        ["account", "name", "roles", "attitude"],
        ["new-co", "Ann Lee", "decider", "champion"],
        ["new-co", "Bob Ray", "buyer", "friendly"],
    ])  # fmt: skip
    write_csv(folder / "interactions.csv", [
        ["account", "day", "kind", "contact", "summary", "logged_by"],
        ["new-co", "2026-11-02", "call", "Ann Lee", "three\nlines\nlong", "UALICE"],
        ["new-co", "2026-11-03", "call", "Ann Lee", "fine", "UALICE"],
        ["new-co", "2026-11-04", "phone", "Ann Lee", "fine", "UALICE"],
        ["nowhere", "2026-11-04", "call", "", "fine", "UALICE"],
        ["new-co", "04/11/2026", "call", "", "fine", "alice"],
    ])  # fmt: skip
    code, out, err = steward(capsys, "import", str(folder), "--db", database_url, "--team", TEAM)
    assert code == 1
    assert err.splitlines()[-6:] == [
        "accounts.csv line 3: channel CACME is already the channel of “lodz-rail-ltd”",
        "contacts.csv line 3: attitude “friendly” is not one of champion, supporter, neutral, "
        "sceptic, opponent",
        "interactions.csv line 6: kind “phone” is not one of call, meeting, email, visit, "
        "message, demo, training, other",
        "interactions.csv line 7: account “nowhere” is neither in accounts.csv nor in the database",
        "interactions.csv line 8: day “04/11/2026” is not a date like 2026-12-31",
        "Nothing was imported: 5 bad rows.",
    ]
    assert out == ""
    assert snapshot(database_url) == before  # New Co, Ann Lee and the good rows: none stored


def test_many_bad_rows_show_twenty_then_how_many_more(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "stages.csv"
    write_csv(path, [["account", "from", "to", "moved_by", "moved_at"]] + [
        ["acme", "responsive", "hot", "UALICE", "2026-11-01T10:00:00+01:00"] for _ in range(25)
    ])  # fmt: skip
    code, _, err = steward(capsys, "import", str(path), "--db", database_url, "--team", TEAM)
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("stages.csv line 2: to “hot” is not one of rejecting, detached")
    assert lines[19].startswith("stages.csv line 21: ") and lines[20:] == [
        "and 5 more",
        "Nothing was imported: 25 bad rows.",
    ]


def test_dry_run_says_what_would_be_added_and_stores_nothing(
    database_url: str, empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(database_url)
    folder = tmp_path / "out"
    assert (
        steward(capsys, "export", "--to", str(folder), "--db", database_url, "--team", TEAM)[0] == 0
    )
    code, out, err = steward(capsys, "import", str(folder), "--dry-run", "--db", empty_url,
                             "--team", TEAM)  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == [
        "accounts.csv: would add 2, 0 already there",
        "contacts.csv: would add 3, 0 already there",
        "interactions.csv: would add 4, 0 already there",
        "promises.csv: would add 2, 0 already there",
        "stages.csv: would add 1, 0 already there",
        "Dry run: nothing was stored.",
    ]
    assert all(rows == [] for rows in snapshot(empty_url).values())


def test_one_file_alone_and_a_file_of_no_known_name(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(database_url)
    path = tmp_path / "contacts.csv"
    write_csv(path, [["account", "name", "title", "roles", "attitude", "looks_after"],
                     ["lodz-rail-ltd", "  Ewa   Nowak ", "CEO", "Decider, approver", "Neutral",
                      "UCAROL"]])  # fmt: skip
    code, out, err = steward(capsys, "import", str(path), "--db", database_url, "--team", TEAM)
    assert (code, out.splitlines()[0]) == (0, "contacts.csv: added 1, 0 already there"), err
    with Session(create_engine(Database(database_url).url)) as session:
        ewa = session.exec(model_select(Contact).where(Contact.name == "Ewa Nowak")).one()
    assert (ewa.roles, ewa.attitude, ewa.looks_after) == ("decider,approver", "neutral", "UCAROL")
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n")
    code, _, err = steward(capsys, "import", str(other), "--db", database_url, "--team", TEAM)
    assert code == 2 and err.count("\n") == 1 and "accounts.csv, contacts.csv" in err


def test_ten_thousand_logged_contacts_import_in_bulk(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    write_csv(folder / "accounts.csv", [["slug", "name", "owner"]] + [
        [f"client-{n}", f"Client {n}", "UALICE"] for n in range(20)
    ])  # fmt: skip
    write_csv(folder / "interactions.csv", [
        ["account", "day", "kind", "contact", "summary", "logged_by", "created_at"]
    ] + [
        [f"client-{n % 20}", (date(2026, 1, 1) + timedelta(days=n % 300)).isoformat(), "call",
         f"Person {n % 50}", f"call number {n}, about \"things\"", "UALICE",
         f"2026-01-01T00:00:{n % 60:02d}+00:00"]
        for n in range(10_000)
    ])  # fmt: skip
    started = time.perf_counter()
    code, out, err = steward(capsys, "import", str(folder), "--db", database_url, "--team", TEAM)
    first = time.perf_counter() - started
    assert code == 0, err
    assert "interactions.csv: added 10000, 0 already there (added 100 contacts" in out
    data = snapshot(database_url)
    assert (len(data["interaction"]), len(data["contact"])) == (
        10_000,
        100,
    )  # (account, person) pairs
    started = time.perf_counter()
    code, out, err = steward(capsys, "import", str(folder), "--db", database_url)
    again = time.perf_counter() - started
    assert "interactions.csv: added 0, 10000 already there" in out, err
    backend = database_url.split(":")[0]
    print(f"\n10,000-row import on {backend}: {first:.2f} s; the same again: {again:.2f} s")


@pytest.mark.parametrize(
    "text", ["=SUM(A1)", "+1", "-x", "@here", "'=x", "''", "'t Hooft", "'", "", "plain", "\tx"]
)
def test_the_spreadsheet_guard_gives_back_every_value(text: str) -> None:
    assert unguard(guard(text)) == text
    assert not guard(text).startswith(("=", "+", "-", "@", "\t"))


def test_a_formula_in_a_contact_name_is_guarded_in_interactions_csv(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(database_url)
    with db.session() as session:
        at = account(session, "Formula Co", "formula-co")
        session.flush()
        met = contact(session, at, "=2+5+cmd|' /C calc'!A0")
        session.flush()
        session.add(interaction(at, "call", "hello", met))
    db.dispose()
    code, _, err = steward(capsys, "export", "--to", str(tmp_path / "out"), "--db", database_url,
                           "--team", TEAM)  # fmt: skip
    assert code == 0, err
    rows = read_csv(tmp_path / "out" / "interactions.csv")
    column = rows[0].index("contact")
    assert rows[1][column] == "'=2+5+cmd|' /C calc'!A0"  # a spreadsheet shows it, runs nothing


def test_an_account_whose_internal_channel_is_its_client_channel_is_refused(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "accounts.csv", [
        ["slug", "name", "owner", "channel", "internal_channel"],
        ["same", "Same Co", "UALICE", "CSAME", "CSAME"],
    ])  # fmt: skip
    code, _, err = steward(capsys, "import", str(folder), "--db", database_url, "--team", TEAM)
    assert code == 1
    assert "accounts.csv line 2: internal_channel is the account's channel with the client" in err
