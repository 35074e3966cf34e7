"""The daily digest: who is due when (time zones, DST), what it lists, once, and its buttons."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot.blocks import rendered
from bot.config import ConfigError, Settings, parse_silence_days
from bot.contacts.last import recount
from bot.dev.standin import SlackStandIn
from bot.digest import service
from bot.digest.grammar import Button, DigestClick, parse_click
from bot.digest.queries import Candidate
from bot.digest.render import render_digest
from bot.errors import UserError
from bot.models import (
    Account,
    Interaction,
    Member,
    NudgeLedger,
    OutboxMessage,
    Promise,
    PromiseStatus,
    Snooze,
)
from bot.people import zone
from bot.steward import Steward
from scheduler.jobs import due_reps, send_digests, tick
from tests.conftest import ALICE, BORIS, CAROL, Slack

TEAM = "T0STANDIN"


@pytest.fixture
def st(database_url: str, standin: SlackStandIn) -> Iterator[Steward]:
    steward = Steward.from_settings(
        Settings(
            bot_token="xoxb-test",
            database_url=database_url,
            slack_api_url=standin.api_url,
            outbox_interval=0,
        )
    )
    yield steward
    steward.db.dispose()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def seed(st: Steward, *, today: date, team: str) -> dict[str, int]:
    """Alice (Warsaw) owns three accounts; Boris (New York) owns a promise on one of them."""
    created = utc("2026-01-05 10:00")
    ids: dict[str, int] = {}
    with st.db.session() as session:
        for slug, tier, last, silence in (
            ("acme", "strategic", today - timedelta(days=15), None),  # silent: 15 > 14
            ("globex", "standard", today - timedelta(days=10), None),  # not silent
            ("initech", "key", None, None),  # never contacted: counts from creation
            ("umbrella", "standard", today - timedelta(days=8), 7),  # override: silent
        ):
            account = Account(
                team_id=team,
                name=slug.title(),
                name_key=slug,
                slug=slug,
                owner_id=ALICE,
                tier=tier,
                silence_days=silence,
                created_at=created,
                created_by=ALICE,
            )
            session.add(account)
            session.flush()
            ids[slug] = account.id
            if last:
                for back, summary in ((30, "older call"), (0, f"last talk with {slug}")):
                    session.add(
                        Interaction(
                            account_id=account.id,
                            kind="call",
                            occurred_on=last - timedelta(days=back),
                            summary=summary,
                            logged_by=ALICE,
                            created_at=created,
                        )
                    )
        recount(session, ids.values())  # what logging them keeps
        for name, owner, due, status in (
            ("overdue", ALICE, today - timedelta(days=2), PromiseStatus.open),
            ("today", ALICE, today, PromiseStatus.open),
            ("tomorrow", ALICE, today + timedelta(days=1), PromiseStatus.open),
            ("later", ALICE, today + timedelta(days=2), PromiseStatus.open),
            ("kept", ALICE, today - timedelta(days=5), PromiseStatus.kept),
            ("boris-late", BORIS, today - timedelta(days=5), PromiseStatus.open),
            ("boris-recent", BORIS, today - timedelta(days=2), PromiseStatus.open),
        ):
            promise = Promise(
                account_id=ids["globex"],
                what=f"promise {name}",
                owner_id=owner,
                due_on=due,
                status=status,
                created_by=ALICE,
                created_at=created,
            )
            session.add(promise)
            session.flush()
            ids[name] = promise.id
    return ids


def digest_of(st: Steward, user: str, as_of: datetime) -> service.Digest:
    reps = [r for r in due_reps(st, as_of, ignore_time=True) if r.user_id == user]
    with st.db.session() as session:
        return service.plan(session, reps, st.settings.silence_days)[0]


# -- what the digest lists ---------------------------------------------------------------------
def test_digest_lists_silence_and_promises(st: Steward, standin: SlackStandIn) -> None:
    monday = date(2026, 11, 23)
    ids = seed(st, today=monday, team=standin.team_id)
    alice = digest_of(st, ALICE, utc("2026-11-23 08:00"))  # 09:00 in Warsaw
    assert alice.rep.day == monday
    silent = {s.slug: s for s in alice.silent}
    assert set(silent) == {"acme", "initech", "umbrella"}
    assert silent["acme"].days == 15 and silent["acme"].threshold == 14
    assert silent["acme"].last_summary == "last talk with acme"
    assert silent["initech"].last_on is None and silent["initech"].threshold == 21
    assert silent["umbrella"].threshold == 7
    assert [i.promise_id for i in alice.overdue] == [ids["overdue"]]
    assert [i.promise_id for i in alice.due_soon] == [ids["today"], ids["tomorrow"]]
    # Boris's promise on Alice's account is escalated to her once it is over 3 days late.
    assert [i.promise_id for i in alice.escalated] == [ids["boris-late"]]
    boris = digest_of(st, BORIS, utc("2026-11-23 14:00"))
    assert boris.silent == [] and boris.escalated == []
    assert [i.promise_id for i in boris.overdue] == [ids["boris-late"], ids["boris-recent"]]
    text = rendered(render_digest(alice))
    assert "*15 days* without a contact" in text and "last talk with acme" in text
    assert f"`P-{ids['boris-late']}`" in text and f"owner <@{BORIS}>" in text


def test_the_local_day_decides_what_is_due(st: Steward, standin: SlackStandIn) -> None:
    """At 23:30 UTC on Monday it is already Tuesday in Tokyo: 'due tomorrow' moves with it."""
    seed(st, today=date(2026, 11, 23), team=standin.team_id)
    with st.db.session() as session:
        session.exec(select(Promise)).all()
        for promise in session.exec(select(Promise).where(Promise.owner_id == ALICE)).all():
            promise.owner_id = CAROL  # Carol is in Tokyo
            session.add(promise)
    carol = digest_of(st, CAROL, utc("2026-11-23 23:30"))
    assert carol.rep.day == date(2026, 11, 24)
    assert [i.what for i in carol.overdue] == ["promise overdue", "promise today"]
    assert [i.what for i in carol.due_soon] == ["promise tomorrow", "promise later"]


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        ("2026-11-23 07:59", False),  # 08:59 in Warsaw (CET, UTC+1)
        ("2026-11-23 08:00", True),  # 09:00 in Warsaw
        ("2026-11-28 10:00", False),  # Saturday
        ("2026-03-27 07:59", False),  # Friday before Europe's DST change: 08:59 CET
        ("2026-03-27 08:00", True),
        ("2026-03-30 06:59", False),  # Monday after it: 08:59 CEST (UTC+2)
        ("2026-03-30 07:00", True),  # 09:00 CEST: an hour earlier in UTC than on Friday
    ],
)
def test_digest_time_in_the_reps_zone_across_dst(
    st: Steward, standin: SlackStandIn, moment: str, due: bool
) -> None:
    seed(st, today=date(2026, 11, 23), team=standin.team_id)
    with freeze_time(moment):
        reps = due_reps(st, st.clock.now())
    assert (ALICE in {r.user_id for r in reps}) is due


def test_new_york_digest_after_its_own_dst_change(st: Steward, standin: SlackStandIn) -> None:
    seed(st, today=date(2026, 3, 9), team=standin.team_id)
    with freeze_time("2026-03-09 12:59"):  # 08:59 EDT: New York moved on 8 March
        assert BORIS not in {r.user_id for r in due_reps(st, st.clock.now())}
    with freeze_time("2026-03-09 13:00"):
        assert BORIS in {r.user_id for r in due_reps(st, st.clock.now())}


def test_each_digest_is_queued_once_and_never_late(st: Steward, standin: SlackStandIn) -> None:
    seed(st, today=date(2026, 11, 23), team=standin.team_id)
    monday_9 = utc("2026-11-23 08:05")
    assert send_digests(st, monday_9) == 1  # Alice; Boris's morning has not come
    assert send_digests(st, monday_9 + timedelta(minutes=5)) == 0
    assert send_digests(st, utc("2026-11-23 14:05")) == 1  # Boris at 09:05 in New York
    assert send_digests(st, utc("2026-11-23 20:00")) == 0
    with st.db.session() as session:
        rows = session.exec(select(OutboxMessage)).all()
        ledger = session.exec(select(NudgeLedger)).all()
    assert sorted(r.channel for r in rows) == [f"@{ALICE}", f"@{BORIS}"]
    assert len(ledger) == 2
    # Not delivered before the day ended in Warsaw: dropped, not sent on Tuesday; in New York
    # it is still Monday evening, so Boris's goes.
    st.clock.offset = utc("2026-11-23 23:01") - st.clock.now()
    st.outbox.deliver_due()
    with st.db.session() as session:
        alice_row = session.exec(
            select(OutboxMessage).where(OutboxMessage.channel == f"@{ALICE}")
        ).one()
    assert alice_row.status == "expired"
    posted = [c["params"]["channel"] for c in standin.calls if c["method"] == "chat.postMessage"]
    assert posted == [BORIS]  # to his user id: Slack opens the DM, no conversations.open
    assert [m["channel"] for m in standin.messages] == [standin._open_im(BORIS)]


def test_digest_off_and_nothing_to_report(st: Steward, standin: SlackStandIn) -> None:
    seed(st, today=date(2026, 11, 23), team=standin.team_id)
    with st.db.session() as session:
        session.add(Member(team_id=standin.team_id, user_id=ALICE, digest_off=True))
        for promise in session.exec(select(Promise).where(Promise.owner_id == BORIS)).all():
            promise.due_on = date(2026, 12, 4)
            session.add(promise)
    assert send_digests(st, utc("2026-11-23 15:00")) == 0  # Boris: nothing to report
    with st.db.session() as session:
        assert session.exec(select(OutboxMessage)).all() == []
        assert len(session.exec(select(NudgeLedger)).all()) == 1  # evaluated once for the day


# -- delivery ----------------------------------------------------------------------------------
def test_digests_arrive_once_through_429_and_500(st: Steward, standin: SlackStandIn) -> None:
    seed(st, today=date(2026, 11, 23), team=standin.team_id)
    standin.fail("conversations.open", status=500)
    standin.fail("chat.postMessage", status=429, retry_after=1)
    standin.fail("chat.postMessage", status=500, times=2)
    st.clock.offset = utc("2026-11-23 16:00") - datetime.now(UTC)  # Monday, for both of them
    assert send_digests(st, st.clock.now()) == 2
    assert st.outbox.drain(timeout=20), "digests still waiting after 20 s"
    posts = [m for m in standin.messages if m["channel"].startswith("D")]
    assert sorted(m["channel"] for m in posts) == sorted(
        {standin._open_im(ALICE), standin._open_im(BORIS)}
    )
    assert len(posts) == 2


# -- /steward digest and the buttons, over HTTP ------------------------------------------------
def test_digest_command(slack: Slack) -> None:
    assert "*on*, at 09:00" in slack.reply("/steward", "digest on")
    assert "will come at *08:30*" in slack.reply("/steward", "digest 8:30")
    refused = slack.reply("/steward", "digest 25:00")
    assert "“25:00” is not a time of day" in refused and "/steward digest 25:00" in refused
    assert "*off*" in slack.reply("/steward", "digest off")
    assert "Nothing left in today's digest" in slack.reply("/steward", "digest preview")
    with slack.steward.db.session() as session:
        member = session.get(Member, (slack.team_id, "UALICE"))
    assert member.digest_off and member.digest_time == "08:30"


def _first_digest(slack: Slack, user: str) -> dict:
    dm = slack.standin._open_im(user)
    posts = slack.wait_posts(dm, 1)
    assert posts, "no digest arrived"
    return posts[0]


def _button(message: dict, block_prefix: str, action_id: str) -> dict:
    for block in message["blocks"]:
        if block["type"] == "actions" and block["block_id"].startswith(block_prefix):
            for element in block["elements"]:
                if element["action_id"] == action_id:
                    return {**element, "block_id": block["block_id"]}
    raise AssertionError(f"no {action_id} in {block_prefix}")


def _updates(slack: Slack) -> int:
    return len([c for c in slack.standin.calls if c["method"] == "chat.update"])


def test_digest_buttons_act_and_update_in_place(slack: Slack) -> None:
    slack.reply("/steward", "account add Acme Rail")
    slack.reply("/steward", "account add Globex")
    slack.reply("/promise", "acme send the deck by tomorrow")
    slack.reply("/promise", "acme call back by tomorrow")
    slack.reply("/steward", "account set acme silence:1d")
    slack.reply("/steward", "account set globex silence:1d")
    st = slack.steward
    day = st.clock.now().date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    morning = datetime.combine(day, time(8, 30), UTC)  # 09:30 in Warsaw, on a workday
    st.clock.offset = morning - st.clock.now()
    assert tick(st)["digest"] == 1
    message = copy.deepcopy(_first_digest(slack, ALICE))  # as sent, before any update
    sent = rendered(message)
    assert "Acme Rail" in sent and "Globex" in sent and "Promises overdue" in sent
    assert "`P-1`" in sent and "`P-2`" in sent
    dm = message["channel"]

    def now_reads() -> str:
        """The digest message as the stand-in holds it now (after any chat.update)."""
        return rendered(slack.standin._find(dm, message["ts"]))

    kept = _button(message, "promise-1", Button.kept)
    result = slack.block_actions(ALICE, kept, channel=dm, message=message, response_key="k1")
    assert result.status == 200
    assert "P-1 marked kept" in slack.response_text("k1")
    assert slack.standin.wait_for(lambda: "`P-1`" not in now_reads(), 15)  # a loaded CI
    assert "`P-2`" in now_reads()

    again = slack.block_actions(ALICE, kept, channel=dm, message=message, response_key="k2")
    assert again.status == 200
    assert "P-1 is already kept" in slack.response_text("k2")

    snooze = _button(message, "account-2", Button.snooze_week)
    slack.block_actions(ALICE, snooze, channel=dm, message=message, response_key="s1")
    assert "Snoozed *Globex*" in slack.response_text("s1")
    assert slack.standin.wait_for(lambda: "Globex" not in now_reads())
    assert "Acme Rail" in now_reads() and "without a contact" in now_reads()

    picker = _button(message, "promise-2", Button.due)
    new_day = (st.clock.today(zone("Europe/Warsaw")) + timedelta(days=7)).isoformat()
    slack.block_actions(
        ALICE, {**picker, "selected_date": new_day}, channel=dm, message=message, response_key="d1"
    )
    assert "P-2" in slack.response_text("d1")
    assert slack.standin.wait_for(lambda: "Promises overdue" not in now_reads())
    with st.db.session() as session:
        assert session.get(Promise, 2).due_on.isoformat() == new_day
        assert session.get(Promise, 1).status == PromiseStatus.kept

    log = _button(message, "account-1", Button.log)
    slack.block_actions(ALICE, log, channel=dm, message=message)
    assert slack.standin.wait_for(lambda: slack.standin.views)
    view = slack.standin.views[-1]["view"]
    account_input = next(b for b in view["blocks"] if b.get("block_id") == "account")
    assert account_input["element"]["initial_option"]["value"] == "1"
    # Submitting the form logs the contact and rewrites the digest once more: Acme Rail, its
    # last item, is gone from the message itself.
    updates = _updates(slack)
    assert "Acme Rail" in now_reads()
    values = {
        "account": {
            "account_select": {"type": "external_select", "selected_option": {"value": "1"}}
        },
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "call"}}},
        "day": {"day": {"type": "datepicker", "selected_date": None}},
        "person": {"person": {"type": "plain_text_input", "value": None}},
        "summary": {"summary": {"type": "plain_text_input", "value": "called back about the deck"}},
    }
    assert slack.view_submission(ALICE, view, values).status == 200
    assert slack.standin.wait_for(lambda: _updates(slack) > updates)
    assert slack.standin.wait_for(lambda: "Nothing left in today's digest" in now_reads())
    assert "Acme Rail" not in now_reads()
    with st.db.session() as session:
        [contact] = session.exec(select(Interaction)).all()
    assert contact.summary == "called back about the deck"


def test_button_on_a_promise_closed_since_refuses(slack: Slack) -> None:
    slack.reply("/steward", "account add Acme Rail")
    slack.reply("/promise", "acme send the deck by tomorrow")
    slack.reply("/promise", "done P-1")
    value = json.dumps({"kind": "promise", "id": 1, "day": "2026-11-23"})
    dm = slack.standin._open_im(ALICE)
    message = slack.standin.add_message(dm, "old digest", user=slack.standin.bot_user_id)
    action = {
        "type": "button",
        "action_id": "digest_snooze_day",
        "value": value,
        "block_id": "promise-1",
        "text": {"type": "plain_text", "text": "Snooze 1 day"},
    }
    slack.block_actions(ALICE, action, channel=dm, message=message, response_key="z")
    text = slack.response_text("z")
    assert "P-1 is already kept" in text
    assert "The button “Snooze 1 day” tried `/steward snooze P-1 for 1 day`" in text
    assert "You typed" not in text  # they typed nothing


def test_buttons_we_did_not_write_are_refused_with_one_line(slack: Slack) -> None:
    slack.reply("/steward", "account add Acme Rail")
    slack.reply("/promise", "acme send the deck by tomorrow")
    dm = slack.standin._open_im(ALICE)
    message = slack.standin.add_message(dm, "old digest", user=slack.standin.bot_user_id)
    good = DigestClick("promise", 1, date(2026, 11, 23)).value
    forged = [  # (action id, block id, value)
        ("digest_kept", "promise-x", good),
        ("digest_kept", "promise-1", "{"),
        ("digest_snooze_day", "promise-1", "1"),
        ("digest_kept", "account-1", good),
        ("digest_frobnicate", "promise-1", good),
    ]
    for n, (action_id, block_id, value) in enumerate(forged):
        action = {"type": "button", "action_id": action_id, "block_id": block_id, "value": value}
        key = f"f{n}"
        reply = slack.block_actions(ALICE, action, channel=dm, message=message, response_key=key)
        assert reply.status == 200
        text = slack.response_text(key)
        assert "that button is not one I know" in text and "/steward digest preview" in text
        assert "Traceback" not in text
    with slack.steward.db.session() as session:
        assert session.get(Promise, 1).status == PromiseStatus.open
        assert session.exec(select(Snooze)).all() == []
    assert not any(c["method"] == "chat.update" for c in slack.standin.calls)


def test_digest_click_round_trip() -> None:
    click = DigestClick("promise", 12, date(2026, 11, 23))
    assert DigestClick.parse(click.block_id, click.value) == click
    assert DigestClick.parse("promise-12") == DigestClick("promise", 12)  # a date picker
    action = {"action_id": "digest_due", "block_id": click.block_id, "selected_date": "2026-12-01"}
    assert parse_click(action) == (Button.due, DigestClick("promise", 12))
    other = DigestClick("promise", 13, date(2026, 11, 23)).value
    for block_id, value in (("promise-12", other), ("case-12", click.value), ("", None)):
        with pytest.raises(UserError, match="not one I know"):
            DigestClick.parse(block_id, value)
    with pytest.raises(UserError, match="not one I know"):  # Log contact is for accounts
        parse_click({"action_id": "digest_log", "block_id": "promise-12", "value": click.value})


def test_due_reps_take_the_zones_the_caller_found(st: Steward) -> None:
    """The service asks Slack nothing: a rep whose zone was never cached is due by the zone the
    caller passes, and waits when none is passed."""
    people = [
        Candidate("T1", "UCACHED", tz="Asia/Tokyo"),
        Candidate("T1", "UNEW"),
        Candidate("T1", "UOFF", digest_off=True),
    ]
    assert service.zones_to_find(people) == [("T1", "UNEW")]
    as_of = utc("2026-11-23 08:30")  # 17:30 in Tokyo, 09:30 in Warsaw, 03:30 in New York
    with st.db.session() as session:
        found = service.due_reps(session, people, as_of, {("T1", "UNEW"): zone("Europe/Warsaw")})
        late = service.due_reps(session, people, as_of, {("T1", "UNEW"): zone("America/New_York")})
        unknown = service.due_reps(session, people, as_of, {})
    assert [(r.user_id, str(r.tz)) for r in found] == [
        ("UCACHED", "Asia/Tokyo"),
        ("UNEW", "Europe/Warsaw"),
    ]
    assert [r.user_id for r in late] == [r.user_id for r in unknown] == ["UCACHED"]


# -- two schedulers, one PostgreSQL ------------------------------------------------------------
def test_two_schedulers_racing_send_one_digest(
    database_url: str, st: Steward, standin: SlackStandIn
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is between processes on one PostgreSQL database")
    seed(st, today=date(2026, 11, 23), team=standin.team_id)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": standin.api_url,
    }
    command = [sys.executable, "-m", "bot.cli", "digest", "run", "--as-of", "2026-11-23T16:00"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    posts = [m for m in standin.messages if m["channel"].startswith("D")]
    assert len(posts) == 2, outputs  # Alice's and Boris's, each once
    assert sum(int(out.split()[0]) for out in outputs) == 2


def test_digest_cli_refuses_a_bad_as_of(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-test"}
    command = [sys.executable, "-m", "bot.cli", "digest", "preview", "--as-of", "monday-ish"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--as-of takes an ISO date-time" in done.stderr and "monday-ish" in done.stderr
    assert "Traceback" not in done.stderr


def test_silence_thresholds_by_tier_are_configurable(
    database_url: str, standin: SlackStandIn
) -> None:
    settings = Settings(
        bot_token="xoxb-test",
        database_url=database_url,
        slack_api_url=standin.api_url,
        silence_days=parse_silence_days("strategic=20, key=5"),
    )
    st = Steward.from_settings(settings)
    seed(st, today=date(2026, 11, 23), team=standin.team_id)
    alice = digest_of(st, ALICE, utc("2026-11-23 08:00"))
    # acme (strategic, 15 days) is no longer silent; globex (standard, 10 days) still is not.
    assert {s.slug: s.threshold for s in alice.silent} == {"initech": 5, "umbrella": 7}
    st.db.dispose()
    with pytest.raises(ConfigError, match="SILENCE_DAYS takes tier=days pairs"):
        parse_silence_days("gold=3")


def test_digest_preview_prints_and_sends_nothing(
    database_url: str, st: Steward, standin: SlackStandIn
) -> None:
    seed(st, today=date(2026, 11, 23), team=standin.team_id)
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_API_URL": standin.api_url}
    env["SLACK_BOT_TOKEN"] = "xoxb-test"
    command = [
        sys.executable,
        "-m",
        "bot.cli",
        "digest",
        "preview",
        "--as-of",
        "2026-11-23T09:30+01:00",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # Alice's digest alone (03:30 in New York: Boris's morning has not come), printed whole.
    heads = [line for line in done.stdout.splitlines() if line.startswith("──")]
    assert heads == [f"── to <@{ALICE}> ({standin.team_id}), 2026-11-23"]
    alice = service.Rep(standin.team_id, ALICE, zone("Europe/Warsaw"), date(2026, 11, 23))
    with st.db.session() as session:
        [expected] = service.plan(session, [alice], st.settings.silence_days)
    printed = rendered(render_digest(expected))
    assert done.stdout == (
        f"{heads[0]}\n{printed}\n\n"
        "1 digest(s) would be sent as of 2026-11-23T09:30:00+01:00; none was sent.\n"
    )
    for seen in ("(`acme`)", "(`initech`)", "(`umbrella`)", "*15 days* without a contact"):
        assert seen in printed
    for promise in ("overdue", "today", "tomorrow", "boris-late"):
        assert f"promise {promise}" in printed
    for unseen in ("(`globex`)", "promise later", "promise kept", "promise boris-recent"):
        assert unseen not in printed
    with st.db.session() as session:
        assert session.exec(select(OutboxMessage)).all() == []
        assert session.exec(select(NudgeLedger)).all() == []
