"""Daily use (issue 11) over the real wire: dates as each person writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.models import Promise
from tests.conftest import ALICE, BORIS, GLOBEX_CHANNEL, Slack


def due_of(slack: Slack, what: str) -> date:
    with slack.steward.db.session() as session:
        promise = session.exec(select(Promise).where(Promise.what == what)).one()
        return promise.due_on


@pytest.mark.parametrize(
    ("user", "typed", "expected", "said"),
    [
        (BORIS, "03/04", date(2027, 3, 4), "Thu 4 Mar"),  # New York, en-US: month/day
        (BORIS, "12/15", date(2026, 12, 15), "Tue 15 Dec"),
        (ALICE, "03/04", date(2027, 4, 3), "Sat 3 Apr"),  # Warsaw, pl-PL: day/month
        (ALICE, "15.12", date(2026, 12, 15), "Tue 15 Dec"),
        (BORIS, "2026-12-15", date(2026, 12, 15), "Tue 15 Dec"),  # ISO, for everyone
    ],
)
def test_numeric_due_dates_read_as_the_person_writes_them(
    slack: Slack, user: str, typed: str, expected: date, said: str
) -> None:
    slack.steward.clock.offset = datetime(2026, 11, 30, 12, tzinfo=UTC) - datetime.now(UTC)
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>", user=user)
    text = slack.reply("/promise", f"globex send the deck by {typed}", user=user)
    assert due_of(slack, "send the deck") == expected
    assert said in text, text


MONDAY = datetime(2026, 11, 30, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "what", "expected"),
    [
        ("globex send the deck by next tuesday", "send the deck", date(2026, 12, 8)),
        ("globex send the deck by end of next week", "send the deck", date(2026, 12, 11)),
        ("globex send the deck by the 15th", "send the deck", date(2026, 12, 15)),
        ("globex send the deck by mid-December", "send the deck", date(2026, 12, 15)),
        ("globex send the deck by in 10 days", "send the deck", date(2026, 12, 10)),
        ("globex wysłać ofertę do piątku", "wysłać ofertę", date(2026, 12, 4)),
        ("globex wysłać ofertę do 15 grudnia", "wysłać ofertę", date(2026, 12, 15)),
        ("globex отправить отчёт до пятницы", "отправить отчёт", date(2026, 12, 4)),
        ("globex подготовить КП к 15 декабря", "подготовить КП", date(2026, 12, 15)),
        ("globex we do care, reply by friday", "we do care, reply", date(2026, 12, 4)),
        ("globex письмо к директору by friday", "письмо к директору", date(2026, 12, 4)),
    ],
)
def test_due_dates_in_english_polish_and_russian(
    slack: Slack, typed: str, what: str, expected: date
) -> None:
    slack.steward.clock.offset = MONDAY - datetime.now(UTC)
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    text = slack.reply("/promise", typed)
    assert "recorded" in text, text
    assert due_of(slack, what) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("globex call wczoraj with Jan: ok", date(2026, 11, 29)),
        ("globex call вчера with Jan: ok", date(2026, 11, 29)),
        ("globex meeting w piątek with Jan: ok", date(2026, 11, 27)),
        ("globex meeting в пятницу with Jan: ok", date(2026, 11, 27)),
        ("globex email 3 dni temu: ok", date(2026, 11, 27)),
        ("globex email неделю назад: ok", date(2026, 11, 23)),
    ],
)
def test_logged_days_in_polish_and_russian(slack: Slack, typed: str, expected: date) -> None:
    from bot.models import Interaction

    slack.steward.clock.offset = MONDAY - datetime.now(UTC)
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    text = slack.reply("/logcontact", typed)
    assert "Logged" in text, text
    with slack.steward.db.session() as session:
        assert session.exec(select(Interaction)).one().occurred_on == expected


def test_an_unreadable_due_date_is_echoed(slack: Slack) -> None:
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    text = slack.reply("/promise", "globex send the deck by fridya")
    assert "I couldn't read “fridya” as a due date" in text
    assert "You typed" in text and "send the deck by fridya" in text


def test_a_new_due_date_on_the_same_day_changes_and_announces_nothing(slack: Slack) -> None:
    slack.steward.clock.offset = MONDAY - datetime.now(UTC)
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    slack.reply("/promise", "globex send the deck by friday")
    posted = slack.wait_posts(GLOBEX_CHANNEL, 1)  # the written confirmation
    for typed in ("due P-1 friday", "due P-1 2026-12-04", "due P-1 4.12"):
        text = slack.reply("/promise", typed)
        assert "P-1 is already due then: Fri 4 Dec (2026-12-04). Nothing changed." in text
    moved = slack.reply("/promise", "due P-1 next friday")
    assert "P-1 is now due Fri 11 Dec (was Fri 4 Dec)" in moved
    slack.settle()
    notes = slack.posts(GLOBEX_CHANNEL)[len(posted) :]
    assert [n["text"] for n in notes] == [
        ":calendar: P-1 now due Fri 11 Dec (2026-12-11), was Fri 4 Dec."
    ]


def test_wording_a_contact_of_no_kind_and_one_message(slack: Slack) -> None:
    from bot.blocks import rendered
    from bot.cases.render import case_post
    from bot.models import Account, Case

    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    text = slack.reply("/logcontact", "globex yesterday with Jan: talked renewal")
    assert "Logged a contact with Jan" in text and "Logged other" not in text
    account = Account(
        id=1,
        team_id="T",
        name="Globex",
        name_key="globex",
        slug="globex",
        owner_id=ALICE,
        created_at=MONDAY,
        created_by=ALICE,
    )
    case = Case(
        id=1,
        team_id="T",
        account_id=1,
        function="finance",
        origin_channel="C1",
        origin_ts="1.1",
        source_key="k",
        counterpart_channel="C2",
        raised_by=BORIS,
        created_at=MONDAY,
    )
    post = case_post(case, account, [{"user": BORIS, "text": "hi"}], None, lambda u: "boris")
    assert "The thread so far (1 message):" in rendered(post)


def test_refusals_say_what_was_understood(slack: Slack) -> None:
    from tests.conftest import ACME_CHANNEL

    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail>")
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    text = slack.reply("/logcontact", "acme call: talked", channel=GLOBEX_CHANNEL)
    assert "this is *Globex*'s channel" in text and "“acme” looks like *Acme Rail*" in text
    assert "/logcontact acme-rail call: …" in text and "as a day" not in text
    text = slack.reply("/logcontact", "call: x", channel="DALICE")
    assert "which account?" in text and "no account matches" not in text
    assert "All open promises" in slack.reply("/promise", "list all")
    text = slack.reply("/promise", "list bogus")
    assert "`list` takes mine, overdue, all, an @person or an account" in text
    text = slack.reply("/logcontact", "globex call with <!channel>: hi")
    assert "not a mention (@channel)" in text and "<!channel>" not in text.split("You typed")[0]
    text = slack.reply("/steward", f"account add Initech <#{ACME_CHANNEL}|acme-rail>")
    assert "channel:none" in text and f"channel:<#{ACME_CHANNEL}>" not in text


def test_a_message_to_steward_gets_a_short_help(slack: Slack) -> None:
    slack.standin.add_user("UJAN", "jan", tz="Europe/Warsaw", team_id="TCLIENT")
    ours_dm, their_dm = slack.standin._open_im(ALICE), slack.standin._open_im("UJAN")
    for user, dm in ((ALICE, ours_dm), ("UJAN", their_dm)):
        event = {
            "type": "message",
            "channel": dm,
            "channel_type": "im",
            "user": user,
            "text": "hello? how do I log a call",
            "ts": "1795431354.000100",
            "event_ts": "1795431354.000100",
        }
        assert slack.event(event, event_id=f"Ev{user}").status == 200
        assert slack.event(event, event_id=f"Ev{user}", retry=1).status == 200  # Slack's retry
    ours = slack.wait_posts(ours_dm, 1)
    theirs = slack.wait_posts(their_dm, 1)
    slack.settle()
    assert len(slack.posts(ours_dm)) == 1 and len(slack.posts(their_dm)) == 1
    assert "`/steward help` shows everything" in ours[0]["text"]
    assert "only for the team that runs Steward" in theirs[0]["text"]
    assert "/logcontact" not in theirs[0]["text"]
