"""What case buttons carry and what people type about cases, read into typed values."""

from __future__ import annotations

import pytest

from bot.cases.grammar import PICK_VALUE_LIMIT, CaseRef, Mention, RoutePick, resolution


@pytest.mark.parametrize(
    "pick",
    [
        RoutePick("1700000000.000100", "double billing on 4411"),
        RoutePick("1700000000.000100", "a | b | c"),  # a bar in the note stays in the note
        RoutePick("1700000000.000100", None),
        RoutePick("1.000001", "ünïcödé: „quotes“"),
    ],
)
def test_a_route_pick_reads_back_what_it_wrote(pick: RoutePick) -> None:
    assert RoutePick.parse(pick.value) == pick


def test_a_long_note_is_clipped_to_fit_a_button() -> None:
    pick = RoutePick("1700000000.000100", "x" * 5000)
    assert len(pick.value) == PICK_VALUE_LIMIT
    back = RoutePick.parse(pick.value)
    assert back.thread_ts == pick.thread_ts and back.note == "x" * (PICK_VALUE_LIMIT - 18)


@pytest.mark.parametrize(
    "value",
    [None, "", "|", "|note", "1700000000.000100", "abc|note", "1700000000|note", " 1.2|n"],
)
def test_a_route_pick_that_is_not_one_is_refused(value: str | None) -> None:
    with pytest.raises(ValueError):
        RoutePick.parse(value)


@pytest.mark.parametrize("case_id", [1, 7, 123456789])
def test_a_case_button_reads_back_its_case(case_id: int) -> None:
    ref = CaseRef(case_id)
    assert ref.value == str(case_id)
    assert CaseRef.parse(ref.value) == ref


@pytest.mark.parametrize(
    "value", [None, "", "0", "-1", "07", "C-7", "7.0", " 7", "7 ", "1e3", "9" * 19]
)
def test_a_case_button_that_is_not_one_is_refused(value: str | None) -> None:
    with pytest.raises(ValueError):
        CaseRef.parse(value)


def test_a_mention_names_its_verb_and_the_rest() -> None:
    mention = Mention.parse("<@USTEWARD> Route finance: double billing on 4411")
    assert (mention.verb, mention.rest) == ("route", "finance: double billing on 4411")
    assert mention.route() == ("finance", "double billing on 4411")
    assert Mention.parse("<@USTEWARD> route finance the rest").route() == ("finance", "the rest")
    assert Mention.parse("<@USTEWARD> route").route() == (None, "")
    assert Mention.parse("<@USTEWARD> resolve: done").verb == "resolve"


def test_a_resolution_keeps_the_note_apart_from_the_reply() -> None:
    assert resolution("credit note issued reply: We issued it.") == (
        "credit note issued",
        "We issued it.",
    )
    assert resolution("just a note") == ("just a note", "")
    assert resolution("Reply: only for them") == ("", "only for them")
    assert resolution("") == ("", "")
