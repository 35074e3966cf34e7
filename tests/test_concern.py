"""Which logged summaries raise a concern (bot/contacts/concern.py): a table, both ways."""

from __future__ import annotations

import pytest

from bot.contacts.concern import raises_concern
from bot.contacts.grammar import name_and_title
from bot.contacts.roster import read_attitude, read_roles
from bot.errors import UserError

RAISES = [
    "The client complained about the last invoice",
    "complaint about wagon cleanliness",
    "Concern: their CFO wants a discount",
    "they are worried about capacity in Q1",
    "Unhappy with the new portal",
    "a problem with customs papers",
    "two open issues with the tracking feed",
    "they will escalate to the board",
    "Escalation from procurement",
    "shipment 4411 was late again",
    "Delays at Małaszewicze",
    "! call me back, something is off",
    "Złożyli reklamację na fakturę",
    "skarga na kierowcę",
    "Klient niezadowolony z terminów",
    "opóźnienie dostawy o tydzień",
    "opoznienie dostawy",
    "Problemy z odprawą",
    "клиент написал жалобу",
    "претензия по качеству",
    "есть проблемы с оплатой",
    "недовольны сроками",
    "задержка поставки",
]

QUIET = [
    "issued the invoice for October",
    "we will issue the invoice on Monday",
    "agreed the Q1 renewal terms",
    "no complaints, all good",
    "not worried about the tender at all",
    "no major issues this quarter",
    "asked whether there were any problems",
    "see you later at the fair",
    "latest figures sent",
    "delivered without delay",
    "nie było żadnych problemów",
    "bez zastrzeżeń, wszystko w porządku",
    "нет претензий",
    "никаких проблем",
    "",
]


@pytest.mark.parametrize("summary", RAISES)
def test_a_concern_is_read(summary: str) -> None:
    assert raises_concern(summary)


@pytest.mark.parametrize("summary", QUIET)
def test_plain_news_is_no_concern(summary: str) -> None:
    assert not raises_concern(summary)


@pytest.mark.parametrize(
    ("typed", "name", "title"),
    [
        ("Jan Kowalski (CFO)", "Jan Kowalski", "CFO"),
        ("Jan Kowalski  ( Head of Finance )", "Jan Kowalski", "Head of Finance"),
        ("Jan Kowalski", "Jan Kowalski", None),
        ("Jan Kowalski ()", "Jan Kowalski", None),
        ("(CFO)", "(CFO)", None),  # brackets alone are the name as typed
        ("Jan (Johnny) Kowalski", "Jan (Johnny) Kowalski", None),
    ],
)
def test_a_title_in_brackets(typed: str, name: str, title: str | None) -> None:
    assert name_and_title(typed) == (name, title)


def test_roles_are_stored_in_the_enum_order_and_checked() -> None:
    assert read_roles("decider,buyer", "ex") == "buyer,decider"
    assert read_roles(" Approver , user,user", "ex") == "user,approver"
    assert read_roles("none", "ex") == ""
    with pytest.raises(UserError, match="initiator, user, influencer, gatekeeper, buyer"):
        read_roles("decider,boss", "ex")
    assert read_attitude("Champion", "ex") == "champion"
    with pytest.raises(UserError, match="champion, supporter, neutral, sceptic, opponent"):
        read_attitude("friendly", "ex")
