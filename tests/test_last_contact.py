"""The last contact kept on the account (bot/contacts/last.py): right after every log, re-dating,
deletion and import, and the digest's silent list the same as one computed from a scan of the
logged contacts; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import random
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from bot.assessment import queries as card
from bot.contacts import service as contacts
from bot.contacts.last import logged
from bot.db import Database, downgrade
from bot.digest import queries as digest
from bot.digest import signs
from bot.invocation import Invocation, Policy
from bot.models import Account, Interaction, InteractionKind, stored_id
from bot.people import Person
from bot.transfer.service import import_path
from tests.conftest import ACME_CHANNEL, ALICE, Slack

TEAM = "T0001"
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TIERS = {"strategic": 14, "key": 21, "standard": 30}
ACCOUNTS = [("acme", "strategic", None), ("globex", "key", None), ("initech", "standard", 5)]


def invocation() -> Invocation:
    return Invocation(
        command="/logcontact",
        text="",
        team_id=TEAM,
        person=Person(ALICE, True),
        channel_id="CGENERAL",
        now=NOW,
        policy=Policy(silence_days=TIERS),
    )


def add_accounts(db: Database) -> dict[str, int]:
    ids = {}
    with db.session() as session:
        for slug, tier, silence in ACCOUNTS:
            account = Account(
                team_id=TEAM, name=slug.title(), name_key=slug, slug=slug, owner_id=ALICE,
                tier=tier, silence_days=silence, created_at=NOW - timedelta(days=200),
                created_by=ALICE,
            )  # fmt: skip
            session.add(account)
            session.flush()
            ids[slug] = stored_id(account.id)
    return ids


def scanned(session: Session) -> dict[int, tuple[date, int, str] | None]:
    """Each account's last contact found the old way: every logged contact read."""
    found: dict[int, tuple[date, int, str] | None] = {
        stored_id(a): None for a in session.exec(select(Account.id)).all()
    }
    for row in session.exec(select(Interaction)).all():
        now = (row.occurred_on, stored_id(row.id), row.summary)
        if found[row.account_id] is None or now[:2] > found[row.account_id][:2]:  # type: ignore[index]
            found[row.account_id] = now
    return found


def silent_by_scan(
    session: Session, last: dict[int, tuple[date, int, str] | None], day: date
) -> list[tuple[int, int, date | None, str | None]]:
    """(account, days silent, last day, last summary) of the silent accounts, from the scan."""
    found = []
    for account in session.exec(select(Account)).all():
        seen = last[stored_id(account.id)]
        since = seen[0] if seen else account.created_at.date()
        limit = account.silence_days or TIERS[account.tier]
        if (day - since).days > limit:
            found.append(
                (stored_id(account.id), (day - since).days, seen and seen[0], seen and seen[2])
            )
    return sorted(found)


def check(db: Database, step: str) -> None:
    """The kept value, the digest's silent list, and the card's last contact, against a scan."""
    with db.session() as session:
        last = scanned(session)
        kept = dict(session.exec(select(Account.id, Account.last_contact_on)).all())
        assert kept == {a: seen and seen[0] for a, seen in last.items()}, step
        for day in (TODAY, TODAY + timedelta(days=20)):
            silent = [s for _, s in digest.silent(session, TEAM, [ALICE], day, TIERS)]
            digest.last_summaries(session, silent)
            read = sorted((s.account_id, s.days, s.last_on, s.last_summary) for s in silent)
            assert read == silent_by_scan(session, last, day), step
            quiet = {q.account_id: q.last_on for _, q in signs.quiet(session, TEAM, None, day, 60)}
            assert quiet, step  # acme and globex (key tiers) raise nothing: quiet, with a last day
            assert quiet == {a: last[a] and last[a][0] for a in quiet}, step  # type: ignore[index]
        tallies = card.tallies(session, list(last), TODAY, NOW)
        for account_id, seen in last.items():
            assert tallies[account_id].last_contact_on == (seen and seen[0]), step
            shown = card.lists(session, account_id).last
            assert (shown and (shown.occurred_on, shown.summary)) == (
                seen and (seen[0], seen[2])
            ), step


def write_interactions(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([["account", "day", "kind", "summary", "logged_by"], *rows])
    return path


def test_kept_last_contact_matches_a_scan_through_logs_edits_deletes_and_imports(
    db: Database, tmp_path: Path
) -> None:
    ids = add_accounts(db)
    rng = random.Random(12)
    inv = invocation()
    slugs = list(ids)
    check(db, "nothing logged")
    done: Counter[str] = Counter()
    for step in range(70):
        day = TODAY - timedelta(days=rng.randrange(0, 60))
        with db.session() as session:
            stored = [stored_id(i) for i in session.exec(select(Interaction.id)).all()]
            op = rng.choice(["log", "log", "edit", "delete", "import"] if stored else ["log"])
            if op == "log":
                account = session.get(Account, ids[rng.choice(slugs)])
                assert account is not None
                contacts.log_interaction(
                    session, account=account, kind=InteractionKind.call, occurred_on=day,
                    summary=f"step {step}", logged_by=ALICE, now=NOW,
                )  # fmt: skip
            elif op in ("edit", "delete"):
                ref = f"L-{rng.choice(stored)}"
                found = contacts.logged_contact(session, inv, ref, "")
                if op == "edit":
                    contacts.edit(session, inv, found, contacts.Edit(day=day))
                else:
                    contacts.delete(session, inv, found)
            else:
                rows = [
                    [rng.choice(slugs), (TODAY - timedelta(days=rng.randrange(0, 60))).isoformat(),
                     "email", f"imported {step} {n}", ALICE]
                    for n in range(rng.randrange(1, 4))
                ]  # fmt: skip
                folder = tmp_path / f"import-{step}"
                folder.mkdir()
                path = write_interactions(folder / "interactions.csv", rows)
                assert import_path(session, TEAM, path, NOW).stored
        check(db, f"step {step}: {op}")
        done[op] += 1
    assert min(done[op] for op in ("log", "edit", "delete", "import")) >= 5, done


def test_deleting_every_contact_leaves_none_and_silence_counts_from_creation(
    db: Database,
) -> None:
    ids = add_accounts(db)
    inv = invocation()
    with db.session() as session:
        account = session.get(Account, ids["acme"])
        assert account is not None
        for back in (3, 1, 1):
            contacts.log_interaction(
                session, account=account, kind=InteractionKind.call,
                occurred_on=TODAY - timedelta(days=back), summary=f"{back} back", logged_by=ALICE,
                now=NOW,
            )  # fmt: skip
    check(db, "three logged, two on the last day")
    with db.session() as session:
        for ref in session.exec(select(Interaction.id).order_by(col(Interaction.id).desc())):
            contacts.delete(session, inv, contacts.logged_contact(session, inv, f"L-{ref}", ""))
    check(db, "all deleted")
    with db.session() as session:
        assert session.get(Account, ids["acme"]).last_contact_on is None  # type: ignore[union-attr]


# -- the same over Slack's wire ----------------------------------------------------------------
def kept(slack: Slack) -> date | None:
    with slack.steward.db.session() as session:
        return session.exec(select(Account.last_contact_on)).one()


def newest(slack: Slack) -> int:
    with slack.steward.db.session() as session:
        return stored_id(session.exec(select(func.max(Interaction.id))).one())


def test_commands_keep_the_last_contact(slack: Slack) -> None:
    text_ = slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail> tier:key")
    assert "Added *Acme Rail*" in text_
    today = slack.steward.clock.now().astimezone(ZoneInfo("Europe/Warsaw")).date()
    assert kept(slack) is None
    slack.reply("/logcontact", f"acme call {(today - timedelta(days=5)).isoformat()}: older")
    first = newest(slack)
    slack.reply("/logcontact", f"acme call {(today - timedelta(days=2)).isoformat()}: newer")
    second = newest(slack)
    assert kept(slack) == today - timedelta(days=2)
    # The latest moved earlier than the other: the other is the last now.
    slack.reply("/logcontact", f"edit L-{second} {(today - timedelta(days=9)).isoformat()}")
    assert kept(slack) == today - timedelta(days=5)
    # The older one moved later: it is kept.
    slack.reply("/logcontact", f"edit L-{first} {(today - timedelta(days=1)).isoformat()}")
    assert kept(slack) == today - timedelta(days=1)
    slack.reply("/logcontact", f"delete L-{first}")
    assert kept(slack) == today - timedelta(days=9)
    slack.reply("/logcontact", f"delete L-{second}")
    assert kept(slack) is None


# -- two at once -------------------------------------------------------------------------------
@pytest.fixture
def postgres(db: Database) -> Iterator[Database]:
    if db.is_sqlite:
        pytest.skip("SQLite writers take turns: the race is PostgreSQL's")
    yield db


def test_two_contacts_logged_at_once_leave_the_later_day(postgres: Database) -> None:
    """The later day commits while the earlier waits on the account's row: the waiting UPDATE
    re-checks its condition on the committed row and keeps the later day (a read, then a
    write, would overwrite it with the earlier)."""
    db = postgres
    account_id = add_accounts(db)["acme"]
    later, earlier = TODAY - timedelta(days=1), TODAY - timedelta(days=10)
    first = Session(db.engine)
    logged(first, account_id, later)  # holds the account's row until it commits
    done = threading.Event()

    def second() -> None:
        with Session(db.engine) as session:
            logged(session, account_id, earlier)
            session.commit()
        done.set()

    thread = threading.Thread(target=second)
    thread.start()
    with db.engine.connect() as watcher:  # wait until the second is blocked on the row lock
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE 'UPDATE account%'"
        )
        for _ in range(500):
            if watcher.execute(waiting).scalar_one():
                break
            done.wait(0.01)
        else:
            pytest.fail("the second UPDATE never waited for the first")
    first.commit()
    first.close()
    thread.join(timeout=10)
    assert done.is_set()
    with db.session() as session:
        assert session.get(Account, account_id).last_contact_on == later  # type: ignore[union-attr]


# -- the migration ---------------------------------------------------------------------------
def test_migration_0009_fills_the_last_contact_from_the_logged_ones(db: Database) -> None:
    ids = add_accounts(db)
    rows = [(ids["acme"], TODAY - timedelta(days=9)), (ids["acme"], TODAY - timedelta(days=2)),
            (ids["globex"], TODAY - timedelta(days=30))]  # fmt: skip
    with db.session() as session:
        for account_id, day in rows:
            session.add(
                Interaction(account_id=account_id, occurred_on=day, summary="s",
                            logged_by=ALICE, created_at=NOW)
            )  # fmt: skip
    downgrade(db, "0008")
    try:
        db.upgrade()
    finally:
        db.upgrade()  # the next test's database is at the head, whatever happened here
    with db.session() as session:
        assert dict(session.exec(select(Account.id, Account.last_contact_on)).all()) == {
            ids["acme"]: TODAY - timedelta(days=2),
            ids["globex"]: TODAY - timedelta(days=30),
            ids["initech"]: None,
        }
