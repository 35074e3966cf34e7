"""`steward`: serve the bot, manage the database."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("steward")


def serve(settings: Settings) -> int:
    from bot.app import create_app
    from bot.steward import Steward
    from bot.web import WebApp, make_server

    settings.require_slack()
    st = Steward.from_settings(settings)
    st.db.upgrade()
    app = create_app(st)
    st.outbox.start()
    from scheduler.runner import build

    build(st, blocking=False).start()
    if settings.app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("Steward is connecting to Slack over Socket Mode")
        SocketModeHandler(app, settings.app_token).start()
        return 0
    web = WebApp(app)
    host = os.environ.get("HOST", "0.0.0.0")
    server = make_server(web, host, settings.port)
    signal.signal(signal.SIGTERM, lambda *_: server.close())
    web.ready.set()
    log.info("Steward listening on http://%s:%s/slack/events", host, server.effective_port)
    try:
        server.run()
    except (KeyboardInterrupt, OSError):
        pass
    finally:
        st.outbox.stop()
    return 0


def run_scheduler(settings: Settings) -> int:
    """The scheduler alone, for deployments that keep it apart from the web processes."""
    from bot.steward import Steward
    from scheduler.runner import build

    settings.require_token()
    st = Steward.from_settings(settings)
    st.db.upgrade()
    st.outbox.start()
    log.info("Steward's scheduler is running")
    try:
        build(st, blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        st.outbox.stop()
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
    from bot.local import rendered
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
    from bot import console

    quiet_logs()
    print(
        "No Slack tokens are set, so here is Steward in a terminal console. To serve Slack, set "
        "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) in .env and run "
        "`steward serve`.",
        file=sys.stderr,
    )
    return console.main()


def db_upgrade(settings: Settings) -> int:
    from bot.db import Database

    Database(settings.database_url).upgrade()
    print(f"database is up to date: {settings.database_url}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="steward", description=__doc__)
    sub = top.add_subparsers(dest="command", metavar="command")
    sub.add_parser("serve", help="run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)")
    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", metavar="task")
    db_sub.add_parser("upgrade", help="apply the migrations (serve does this on start)")
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


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per plugin otherwise
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "serve":
            return serve(settings)
        if args.command == "db" and args.db_command == "upgrade":
            return db_upgrade(settings)
        if args.command == "scheduler":
            return run_scheduler(settings)
        if args.command == "console":
            from bot import console

            quiet_logs()
            return console.main(args.script, args.db)
        if args.command is None:
            return serve(settings) if settings.has_slack() else console_instead()
        if args.command == "nudges" and args.nudges_command:
            return nudges(settings, args.nudges_command, args.as_of)
    except ConfigError as error:
        print(f"steward: {error}", file=sys.stderr)
        return 2
    parser().print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
