"""The digest's planning step on a large workspace, against one hand-written SQL query.

Builds a synthetic workspace (default: 100,000 accounts, 1,000 reps, 2,000,000 interactions,
300,000 promises; generated inside the database, so building it is quick), then, as of a Monday
evening when every rep's 09:00 has passed, times:

- plan: `scheduler.jobs.due_reps` + `bot.digest.service.plan`, what the scheduled job does
  before queueing: who is due, their silent accounts with the last contact's summary, their
  key accounts too quiet to trust (no concern logged, no case, no client message in 60 days),
  their promises overdue or due by tomorrow, and escalations;
- baseline: the same selection as one hand-written SQL query, rows fetched, in the same run.

Prints the best of three runs of each, their ratio, the Python heap's peak during a fourth,
untimed planning run (tracemalloc) and the process's peak RSS.

    .venv/bin/python bench/digest.py [--postgres [URL]] [--accounts 100000] ...
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import text

from bot.config import Settings
from bot.db import fresh_database
from bot.digest import service
from bot.steward import Steward
from scheduler.jobs import due_reps

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TEAM = "TBENCH"
TODAY = date(2026, 11, 23)  # a Monday
AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # 09:00 has passed in every zone below
ZONES = ["Europe/Warsaw", "Europe/London", "America/New_York", "America/Los_Angeles"]


FILL_LAST_CONTACT = (
    "UPDATE account SET last_contact_on = "
    "(SELECT max(i.occurred_on) FROM interaction i WHERE i.account_id = account.id)"
)


def build(
    st: Steward, accounts: int, reps: int, interactions: int, promises: int, silent_every: int = 0
) -> None:
    """Fill the database with SQL run by the database itself (no Python loop per row).
    `silent_every`: every so many accounts has no contact in the last 35 days (silent, at any
    number of interactions); 0: every account's contacts are spread over 120 days."""
    sqlite = st.db.is_sqlite
    per_account = max(1, interactions // accounts)
    per_account_promises = max(1, promises // accounts)
    if sqlite:
        seq = "WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {top})"
        rand = "(abs(random()) % {m})"
        day_back = "date('2026-11-23', '-' || {r} || ' days')"
        day_fwd = "date('2026-11-23', ({r} - 30) || ' days')"
        created = "'2026-01-05 10:00:00.000000'"
        fetched = "'2026-11-23 08:00:00.000000'"
        series = ""
    else:
        seq = ""
        rand = "floor(random() * {m})::int"
        day_back = "(date '2026-11-23' - {r})"
        day_fwd = "(date '2026-11-23' + ({r} - 30))"
        created = "timestamptz '2026-01-05 10:00:00+00'"
        fetched = "timestamptz '2026-11-23 08:00:00+00'"
        series = "generate_series(0, {top}) AS seq(n)"

    def source(top: int) -> tuple[str, str]:
        """(prefix, FROM clause) yielding n = 0..top."""
        if sqlite:
            return seq.format(top=top), "seq"
        return "", series.format(top=top)

    def run(sql: str) -> None:
        with st.db.engine.begin() as connection:
            if not sqlite:
                connection.execute(text("SELECT setseed(0.42)"))
            connection.execute(text(sql))

    prefix, src = source(reps - 1)
    zones = " ".join(f"WHEN {i} THEN '{zone}'" for i, zone in enumerate(ZONES))
    run(
        f"{prefix} INSERT INTO member (team_id, user_id, tz, tz_fetched_at, digest_off) "
        f"SELECT '{TEAM}', 'U' || n, CASE n % {len(ZONES)} {zones} END, {fetched}, false "
        f"FROM {src}"
    )
    prefix, src = source(accounts - 1)
    tier = "CASE WHEN n % 10 = 0 THEN 'strategic' WHEN n % 10 < 4 THEN 'key' ELSE 'standard' END"
    run(
        f"{prefix} INSERT INTO account (id, team_id, name, name_key, slug, owner_id, tier, stage, "
        f"silence_days, created_at, created_by) "
        f"SELECT n + 1, '{TEAM}', 'Account ' || n, 'account ' || n, 'account-' || n, "
        f"'U' || (n % {reps}), {tier}, 'responsive', "
        f"CASE WHEN n % 50 = 0 THEN 10 END, {created}, 'U0' FROM {src}"
    )
    prefix, src = source(accounts * per_account - 1)
    back = day_back.format(r=rand.format(m=120))
    if silent_every:
        older = f"35 + {rand.format(m=85)}"
        back = day_back.format(
            r=f"CASE WHEN ((n % {accounts}) + 1) % {silent_every} = 0 THEN {older} "
            f"ELSE {rand.format(m=120)} END"
        )
    run(
        f"{prefix} INSERT INTO interaction (account_id, kind, occurred_on, summary, concern, "
        f"logged_by, created_at) SELECT (n % {accounts}) + 1, 'call', {back}, "
        f"'talked about renewal, item ' || n, n % 40 = 7, 'U' || (n % {reps}), {created} "
        f"FROM {src}"
    )
    run(FILL_LAST_CONTACT)  # what logging them keeps on the account (migration 0009's backfill)
    spoke = (  # a third of the accounts heard from their client's people lately
        "strftime('%Y-%m-%d %H:%M:%f', '2026-11-23', '-' || (id % 120) || ' days')"
        if sqlite
        else "timestamptz '2026-11-23 00:00:00+00' - (id % 120) * interval '1 day'"
    )
    run(f"UPDATE account SET client_spoke_at = {spoke} WHERE id % 3 = 0")
    prefix, src = source(accounts * per_account_promises - 1)
    due = day_fwd.format(r=rand.format(m=60))
    status = f"CASE WHEN {rand.format(m=10)} < 7 THEN 'kept' ELSE 'open' END"
    run(
        f"{prefix} INSERT INTO promise (account_id, what, owner_id, due_on, status, created_by, "
        f"created_at) SELECT (n % {accounts}) + 1, 'send the quote ' || n, "
        f"'U' || ({rand.format(m=reps)}), {due}, {status}, 'U0', {created} FROM {src}"
    )
    with st.db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def hand_written(sqlite: bool) -> str:
    """The same selection, written by hand as one query."""
    if sqlite:
        cutoff = "date('2026-11-23', '-' || t.threshold || ' days')"
        created = "date(a.created_at)"
        spoke = "date(a.client_spoke_at)"
        tomorrow, escalate, quiet = "'2026-11-24'", "'2026-11-20'", "'2026-09-24'"
    else:
        cutoff = "(date '2026-11-23' - t.threshold)"
        created = "CAST(a.created_at AT TIME ZONE 'UTC' AS DATE)"
        spoke = "CAST(a.client_spoke_at AT TIME ZONE 'UTC' AS DATE)"
        tomorrow, escalate, quiet = "DATE '2026-11-24'", "DATE '2026-11-20'", "DATE '2026-09-24'"
    return f"""
    WITH t AS (
        SELECT a.id, a.owner_id,
               coalesce((SELECT max(i.occurred_on) FROM interaction i WHERE i.account_id = a.id),
                        {created}) AS since,
               coalesce(a.silence_days, CASE a.tier WHEN 'strategic' THEN 14 WHEN 'key' THEN 21
                                        ELSE 30 END) AS threshold
        FROM account a WHERE a.team_id = '{TEAM}'
    ), silent AS (
        SELECT t.id, t.owner_id, t.since FROM t WHERE t.since < {cutoff}
    ), last AS (
        SELECT i.account_id, i.summary,
               row_number() OVER (PARTITION BY i.account_id
                                  ORDER BY i.occurred_on DESC, i.id DESC) AS k
        FROM interaction i WHERE i.account_id IN (SELECT id FROM silent)
    )
    SELECT 'silent', s.owner_id, s.id, CAST(s.since AS TEXT), l.summary
    FROM silent s LEFT JOIN last l ON l.account_id = s.id AND l.k = 1
    UNION ALL
    SELECT 'quiet', a.owner_id, a.id, CAST({created} AS TEXT), a.name
    FROM account a WHERE a.team_id = '{TEAM}' AND a.tier IN ('strategic', 'key')
      AND {created} < {quiet} AND (a.client_spoke_at IS NULL OR {spoke} < {quiet})
      AND NOT EXISTS (SELECT 1 FROM interaction i
                      WHERE i.account_id = a.id AND i.concern AND i.occurred_on >= {quiet})
      AND NOT EXISTS (SELECT 1 FROM "case" c WHERE c.account_id = a.id)
    UNION ALL
    SELECT 'promise', p.owner_id, p.id, CAST(p.due_on AS TEXT), a.owner_id
    FROM promise p JOIN account a ON a.id = p.account_id
    WHERE a.team_id = '{TEAM}' AND p.status = 'open'
      AND (p.due_on <= {tomorrow}
           OR (p.owner_id <> a.owner_id AND p.due_on < {escalate}))
    """


def best_of(fn: Callable[[], int], runs: int = 3) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - started)
    return min(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", nargs="?", const=POSTGRES, metavar="URL", help=f"default {POSTGRES}"
    )
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=1_000)
    parser.add_argument("--interactions", type=int, default=2_000_000)
    parser.add_argument("--promises", type=int, default=300_000)
    args = parser.parse_args()
    with fresh_database(args.postgres) as url:
        st = Steward.from_settings(Settings(bot_token="xoxb-bench", database_url=url))
        st.db.upgrade()
        started = time.perf_counter()
        build(st, args.accounts, args.reps, args.interactions, args.promises)
        built = time.perf_counter() - started

        def planning() -> int:
            reps = due_reps(st, AS_OF)
            with st.db.session() as session:
                digests = service.plan(session, reps, st.settings.silence_days)
            return sum(d.count for d in digests)

        def baseline() -> int:
            with st.db.engine.connect() as connection:
                return len(connection.execute(text(hand_written(st.db.is_sqlite))).all())

        plan_s, items = best_of(planning)
        base_s, rows = best_of(baseline)
        tracemalloc.start()  # slows Python down: a run of its own, not timed
        planning()
        _, heap_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        st.db.dispose()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = "postgresql" if args.postgres else "sqlite"
    print(
        f"digest planning, {backend}: {args.accounts:,} accounts, {args.reps:,} reps, "
        f"{args.interactions:,} interactions, {args.promises:,} promises (built in {built:.1f} s)"
    )
    print(
        f"  plan (due_reps + plan)   {plan_s:6.2f} s   {items:,} digest items "
        "(a promise escalated to the account's owner is in two digests)"
    )
    print(f"  baseline: one SQL query  {base_s:6.2f} s   {rows:,} rows")
    print(
        f"  ratio {plan_s / base_s:.2f}x   python heap peak {heap_peak / 2**20:.0f} MB   "
        f"process peak RSS {rss_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
