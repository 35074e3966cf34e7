"""The assessment card: the health rule as a table, and `/steward account show` over the wire
with its word, reasons and warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.assessment.service import Signals, Word, health
from bot.models import Account, Contact, Promise, PromiseStatus, Stage, StageMove
from tests.conftest import ALICE, BORIS, CAROL, Slack

CALM = Signals(stage=Stage.cooperating, silent_days=3, threshold=14, deciders=1, contacts=2)


@pytest.mark.parametrize(
    ("changes", "word", "reason"),
    [
        ({}, Word.good, "in touch 3 days ago (threshold 14)"),
        ({"promised": 4, "kept_on_time": 4}, Word.good, "all 4 promises"),
        ({"silent_days": 14}, Word.good, "in touch 14 days ago"),  # at the threshold: not past
        ({"silent_days": 0}, Word.good, "in touch today (threshold 14)"),
        ({"silent_days": 1}, Word.good, "in touch yesterday (threshold 14)"),
        ({"logged": False}, Word.good, "added 3 days ago, no contact logged yet (threshold 14)"),
        ({"silent_days": 15}, Word.at_risk, "no contact for 15 days (threshold 14)"),
        ({"deciders": 0}, Word.watch, "no decider known"),
        ({"lone_looker": BORIS}, Word.watch, f"looked after by <@{BORIS}> alone"),
        ({"overdue": 1}, Word.watch, "1 promise overdue"),
        ({"promised": 3, "kept_on_time": 2}, Word.watch, "2 of 3 promises kept on time"),
        ({"moved_down": True}, Word.watch, "moved down a stage"),
        ({"quiet_days": 60}, Word.good, "in touch"),
        ({"quiet_days": 61}, Word.watch, "too quiet to trust"),
        ({"quiet_days": 80, "quiet_limit": 90}, Word.good, "in touch"),
        ({"broken": 1, "promised": 1, "moved_down": True}, Word.at_risk, "broken or overdue"),
        ({"overdue": 2, "moved_down": True}, Word.at_risk, "broken or overdue"),
        ({"opponent_deciders": 1}, Word.at_risk, "a decider is an opponent"),
        ({"stage": Stage.rejecting}, Word.at_risk, "rejecting"),
    ],
)
def test_the_health_rule(changes: dict, word: Word, reason: str) -> None:
    signals = Signals(**{**CALM.__dict__, **changes})
    found = health(signals)
    assert found.word == word
    assert any(reason in r for r in found.reasons), found.reasons


def test_at_risk_lists_its_cause_first_then_every_warning() -> None:
    found = health(Signals(**{**CALM.__dict__, "silent_days": 30, "deciders": 0}))
    assert found.word == Word.at_risk
    assert found.reasons[0].startswith("no contact for 30 days")
    assert "no decider known" in found.reasons


# -- over the wire -----------------------------------------------------------------------------
def seed_contacts(slack: Slack, account_id: int, people: list[tuple[str, str, str | None, str]]):
    now = datetime.now(UTC)
    with slack.steward.db.session() as session:
        for name, roles, attitude, looker in people:
            session.add(
                Contact(
                    account_id=account_id,
                    name=name,
                    name_key=name.casefold(),
                    roles=roles,
                    attitude=attitude,
                    looks_after=looker,
                    created_at=now,
                )
            )


def acme(slack: Slack) -> Account:
    slack.reply("/steward", "account add Acme Rail tier:key")
    with slack.steward.db.session() as session:
        return session.exec(select(Account)).one()


def test_card_shows_word_reasons_and_warnings(slack: Slack) -> None:
    account = acme(slack)
    slack.reply("/logcontact", "acme call with Jan Kowalski: agreed the renewal")
    seed_contacts(slack, account.id, [("Ewa Nowak", "user", "neutral", ALICE)])
    card = slack.reply("/steward", "account show acme")
    assert "*watch* — no decider known" in card
    assert ":warning: No decider known among the key contacts." in card
    assert "Every key contact is looked after by" not in card  # Jan is looked after by nobody
    assert "*Jan Kowalski* — role unknown" in card and "*Ewa Nowak* — user · neutral" in card
    assert "none logged yet" not in card and "agreed the renewal" in card

    with slack.steward.db.session() as session:
        for person in session.exec(select(Contact)).all():
            person.looks_after = BORIS
            session.add(person)
    seed_contacts(slack, account.id, [("Piotr Zieliński", "decider,approver", "supporter", BORIS)])
    card = slack.reply("/steward", "account show acme")
    assert f":warning: Every key contact is looked after by <@{BORIS}> alone." in card
    assert "No decider known" not in card
    assert "*Piotr Zieliński* — decider, approver · supporter" in card
    assert card.index("Piotr Zieliński") < card.index("Ewa Nowak")  # deciders first


def test_card_at_risk_with_its_reasons_and_stage_history(slack: Slack) -> None:
    account = acme(slack)
    now = datetime.now(UTC)
    seed_contacts(slack, account.id, [("Jan Kowalski", "decider", "opponent", CAROL)])
    with slack.steward.db.session() as session:
        session.add(
            StageMove(
                account_id=account.id,
                from_stage=Stage.cooperating,
                to_stage=Stage.responsive,
                reason="lost the tender",
                moved_by=ALICE,
                moved_at=now - timedelta(days=5),
            )
        )
        stored = session.get(Account, account.id)
        stored.stage = Stage.responsive
        stored.created_at = now - timedelta(days=200)
        session.add(stored)
        session.add(
            Promise(
                account_id=account.id,
                what="send the quote",
                owner_id=ALICE,
                due_on=(now - timedelta(days=10)).date(),
                status=PromiseStatus.broken,
                created_by=ALICE,
                created_at=now - timedelta(days=20),
                closed_at=now - timedelta(days=9),
            )
        )
    card = slack.reply("/steward", "account show acme")
    assert "*at risk* — no contact for 200 days (threshold 21)" in card
    assert "a promise broken or overdue, and a stage move down in 90 days" in card
    assert "a decider is an opponent" in card and "0 of 1 promises kept on time" in card
    assert "responsive for 5 days, ↘ falling" in card
    assert "cooperating → *responsive*" in card and "lost the tender" in card
    assert "*Kept on time (90 days)*\n0 of 1" in card


def test_card_lists_ten_key_contacts_and_says_how_many_more(slack: Slack) -> None:
    account = acme(slack)
    people = [(f"Person {n:02d}", "", None, None) for n in range(14)]
    seed_contacts(slack, account.id, [*people, ("Zofia Decider", "decider", None, None)])
    card = slack.reply("/steward", "account show acme")
    assert "*Key contacts* (15)" in card
    assert "*Zofia Decider* — decider" in card and "Person 08" in card
    assert "Person 09" not in card
    assert "and 5 more — `/steward contact list acme-rail`" in card
    with slack.steward.db.session() as session:
        gone = session.exec(select(Contact).where(Contact.name == "Zofia Decider")).one()
        gone.removed_at = datetime.now(UTC)
        session.add(gone)
    card = slack.reply("/steward", "account show acme")
    assert "*Key contacts* (14)" in card and "Zofia" not in card and "no decider known" in card
