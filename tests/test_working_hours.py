"""Working hours per counterpart team: a case ages by its team's zone and working days,
is nudged each working day until taken, and its account's owner hears after two nudges."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.blocks import rendered
from bot.cases.aging import nudge_aging_cases, nudges_due
from bot.cases.hours import day_names, describe_days, most_common_zone, working_hours_between
from bot.cases.queries import count_nudge
from bot.db import Database
from bot.errors import UserError
from bot.models import Account, Case, CaseStatus, Route
from tests.conftest import ALICE, BORIS, CAROL, GLOBEX_CHANNEL, Slack
from tests.test_routing import say, thread

FIN_US, LOG_PL = "CFINUS", "CLOGPL"
DAVE = "UDAVE"
NY, WAW = ZoneInfo("America/New_York"), ZoneInfo("Europe/Warsaw")


def at(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


# -- the pure parts, as tables ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end", "tz", "days", "hours"),
    [
        # UTC, Mon–Fri: Friday 16:00 to Monday 16:00 is one hour and seven.
        (at(UTC, 2030, 1, 4, 16), at(UTC, 2030, 1, 7, 16), None, None, 8.0),
        # New York: Friday 15:00 to Monday 11:00 there is two hours and two.
        (at(NY, 2030, 1, 4, 15), at(NY, 2030, 1, 7, 11), "America/New_York", None, 4.0),
        # …and Monday 08:00 there (13:00 UTC) is still only Friday's two.
        (at(NY, 2030, 1, 4, 15), at(UTC, 2030, 1, 7, 13), "America/New_York", None, 2.0),
        # A weekend counts nothing.
        (at(NY, 2030, 1, 5, 8), at(NY, 2030, 1, 6, 20), "America/New_York", None, 0.0),
        # Across New York's spring change (Sun 10 Mar 2030): Fri 16:00 EST to Mon 10:00 EDT.
        (at(NY, 2030, 3, 8, 16), at(NY, 2030, 3, 11, 10), "America/New_York", None, 2.0),
        # A Sunday that works, the day Warsaw's clocks go forward, and the day they go back.
        (at(WAW, 2030, 3, 31, 0), at(WAW, 2030, 4, 1, 0), "Europe/Warsaw", "sun", 8.0),
        (at(WAW, 2030, 10, 27, 8), at(WAW, 2030, 10, 27, 18), "Europe/Warsaw", "sun", 8.0),
        # Sun–Thu: Friday and Saturday count nothing; Thursday 16:00 to Sunday 10:00 is two.
        (at(WAW, 2030, 1, 4, 9), at(WAW, 2030, 1, 5, 17), "Asia/Riyadh", "sun-thu", 0.0),
        (
            at(ZoneInfo("Asia/Riyadh"), 2030, 1, 3, 16),
            at(ZoneInfo("Asia/Riyadh"), 2030, 1, 6, 10),
            "Asia/Riyadh",
            "sun-thu",
            2.0,
        ),
        # Within one working day, in minutes.
        (at(WAW, 2030, 1, 7, 12, 15), at(WAW, 2030, 1, 7, 12, 45), "Europe/Warsaw", None, 0.5),
    ],
)
def test_working_hours_between(
    start: datetime, end: datetime, tz: str | None, days: str | None, hours: float
) -> None:
    workdays = day_names(days, "x") if days else None
    assert working_hours_between(start, end, tz, workdays) == pytest.approx(hours)


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("mon-fri", "mon,tue,wed,thu,fri", "Mon–Fri"),
        ("sun-thu", "mon,tue,wed,thu,sun", "Sun–Thu"),
        ("Mon,Wed,FRI", "mon,wed,fri", "Mon, Wed, Fri"),
        ("fri-mon", "mon,fri,sat,sun", "Fri–Mon"),
        ("saturday", "sat", "Sat"),
        ("mon-sun", "mon,tue,wed,thu,fri,sat,sun", "Mon–Sun"),
    ],
)
def test_days(typed: str, stored: str, shown: str) -> None:
    assert day_names(typed, "x") == stored
    assert describe_days(stored) == shown


@pytest.mark.parametrize("typed", ["funday", "mon-xyz", "", "mon-"])
def test_days_refused(typed: str) -> None:
    with pytest.raises(UserError):
        day_names(typed, "x")


def test_most_common_zone_and_nudges_due() -> None:
    assert most_common_zone(["Europe/Warsaw", "America/New_York", "America/New_York"]) == (
        "America/New_York"
    )
    assert most_common_zone(["Europe/Warsaw", "America/New_York"]) == "America/New_York"  # tie
    assert most_common_zone([None]) is None
    assert [nudges_due(h) for h in (0, 3.99, 4, 11.99, 12, 20)] == [0, 0, 1, 1, 2, 3]


# -- over the wire -------------------------------------------------------------------------------
@pytest.fixture
def teams(slack: Slack) -> Slack:
    """Globex (internal channel, owned by Alice); finance in New York, logistics in Warsaw."""
    slack.standin.add_channel(FIN_US, "finance-us")
    slack.standin.add_channel(LOG_PL, "logistics-pl")
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    answer = slack.reply(
        "/steward", f"route set finance <#{FIN_US}|finance-us> tz:America/New_York days:mon-fri"
    )
    assert "Mon–Fri 09:00–17:00 America/New_York" in answer
    logistics = f"route set logistics <#{LOG_PL}|logistics-pl> tz:europe/warsaw"
    answer = slack.reply("/steward", logistics)
    assert "Mon–Fri 09:00–17:00 Europe/Warsaw" in answer
    return slack


def open_case(slack: Slack, function: str, channel: str, opened: datetime) -> tuple[int, str]:
    """A case routed from Globex's channel, as if opened at `opened`: its id and post's ts."""
    bot = slack.standin.bot_user_id
    say(slack, GLOBEX_CHANNEL, f"<@{bot}> route {function}: refund pending", user=ALICE)
    slack.standin.wait_for(lambda: any(not p.get("thread_ts") for p in slack.posts(channel)))
    post = next(p for p in slack.posts(channel) if not p.get("thread_ts"))
    with slack.steward.db.session() as session:
        case = session.exec(select(Case).where(Case.counterpart_channel == channel)).one()
        case.created_at = opened
        session.add(case)
        return case.id or 0, post["ts"]


def nudges(slack: Slack, channel: str, post_ts: str) -> list[str]:
    slack.settle()
    return [t for t in thread(slack, channel, post_ts) if "nobody has taken it" in t]


def owner_notes(slack: Slack) -> list[str]:
    slack.settle()
    dm = slack.standin._open_im(ALICE)
    return [rendered(m) for m in slack.posts(dm) if "has waited" in rendered(m)]


def test_two_teams_age_by_their_own_hours_across_a_weekend(teams: Slack) -> None:
    slack = teams
    friday = at(NY, 2030, 1, 4, 15)  # Fri 15:00 in New York, 21:00 in Warsaw
    _, us_post = open_case(slack, "finance", FIN_US, friday)
    _, pl_post = open_case(slack, "logistics", LOG_PL, friday)
    job = lambda moment: nudge_aging_cases(slack.steward, moment)  # noqa: E731

    assert job(at(NY, 2030, 1, 5, 12)) == 0  # Saturday
    assert job(at(NY, 2030, 1, 6, 16)) == 0  # Sunday
    assert job(at(WAW, 2030, 1, 7, 12, 59)) == 0  # Warsaw: 3:59 of Monday's hours
    assert job(at(WAW, 2030, 1, 7, 13)) == 1  # Warsaw: four working hours, Monday 13:00
    assert job(at(NY, 2030, 1, 7, 8)) == 0  # 08:00 in New York: what UTC hours nudged
    assert job(at(NY, 2030, 1, 7, 10, 59)) == 0
    assert job(at(NY, 2030, 1, 7, 11)) == 1  # New York: Friday's two and Monday's two
    assert job(at(NY, 2030, 1, 7, 11)) == 0  # a rerun says nothing twice
    assert len(nudges(slack, FIN_US, us_post)) == 1 and len(nudges(slack, LOG_PL, pl_post)) == 1
    assert "America/New_York, Mon–Fri" in nudges(slack, FIN_US, us_post)[0]
    assert owner_notes(slack) == []

    assert job(at(WAW, 2030, 1, 8, 13)) == 1  # Tuesday, the same mark in Warsaw
    assert job(at(NY, 2030, 1, 8, 10, 59)) == 0
    assert job(at(NY, 2030, 1, 8, 11)) == 1  # …and in New York
    second = nudges(slack, FIN_US, us_post)
    assert len(second) == 2 and "reminder 2" in second[1]
    assert "told the account's owner" in second[1] and "told" not in second[0]
    told = owner_notes(slack)
    assert len(told) == 2 and any("finance" in t and f"<#{FIN_US}>" in t for t in told)

    assert job(at(NY, 2030, 1, 9, 11)) == 2  # Wednesday: both again, the owner not again
    assert job(at(NY, 2030, 1, 9, 12)) == 0
    assert len(nudges(slack, FIN_US, us_post)) == 3 and len(nudges(slack, LOG_PL, pl_post)) == 3
    assert len(owner_notes(slack)) == 2


def test_taking_the_case_stops_the_nudges(teams: Slack) -> None:
    slack = teams
    case_id, post_ts = open_case(slack, "finance", FIN_US, at(NY, 2030, 1, 7, 9))
    assert nudge_aging_cases(slack.steward, at(NY, 2030, 1, 7, 13)) == 1
    post = next(p for p in slack.posts(FIN_US) if p["ts"] == post_ts)
    take = {"type": "button", "action_id": "case_take", "value": str(case_id)}
    result = slack.block_actions(BORIS, take, channel=FIN_US, message=post, response_key="take")
    assert result.status == 200 and "is yours" in slack.response_text("take")
    for day in (8, 9, 10):
        assert nudge_aging_cases(slack.steward, at(NY, 2030, 1, day, 16)) == 0
    assert len(nudges(slack, FIN_US, post_ts)) == 1
    assert owner_notes(slack) == []


def test_the_zone_most_of_the_channels_members_have(slack: Slack) -> None:
    bot = slack.standin.bot_user_id  # Steward is a member too (in Warsaw): it has no vote
    slack.standin.add_user(DAVE, "dave", tz="America/New_York")
    slack.standin.add_channel("CUS", "finance-us", members=[bot, ALICE, BORIS, DAVE])
    slack.standin.add_channel("CTIE", "legal", members=[bot, bot, ALICE, BORIS])
    slack.standin.add_channel("CJP", "service-jp", members=[CAROL, bot])
    slack.standin.add_channel("CNONE", "logistics")

    answer = slack.reply("/steward", "route set finance <#CUS|finance-us>")
    assert "Mon–Fri 09:00–17:00 America/New_York, where most of the channel's members are" in (
        answer
    )
    answer = slack.reply("/steward", "route set legal <#CTIE|legal> days:sun-thu")
    assert "Sun–Thu 09:00–17:00 America/New_York" in answer  # a tie: the first by name
    assert "Asia/Tokyo" in slack.reply("/steward", "route set service <#CJP|service-jp>")
    slack.standin.fail("conversations.members", status=200, error="not_in_channel")
    answer = slack.reply("/steward", "route set logistics <#CNONE|logistics>")
    assert "Mon–Fri 09:00–17:00 UTC" in answer and "couldn't tell me" in answer
    assert "tz:America/New_York" in answer

    # Set again without tz: the zone stays; the members are not asked to change it.
    slack.standin.add_channel("CUS", "finance-us", members=[ALICE])
    assert "America/New_York as before" in slack.reply("/steward", "route set finance <#CUS|x>")
    listed = slack.reply("/steward", "route list")
    assert "*finance* → <#CUS> · Mon–Fri 09:00–17:00 America/New_York" in listed
    assert "*legal* → <#CTIE> · Sun–Thu 09:00–17:00 America/New_York" in listed
    assert "*logistics* → <#CNONE> · Mon–Fri 09:00–17:00 UTC (no zone set)" in listed
    with slack.steward.db.session() as session:
        zones = {r.function: r.tz for r in session.exec(select(Route)).all()}
    assert zones == {
        "finance": "America/New_York",
        "legal": "America/New_York",
        "service": "Asia/Tokyo",
        "logistics": None,
    }


def test_an_unknown_zone_or_day_is_refused(slack: Slack) -> None:
    slack.standin.add_channel("CUS", "finance-us")
    answer = slack.reply("/steward", "route set finance <#CUS|finance-us> tz:America/NewYork")
    assert "“America/NewYork” is not a time zone I know" in answer
    assert "America/New_York, Europe/Warsaw" in answer and "tz:America/New_York" in answer
    assert "You typed" in answer and "tz:America/NewYork" in answer.split("You typed")[1]
    answer = slack.reply("/steward", "route set finance <#CUS|finance-us> days:mon-funday")
    assert "“mon-funday” is not a day or a range of days" in answer and "sun-thu" in answer
    assert "You typed" in answer
    assert "No counterparts are set yet" in slack.reply("/steward", "route list")


def test_a_case_whose_route_has_no_zone_ages_in_utc(slack: Slack) -> None:
    slack.standin.add_channel("CFIN", "finance")  # no members Slack will tell of
    slack.standin.fail("conversations.members", status=200, error="not_in_channel")
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    slack.reply("/steward", "route set finance <#CFIN|finance>")
    _, post_ts = open_case(slack, "finance", "CFIN", at(UTC, 2030, 1, 7, 10))
    assert nudge_aging_cases(slack.steward, at(UTC, 2030, 1, 7, 13, 59)) == 0
    assert nudge_aging_cases(slack.steward, at(UTC, 2030, 1, 7, 14)) == 1
    assert "UTC, Mon–Fri" in nudges(slack, "CFIN", post_ts)[0]
    with slack.steward.db.session() as session:
        assert session.exec(select(Case)).one().nudges == 1


def test_a_nudge_is_counted_once_and_never_for_a_taken_case(db: Database) -> None:
    """Two runs that read the same case: the second's count finds it changed and says
    nothing; a case taken after it was read is not counted (nor nudged) at all."""
    now = at(UTC, 2030, 1, 7, 14)
    with db.session() as session:
        account = Account(
            team_id="T1", name="Globex", name_key="globex", slug="globex", owner_id=ALICE,
            created_at=now, created_by=ALICE,
        )
        session.add(account)
        session.flush()
        case = Case(
            team_id="T1", account_id=account.id or 0, function="finance", origin_channel="C1",
            origin_ts="1.1", source_key="1.1", counterpart_channel="C2", raised_by=ALICE,
            created_at=now,
        )
        session.add(case)
        session.flush()
        case_id = case.id or 0
    with db.session() as session:
        assert count_nudge(session, case_id, 0, 1, now)
        assert not count_nudge(session, case_id, 0, 1, now)  # the other run read 0 too
    with db.session() as session:
        taken = session.get(Case, case_id)
        assert taken is not None
        taken.status, taken.taken_by = CaseStatus.taken, BORIS
        session.add(taken)
    with db.session() as session:
        assert not count_nudge(session, case_id, 1, 2, now)
        assert session.get(Case, case_id).nudges == 1  # type: ignore[union-attr]


def test_an_archived_accounts_case_is_not_nudged(teams: Slack) -> None:
    slack = teams
    _, post_ts = open_case(slack, "finance", FIN_US, at(NY, 2030, 1, 7, 9))
    slack.reply("/steward", "account archive globex")
    assert nudge_aging_cases(slack.steward, at(NY, 2030, 1, 7, 13)) == 0
    assert nudges(slack, FIN_US, post_ts) == []
    slack.reply("/steward", "account unarchive globex")
    assert nudge_aging_cases(slack.steward, at(NY, 2030, 1, 7, 13)) == 1
