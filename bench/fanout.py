"""A digest fan-out under Slack's rate limits: 1,000 reps' digests, against the minimum time the
limits allow and against a bare slack_sdk loop posting the same messages, in the same run.

The Slack Web API is the stand-in (bot/dev/standin.py) over real HTTP, enforcing Slack's tiers
(bot/dev/limits.py: conversations.open/info/history 50 a minute per workspace, chat.postMessage
one a second per channel with bursts of 3, an optional workspace-wide rate, 429 + Retry-After
past them), compressed `--scale` times (Retry-After stays whole seconds, as Slack's).

- Steward: each rep owns an account with a promise due today, so each has a digest due now.
  Timed: planning and queueing (`scheduler.jobs.send_digests`, what the scheduled tick does),
  then delivery (the outbox worker, one thread, as in one `steward serve`) until every digest
  row is `sent`.
- baseline: a bare slack_sdk WebClient (RateLimitErrorRetryHandler honouring Retry-After)
  posting the same 1,000 texts and blocks to each rep's user id, one after the other.
- minimum: what the limits allow. Posted to a user id, each DM takes one post in its own
  channel (within the burst), so only the workspace-wide rate binds: (N - burst) / rate, or
  nothing when no rate is set. Opening each DM first with conversations.open (Tier 3) takes at
  least (N - burst) / (50 a minute). Both are printed, in Slack's time and in this run's time.

Checks that each digest landed exactly once (the stand-in counts posts by outbox key).
Goal (issue 12): Steward's plan + delivery within 2x the minimum, each digest once.

    .venv/bin/python bench/fanout.py [--reps 1000] [--scale 10] [--workspace-rate 10]
                                     [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlmodel import col, func, select

from bot.config import Settings
from bot.db import fresh_database
from bot.dev.limits import Tiers
from bot.dev.standin import SlackStandIn
from bot.models import Account, Member, OutboxMessage, OutboxStatus, Promise
from bot.outbox import UNFINISHED
from bot.steward import Steward
from scheduler.jobs import send_digests

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TEAM = "T0001"  # the stand-in's workspace
GOAL = 2.0


def workday_zone(now: datetime) -> ZoneInfo:
    """A zone where today is a workday (every rep's digest, at 00:00 there, is due now)."""
    for hours in range(-12, 15):
        tz = ZoneInfo(f"Etc/GMT{-hours:+d}" if hours else "UTC")
        if now.astimezone(tz).weekday() < 5:
            return tz
    raise SystemExit("no zone has a workday now (Saturday noon to Sunday 10:00 UTC): run later")


def seed(st: Steward, standin: SlackStandIn, reps: int, tz: ZoneInfo, now: datetime) -> None:
    today = now.astimezone(tz).date()
    with st.db.session() as session:
        for r in range(reps):
            user = f"UFAN{r:05d}"
            standin.add_user(user, user.lower(), tz=tz.key)
            session.add(Member(team_id=TEAM, user_id=user, tz=tz.key, tz_fetched_at=now,
                               org_team_id=TEAM, digest_time="00:00"))  # fmt: skip
            session.add(Account(id=r + 1, team_id=TEAM, name=f"Account {r}",
                                name_key=f"account {r}", slug=f"account-{r}", owner_id=user,
                                created_at=now, created_by=user))  # fmt: skip
            session.add(Promise(account_id=r + 1, what=f"send the quote {r}", owner_id=user,
                                due_on=today, created_by=user, created_at=now))  # fmt: skip


def tiers(args: argparse.Namespace) -> Tiers:
    return Tiers(scale=args.scale, workspace_per_second=args.workspace_rate)


def minimum(reps: int, limits: Tiers) -> tuple[float, float]:
    """Slack-time seconds the limits allow: (posting to user ids, opening each DM first)."""
    rate = limits.workspace_per_second
    by_user_id = max(0, reps - limits.workspace_burst) / rate if rate else 0.0
    per_open = 60 / limits.per_minute["conversations.open"]
    by_open = max(by_user_id, max(0, reps - limits.method_burst) * per_open)
    return by_user_id, by_open


def outcomes(st: Steward) -> Counter[str]:
    """The digest rows by status."""
    with st.db.session() as session:
        query = select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
        return Counter({status: count for status, count in session.exec(query)})


def run_steward(
    st: Steward, now: datetime, timeout: float
) -> tuple[int, float, float, Counter[str]]:
    """Queued, planning seconds, delivery seconds (until no row is waiting), rows by status."""
    started = time.perf_counter()
    queued = send_digests(st, now)
    planned = time.perf_counter()
    st.outbox.start()
    deadline = time.monotonic() + timeout
    while sum(outcomes(st)[s] for s in UNFINISHED) and time.monotonic() < deadline:
        time.sleep(0.05)
    done = time.perf_counter()
    st.outbox.stop()
    return queued, planned - started, done - planned, outcomes(st)


def run_baseline(st: Steward, standin: SlackStandIn) -> float:
    """The same messages, posted to each rep's user id by a bare slack_sdk loop."""
    with st.db.session() as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    client = WebClient(token="xoxb-bench", base_url=standin.api_url, timeout=10)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=100))
    started = time.perf_counter()
    for row in rows:
        payload = {"key": "baseline:" + row.key}
        client.chat_postMessage(channel=row.channel.removeprefix("@"), text=row.text,
                                blocks=row.blocks, metadata={"event_type": "steward_outbox",
                                "event_payload": payload})  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", nargs="?", const=POSTGRES, metavar="URL", help=f"default {POSTGRES}"
    )
    parser.add_argument("--reps", type=int, default=1_000)
    parser.add_argument("--scale", type=float, default=10.0, help="run Slack's limits N x faster")
    parser.add_argument(
        "--workspace-rate", type=float, default=None, metavar="PER_SECOND",
        help="chat.postMessage's workspace-wide limit (Slack publishes no number; default none)",
    )  # fmt: skip
    args = parser.parse_args()
    now = datetime.now(UTC)
    tz = workday_zone(now)
    limits = tiers(args)
    timeout = max(120.0, 4 * minimum(args.reps, limits)[1] / args.scale)
    logging.getLogger().addHandler(logging.NullHandler())  # counted below, not logged
    with SlackStandIn() as standin, fresh_database(args.postgres) as url:
        settings = Settings(bot_token="xoxb-bench", database_url=url, slack_api_url=standin.api_url,
                            outbox_interval=1 / args.scale)  # fmt: skip
        st = Steward.from_settings(settings)
        st.db.upgrade()
        seed(st, standin, args.reps, tz, now)
        standin.tiers = limits
        queued, plan_s, deliver_s, rows = run_steward(st, now, timeout)
        steward_posts = Counter(standin.posted)
        methods = Counter(call["method"] for call in standin.calls)
        throttled = sum(1 for call in standin.calls if call["status"] == 429)
        standin.tiers = tiers(args)  # the same limits, fresh
        base_s = run_baseline(st, standin)
        st.db.dispose()
    report(args, queued, plan_s, deliver_s, rows, steward_posts, methods, throttled, base_s)


def report(
    args: argparse.Namespace,
    queued: int,
    plan_s: float,
    deliver_s: float,
    rows: Counter[str],
    posts: Counter[str],
    methods: Counter[str],
    throttled: int,
    base_s: float,
) -> None:
    by_user_id, by_open = minimum(args.reps, tiers(args))
    twice = sum(1 for n in posts.values() if n > 1)
    total = plan_s + deliver_s
    backend = "postgresql" if args.postgres else "sqlite"
    rate = f"{args.workspace_rate:g}/s" if args.workspace_rate else "no"
    print(f"digest fan-out, {backend}: {args.reps:,} reps, Slack's tiers x{args.scale:g}, "
          f"{rate} workspace-wide limit")  # fmt: skip
    print(f"  steward   plan+queue {plan_s:6.2f} s  delivery {deliver_s:6.2f} s  "
          f"total {total:6.2f} s ({total * args.scale:,.0f} s of Slack time)")  # fmt: skip
    left = queued - rows[OutboxStatus.sent]
    print(f"            {queued:,} queued, {len(posts):,} landed, {twice} twice, rows "
          f"{dict(rows)}, {throttled} calls answered 429")  # fmt: skip
    print("            calls: " + ", ".join(f"{m} {n}" for m, n in sorted(methods.items())))
    print(f"  baseline  bare slack_sdk loop, posts to user ids  {base_s:6.2f} s   "
          f"steward / baseline {total / base_s:.2f}x")  # fmt: skip
    for name, bound in (("posting to user ids", by_user_id), ("opening each DM", by_open)):
        wall = bound / args.scale
        ratio = f"steward / minimum {total / wall:.2f}x" if wall else "no bound: nothing binds"
        print(f"  minimum {name:20} {bound:7,.0f} s of Slack time = {wall:6.2f} s here   {ratio}")
    if by_user_id:
        met = total <= GOAL * by_user_id / args.scale and not twice and not left
        print(f"  goal (within {GOAL:g}x the minimum, each once): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
