"""The assessment card and App Home on a heavy account, against a plain card read.

Builds one workspace where the measured account has 5,000 logged contacts, 200 key contacts,
300 promises, 40 stage moves and 20 cases, and its owner has 30 more accounts (each with a
few of everything) and 60 promises due this week. Then times, in the same run, ~50 times each:

- card: `/steward account show`'s work without HTTP: bot/assessment assess + render;
- home: the owner's App Home: bot/home build + render (30 accounts' health, promises, cases);
- baseline: a plain card read: the account's row and its last logged contact.

Prints median and p95 of each and their ratio to the baseline's median. Must stay < 50 ms.

    .venv/bin/python bench/card.py [--postgres [URL]] [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from bot.assessment import render as card_render
from bot.assessment import service as assessment
from bot.config import Settings
from bot.db import Database, fresh_database
from bot.home import render as home_render
from bot.home import service as home_service
from bot.models import (
    Account,
    Attitude,
    BuyingRole,
    Case,
    Contact,
    Interaction,
    Promise,
    PromiseStatus,
    Stage,
    StageMove,
    Tier,
)

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TEAM, OWNER = "TBENCH", "UOWNER"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
TIERS = Settings(bot_token="xoxb-bench", database_url="sqlite://").silence_days


def account(session: Session, n: int) -> Account:
    row = Account(
        team_id=TEAM,
        name=f"Client {n:03d}",
        name_key=f"client {n:03d}",
        slug=f"client-{n:03d}",
        owner_id=OWNER,
        tier=Tier.key if n % 2 else Tier.strategic,
        created_at=NOW - timedelta(days=400),
        created_by=OWNER,
    )
    session.add(row)
    session.flush()
    return row


def fill(session: Session, a: Account, logged: int, people: int, promises: int, moves: int) -> None:
    """Rows through bulk inserts (Core): building is not what is measured."""
    assert a.id is not None
    roles, attitudes, stages = list(BuyingRole), list(Attitude), list(Stage)
    contacts = [
        {
            "account_id": a.id,
            "name": f"Person {i}",
            "name_key": f"person {i}",
            "roles": roles[i % len(roles)].value if i % 3 else "",
            "attitude": attitudes[i % len(attitudes)].value,
            "looks_after": f"U{i % 4}",
            "removed_at": NOW if i % 17 == 0 else None,
            "created_at": NOW,
        }
        for i in range(people)
    ]
    session.execute(Contact.__table__.insert(), contacts)  # type: ignore[attr-defined]
    first = session.exec(select(Contact.id).where(Contact.account_id == a.id)).first()
    session.execute(
        Interaction.__table__.insert(),  # type: ignore[attr-defined]
        [
            {
                "account_id": a.id,
                "kind": "call",
                "occurred_on": TODAY - timedelta(days=i % 700),
                "contact_id": first if i % 2 else None,
                "summary": f"call number {i} about the renewal and the invoices",
                "concern": i % 50 == 0,
                "logged_by": OWNER,
                "created_at": NOW,
            }
            for i in range(logged)
        ],
    )
    statuses = list(PromiseStatus)
    session.execute(
        Promise.__table__.insert(),  # type: ignore[attr-defined]
        [
            {
                "account_id": a.id,
                "what": f"promise {i}",
                "owner_id": OWNER,
                "due_on": TODAY + timedelta(days=(i % 200) - 150),
                "status": statuses[i % len(statuses)].value if i % 5 else "open",
                "created_by": OWNER,
                "created_at": NOW - timedelta(days=200),
                "closed_at": NOW - timedelta(days=i % 180) if i % 5 else None,
                "internal": False,
            }
            for i in range(promises)
        ],
    )
    session.execute(
        StageMove.__table__.insert(),  # type: ignore[attr-defined]
        [
            {
                "account_id": a.id,
                "from_stage": stages[i % 6].value,
                "to_stage": stages[(i + 1) % 6].value,
                "reason": f"move {i}",
                "moved_by": OWNER,
                "moved_at": NOW - timedelta(days=3 * i),
            }
            for i in range(moves)
        ],
    )


def build(db: Database) -> int:
    """The workspace; returns the heavy account's id."""
    with db.session() as session:
        heavy = account(session, 0)
        fill(session, heavy, logged=5000, people=200, promises=300, moves=40)
        for n in range(1, 31):
            fill(session, account(session, n), logged=30, people=5, promises=4, moves=2)
        for n in range(20):
            session.add(
                Case(
                    team_id=TEAM,
                    account_id=heavy.id or 0,
                    function="finance",
                    status="open" if n % 2 else "resolved",
                    origin_channel="CACME",
                    origin_ts=f"{n}.000100",
                    source_key=f"k{n}",
                    counterpart_channel="CFIN",
                    raised_by=OWNER,
                    created_at=NOW - timedelta(days=n),
                )
            )
        return heavy.id or 0


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm: the first run compiles the statements
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def shown(name: str, times: list[float], base: float) -> str:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    return (
        f"  {name:<10} median {median * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms   "
        f"ratio {median / base:5.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", nargs="?", const=POSTGRES, metavar="URL", help=f"default {POSTGRES}"
    )
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with fresh_database(args.postgres) as url:
        db = Database(url)
        db.upgrade()
        heavy_id = build(db)

        def card() -> object:
            with db.session() as session:
                found = session.get(Account, heavy_id)
                assert found is not None
                return card_render.account_card(
                    assessment.assess(session, found, TODAY, NOW, TIERS)
                )

        def home() -> object:
            with db.session() as session:
                built = home_service.build(
                    session, TEAM, OWNER, today=TODAY, now=NOW, tiers=TIERS
                )
                return home_render.home_view(built)

        def baseline() -> object:
            with db.session() as session:
                found = session.get(Account, heavy_id)
                last = session.exec(
                    select(Interaction)
                    .where(Interaction.account_id == heavy_id)
                    .order_by(col(Interaction.occurred_on).desc(), col(Interaction.id).desc())
                    .limit(1)
                ).first()
                return found, last

        base = timed(baseline, args.runs)
        cards = timed(card, args.runs)
        homes = timed(home, args.runs)
        blocks = len(home()["blocks"])  # type: ignore[index]
        db.dispose()
    backend = "postgresql" if args.postgres else "sqlite"
    base_median = statistics.median(base)
    print(
        f"card and App Home, {backend}: one account with 5,000 logged contacts, 200 key "
        f"contacts, 300 promises, 40 moves, 20 cases; its owner holds 31 accounts "
        f"({args.runs} runs each)"
    )
    print(shown("baseline", base, base_median) + "   (the account row + its last contact)")
    print(shown("card", cards, base_median))
    print(shown("home", homes, base_median) + f"   ({blocks} blocks)")
    worst = max(statistics.median(cards), statistics.median(homes))
    print(f"  {'within' if worst < 0.05 else 'OVER'} the 50 ms budget")


if __name__ == "__main__":
    _ = date  # dates are built from NOW
    main()
