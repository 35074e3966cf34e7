"""Key-account depth over Slack's wire: stages with history, what the account buys, rename and
archive, and the account's story, paged (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.accounts.queries import stage_moves, stage_rank, stage_since
from bot.db import Database
from bot.grammar import split_options
from bot.models import (
    Account,
    AccountEvent,
    Case,
    EventKind,
    Interaction,
    Promise,
    Stage,
    StageMove,
)
from bot.slacktext import tokens
from bot.story.queries import story_page
from tests.conftest import ACME_CHANNEL, ALICE, BORIS, GENERAL, Slack

STAGES = "rejecting, detached, responsive, convinced, cooperating, strategic"


def add_acme(slack: Slack) -> None:
    text = slack.reply(
        "/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail> tier:strategic"
    )
    assert "`acme-rail`" in text


def acme(slack: Slack) -> Account:
    with slack.steward.db.session() as session:
        return session.exec(select(Account).where(col(Account.slug).startswith("acme"))).one()


def rows(slack: Slack, model: type) -> list:
    with slack.steward.db.session() as session:
        return list(session.exec(select(model)).all())


# -- stages ------------------------------------------------------------------------------------
def test_stage_moves_are_kept_across_a_restart(database_url: str, standin) -> None:
    first = Slack(database_url, standin=standin)
    try:
        add_acme(first)
        said = first.reply(
            "/steward", "account stage acme cooperating: signed the framework agreement"
        )
        assert "responsive → *cooperating*" in said and ":arrow_up:" in said
    finally:
        first.close()
    second = Slack(database_url, standin=standin)
    try:
        second.steward.clock.offset = timedelta(minutes=5)
        said = second.reply(
            "/steward", "account stage acme-rail detached: stopped answering", user=BORIS
        )
        assert "cooperating → *detached*" in said and ":arrow_down:" in said
        story = second.reply("/steward", "account history acme")
        assert story.index("→ *detached*") < story.index("→ *cooperating*")  # newest first
        assert "signed the framework agreement" in story and f"<@{BORIS}>" in story
        account = acme(second)
        assert account.stage == Stage.detached
        with second.steward.db.session() as session:
            moves = stage_moves(session, account.id or 0, 10)
            since = stage_since(session, account)
        assert [(m.from_stage, m.to_stage, m.moved_by) for m in moves] == [
            ("cooperating", "detached", BORIS),
            ("responsive", "cooperating", ALICE),
        ]
        assert moves[1].reason == "signed the framework agreement"
        assert since == moves[0].moved_at
    finally:
        second.close()


def test_stage_refusals_and_the_same_stage(slack: Slack) -> None:
    add_acme(slack)
    no_reason = slack.reply("/steward", "account stage acme cooperating")
    assert "say why" in no_reason and "cooperating: signed the framework" in no_reason
    assert "You typed" in no_reason and "account stage acme cooperating" in no_reason
    for text in ["account stage acme cooperating:", "account stage acme cooperating signed it"]:
        refused = slack.reply("/steward", text)
        assert "say why" in refused and STAGES not in refused, text
    unknown = slack.reply("/steward", "account stage acme coop: they like us")
    assert STAGES in unknown and "“coop”" in unknown
    assert "account stage acme coop: they like us" in unknown  # the text echoed
    same = slack.reply("/steward", "account stage acme responsive: still talking")
    assert "already responsive" in same
    assert rows(slack, StageMove) == []
    # `account set … stage:` moves it the same one way: the move is kept.
    assert "stage convinced" in slack.reply("/steward", "account set acme stage:convinced")
    [move] = rows(slack, StageMove)
    assert (move.from_stage, move.to_stage, move.moved_by) == ("responsive", "convinced", ALICE)
    assert "account set" in move.reason
    assert acme(slack).stage == Stage.convinced


def test_stage_rank_follows_the_enum() -> None:
    assert [stage_rank(s) for s in Stage] == list(range(6))
    assert stage_rank("detached") < stage_rank(Stage.strategic)


# -- what the account buys, quiet, add with silence -------------------------------------------
def test_set_buys_competitors_perception_with_quotes(slack: Slack) -> None:
    add_acme(slack)
    said = slack.reply(
        "/steward",
        'account set acme buys:"rail freight" competitors:“DB Cargo — cheaper” '
        'perception:"reliable, slow invoicing" quiet:90d',
    )
    assert "buys “rail freight”" in said and "too quiet after 90 days" in said
    account = acme(slack)
    assert (account.buys, account.competitors, account.perception, account.quiet_days) == (
        "rail freight",
        "DB Cargo — cheaper",
        "reliable, slow invoicing",
        90,
    )
    [event] = rows(slack, AccountEvent)
    assert event.kind == EventKind.assessed and "DB Cargo — cheaper" in event.detail
    # The same values again change nothing and keep nothing; `none` clears one.
    slack.reply("/steward", 'account set acme buys:"rail freight" quiet:default')
    assert len(rows(slack, AccountEvent)) == 1
    assert acme(slack).quiet_days is None
    assert "no perception" in slack.reply("/steward", "account set acme perception:none")
    assert acme(slack).perception is None
    assert [e.detail for e in rows(slack, AccountEvent)][-1] == "perception cleared"
    bad = slack.reply("/steward", "account set acme quiet:400d")
    assert "from 1 to 365" in bad and acme(slack).quiet_days is None
    added = slack.reply("/steward", "account add Globex silence:21d")
    assert "`globex`" in added
    with slack.steward.db.session() as session:
        globex = session.exec(select(Account).where(Account.slug == "globex")).one()
    assert globex.silence_days == 21


# -- rename, archive ---------------------------------------------------------------------------
def test_rename(slack: Slack) -> None:
    add_acme(slack)
    slack.reply("/steward", "account add Globex")
    said = slack.reply("/steward", "account rename acme-rail Acme Rail Polska")
    assert "*Acme Rail* is now *Acme Rail Polska*, `acme-rail-polska`" in said
    account = acme(slack)
    assert (account.name, account.slug, account.name_key) == (
        "Acme Rail Polska",
        "acme-rail-polska",
        "acme rail polska",
    )
    [event] = rows(slack, AccountEvent)
    assert (
        event.kind == EventKind.renamed
        and "(`acme-rail`) → Acme Rail Polska (`acme-rail-polska`)" in event.detail
    )
    taken = slack.reply("/steward", "account rename acme-rail-polska to Globex")
    assert "already exists" in taken and acme(slack).slug == "acme-rail-polska"
    # Named in its own channel too: the new name is never read as the account.
    unnamed = slack.reply("/steward", "account rename Brand New Name", channel=ACME_CHANNEL)
    assert "no account matches “Brand”" in unnamed and acme(slack).name == "Acme Rail Polska"
    slack.reply("/steward", "account rename acme-rail-polska to Acme", channel=ACME_CHANNEL)
    assert acme(slack).name == "Acme"
    half = slack.reply("/steward", "account rename acme")  # the account, or the name: one missing
    assert "name the account, then its new name" in half and acme(slack).name == "Acme"


def test_archive_hides_refuses_logging_and_unarchive(slack: Slack) -> None:
    add_acme(slack)
    slack.reply("/steward", "account add Globex")
    said = slack.reply("/steward", "account archive acme")
    assert "Archived *Acme Rail*" in said and acme(slack).archived_at is not None
    assert "already archived" in slack.reply("/steward", "account archive acme-rail")
    listing = slack.reply("/steward", "account list")
    assert "globex" in listing and "acme-rail" not in listing
    assert "1 archived: `/steward account list all`" in listing
    everything = slack.reply("/steward", "account list all")
    assert "acme-rail" in everything and "_archived_" in everything
    for command, text, channel in [
        ("/logcontact", "acme call: they asked about invoices", GENERAL),
        ("/logcontact", "call: they asked about invoices", ACME_CHANNEL),
        ("/promise", "acme send the deck by 2099-01-10", GENERAL),
    ]:
        refused = slack.reply(command, text, channel=channel)
        assert "is archived; unarchive it first" in refused, command
        assert "/steward account unarchive acme-rail" in refused and text in refused
    assert rows(slack, Interaction) == [] and rows(slack, Promise) == []
    # Still found when named: its card and its story.
    assert "Acme Rail" in slack.reply("/steward", "account show acme-rail")
    assert ":file_cabinet: archived" in slack.reply("/steward", "account history acme-rail")
    assert "is back" in slack.reply("/steward", "account unarchive acme-rail")
    assert acme(slack).archived_at is None
    assert "Logged call" in slack.reply("/logcontact", "acme call: they asked about invoices")
    assert [e.kind for e in rows(slack, AccountEvent)] == ["archived", "unarchived"]


# -- the account's story -----------------------------------------------------------------------
def labels(text: str) -> list[str]:
    return re.findall(r"`(L-\d+)` call", text)  # logged contacts' lines, not events' subjects


def test_history_pages_newest_first_with_edits_and_deletions(slack: Slack) -> None:
    add_acme(slack)
    account = acme(slack)
    now = slack.steward.clock.now()
    today = now.astimezone(ZoneInfo("Europe/Warsaw")).date()
    with slack.steward.db.session() as session:
        stored = session.get(Account, account.id)
        assert stored is not None
        stored.created_at = now - timedelta(days=30)  # the story begins before its contacts
        for n in range(20):  # 20 logged contacts, one a day, the newest yesterday
            session.add(
                Interaction(
                    account_id=account.id or 0,
                    kind="call",
                    occurred_on=today - timedelta(days=20 - n),
                    summary=f"call number {n}",
                    concern=n == 19,
                    logged_by=ALICE,
                    created_at=now - timedelta(days=20 - n),
                )
            )
        session.add(  # logged today, about a day before all the others: listed by its day
            Interaction(
                account_id=account.id or 0,
                kind="call",
                occurred_on=today - timedelta(days=25),
                summary="an old call, logged late",
                logged_by=ALICE,
                created_at=now,
            )
        )
        # What helper C's `/logcontact edit|delete` keep (inserted directly here).
        session.add(
            AccountEvent(
                account_id=account.id or 0,
                kind=EventKind.contact_edited,
                subject="L-20",
                detail="summary re-worded",
                by=BORIS,
                at=now,
            )
        )
        session.add(
            AccountEvent(
                account_id=account.id or 0,
                kind=EventKind.contact_deleted,
                subject="L-3",
                detail="deleted: call number 2",
                by=ALICE,
                at=now - timedelta(days=2, hours=1),
            )
        )
    first = slack.reply("/steward", "account history acme")
    assert "page 1 of 2 · 24 entries" in first
    assert "`/steward account history acme-rail 2`" in first
    assert labels(first) == [f"L-{n}" for n in range(20, 7, -1)]  # 13 contacts on page 1
    assert first.index("logged contact edited `L-20`") < first.index("`L-20`")
    assert "logged contact deleted `L-3`" in first and ":warning: concern" in first
    second = slack.reply("/steward", "account history acme 2")
    assert "page 2 of 2" in second and "next:" not in second
    assert labels(second) == [*[f"L-{n}" for n in range(7, 0, -1)], "L-21"]
    assert "account added" in second
    beyond = slack.reply("/steward", "account history acme 3")
    assert "has 2 pages" in beyond and "/steward account history acme-rail 2" in beyond
    # In its channel the account may be left out.
    assert labels(slack.reply("/steward", "account history 2", channel=ACME_CHANNEL)) == labels(
        second
    )


def test_history_lists_promises_stages_and_cases(slack: Slack) -> None:
    add_acme(slack)
    account_id = acme(slack).id or 0
    now = slack.steward.clock.now()
    today = now.astimezone(ZoneInfo("Europe/Warsaw")).date()
    with slack.steward.db.session() as session:
        for n, (status, closed_days_after_due) in enumerate(
            [("kept", 0), ("kept", 2), ("broken", 1), ("cancelled", 0), ("open", None)]
        ):
            due = today - timedelta(days=10 - n)
            closed = (
                datetime.combine(due + timedelta(days=closed_days_after_due), datetime.min.time())
                .replace(hour=12, tzinfo=ZoneInfo("Europe/Warsaw"))
                .astimezone(UTC)
                if closed_days_after_due is not None
                else None
            )
            session.add(
                Promise(
                    account_id=account_id,
                    what=f"promise {n}",
                    owner_id=ALICE,
                    due_on=due,
                    status=status,
                    created_by=ALICE,
                    created_at=now - timedelta(days=20),
                    closed_at=closed,
                    closed_by=ALICE if closed else None,
                )
            )
        session.add(
            Case(
                team_id=acme(slack).team_id,
                account_id=account_id,
                function="finance",
                status="resolved",
                origin_channel=ACME_CHANNEL,
                origin_ts="1.0",
                source_key="k",
                counterpart_channel="CFIN",
                raised_by=BORIS,
                note="invoice wrong",
                resolved_by=ALICE,
                resolution="credit note sent",
                created_at=now - timedelta(days=3),
                resolved_at=now - timedelta(days=1),
            )
        )
    story = slack.reply("/steward", "account history acme")
    assert "`P-1` kept on time: promise 0" in story
    assert "`P-2` kept late (2 d after" in story
    assert "`P-3` broken: promise 2" in story and "`P-4` cancelled: promise 3" in story
    assert "`P-5` promised: promise 4" in story
    assert "`C-1` finance case opened by" in story and "credit note sent" in story
    assert story.index("case resolved") < story.index("case opened")


def test_story_pages_merge_like_one_sorted_list(db: Database) -> None:
    """Paging reads each source bounded, yet the pages joined are the whole story in order."""
    tz = ZoneInfo("Asia/Tokyo")
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    with db.session() as session:
        account = Account(
            team_id="T1",
            name="Acme",
            name_key="acme",
            slug="acme",
            owner_id=ALICE,
            created_at=start,
            created_by=ALICE,
        )
        session.add(account)
        session.flush()
        account_id = account.id or 0
        for n in range(40):
            at = start + timedelta(hours=7 * n)
            if n % 3 == 0:
                session.add(
                    Interaction(
                        account_id=account_id,
                        occurred_on=at.astimezone(tz).date(),
                        summary=str(n),
                        logged_by=ALICE,
                        created_at=at,
                    )
                )
            elif n % 3 == 1:
                session.add(
                    StageMove(
                        account_id=account_id,
                        from_stage="responsive",
                        to_stage="convinced",
                        reason=str(n),
                        moved_by=ALICE,
                        moved_at=at,
                    )
                )
            else:
                session.add(
                    AccountEvent(
                        account_id=account_id, kind="renamed", detail=str(n), by=ALICE, at=at
                    )
                )
    with db.session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        pages = [story_page(session, account, tz, n, size=7) for n in range(1, 8)]
    assert [p.pages for p in pages] == [6] * 7 and pages[-1].number == 6  # past the end: the last
    joined = [e for p in pages[:6] for e in p.entries]
    assert len(joined) == 41
    texts = [
        getattr(e.row, "summary", None)
        or getattr(e.row, "reason", None)
        or getattr(e.row, "detail", None)
        for e in joined
    ]
    assert texts[:-1] == [str(n) for n in range(39, -1, -1)]
    assert joined[-1].row.slug == "acme"  # the account's creation ends the story


# -- split_options -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "plain", "options"),
    [
        ("acme tier:key", ["acme"], {"tier": "key"}),
        ("acme owner: <@U1|jan>", ["acme"], {"owner": "<@U1|jan>"}),
        ('acme buys:"rail freight" x', ["acme", "x"], {"buys": "rail freight"}),
        ("acme buys:“rail  freight” x", ["acme", "x"], {"buys": "rail freight"}),
        ("acme buys:„rail freight” x", ["acme", "x"], {"buys": "rail freight"}),
        ('acme buys:"freight"', ["acme"], {"buys": "freight"}),
        ('acme buys: "rail freight" tier:key', ["acme"], {"buys": "rail freight", "tier": "key"}),
        ('acme buys:"" tier:key', ["acme"], {"buys": "", "tier": "key"}),
        ('acme buys:"never closed tier:key', ["acme"], {"buys": "never closed tier:key"}),
        ('acme "quoted words" stay', ["acme", '"quoted', 'words"', "stay"], {}),
        ('a:"<@U1|Jan K> and <#C1|x>"', [], {"a": "<@U1|Jan K> and <#C1|x>"}),
    ],
)
def test_split_options_quotes(text: str, plain: list[str], options: dict[str, str]) -> None:
    assert split_options(tokens(text)) == (plain, options)
