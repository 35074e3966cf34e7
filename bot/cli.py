"""`steward`: serve the bot, run its scheduler, manage the database.

Every failure an operator can fix (a bad setting, the database or Slack not answering, the
port taken) ends in one line on stderr, `steward: …`, and an exit code of its own (see
bot/config.py and the README's Operations section).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.config import (
    ConfigError,
    DatabaseUnavailable,
    PortUnavailable,
    Settings,
    SlackUnavailable,
    load_settings,
    mask_secret,
    mask_url,
    scrub,
)

if TYPE_CHECKING:
    from bot.db import Database
    from bot.steward import Steward

log = logging.getLogger("steward")
SLACK_AUTH_ERRORS = {
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "account_inactive",
    "not_allowed_token_type",
}


# -- start-up checks: each failure is one line ---------------------------------------------------
@contextmanager
def database_errors(settings: Settings) -> Iterator[None]:
    """Connection failures (server down, no such database or role, bad password) as one line."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as error:
        reason = "; ".join(
            line.strip() for line in str(error.orig or error).splitlines() if line.strip()
        )
        raise DatabaseUnavailable(
            f"cannot use the database at DATABASE_URL={mask_url(settings.database_url)}: "
            f"{scrub(reason, settings.secrets())}"
        ) from None


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    from bot.db import Database

    db = Database(settings.database_url)
    with database_errors(settings):
        if migrate:
            db.upgrade()
        else:
            with db.engine.connect():
                pass
    return db


def check_slack(st: Steward, *, must_reach: bool = True) -> bool:
    """`auth.test` once at start: a refused token or an unreachable Slack is one line.

    With `must_reach` False (Socket Mode, which keeps trying to connect), an unreachable
    Slack is only reported: the answer is whether Slack was reached.
    """
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError
    from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

    api = st.settings.slack_api_url or "https://slack.com/api/"
    quiet = logging.getLogger("steward.startup")  # the one line below says it all
    quiet.setLevel(logging.CRITICAL)
    client = WebClient(
        token=st.client.token,
        base_url=st.client.base_url,
        timeout=10,
        logger=quiet,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )
    try:
        client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error", "")) if error.response else ""
        status = error.response.status_code if error.response else 0
        if status < 400 and code in SLACK_AUTH_ERRORS:
            raise SlackUnavailable(
                f"SLACK_BOT_TOKEN {mask_secret(st.settings.bot_token)} was refused by Slack "
                f"({code}): copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"
            ) from None
        problem = SlackUnavailable(
            f"Slack answered auth.test with HTTP {status} {code} at SLACK_API_URL={api}; "
            "try again later, or check SLACK_API_URL"
        )
    except Exception as error:  # network: DNS, refused, timeout, TLS
        reason = scrub(f"{type(error).__name__}: {error}", st.settings.secrets())
        problem = SlackUnavailable(
            f"Slack is unreachable at SLACK_API_URL={mask_url(api)} ({reason}); check the "
            "network, or SLACK_API_URL"
        )
    else:
        return True
    if must_reach:
        raise problem
    log.warning("%s; Socket Mode keeps trying", problem)
    return False


def check_listen_address(host: str, port: int) -> None:
    """HOST must resolve and HOST:PORT must be free, before anything else starts."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as error:
        raise ConfigError(
            f"HOST {host!r} does not resolve ({error}); use an address of this machine, "
            "like HOST=0.0.0.0 (all) or HOST=127.0.0.1"
        ) from None
    probe = socket.socket(family, kind, proto)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
    except OSError as error:
        raise port_error(host, port, error) from None
    finally:
        probe.close()


def port_error(host: str, port: int, error: OSError) -> ConfigError:
    if error.errno == errno.EADDRINUSE:
        why = "is in use by another process; stop it or choose another PORT"
    elif error.errno == errno.EACCES:
        why = "is not ours to take (ports below 1024 need privileges); use e.g. PORT=3000"
    elif error.errno == errno.EADDRNOTAVAIL:
        return ConfigError(f"HOST {host!r} is not an address of this machine; use HOST=0.0.0.0")
    else:
        why = f"cannot be listened on ({error.strerror or error})"
    return PortUnavailable(f"PORT {port} on HOST {host} {why}")


class Stopper:
    """SIGTERM and SIGINT set `event`; the main thread then shuts down in order."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal = ""

    def install(self) -> Stopper:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        return self

    def _stop(self, number: int, _frame: Any) -> None:
        self.signal = signal.Signals(number).name
        self.event.set()

    def wait(self) -> None:
        while not self.event.wait(1.0):
            pass


def waiting_messages(st: Steward) -> str:
    """'3 message(s) still queued' for the shutdown line (they go out at the next start)."""
    from sqlalchemy import func, select

    from bot.models import OutboxMessage

    try:
        with st.db.engine.connect() as connection:
            count = connection.execute(
                select(func.count()).where(OutboxMessage.status.in_(("pending", "unknown")))
            ).scalar_one()
    except Exception:
        return "queue not readable"
    return f"{count} message(s) still queued"


# -- commands -----------------------------------------------------------------------------------
def serve(settings: Settings, *, scheduler: bool = True) -> int:
    from bot.app import create_app
    from bot.steward import Steward
    from bot.web import WebApp, make_server
    from scheduler.runner import build

    settings.require_slack()
    check_listen_address(settings.host, settings.port)
    open_database(settings).dispose()
    st = Steward.from_settings(settings)
    reached = check_slack(st, must_reach=not settings.app_token)
    app = create_app(st, token_verification=reached)  # else Bolt's auth.test comes later
    runner = None
    if settings.app_token:
        from bot.socket import SocketMode

        runner = SocketMode(app, settings.app_token, metrics=st.metrics)
        web = WebApp(app, metrics=st.metrics, health=runner.health, slack_route=False)
    else:
        web = WebApp(app, metrics=st.metrics)
    try:
        server = make_server(web, settings.host, settings.port)
    except OSError as error:
        raise port_error(settings.host, settings.port, error) from None
    stopper = Stopper().install()
    if runner:  # the first attempt now: a refused app token stops here, in one line
        runner.step()
    st.outbox.start()
    jobs = build(st, blocking=False) if scheduler else None
    if jobs:
        jobs.start()
    thread = threading.Thread(target=_serve_http, args=(server,), name="steward-http", daemon=True)
    thread.start()
    web.ready.set()
    where = f"http://{settings.host}:{server.effective_port}"
    with_jobs = "with its scheduler" if jobs else "without a scheduler (--no-scheduler)"
    try:
        if runner:
            log.info("Steward serving %s/healthz and /metrics, %s; Socket Mode", where, with_jobs)
            threading.Thread(target=_stop_on, args=(stopper, runner), daemon=True).start()
            runner.run()
        else:
            log.info("Steward listening on %s/slack/events, %s", where, with_jobs)
            stopper.wait()
    finally:
        if runner:
            runner.close()
        server.close()
        thread.join(timeout=5)
        finished = st.work.shutdown()  # what was acked gets done (its messages queued)
        if jobs:
            jobs.shutdown(wait=True)
        st.outbox.stop()
        log.info(
            "Steward stopped (%s): web server closed, %s, %s, outbox stopped, %s",
            stopper.signal or "error",
            "work finished" if finished else "work unfinished",
            "scheduler stopped" if jobs else "no scheduler",
            waiting_messages(st),
        )
        st.db.dispose()
    return 0


def _serve_http(server: Any) -> None:
    with contextlib.suppress(OSError):  # close() from the main thread ends the loop so
        server.run()


def _stop_on(stopper: Stopper, runner: Any) -> None:
    stopper.wait()
    runner.stop()


def run_scheduler(settings: Settings) -> int:
    """The scheduler alone, for deployments that keep it apart from the web processes."""
    from bot.steward import Steward
    from scheduler.runner import build

    settings.require_token()
    open_database(settings).dispose()
    st = Steward.from_settings(settings)
    check_slack(st)
    stopper = Stopper().install()
    st.outbox.start()
    jobs = build(st, blocking=False)
    jobs.start()
    log.info("Steward's scheduler is running, every %d s", settings.tick_seconds)
    try:
        stopper.wait()
    finally:
        jobs.shutdown(wait=True)
        st.outbox.stop()
        log.info(
            "Steward's scheduler stopped (%s): scheduler and outbox stopped, %s",
            stopper.signal or "error",
            waiting_messages(st),
        )
        st.db.dispose()
    return 0


def as_of_moment(text: str | None) -> datetime | None:
    """`--as-of 2026-12-01T09:00+01:00` (UTC when no offset is given)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"--as-of takes an ISO date-time like 2026-12-01T09:00 or 2026-12-01T09:00+01:00, "
            f"got {text!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def nudges(settings: Settings, task: str, as_of_text: str | None) -> int:
    """`nudges run`: the nudges job once, then deliver; `nudges preview`: print, send nothing."""
    from bot import nudges as digest
    from bot.dev.local import rendered
    from bot.steward import Steward

    as_of = as_of_moment(as_of_text)
    if task == "run":
        settings.require_token()
    st = Steward.from_settings(settings)
    st.db.upgrade()
    if as_of:  # everything, delivery and expiry included, acts as if it were that moment
        st.clock.offset = as_of - st.clock.now()
    moment = as_of or st.clock.now()
    if task == "preview":
        reps = digest.due_reps(st, moment)
        with st.db.session() as session:
            plans = [d for d in digest.plan(session, reps, st.settings.silence_days) if d.count]
        for plan in plans:
            print(f"── to <@{plan.rep.user_id}> ({plan.rep.team_id}), {plan.rep.day}")
            print(rendered(digest.render_digest(plan)), end="\n\n")
        print(f"{len(plans)} digest(s) would be sent as of {moment.isoformat()}; none was sent.")
        return 0
    queued = digest.send_digests(st, moment)
    if not st.outbox.drain(timeout=300):
        print(
            f"{queued} digest(s) queued; some are still waiting for Slack and will go out "
            "with the next run or the bot's outbox worker."
        )
        return 1
    print(f"{queued} digest(s) queued as of {moment.isoformat()}, and delivered.")
    return 0


def quiet_logs() -> None:
    """In the console, the bot's INFO lines would interleave with the conversation."""
    if "LOG_LEVEL" not in os.environ:
        logging.getLogger().setLevel(logging.WARNING)


def console_instead() -> int:
    """Bare `steward` with no Slack tokens: the console, saying so."""
    from bot.dev import console

    quiet_logs()
    print(
        "No Slack tokens are set, so here is Steward in a terminal console. To serve Slack, set "
        "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) in .env and run "
        "`steward serve`.",
        file=sys.stderr,
    )
    return console.main()


def db_command(settings: Settings, task: str, revision: str | None = None) -> int:
    """`steward db upgrade|current|downgrade REV|check`; URLs shown with the password masked."""
    from alembic.util.exc import CommandError

    from bot import db as database

    where = mask_url(settings.database_url)
    db = open_database(settings, migrate=False)
    try:
        with database_errors(settings):
            head = database.head_revision(db)
            if task == "upgrade":
                db.upgrade()
                print(f"database is up to date (revision {head}): {where}")
            elif task == "current":
                current = database.current_revision(db)
                state = "the newest" if current == head else f"newest is {head}: steward db upgrade"
                print(f"database is at revision {current or 'none'} ({state}): {where}")
            elif task == "downgrade":
                try:
                    database.downgrade(db, revision or "")
                except CommandError as error:
                    raise ConfigError(
                        f"steward db downgrade {revision}: {error} (revisions go from base to "
                        f"{head}; steward db current shows where {where} is)"
                    ) from None
                current = database.current_revision(db)
                print(f"database downgraded to revision {current or 'none (empty)'}: {where}")
            elif task == "check":
                return db_check(db, head, where)
    finally:
        db.dispose()
    return 0


def db_check(db: Database, head: str | None, where: str) -> int:
    from bot import db as database

    current = database.current_revision(db)
    if current != head:
        print(
            f"database is at revision {current or 'none'}, the newest is {head}: run "
            f"steward db upgrade first ({where})",
            file=sys.stderr,
        )
        return 1
    differences = database.schema_differences(db)
    if differences:
        print(f"the models and the migrations differ ({where}):", file=sys.stderr)
        for difference in differences:
            print(f"  {difference}", file=sys.stderr)
        return 1
    print(f"the models match the migrations (revision {head}): {where}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="steward", description=__doc__.split("\n\n")[0])
    top.add_argument(
        "--env-file",
        metavar="PATH",
        help="read settings from this file (default: .env in the current directory, if any)",
    )
    sub = top.add_subparsers(dest="command", metavar="command")
    serve_cmd = sub.add_parser(
        "serve", help="run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)"
    )
    serve_cmd.add_argument(
        "--no-scheduler",
        action="store_true",
        help="run no scheduler here (`steward scheduler` runs apart); or STEWARD_SCHEDULER=off",
    )
    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", metavar="task")
    db_sub.add_parser("upgrade", help="apply the migrations (serve does this on start)")
    db_sub.add_parser("current", help="show the revision the database is at")
    down = db_sub.add_parser("downgrade", help="roll the schema back to REV (see README)")
    down.add_argument("revision", metavar="REV", help="a revision such as 0002, or -1")
    db_sub.add_parser("check", help="check that the database matches the models")
    sub.add_parser("scheduler", help="run the scheduled jobs alone (serve runs them too)")
    console = sub.add_parser("console", help="try Steward in a terminal: no Slack, no tokens")
    console.add_argument("--script", metavar="FILE", help="replay the lines of FILE, then exit")
    console.add_argument("--db", metavar="PATH", help="keep data in this SQLite file")
    nudge = sub.add_parser("nudges", help="the daily digests: run the job once, or preview")
    nudge_sub = nudge.add_subparsers(dest="nudges_command", metavar="task")
    for name, text in (("run", "send the digests due now, once"), ("preview", "print them")):
        task = nudge_sub.add_parser(name, help=text)
        task.add_argument("--as-of", metavar="ISO", help="act as if it were this moment")
    return top


def run(args: argparse.Namespace) -> int | None:
    from bot.logs import setup_logging

    settings = load_settings(args.env_file)
    setup_logging(settings)
    if args.command == "serve":
        return serve(settings, scheduler=settings.scheduler and not args.no_scheduler)
    if args.command == "db" and args.db_command:
        return db_command(settings, args.db_command, getattr(args, "revision", None))
    if args.command == "scheduler":
        return run_scheduler(settings)
    if args.command == "console":
        from bot.dev import console

        quiet_logs()
        return console.main(args.script, args.db)
    if args.command is None:
        return (
            serve(settings, scheduler=settings.scheduler)
            if settings.has_slack()
            else (console_instead())
        )
    if args.command == "nudges" and args.nudges_command:
        return nudges(settings, args.nudges_command, args.as_of)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code = run(args)
    except ConfigError as error:
        print(f"steward: {error}", file=sys.stderr)
        return error.exit_code
    if code is None:
        parser().print_help()
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
