"""Claiming outbox rows with several workers: the conditional UPDATE every backend runs, against
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (issue 12: "whatever measures best").

Queues `--rows` messages over `--channels` channels, then lets W workers (threads, each with its
own engine: separate connections, as separate processes would have) take every row:

- update (bot/delivery.py on SQLite): read a page of 50 due rows (bot.leases.due: the first
  unfinished row per channel), then claim each with the conditional UPDATE (bot.leases.claim);
  a row another worker claimed first costs one UPDATE that changes nothing;
- skip-locked (bot/delivery.py on PostgreSQL): in one transaction, select a page of 10 `FOR
  UPDATE SKIP LOCKED` and claim those with the same conditional UPDATE (bot.leases.take_page);
  other workers skip the rows being claimed.

Each claimed row is then finished as sent under its lease (bot.leases.owned), no Slack call, so
this measures the database's share of delivery alone. Prints rows claimed per second, the claims
lost to another worker, and skip-locked's time as a ratio of update's, measured in the same run.

    .venv/bin/python bench/claims.py [--postgres URL] [--rows 3000] [--channels 300]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import col, select

from bot.db import Database, fresh_database
from bot.delivery import PAGE as SKIP_PAGE
from bot.leases import claim, due, owned, take_page
from bot.models import OutboxMessage, OutboxStatus
from bot.outbox import OUTBOX

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
PAGE = 50
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def fill(db: Database, rows: int, channels: int) -> None:
    values = [
        {
            "key": f"bench:{n}",
            "channel": f"C{n % channels:05d}",
            "text": "x",
            "status": OutboxStatus.pending,
            "audience": "internal",
            "attempts": 0,
            "next_attempt_at": NOW,
            "created_at": NOW,
        }
        for n in range(rows)
    ]
    with db.session() as session:
        session.execute(OUTBOX.insert(), values)


def finish(db: Database, row: OutboxMessage, owner: str, lease: datetime) -> None:
    with db.session() as session:
        session.exec(owned(row, owner, lease).values(status=OutboxStatus.sent, lease_owner=None))


def by_update(db: Database, owner: str, lost: list[int]) -> bool:
    rows = due(db, NOW, PAGE)
    for row in rows:
        lease = claim(db, row, owner, NOW)
        if lease is None:
            lost[0] += 1
            continue
        finish(db, row, owner, lease)
    return bool(rows)


def by_skip_locked(db: Database, owner: str, lost: list[int]) -> bool:
    taken = take_page(db, owner, NOW, SKIP_PAGE)
    for row, lease in taken:
        finish(db, row, owner, lease)
    return bool(taken)


STRATEGIES = {"update": by_update, "skip-locked": by_skip_locked}


def run(
    url: str, rows: int, channels: int, workers: int, step: Callable[..., bool]
) -> tuple[float, int]:
    setup = Database(url)
    with setup.session() as session:
        session.execute(OUTBOX.delete())
    fill(setup, rows, channels)
    lost = [0]
    lock = threading.Lock()

    def work(n: int) -> None:
        db = Database(url)
        mine = [0]
        idle = 0
        while idle < 3:  # a few empty pages in a row: everything is taken
            idle = 0 if step(db, f"bench:{n}", mine) else idle + 1
        with lock:
            lost[0] += mine[0]
        db.dispose()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    with setup.session() as session:
        left = session.exec(
            select(OutboxMessage.id).where(col(OutboxMessage.status) != OutboxStatus.sent)
        ).all()
    setup.dispose()
    assert not left, f"{len(left)} rows never claimed"
    return elapsed, lost[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=POSTGRES, help="server URL (a scratch DB is made)")
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    with fresh_database(args.postgres) as url:
        Database(url).upgrade()
        print(f"{args.rows} rows, {args.channels} channels, PostgreSQL; pages {PAGE}, {SKIP_PAGE}")
        print(f"{'workers':>7} {'strategy':>12} {'seconds':>8} {'rows/s':>8} {'lost':>6} ratio")
        for workers in counts:
            base = 0.0
            for name, step in STRATEGIES.items():
                took, lost = run(url, args.rows, args.channels, workers, step)
                base = base or took
                print(
                    f"{workers:>7} {name:>12} {took:8.2f} {args.rows / took:8.0f} "
                    f"{lost:>6} {took / base:.2f}"
                )


if __name__ == "__main__":
    main()
