"""The digest's depth, end to end over HTTP on both databases: a key account too quiet to trust
(in touch, yet raising nothing), what counts as raising something, stage moves down shown once,
archived accounts left out. Days pass under freezegun (ticking, so the HTTP waits still work)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory, StepTickTimeFactory
from sqlmodel import select

from bot.blocks import rendered
from bot.models import Account, Case, Interaction, Promise, StageMove
from scheduler.jobs import tick
from tests.conftest import ACME_CHANNEL, ALICE, BORIS, GLOBEX_CHANNEL, Slack
from tests.test_routing import CLIENT, FINANCE, say

START = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)  # Monday, 09:30 in Alice's Warsaw
Frozen = FrozenDateTimeFactory | StepTickTimeFactory


@pytest.fixture
def frozen() -> Iterator[Frozen]:
    with freeze_time(START, tick=True) as clock:
        yield clock


def on_day(frozen: Frozen, n: int) -> None:
    frozen.move_to(START + timedelta(days=n))


def preview(slack: Slack) -> str:
    return slack.reply("/steward", "digest preview")


def quiet_acme(slack: Slack, frozen: Frozen) -> None:
    """Acme Rail (key tier, its channel shared with the client), added on day 0 and called on
    day 50: in touch, never silent, and on day 61 nothing raised for 61 days."""
    slack.standin.add_user(CLIENT, "jan", real_name="Jan Client", team_id="TCLIENT")
    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail> tier:key")
    on_day(frozen, 50)
    slack.reply("/logcontact", "acme call: went through the delivery plan")
    on_day(frozen, 61)
    assert "*Too quiet to trust* (1)" in preview(slack)


def test_a_key_account_in_touch_but_raising_nothing_is_too_quiet(
    slack: Slack, frozen: Frozen
) -> None:
    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail> tier:key")
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex> tier:standard")
    on_day(frozen, 50)
    slack.reply("/logcontact", "acme call: went through the delivery plan")
    slack.reply("/logcontact", "globex call: went through the delivery plan")
    on_day(frozen, 59)
    assert "Too quiet" not in preview(slack)
    on_day(frozen, 61)
    text = preview(slack)
    assert "*Too quiet to trust* (1)" in text
    assert "*Acme Rail* (`acme-rail`) — nothing raised with us for *61 days* (threshold 60)" in text
    assert "Last contact: Tue 24 Feb" in text  # in touch: quiet is not silent
    assert "Clients gone quiet" not in text
    assert "Globex" not in text  # a standard account is never "too quiet"
    with slack.steward.db.session() as session:
        acme = session.exec(select(Account).where(Account.slug == "acme-rail")).one()
        acme.quiet_days = 90  # `quiet:90d`
        session.add(acme)
    assert "Too quiet" not in preview(slack)


@pytest.mark.parametrize("sign", ["concern", "case", "client message"])
def test_anything_raised_clears_it(slack: Slack, frozen: Frozen, sign: str) -> None:
    quiet_acme(slack, frozen)
    if sign == "concern":  # a logged contact whose summary carries a concern
        slack.reply("/logcontact", "acme call: they are unhappy with the invoices")
        with slack.steward.db.session() as session:
            logged = session.exec(select(Interaction).order_by(Interaction.id.desc())).first()
            logged.concern = True
            session.add(logged)
    elif sign == "case":  # one of ours routes the client's problem: a case opens
        slack.standin.add_channel(FINANCE, "finance")
        slack.reply("/steward", f"route set finance <#{FINANCE}|finance>")
        root = say(slack, ACME_CHANNEL, "Jan says invoice 9 is wrong", user=ALICE)
        bot = slack.standin.bot_user_id
        say(
            slack,
            ACME_CHANNEL,
            f"<@{bot}> route finance: invoice 9",
            user=ALICE,
            thread_ts=root["ts"],
        )
        assert slack.settle()
        with slack.steward.db.session() as session:
            assert session.exec(select(Case)).one()
    else:  # our own people talking in the channel is no sign of the client's life...
        say(slack, ACME_CHANNEL, "Any news on the rollout?", user=ALICE)
        assert slack.settle()
        assert "*Too quiet to trust* (1)" in preview(slack)
        say(slack, ACME_CHANNEL, "All fine, thanks", user=CLIENT)  # ...the client's is
        assert slack.settle()
        with slack.steward.db.session() as session:
            spoke = session.exec(select(Account.client_spoke_at)).one()
        assert spoke is not None and spoke.date() == (START + timedelta(days=61)).date()
    assert "Too quiet" not in preview(slack)


def test_silent_and_quiet_is_listed_once_as_silent(slack: Slack, frozen: Frozen) -> None:
    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail> tier:key")
    on_day(frozen, 61)
    message = slack.response(
        slack.command("/steward", "digest preview", user=ALICE, channel="CGENERAL")[1]
    )
    text = rendered(message)
    assert "*Clients gone quiet* (1)" in text
    assert "And nothing raised with us for 61 days." in text
    assert "Too quiet to trust" not in text
    ids = [b["block_id"] for b in message["blocks"] if "block_id" in b]
    assert len(ids) == len(set(ids)) == 1  # one account, one set of buttons


def stage_move(slack: Slack, slug: str, old: str, new: str, why: str, at: datetime) -> None:
    """A stage move as `/steward account stage` keeps it."""
    with slack.steward.db.session() as session:
        account = session.exec(select(Account).where(Account.slug == slug)).one()
        account.stage = new
        session.add(account)
        session.add(
            StageMove(
                account_id=account.id,
                from_stage=old,
                to_stage=new,
                reason=why,
                moved_by=BORIS,
                moved_at=at,
            )
        )


def digests(slack: Slack, user: str, count: int) -> list[str]:
    return [rendered(m) for m in slack.wait_posts(slack.standin._open_im(user), count)]


def test_a_stage_move_down_is_flagged_once_in_the_next_digest(slack: Slack, frozen: Frozen) -> None:
    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail>")
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    slack.reply("/promise", "globex send the deck by tomorrow")  # something in every digest
    on_day(frozen, 10)  # Thursday 15 January
    now = START + timedelta(days=10)
    stage_move(slack, "acme-rail", "strategic", "cooperating", "old news", now - timedelta(days=8))
    stage_move(
        slack, "acme-rail", "cooperating", "detached", "lost the tender", now - timedelta(days=2)
    )
    stage_move(
        slack, "globex", "responsive", "convinced", "liked the demo", now - timedelta(days=1)
    )
    assert tick(slack.steward)["digest"] == 1
    [first] = digests(slack, ALICE, 1)
    assert "*Stage moves down* (1)" in first
    assert f"cooperating → *detached*, by <@{BORIS}> Tue 13 Jan: “lost the tender”" in first
    assert "old news" not in first  # before the last 7 days, and no digest before
    assert "liked the demo" not in first  # a move up
    on_day(frozen, 11)
    assert tick(slack.steward)["digest"] == 1
    second = digests(slack, ALICE, 2)[1]
    assert "Promises overdue" in second and "Stage moves down" not in second
    stage_move(
        slack,
        "acme-rail",
        "detached",
        "rejecting",
        "chose DB Cargo",
        START + timedelta(days=11, hours=1),
    )
    on_day(frozen, 14)  # Monday: the weekend has no digest
    assert tick(slack.steward)["digest"] == 1
    third = digests(slack, ALICE, 3)[2]
    assert "detached → *rejecting*" in third and "lost the tender" not in third


def test_an_archived_account_sends_no_nudges(slack: Slack, frozen: Frozen) -> None:
    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail> tier:key")
    slack.reply("/promise", "acme send the deck by tomorrow")
    slack.reply("/promise", f"acme call back by tomorrow <@{BORIS}>")
    on_day(frozen, 61)
    stage_move(
        slack, "acme-rail", "convinced", "detached", "lost the tender", START + timedelta(days=60)
    )
    with slack.steward.db.session() as session:
        session.add(
            Case(
                team_id=slack.team_id,
                account_id=1,
                function="finance",
                origin_channel=ACME_CHANNEL,
                origin_ts="1.000001",
                source_key="k",
                counterpart_channel=FINANCE,
                raised_by=ALICE,
                created_at=START,
            )
        )
    before = preview(slack)
    for heading in (
        "Clients gone quiet",
        "Stage moves down",
        "Promises overdue",
        "Overdue over 3 days on your accounts",
        "Cases open on your accounts",
    ):
        assert heading in before  # silence, the move, her promise, Boris's late one, the case
    assert "Acme Rail" in slack.reply("/steward", "digest preview", user=BORIS)
    with slack.steward.db.session() as session:
        acme = session.get(Account, 1)
        acme.archived_at = START + timedelta(days=61)
        session.add(acme)
    assert "Nothing left in today's digest" in preview(slack)
    assert "Nothing left in today's digest" in slack.reply("/steward", "digest preview", user=BORIS)
    with slack.steward.db.session() as session:
        assert len(session.exec(select(Promise)).all()) == 2  # kept, only not nudged about
