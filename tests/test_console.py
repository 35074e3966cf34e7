"""The console: the real app in a terminal, driven by scripts as a person would type."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.dev import console

DEMO = Path(__file__).resolve().parent.parent / "docs" / "demo.txt"


def run(lines: str, tmp_path: Path) -> str:
    script = tmp_path / "script.txt"
    script.write_text(lines, encoding="utf-8")
    out = io.StringIO()
    assert console.main(str(script), str(tmp_path / "console.db"), out=out) == 0
    return out.getvalue()


def said_at(text: str, place: str) -> list[str]:
    """The body of every message Steward posted at `place`, as the console printed it."""
    lines, found = text.splitlines(), []
    for at, line in enumerate(lines):
        if place in line and line.endswith("] Steward:"):
            body = []
            for following in lines[at + 1 :]:
                if not following.startswith("  "):
                    break
                body.append(following)
            found.append("\n".join(body))
    return found


def test_the_shipped_demo_tells_the_story(tmp_path: Path) -> None:
    out = io.StringIO()
    assert console.main(str(DEMO), out=out) == 0
    text = out.getvalue()
    assert "Added *Acme Rail* as `acme-rail` — owner @alice, tier strategic" in text
    assert "Logged call with Jan Kowalski (new contact) at *Acme Rail*, yesterday" in text
    assert "[#acme-rail] Steward:\n  :handshake: *Promise P-1 to Acme Rail:*" in text
    assert "*Last contact:* call with Jan Kowalski, yesterday\n" in text
    # Two weeks on, Monday 10:00 in Warsaw: the digests arrive by DM.
    assert "[DM @alice] Steward:\n  == Your digest" in text
    assert "*15 days* without a contact (threshold 14)" in text
    assert "Due Fri" in text and "*10 days overdue*" in text
    assert "owner @boris" in text and "[DM @boris] Steward:" in text
    assert "Snoozed *Acme Rail* until tomorrow." in text
    assert "P-1 marked kept: send the revised quote" in text
    assert "[DM @alice] Steward (updated):" in text
    # The billing dispute: routed from the shared client thread to #finance and resolved.
    client_thread = "[#acme-rail (shared) › thread of (6)] Steward:"
    assert "[#finance] Steward:\n  == C-1 · Acme Rail · finance ==" in text
    assert "@jan: Invoice 4411 bills us twice for March." in text
    assert f"{client_thread}\n  :arrow_right: Routed to our finance team as *C-1*" in text
    assert "@carol took C-1." in text
    assert f"{client_thread}\n  *From our finance team* (@carol): We found the duplicate" in text
    assert f"{client_thread}\n  :white_check_mark: *C-1 is resolved.* Thank you" in text
    assert (
        "[#finance › thread of (8)] Steward:\n  :white_check_mark: *C-1 resolved* by @carol: "
        "credit note CN-88 issued"
    ) in text
    to_client = said_at(text, "[#acme-rail (shared) › thread of (6)]")
    assert len(to_client) == 3 and not any("CN-88" in m or "usage" in m for m in to_client)
    assert f"{client_thread}\n  @carol: Their March usage" not in text  # stayed internal
    # Jan, of the client's organisation, tries one of our commands: one line, to him alone.
    refused = "> /steward account show acme\n[#acme-rail (shared)] Steward (only you can see this):"
    assert f"{refused}\n  Sorry, that is only for the team that runs Steward here." in text
    assert "This thread stays with our people" in text
    assert "`C-1` *Acme Rail* · finance → #finance — opened today, resolved by @carol" in text
    assert "Traceback" not in text and "\n! " not in text and " INFO " not in text


def test_as_in_thread_click_and_time(tmp_path: Path) -> None:
    text = run(
        """
:as @carol tz=Asia/Tokyo
:time next monday 08:00
:in #globex
/steward account add Globex #globex tier:key
/promise globex send the price list by tomorrow
:thread 1
the client asked for it in euros
:thread off
:as @dave
/promise list mine
:as @carol
/promise list mine
:time +1h
:time +1d
:click 1
""",
        tmp_path,
    )
    assert "You are now @carol (Asia/Tokyo)." in text
    assert "You are now in #globex." in text
    assert "You are now in the thread of (1) in #globex." in text
    assert "(2) [#globex › thread of (1)] @carol: the client asked for it in euros" in text
    assert "Back to the channel #globex." in text
    assert "You are now @dave (UTC)." in text
    # Dave has none; Carol has hers.
    assert "`P-1` send the price list" in text.split("You are now @carol")[-1]
    # Monday 09:00 in Tokyo passes: the promise is due tomorrow, so it is in the digest.
    monday, tuesday = text.split(":time +1h")[1].split(":time +1d")
    assert "It is now Mon" in monday and "09:00 (Asia/Tokyo)" in monday
    assert "[DM @carol] Steward:" in monday and "Due tomorrow" in monday
    # Tuesday 09:00: the next day's digest; its first button marks the promise kept.
    assert "It is now Tue" in tuesday and "Due today" in tuesday
    assert "You clicked “Mark kept”." in tuesday and "P-1 marked kept" in tuesday
    assert "Traceback" not in text


def test_a_form_filled_in_from_the_console(tmp_path: Path) -> None:
    text = run(
        """
/steward account add Acme Rail
/promise
:submit account=acme what="send the deck" due=2099-01-15
/promise list
""",
        tmp_path,
    )
    assert "Steward opened a form: “Record a promise”" in text
    assert "what: What we promised" in text and "owner: Owner = @alice" in text
    assert "*P-1* recorded for *Acme Rail*: send the deck" in text
    assert "`P-1` send the deck" in text


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        (":frobnicate", "! I don't know :frobnicate. Try :help"),
        (":time soonish", "! 'soonish' is not a time: try :time +3d"),
        (":time 2020-01-01 09:00", "! the clock only moves forward"),
        (":time monday 25:00", "! '25:00' is not a time of day"),
        (":click 99", "! there is no button to click yet"),
        (":thread 42", "! there are no numbered messages yet, so there is no thread to enter"),
        (":cancel", "! no form is open, so there is nothing to cancel"),
        (":as boris", "! say who: :as @boris"),
        (":as @boris tz=Mars/Olympus", "! 'Mars/Olympus' is not a time zone"),
        (":in acme", "! say where: :in #acme"),
        (":submit what=x", "! no form is open"),
        ("/deploy now", "! /deploy is not one of Steward's commands"),
        (':as "@unclosed', "! could not read that line"),
    ],
)
def test_bad_console_input_gets_one_clear_line(tmp_path: Path, line: str, answer: str) -> None:
    text = run(line + "\n:help\n", tmp_path)
    assert answer in text
    assert "Console commands:" in text  # the console carried on
    assert "Traceback" not in text


def test_console_runs_from_the_cli_with_no_tokens(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--script", str(DEMO)],
        env=env,
        cwd=tmp_path,  # no .env here
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "== Your digest" in done.stdout
    bare = subprocess.run(
        [sys.executable, "-m", "bot.cli"],
        env=env,
        cwd=tmp_path,
        input="/steward account add Initech\n:quit\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bare.returncode == 0, bare.stderr
    assert "No Slack tokens are set" in bare.stderr
    assert "Added *Initech*" in bare.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--script", "nope.txt"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "no such script file: nope.txt" in missing.stderr


@pytest.mark.parametrize(
    ("where", "answer"),
    [
        ("/nonexistent/dir/x.db", "the folder /nonexistent/dir does not exist"),
        ("{tmp}", "cannot use it as a database"),
        ("{tmp}/not-a-db.txt", "cannot use it as a database (file is not a database)"),
    ],
)
def test_a_bad_db_path_is_one_line(tmp_path: Path, where: str, answer: str) -> None:
    (tmp_path / "not-a-db.txt").write_text("hello")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = console.main(None, where.format(tmp=tmp_path), out=io.StringIO())
    assert code == 2
    assert answer in err.getvalue() and err.getvalue().count("\n") == 1


def test_a_form_with_errors_stays_open_and_shows_them(tmp_path: Path) -> None:
    text = run(
        """
/steward account add Acme Rail
/promise
:submit account=acme what="send the deck" due=2020-01-15
:submit account=acme what="send the deck" due=2099-01-15
""",
        tmp_path,
    )
    assert "! Due (due): " in text
    assert "The form is still open" in text
    assert "*P-1* recorded for *Acme Rail*: send the deck" in text  # the second submit


def test_buttons_in_someone_elses_dm_are_refused(tmp_path: Path) -> None:
    text = run(
        """
/steward account add Acme Rail
/promise acme send the deck by 2099-01-15
:time 2099-01-15 09:30
:as @boris
:click 1
""",
        tmp_path,
    )
    assert "! that button is in @alice's DM with Steward; only they can press it" in text


def test_people_of_an_earlier_session_keep_their_names(tmp_path: Path) -> None:
    run("/steward account add Acme Rail #acme-rail @boris\n", tmp_path)
    text = run("/steward account show acme\n:in #acme-rail\n", tmp_path)
    assert "@boris" in text and "UBORIS" not in text
    assert "#acme-rail" in text and "CACMERAIL" not in text


DEMO_START = "2026-11-29T12:00:00+00:00"  # a Sunday: the demo's `:time next monday` is 30 Nov


def readme_demo(readme: str) -> tuple[int, int]:
    """Where the README's demo output is: the indented block under "## The demo"."""
    lines = readme.splitlines()
    at = lines.index("## The demo")
    first = next(i for i in range(at, len(lines)) if lines[i].startswith("    "))
    last = first
    while last < len(lines) and (lines[last].startswith("    ") or not lines[last].strip()):
        last += 1
    while not lines[last - 1].strip():
        last -= 1
    return first, last


def test_the_readme_demo_is_a_real_run() -> None:
    """The README shows what `steward console --script docs/demo.txt --start …` prints.
    STEWARD_UPDATE_DEMO=1 rewrites the README's block from this run."""
    from bot.cli import as_of_moment

    out = io.StringIO()
    assert console.main(str(DEMO), out=out, start=as_of_moment(DEMO_START)) == 0
    readme_path = DEMO.parent.parent / "README.md"
    lines = readme_path.read_text(encoding="utf-8").splitlines()
    first, last = readme_demo("\n".join(lines))
    ran = ["    " + line if line else "" for line in out.getvalue().rstrip("\n").splitlines()]
    if os.environ.get("STEWARD_UPDATE_DEMO") == "1":
        lines[first:last] = ran
        readme_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        first, last = first, first + len(ran)
    assert lines[first:last] == ran, (
        "README's demo differs from a real run: STEWARD_UPDATE_DEMO=1 pytest -k readme_demo"
    )


def test_form_values_a_slack_widget_could_not_hold_are_refused(tmp_path: Path) -> None:
    text = run(
        """
/steward account add Acme Rail
/steward account add Acme Logistics
/logcontact
:submit account=acme kind=call summary=hi
:submit account="acme rail" kind=lunch summary=hi
:submit account="acme rail" day=yesterday summary=hi
:submit account="acme rail" kind=meeting summary=hi
""",
        tmp_path,
    )
    assert "! account: 'acme' matches Acme Logistics (acme-logistics), Acme Rail" in text
    assert "! kind: 'lunch' is not one of the choices: call, meeting" in text
    assert "! day: the date picker takes a date like 2026-12-01: 'yesterday'" in text
    assert "Logged meeting at *Acme Rail*" in text and text.count("Logged ") == 1


def test_a_form_opened_for_an_account_shows_its_name(tmp_path: Path) -> None:
    text = run(
        """
/steward account add Acme Rail
/steward account set acme silence:1d
:time next monday 10:00
:click 1
""",
        tmp_path,
    )
    assert "account: Account = Acme Rail" in text
