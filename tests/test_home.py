"""App Home over the wire: published on app_home_opened as a view Slack's own models accept,
only for our people and only with their own data, its buttons, refreshes and block cap."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.models.views import View
from sqlmodel import select

from bot.blocks import rendered
from bot.models import Account, Case, Member, Promise, PromiseStatus
from tests.conftest import ALICE, BORIS, GENERAL, Slack

CLIENT = "UJAN"


def publishes(slack: Slack, user: str) -> list[dict[str, Any]]:
    return [
        v for v in slack.standin.views if v["method"] == "views.publish" and v["user_id"] == user
    ]


def open_home(slack: Slack, user: str = ALICE) -> dict[str, Any]:
    """Send app_home_opened as Slack does; the view published for `user` after it."""
    before = len(publishes(slack, user))
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": f"D{user}",
        "tab": "home",
        "event_ts": f"{time.time():.6f}",
    }
    assert slack.event(event).status == 200
    slack.standin.wait_for(lambda: len(publishes(slack, user)) > before, 10)
    return publishes(slack, user)[-1]["view"]


def valid(view: dict[str, Any]) -> dict[str, Any]:
    """The view as Slack's own Block Kit models read it (they raise on anything invalid)."""
    View(**view).validate_json()
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    return view


def text_of(view: dict[str, Any]) -> str:
    parts = [rendered({"blocks": view["blocks"]})]
    parts += [
        b["accessory"]["text"]["text"] for b in view["blocks"] if b.get("accessory", {}).get("text")
    ]
    return "\n".join(parts)


def seed(slack: Slack) -> None:
    slack.reply("/steward", "account add Acme Rail tier:key")
    slack.reply("/steward", f"account add Globex <@{BORIS}|boris>")
    slack.reply("/promise", "acme send the deck by tomorrow")
    slack.reply("/promise", f"globex call back by tomorrow <@{BORIS}|boris>")
    now = datetime.now(UTC)
    with slack.steward.db.session() as session:
        first = session.get(Promise, 1)
        first.due_on = (now - timedelta(days=3)).date()  # overdue
        session.add(first)
        for account_id, function in ((1, "finance"), (2, "logistics")):
            session.add(
                Case(
                    team_id=slack.team_id,
                    account_id=account_id,
                    function=function,
                    origin_channel=GENERAL,
                    origin_ts=f"{account_id}.000100",
                    source_key=f"k{account_id}",
                    counterpart_channel=GENERAL,
                    raised_by=ALICE,
                    created_at=now,
                )
            )


def test_app_home_opened_publishes_the_persons_own_home(slack: Slack) -> None:
    seed(slack)
    view = valid(open_home(slack))
    shown = text_of(view)
    assert "*Acme Rail* `acme-rail` — *watch*" in shown and "no decider known" in shown
    assert "send the deck" in shown and "overdue" in shown
    assert "finance" in shown
    # Boris's account, promise and case are his alone.
    assert "Globex" not in shown and "call back" not in shown and "logistics" not in shown
    kept = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert any(e.get("action_id") == "digest_kept" for e in kept)
    with slack.steward.db.session() as session:
        assert session.get(Member, (slack.team_id, ALICE)).home_opened_at is not None
        assert session.get(Member, (slack.team_id, BORIS)).home_opened_at is None
    boris = text_of(valid(open_home(slack, BORIS)))
    assert "Globex" in boris and "call back" in boris and "Acme" not in boris


def test_a_clients_person_gets_nothing_of_ours(slack: Slack) -> None:
    seed(slack)
    slack.standin.add_user(CLIENT, "jan", real_name="Jan Client", team_id="TCLIENT")
    view = valid(open_home(slack, CLIENT))
    shown = text_of(view)
    assert "only for the team that runs Steward" in shown
    for ours in ("Acme", "Globex", "deck", "finance", "P-1"):
        assert ours not in shown
    assert [b["type"] for b in view["blocks"]] == ["section"]
    with slack.steward.db.session() as session:
        member = session.get(Member, (slack.team_id, CLIENT))
        assert member is None or member.home_opened_at is None
    # Nor does a click on a Home button, however it is forged, show them anything of ours.
    before = len(publishes(slack, CLIENT))
    action = {"type": "button", "action_id": "home_card", "value": "1", "block_id": "x"}
    slack.block_actions(CLIENT, action, view=view)
    slack.settle()
    assert all("Acme" not in text_of(v["view"]) for v in publishes(slack, CLIENT)[before:])


def test_a_home_button_acts_and_republishes(slack: Slack) -> None:
    seed(slack)
    view = open_home(slack)
    kept = next(
        {**e, "block_id": b["block_id"]}
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == "digest_kept"
    )
    before = len(publishes(slack, ALICE))
    assert slack.block_actions(ALICE, kept, view=view).status == 200
    slack.standin.wait_for(lambda: len(publishes(slack, ALICE)) > before)
    after = valid(publishes(slack, ALICE)[-1]["view"])
    shown = text_of(after)
    assert "P-1 marked kept" in shown
    assert "*Your promises overdue or due this week*: none" in shown
    with slack.steward.db.session() as session:
        assert session.get(Promise, 1).status == PromiseStatus.kept
    # The card button puts the account's card on top; closing takes it away.
    card = {"type": "button", "action_id": "home_card", "value": "1", "block_id": "b"}
    slack.block_actions(ALICE, card, view=after)
    slack.standin.wait_for(
        lambda: "*Kept on time (90 days)*" in text_of(publishes(slack, ALICE)[-1]["view"])
    )
    with_card = valid(publishes(slack, ALICE)[-1]["view"])
    assert "Log contact" in str(with_card) and "Close card" in str(with_card)
    # Boris's account's card is not Alice's to see in her Home.
    forged = {**card, "value": "2"}
    count = len(publishes(slack, ALICE))
    slack.block_actions(ALICE, forged, view=with_card)
    slack.standin.wait_for(lambda: len(publishes(slack, ALICE)) > count)
    assert "Globex" not in text_of(publishes(slack, ALICE)[-1]["view"])


def test_home_refreshes_after_a_command_once_opened(slack: Slack) -> None:
    seed(slack)
    slack.settle()
    assert publishes(slack, ALICE) == []  # never opened: commands publish nothing
    open_home(slack)
    count = len(publishes(slack, ALICE))
    slack.reply("/promise", "acme book the training by friday")
    slack.standin.wait_for(lambda: len(publishes(slack, ALICE)) > count)
    assert "book the training" in text_of(publishes(slack, ALICE)[-1]["view"])


def test_home_stays_within_100_blocks_and_shows_more(slack: Slack) -> None:
    now = datetime.now(UTC)
    with slack.steward.db.session() as session:
        for n in range(60):
            account = Account(
                team_id=slack.team_id,
                name=f"Client {n:02d}",
                name_key=f"client {n:02d}",
                slug=f"client-{n:02d}",
                owner_id=ALICE,
                created_at=now,
                created_by=ALICE,
            )
            session.add(account)
            session.flush()
            session.add(
                Promise(
                    account_id=account.id,
                    what=f"promise {n:02d}",
                    owner_id=ALICE,
                    due_on=now.date() + timedelta(days=n % 5),
                    created_by=ALICE,
                    created_at=now,
                )
            )
    view = valid(open_home(slack))
    shown = text_of(view)
    assert "*Your accounts* (60)" in shown and "*Client 09*" in shown
    assert "*Client 10* `client-10`" not in shown
    more = next(
        e
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == "home_more"
    )
    count = len(publishes(slack, ALICE))
    slack.block_actions(ALICE, {**more, "block_id": "home-more"}, view=view)
    slack.standin.wait_for(lambda: len(publishes(slack, ALICE)) > count)
    bigger = valid(publishes(slack, ALICE)[-1]["view"])
    assert "*Client 19* `client-19`" in text_of(bigger)
    pages = [bigger]
    for _ in range(4):  # up to the largest page: always within 100 blocks
        more = [
            e
            for b in pages[-1]["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e.get("action_id") == "home_more"
        ]
        if not more:
            break
        count = len(publishes(slack, ALICE))
        slack.block_actions(ALICE, {**more[0], "block_id": "home-more"}, view=pages[-1])
        slack.standin.wait_for(lambda n=count: len(publishes(slack, ALICE)) > n)
        pages.append(valid(publishes(slack, ALICE)[-1]["view"]))
    assert [len(p["blocks"]) for p in pages][-1] > len(view["blocks"])
    last = text_of(pages[-1])
    assert "home_more" not in str(pages[-1]) and "more: `/steward account list`" in last
    with slack.steward.db.session() as session:
        assert len(session.exec(select(Account)).all()) == 60


def test_who_has_a_home_is_remembered_for_a_few_minutes(db) -> None:  # type: ignore[no-untyped-def]
    """A command costs no read for the Home; another process's open is seen within the TTL."""
    from bot.home.service import Watchers

    homes, now = Watchers(), datetime(2026, 11, 30, 9, tzinfo=UTC)
    assert homes.known("T", "U1", now) is None
    with db.session() as session:
        assert homes.read(session, "T", "U1", now) is False
    with db.session() as session:  # another process records that U1 opened their Home
        session.add(Member(team_id="T", user_id="U1", home_opened_at=now))
    assert homes.known("T", "U1", now + Watchers.TTL - timedelta(seconds=1)) is False
    later = now + Watchers.TTL
    assert homes.known("T", "U1", later) is None
    with db.session() as session:
        assert homes.read(session, "T", "U1", later) is True
    assert homes.known("T", "U1", later) is True
