"""Does the digest plan's cost grow with history? The same workspace with N logged contacts and
with 2,000,000 (the baseline), in one run.

For each size, builds a fresh database with bench/digest.py's builder (100,000 accounts,
1,000 reps, 300,000 promises; one account in five with no contact in 35 days, so both sizes
have the same silent accounts to list; rows generated inside the database: PostgreSQL's
generate_series, SQLite's recursive CTE; load time printed apart), then times the digest plan
as the scheduler's digest job computes it for all reps (`scheduler.jobs.due_reps` +
`bot.digest.service.plan`: silent accounts with their last contact, accounts too quiet to
trust, promises due, escalations): both databases built first, then planned alternately,
best of seven each. The issue's goal: 20,000,000 logged contacts
cost at most 1.3x what 2,000,000 do, on both backends.

    .venv/bin/python bench/nudges.py --interactions 20000000 --backend postgresql
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import ExitStack
from dataclasses import dataclass, field

from bench.digest import AS_OF, POSTGRES, build
from bot.config import Settings
from bot.db import fresh_database
from bot.digest import service
from bot.steward import Steward
from scheduler.jobs import due_reps

BASELINE = 2_000_000
RUNS = 7  # timed plans of each size


@dataclass
class Built:
    interactions: int
    st: Steward
    load_s: float
    times: list[float] = field(default_factory=list)
    items: int = 0

    def plan(self) -> None:
        """One timed digest plan, as the scheduler's digest job computes it."""
        started = time.perf_counter()
        reps = due_reps(self.st, AS_OF)
        with self.st.db.session() as session:
            digests = service.plan(session, reps, self.st.settings.silence_days)
        self.times.append(time.perf_counter() - started)
        self.items = sum(d.count for d in digests)


def built(args: argparse.Namespace, url: str, interactions: int) -> Built:
    st = Steward.from_settings(Settings(bot_token="xoxb-bench", database_url=url))
    st.db.upgrade()
    started = time.perf_counter()
    build(st, args.accounts, args.reps, interactions, args.promises, args.silent_every)
    found = Built(interactions, st, time.perf_counter() - started)
    print(f"  {interactions:>12,} interactions: loaded in {found.load_s:7.1f} s", flush=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", type=int, default=2_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES, help=f"default {POSTGRES}")
    parser.add_argument("--baseline", type=int, default=BASELINE, help="interactions, baseline")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=1_000)
    parser.add_argument("--promises", type=int, default=300_000)
    parser.add_argument(
        "--silent-every", type=int, default=5, help="every so many accounts is silent"
    )
    args = parser.parse_args()
    print(
        f"digest plan, {args.backend}: {args.accounts:,} accounts, {args.reps:,} reps, "
        f"{args.promises:,} promises",
        flush=True,
    )
    server = args.postgres_url if args.backend == "postgresql" else None
    with ExitStack() as stack:
        base = built(args, stack.enter_context(fresh_database(server)), args.baseline)
        big = built(args, stack.enter_context(fresh_database(server)), args.interactions)
        for _ in range(RUNS):  # alternately: the machine's other load falls on both alike
            base.plan()
            big.plan()
        for one in (base, big):
            one.st.db.dispose()
            print(
                f"  {one.interactions:>12,} interactions: plan {min(one.times):6.3f} s "
                f"(best of {RUNS}; median {statistics.median(one.times):.3f} s), "
                f"{one.items:,} digest items"
            )
    ratio = min(big.times) / min(base.times)
    print(
        f"  ratio {ratio:.2f}x ({big.interactions:,} against {base.interactions:,} interactions; "
        f"goal <= 1.30x: {'met' if ratio <= 1.3 else 'NOT met'})"
    )

if __name__ == "__main__":
    main()
