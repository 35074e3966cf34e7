"""`steward`: serve the bot, run its scheduler, manage the database.

Every failure an operator can fix (a bad setting, the database or Slack not answering, the
port taken) ends in one line on stderr, `steward: …`, and an exit code of its own (see
bot/config.py and the README's Operations section).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.admin import db_command
from bot.config import (
    ConfigError,
    Settings,
    SlackUnavailable,
    check_database_url,
    load_settings,
)
from bot.serve import run_scheduler, serve

if TYPE_CHECKING:
    from bot.db import Database


def as_of_moment(text: str | None, option: str = "--as-of") -> datetime | None:
    """`--as-of 2026-12-01T09:00+01:00` (UTC when no offset is given)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"{option} takes an ISO date-time like 2026-12-01T09:00 or 2026-12-01T09:00+01:00, "
            f"got {text!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def digest(settings: Settings, task: str, as_of_text: str | None) -> int:
    """`digest run`: the digest job once, then deliver; `digest preview`: print, send nothing."""
    from bot.blocks import rendered
    from bot.digest import service
    from bot.digest.render import render_digest
    from bot.steward import Steward
    from scheduler.jobs import due_reps, send_digests

    as_of = as_of_moment(as_of_text)
    if task == "run":
        settings.require_token()
    st = Steward.from_settings(settings)
    st.db.upgrade()
    if as_of:  # everything, delivery and expiry included, acts as if it were that moment
        st.clock.offset = as_of - st.clock.now()
    moment = as_of or st.clock.now()
    if task == "preview":
        reps = due_reps(st, moment)
        with st.db.session() as session:
            plans = [d for d in service.plan(session, reps, st.settings.silence_days) if d.count]
        for plan in plans:
            print(f"── to <@{plan.rep.user_id}> ({plan.rep.team_id}), {plan.rep.day}")
            print(rendered(render_digest(plan)), end="\n\n")
        print(f"{len(plans)} digest(s) would be sent as of {moment.isoformat()}; none was sent.")
        return 0
    queued = send_digests(st, moment)
    if not st.outbox.drain(timeout=300):
        print(
            f"{queued} digest(s) queued; some are still waiting for Slack and will go out "
            "with the next run or the bot's outbox worker."
        )
        return 1
    print(f"{queued} digest(s) queued as of {moment.isoformat()}, and delivered.")
    return 0


def workspace(settings: Settings, db: Database, given: str | None) -> str:
    """The workspace an export or import is for: --team, else the one the database holds,
    else the one SLACK_BOT_TOKEN belongs to (auth.test)."""
    from bot.transfer.export import workspaces

    if given:
        if not re.fullmatch(r"[TE][A-Z0-9]{1,31}", given.strip()):
            raise ConfigError(f"--team takes a Slack workspace id like T012AB3CD, got {given!r}")
        return given.strip()
    with db.session() as session:
        held = workspaces(session)
    if len(held) == 1:
        return held[0]
    if held:
        raise ConfigError(
            f"the database holds {len(held)} workspaces ({', '.join(held)}): say which with --team"
        )
    if settings.bot_token:
        from bot.steward import Steward

        try:
            return Steward.from_settings(settings).directory.home("").team_id
        except Exception as error:  # refused or unreachable: one line, as everywhere
            raise SlackUnavailable(
                f"could not ask Slack which workspace this is ({type(error).__name__}): "
                "give --team T012AB3CD"
            ) from None
    raise ConfigError(
        "which workspace? The database holds none yet and SLACK_BOT_TOKEN is not set to ask "
        "Slack: give --team T012AB3CD"
    )


def transfer(settings: Settings, args: argparse.Namespace) -> int:
    """`export --to DIR` and `import DIR_OR_FILE [--dry-run]`: CSV files, one workspace."""
    from bot.startup import database_errors, open_database
    from bot.transfer import service
    from bot.transfer.reader import NotImportable

    if args.db:
        check_database_url(args.db)
        settings = replace(settings, database_url=args.db)
    db = open_database(settings)
    try:
        with database_errors(settings):
            team = workspace(settings, db, args.team)
            with db.session() as session:
                if args.command == "export":
                    print("\n".join(service.export_to(session, team, Path(args.to))))
                    return 0
                outcome = service.import_path(
                    session, team, Path(args.path), datetime.now(UTC), dry_run=args.dry_run
                )
    except NotImportable as error:
        raise ConfigError(f"cannot import {error}") from None
    except OSError as error:
        raise ConfigError(f"steward {args.command}: {error}") from None
    finally:
        db.dispose()
    for line in outcome.bad:
        print(line, file=sys.stderr)
    print("\n".join(outcome.lines), file=sys.stderr if outcome.bad else sys.stdout)
    return 1 if outcome.bad else 0


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
    console.add_argument(
        "--start", metavar="ISO", help="start the clock at this moment (the demo: docs/demo.txt)"
    )
    digests = sub.add_parser("digest", help="the daily digests: run the job once, or preview")
    digest_sub = digests.add_subparsers(dest="digest_command", metavar="task")
    for name, text in (("run", "send the digests due now, once"), ("preview", "print them")):
        task = digest_sub.add_parser(name, help=text)
        task.add_argument("--as-of", metavar="ISO", help="act as if it were this moment")
    for name, text in (
        ("export", "write the workspace's data as CSV files into a folder"),
        ("import", "read CSV files (a folder, or one of them); all or nothing"),
    ):
        task = sub.add_parser(name, help=text)
        if name == "export":
            task.add_argument("--to", metavar="DIR", required=True, help="the folder to write")
        else:
            task.add_argument("path", metavar="DIR_OR_FILE", help="a folder, or accounts.csv …")
            task.add_argument(
                "--dry-run", action="store_true", help="check, say what would be added, store none"
            )
        task.add_argument("--db", metavar="URL", help="this database instead of DATABASE_URL")
        task.add_argument("--team", metavar="T…", help="the Slack workspace id (when unclear)")
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
        return console.main(args.script, args.db, start=as_of_moment(args.start, "--start"))
    if args.command is None:
        return (
            serve(settings, scheduler=settings.scheduler)
            if settings.has_slack()
            else (console_instead())
        )
    if args.command in ("export", "import"):
        return transfer(settings, args)
    if args.command == "digest" and args.digest_command:
        return digest(settings, args.digest_command, args.as_of)
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
