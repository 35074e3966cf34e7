"""A burst of `/logcontact`s: does the ack wait on the work?

Sends 600 signed `/logcontact` requests, shaped as Slack sends slash commands, from 16 and then
from 100 concurrent clients, to (a) Steward's real app served by the production server
(bot/web.py: waitress) on SQLite and on PostgreSQL, and (b) the baseline: a bare Bolt app on
the same server and thread count, whose /logcontact listener acks and then answers through the
response_url. Slack's Web API and the response_urls are the stand-in (bot/dev/standin.py), over
real HTTP; everything runs in this one process, on this machine, in the same run.

Measured: the ack (the HTTP round trip Slack waits on: p50, p99), the answer throughput (answers
arriving at the response_urls per second, from the first request sent to the last answer), and
that every request got its answer (a success, not an apology) and, for Steward, every contact
was stored (Interaction rows counted). Prints a table with the ratios to bare Bolt's figures.
Goals: ack p99 at most 1.5x bare Bolt's; throughput at least 0.5x; nothing lost.

    .venv/bin/python bench/burst.py [--requests 600] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy import func, text
from sqlmodel import select

from bot.config import Settings
from bot.db import Database, fresh_database
from bot.dev.local import signed_request
from bot.dev.standin import SlackStandIn
from bot.models import Interaction
from bot.steward import Steward
from bot.web import THREADS, WebApp, make_server
from handlers.app import create_app

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
SECRET = "burst-signing-secret"
USER, CHANNEL = "UBURST", "CBURST"
CONCURRENCY = (16, 100)
ACK_GOAL, RATE_GOAL = 1.5, 0.5
ANSWER_TIMEOUT = 90.0


@dataclass
class Served:
    """One app behind waitress: its URL, how to count what it stored, how to stop it."""

    name: str
    url: str
    stored: Callable[[], int | None]
    close: Callable[[], None]


@dataclass
class Burst:
    acks: list[float]
    seconds: float  # first request sent to last answer received
    answered: int
    good: int  # answers that say the contact was logged
    stored: int | None

    def p(self, q: float) -> float:
        ordered = sorted(self.acks)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


class Answers:
    """Counts the answers arriving at the stand-in's response_urls, by burst tag."""

    def __init__(self, standin: SlackStandIn) -> None:
        self.lock = threading.Condition()
        self.by_tag: dict[str, list[tuple[float, bool]]] = {}
        standin.add_listener(self.heard)

    def heard(self, kind: str, record: dict[str, Any]) -> None:
        if kind != "response":
            return
        tag = str(record["key"]).rsplit("-", 1)[0]
        payload = record["payload"]
        said = str(payload.get("text") or "") + str(payload.get("blocks") or "")
        good = "Logged" in said or "logged" in said
        with self.lock:
            self.by_tag.setdefault(tag, []).append((float(record["at"]), good))
            self.lock.notify_all()

    def wait(self, tag: str, count: int, timeout: float) -> list[tuple[float, bool]]:
        with self.lock:
            self.lock.wait_for(lambda: len(self.by_tag.get(tag, [])) >= count, timeout)
            return list(self.by_tag.get(tag, []))


def command_body(standin: SlackStandIn, key: str, text: str, number: int) -> bytes:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": standin.team_id,
            "team_domain": standin.team_domain,
            "channel_id": CHANNEL,
            "channel_name": "burst",
            "user_id": USER,
            "user_name": "burst",
            "command": "/logcontact",
            "text": text,
            "api_app_id": "A0STEWARD",
            "is_enterprise_install": "false",
            "response_url": standin.response_url(key),
            "trigger_id": f"{number}.{int(time.time())}.trigger",
        }
    ).encode()


def post(url: str, body: bytes) -> float:
    """One signed request as Slack sends it; the seconds until its HTTP response (the ack)."""
    request = signed_request(url, SECRET, body)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"HTTP {response.status} for a signed /logcontact")
    return time.perf_counter() - started


def burst(
    served: Served, standin: SlackStandIn, answers: Answers, tag: str, n: int, clients: int
) -> Burst:
    bodies = [
        command_body(
            standin, f"{tag}-{i}", f"acme call yesterday with Jan Kowalski: {tag} {i}", i
        )
        for i in range(n)
    ]
    before = served.stored()
    started = time.time()
    with ThreadPoolExecutor(clients, thread_name_prefix="bench-client") as pool:
        acks = list(pool.map(lambda body: post(served.url, body), bodies))
    heard = answers.wait(tag, n, ANSWER_TIMEOUT)
    after = served.stored()
    last = max((at for at, _ in heard), default=time.time())
    return Burst(
        acks=acks,
        seconds=last - started,
        answered=len(heard),
        good=sum(1 for _, good in heard if good),
        stored=None if after is None or before is None else after - before,
    )


@contextlib.contextmanager
def serving(web: WebApp) -> Iterator[tuple[str, Callable[[], None]]]:
    """The production server (same thread count as `steward serve`) on a free port."""
    server = make_server(web, "127.0.0.1", 0, threads=THREADS)
    thread = threading.Thread(target=lambda: _run(server), daemon=True)
    thread.start()
    web.ready.set()

    def close() -> None:
        server.close()
        thread.join(timeout=5)

    yield f"http://127.0.0.1:{server.effective_port}", close


def _run(server: Any) -> None:
    with contextlib.suppress(OSError):
        server.run()


@contextlib.contextmanager
def bare_bolt(api_url: str) -> Iterator[Served]:
    """The baseline: a Bolt app that acks, then answers through the response_url."""
    app = App(
        signing_secret=SECRET,
        client=WebClient(token="xoxb-bare", base_url=api_url),
        token_verification_enabled=False,
    )

    @app.command("/logcontact")
    def logcontact(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="Logged.", response_type="ephemeral")

    with serving(WebApp(app)) as (url, close):
        try:
            yield Served("bare Bolt", url, lambda: None, close)
        finally:
            close()


@contextlib.contextmanager
def steward(api_url: str, database_url: str) -> Iterator[Served]:
    """Steward as `steward serve` builds it (HTTP, outbox running), on `database_url`."""
    settings = Settings(
        bot_token="xoxb-burst",
        signing_secret=SECRET,
        database_url=database_url,
        slack_api_url=api_url,
        port=0,
    )
    st = Steward.from_settings(settings)
    st.db.upgrade()
    app = create_app(st, token_verification=False)

    def stored() -> int:
        with st.db.session() as session:
            return int(session.exec(select(func.count()).select_from(Interaction)).one())

    st.outbox.start()
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    with serving(WebApp(app, metrics=st.metrics)) as (url, close):
        try:
            yield Served(f"Steward, {backend}", url, stored, close)
        finally:
            close()
            st.work.shutdown(timeout=30)
            st.outbox.stop()
            st.db.dispose()


@contextlib.contextmanager
def apart(kind: str, api_url: str, database_url: str | None) -> Iterator[Served]:
    """The app under test in a process of its own, as in production, where Slack's side runs
    elsewhere: the clients' and the stand-in's work do not share its interpreter lock."""
    command = [sys.executable, __file__, "--serve", kind, "--api", api_url]
    command += ["--db", database_url] if database_url else []
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert child.stdout is not None and child.stdin is not None
    url = child.stdout.readline().decode().strip()
    if not url.startswith("http"):
        child.kill()
        raise SystemExit(f"the {kind} app did not start")
    counter = Database(database_url) if database_url else None

    def stored() -> int | None:
        if counter is None:
            return None
        with counter.session() as session:
            return int(session.exec(select(func.count()).select_from(Interaction)).one())

    backend = (database_url or "").split(":", 1)[0].split("+", 1)[0]
    name = "bare Bolt" if counter is None else f"Steward, {backend}"
    try:
        yield Served(name, url, stored, lambda: None)
    finally:
        child.stdin.close()  # the child stops when its stdin closes
        child.wait(timeout=60)
        if counter is not None:
            counter.dispose()


def serve_alone(kind: str, api_url: str, database_url: str | None) -> None:
    """`--serve`: run one app until stdin closes; its URL is the first line printed."""
    logging.getLogger("waitress").setLevel(logging.ERROR)
    context = bare_bolt(api_url) if kind == "bare" else steward(api_url, database_url or "")
    with context as served:
        print(served.url, flush=True)
        sys.stdin.read()


def prepare(served: Served, standin: SlackStandIn, answers: Answers) -> None:
    """The account the burst logs against (Steward), and a few warm-up requests (first
    connections, caches, imports) that are not measured."""
    if served.stored() is not None:
        setup(served, standin, answers)
    burst(served, standin, answers, f"warm{id(served)}", 20, 4)


def setup(served: Served, standin: SlackStandIn, answers: Answers) -> None:
    body = urlencode(
        {
            "team_id": standin.team_id,
            "channel_id": CHANNEL,
            "user_id": USER,
            "command": "/steward",
            "text": "account add Acme Rail",
            "response_url": standin.response_url(f"setup{id(served)}-0"),
            "trigger_id": "0.0.trigger",
        }
    ).encode()
    post(served.url, body)
    answers.wait(f"setup{id(served)}", 1, 10)


def postgres_reachable(url: str) -> str:
    from sqlalchemy import create_engine

    from bot.db import normalize_url

    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        return ""
    except Exception as error:
        return f"{type(error).__name__}"
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--postgres", default=POSTGRES, metavar="URL", help=f"default {POSTGRES}")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--in-process", action="store_true", help="serve each app in this process (one GIL)"
    )
    parser.add_argument("--serve", choices=["bare", "steward"], help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_alone(args.serve, args.api, args.db)
        return
    logging.getLogger("waitress").setLevel(logging.ERROR)  # "Task queue depth" under a burst
    n = args.requests
    standin = SlackStandIn().start()
    standin.add_user(USER, "burst", tz="Europe/Warsaw")
    standin.add_channel(CHANNEL, "burst")
    answers = Answers(standin)
    backends: list[str | None] = [None]
    if not args.no_postgres:
        why = postgres_reachable(args.postgres)
        if why:
            print(f"PostgreSQL at {args.postgres} unreachable ({why}): skipped")
        else:
            backends.append(args.postgres)
    results: dict[tuple[str, int], Burst] = {}
    started = time.monotonic()
    api = standin.api_url
    bare_app = bare_bolt(api) if args.in_process else apart("bare", api, None)
    with bare_app as bare:
        prepare(bare, standin, answers)
        for clients in CONCURRENCY:
            tag = f"bare{clients}"
            results[(bare.name, clients)] = burst(bare, standin, answers, tag, n, clients)
    names = [bare.name]
    for server in backends:
        with fresh_database(server) as url, (
            steward(standin.api_url, url)
            if args.in_process
            else apart("steward", standin.api_url, url)
        ) as served:
            prepare(served, standin, answers)
            names.append(served.name)
            for clients in CONCURRENCY:
                tag = f"{served.name.split()[-1]}{clients}"
                results[(served.name, clients)] = burst(served, standin, answers, tag, n, clients)
    standin.stop()
    where = "in this one process" if args.in_process else "each in a process of its own"
    report(results, names, n, time.monotonic() - started, where)


def report(
    results: dict[tuple[str, int], Burst], names: list[str], n: int, took: float, where: str
) -> None:
    print(f"\nA burst of {n} signed /logcontact requests, waitress with {THREADS} threads")
    print(f"  (the apps served {where}; clients and the Slack stand-in in this one)")
    print(f"  (all runs: {took:.0f} s)")
    header = (
        f"  {'clients':>7}  {'app':<20} {'ack p50':>8} {'ack p99':>8} {'answers/s':>9}"
        f" {'answered':>9} {'stored':>7}   {'p99 vs bare':>11} {'rate vs bare':>12}"
    )
    print(header)
    failures = []
    for clients in CONCURRENCY:
        base = results[(names[0], clients)]
        for name in names:
            r = results[(name, clients)]
            p99_ratio, rate_ratio = r.p(0.99) / base.p(0.99), r.rate / base.rate
            stored = "-" if r.stored is None else str(r.stored)
            print(
                f"  {clients:>7}  {name:<20} {r.p(0.5) * 1000:6.1f}ms {r.p(0.99) * 1000:6.1f}ms"
                f" {r.rate:9.1f} {r.good:>4}/{n:<4} {stored:>7}"
                f"   {p99_ratio:10.2f}x {rate_ratio:11.2f}x"
            )
            if name == names[0]:
                continue
            if p99_ratio > ACK_GOAL:
                failures.append(f"{name}, {clients} clients: ack p99 {p99_ratio:.2f}x bare Bolt's")
            if rate_ratio < RATE_GOAL:
                failures.append(f"{name}, {clients} clients: throughput {rate_ratio:.2f}x")
            if r.good != n or r.stored != n:
                failures.append(f"{name}, {clients} clients: {r.good} answers, {r.stored} stored")
    goals = f"ack p99 <= {ACK_GOAL}x bare Bolt's, throughput >= {RATE_GOAL}x, nothing lost"
    print(f"\nGoals ({goals}): " + ("all met" if not failures else "MISSED"))
    for failure in failures:
        print(f"  missed: {failure}")


if __name__ == "__main__":
    main()
