"""Key contacts, /logcontact finding the client's people, and editing or deleting a logged
contact, over Slack's real wire (signed HTTP, the stand-in), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.models import AccountEvent, Contact, EventKind, Interaction
from tests.conftest import ACME_CHANNEL, ALICE, BORIS, CAROL, GENERAL, Slack

CLIENT = "UCLIENT"
JAN = f"acme Jan Kowalski, CFO role:decider,buyer attitude:supporter looks-after:<@{CAROL}|carol>"


def rows(slack: Slack, model: type) -> list:
    with slack.steward.db.session() as session:
        return list(session.exec(select(model).order_by(model.id)).all())  # type: ignore[attr-defined]


def events(slack: Slack) -> list[tuple[str, str | None, str]]:
    return [(e.kind, e.subject, e.detail) for e in rows(slack, AccountEvent)]


@pytest.fixture
def acme(slack: Slack) -> Slack:
    """Acme Rail, owned by Alice, its channel shared with the client."""
    text = slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail> tier:key")
    assert "Added *Acme Rail*" in text
    return slack


def test_contact_add_set_list_remove_and_add_again(acme: Slack) -> None:
    text = acme.reply("/steward", f"contact add {JAN}")
    assert "Added to *Acme Rail*'s key contacts" in text
    assert f"Jan Kowalski (CFO): buyer, decider · supporter · looked after by <@{CAROL}>" in text
    [jan] = rows(acme, Contact)
    assert (jan.name, jan.title, jan.roles, jan.attitude, jan.looks_after) == (
        "Jan Kowalski",
        "CFO",
        "buyer,decider",  # canonical: the enum's order
        "supporter",
        CAROL,
    )
    # In the account's channel the account may be left out; a comma gives a new title.
    text = acme.reply(
        "/steward",
        "contact set jan kowalski, Head of Finance attitude:champion role:decider, approver",
        channel=ACME_CHANNEL,
    )
    assert "attitude supporter → champion" in text and "title CFO → Head of Finance" in text
    assert "roles buyer, decider → decider, approver" in text
    acme.reply("/steward", "contact add Ewa Nowak", channel=ACME_CHANNEL)

    listing = acme.reply("/steward", "contact list acme")
    assert "Key contacts at Acme Rail* (2)" in listing
    assert "Ewa Nowak: role unknown" in listing
    assert (
        f"Jan Kowalski (Head of Finance): decider, approver · champion · looked after by <@{CAROL}>"
        in listing
    )

    acme.reply("/logcontact", "acme call with Jan Kowalski: renewal")
    text = acme.reply("/steward", "contact remove acme JAN KOWALSKI")
    assert "Jan Kowalski is no longer a key contact of *Acme Rail*" in text
    listing = acme.reply("/steward", "contacts acme")
    assert "(1)" in listing and "Jan Kowalski" not in listing and "Ewa Nowak" in listing
    assert len(rows(acme, Interaction)) == 1  # what was logged with him stays

    text = acme.reply("/steward", "contact add acme Jan Kowalski attitude:neutral")
    assert "Added again" in text and "approver · neutral" in text
    assert len(rows(acme, Contact)) == 2
    assert "Jan Kowalski" in acme.reply("/steward", "contacts", channel=ACME_CHANNEL)
    kinds = [kind for kind, _subject, _detail in events(acme)]
    assert kinds == [
        EventKind.person_added,
        EventKind.person_changed,
        EventKind.person_added,
        EventKind.person_removed,
        EventKind.person_added,
    ]
    assert "(added again)" in events(acme)[-1][2]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "contact add acme Jan Kowalski role:boss",
            "role must be one or more of initiator, user, influencer, gatekeeper, buyer, "
            "decider, approver, comma-separated (got “boss”)",
        ),
        (
            "contact add acme Jan Kowalski attitude:friendly",
            "attitude must be one of champion, supporter, neutral, sceptic, opponent "
            "(got “friendly”)",
        ),
        (
            f"contact add acme Jan Kowalski looks-after:<@{CLIENT}|jan>",
            f"<@{CLIENT}> is not of our organisation",
        ),
        ("contact add acme Jan Kowalski mood:great", "`mood:` is not something a key contact"),
        ("contact add acme", "whose name?"),
        ("contact set acme Jan Kowalski", "say what to change"),
        ("contact set acme Jan Kowalsky role:user", "Jan Kowalsky is not a key contact"),
        ("contact remove acme Anna", "Anna is not a key contact of Acme Rail"),
        ("contact frobnicate acme", "use add, set, list or remove"),
    ],
)
def test_contact_refusals_say_what_and_echo_the_text(
    acme: Slack, typed: str, expected: str
) -> None:
    acme.standin.add_user(CLIENT, "jan", real_name="Jan Client", team_id="TCLIENT")
    acme.reply("/steward", "contact add acme Jan Kowalski")
    before = [(c.name, c.roles, c.attitude, c.looks_after) for c in rows(acme, Contact)]
    text = acme.reply("/steward", typed)
    assert expected in text
    assert "Try:" in text and typed in text.replace("```", "")
    assert [(c.name, c.roles, c.attitude, c.looks_after) for c in rows(acme, Contact)] == before
    assert len(rows(acme, AccountEvent)) == 1


def test_adding_a_contact_twice_suggests_contact_set(acme: Slack) -> None:
    acme.reply("/logcontact", "acme call with Jan Kowalski: intro")  # a contact, role unknown
    text = acme.reply("/steward", "contact add acme jan kowalski role:decider")
    assert "Jan Kowalski is already a contact of Acme Rail" in text
    assert "/steward contact set acme-rail Jan Kowalski" in text
    assert [c.roles for c in rows(acme, Contact)] == [""]
    assert "Did you mean `Jan Kowalski`?" in acme.reply(
        "/steward", "contact set acme Jan Kowalsky role:user"
    )


def test_logcontact_finds_jan_by_name_and_reads_his_title(acme: Slack) -> None:
    acme.reply("/steward", "contact add acme Jan Kowalski role:decider")
    text = acme.reply("/logcontact", "acme call yesterday with Jan Kowalski (CFO): renewal terms")
    assert "Logged call with Jan Kowalski at *Acme Rail*" in text and "new contact" not in text
    [jan] = rows(acme, Contact)
    assert (jan.name, jan.title, jan.roles) == ("Jan Kowalski", "CFO", "decider")
    acme.reply("/logcontact", "acme call with JAN KOWALSKI (Chief Financial Officer): again")
    assert [c.title for c in rows(acme, Contact)] == ["CFO"]  # a known title is kept
    # A new name asks nothing: it becomes a contact, listed as "role unknown".
    text = acme.reply("/logcontact", "acme meeting with Ewa Nowak (Head of Logistics): a visit")
    assert "Logged meeting with Ewa Nowak (new contact)" in text
    assert "Ewa Nowak (Head of Logistics): role unknown" in acme.reply(
        "/steward", "contact list acme"
    )
    contacts = {c.name: c.id for c in rows(acme, Contact)}
    assert sorted(contacts) == ["Ewa Nowak", "Jan Kowalski"]
    assert [i.contact_id for i in rows(acme, Interaction)] == [
        contacts["Jan Kowalski"],
        contacts["Jan Kowalski"],
        contacts["Ewa Nowak"],
    ]


def label_of(text: str) -> str:
    """The `L-12` a /logcontact answer ends with."""
    return text.rsplit("`", 2)[-2]


def test_edit_by_the_logger_or_the_owner_and_nobody_else(acme: Slack) -> None:
    logged = acme.reply(
        "/logcontact", "acme call yesterday with Jan Kowalski: agreed terms", user=BORIS
    )
    [row] = rows(acme, Interaction)
    label = label_of(logged)
    assert label == f"L-{row.id}"

    text = acme.reply("/logcontact", f"edit {label} meeting with Ewa Nowak", user=BORIS)
    assert (
        f"Edited {label} at *Acme Rail*: kind call → meeting; with Jan Kowalski → Ewa Nowak" in text
    )
    text = acme.reply("/logcontact", f"edit {label}: agreed the Q1 terms", user=ALICE)  # the owner
    assert "summary “agreed terms” → “agreed the Q1 terms”" in text

    refused = acme.reply("/logcontact", f"edit {label} today: mine now", user=CAROL)
    assert f"only <@{BORIS}> (who logged it) or <@{ALICE}> (Acme Rail's owner) may edit" in refused
    assert f"edit {label} today: mine now" in refused.replace("```", "")
    [row] = rows(acme, Interaction)
    assert (row.kind, row.summary, row.logged_by) == ("meeting", "agreed the Q1 terms", BORIS)
    assert {c.id: c.name for c in rows(acme, Contact)}[row.contact_id] == "Ewa Nowak"

    kept = [(k, s) for k, s, _ in events(acme)]
    assert kept == [(EventKind.contact_edited, label)] * 2
    assert "with Jan Kowalski → Ewa Nowak" in events(acme)[0][2]


def test_delete_keeps_what_it_said_in_the_story(acme: Slack) -> None:
    label = label_of(acme.reply("/logcontact", "acme visit with Jan Kowalski: plant tour"))
    refused = acme.reply("/logcontact", f"delete {label}", user=CAROL)
    assert "may delete" in refused and len(rows(acme, Interaction)) == 1

    text = acme.reply("/logcontact", f"delete {label}", channel=GENERAL)
    assert f"Deleted {label} at *Acme Rail*" in text and "plant tour" in text
    assert rows(acme, Interaction) == []
    [(kind, subject, detail)] = events(acme)
    assert (kind, subject) == (EventKind.contact_deleted, label)
    assert "visit on " in detail and "with Jan Kowalski: “plant tour”" in detail
    assert f"there is no logged contact {label}" in acme.reply("/logcontact", f"delete {label}")
    assert "not a logged contact's label" in acme.reply("/logcontact", "edit P-3: hi")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("edit", "which logged contact?"),
        ("edit L-1", "say what to change"),
        ("edit L-1 tomorrow", "is in the future"),
        ("edit L-1 phone: hi", "couldn't read “phone”"),
        ("edit L-1 :   ", "summary is missing"),
        ("edit L-99: hi", "there is no logged contact L-99"),
    ],
)
def test_edit_refusals(acme: Slack, typed: str, expected: str) -> None:
    acme.reply("/logcontact", "acme call: first")
    text = acme.reply("/logcontact", typed)
    assert expected in text and "Try:" in text
    assert [i.summary for i in rows(acme, Interaction)] == ["first"]
    assert rows(acme, AccountEvent) == []


def test_a_summary_raising_a_concern_is_flagged(acme: Slack) -> None:
    acme.reply("/logcontact", "acme call: they complained about the late wagons")
    acme.reply("/logcontact", "acme call: no complaints, renewal on track")
    acme.reply("/logcontact", "acme email: reklamacja faktury 11/2026")
    assert [i.concern for i in rows(acme, Interaction)] == [True, False, True]
    first = rows(acme, Interaction)[0].id
    acme.reply("/logcontact", f"edit L-{first}: sorted, all fine")
    assert [i.concern for i in rows(acme, Interaction)] == [False, False, True]


def test_the_form_reads_a_title_in_brackets_and_a_concern(acme: Slack) -> None:
    acme.reply("/steward", "contact add acme Jan Kowalski role:decider")
    result, key = acme.command("/logcontact", "", user=ALICE, channel=ACME_CHANNEL)
    assert result.status == 200
    assert acme.standin.wait_for(lambda: len(acme.standin.views) == 1)
    view = acme.standin.views[0]["view"]

    def typed(block: str, value: str) -> dict:
        return {block: {"type": "plain_text_input", "value": value}}

    values = {
        "account": {
            "account_select": {"type": "external_select", "selected_option": {"value": "1"}}
        },
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "call"}}},
        "day": {"day": {"type": "datepicker", "selected_date": None}},
        "person": typed("person", "jan kowalski (CFO)"),
        "summary": typed("summary", "They are unhappy with the delays"),
    }
    assert acme.view_submission(ALICE, view, values).status == 200
    text = acme.response_text(key)
    assert "Logged call with Jan Kowalski at *Acme Rail*, today" in text
    [jan] = rows(acme, Contact)
    [logged] = rows(acme, Interaction)
    assert (jan.title, logged.contact_id, logged.concern) == ("CFO", jan.id, True)
    assert f"`L-{logged.id}`" in text


def test_help_shows_key_contacts_and_edit(slack: Slack) -> None:
    text = slack.reply("/steward", "help")
    assert "*Key contacts*" in text and "contact add" in text and "attitude:" in text
    assert "/logcontact edit L-12" in text and "/logcontact delete L-12" in text
    assert "contact remove acme-rail" in slack.reply("/steward", "contact help")
