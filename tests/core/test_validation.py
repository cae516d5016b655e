import pytest

from rethink_desktop.core.validation import (
    details_problems,
    participant_problems,
    reference_problems,
)


@pytest.mark.parametrize("ref", ["FN-2291", "T/2026/14", "PP.7"])
def test_good_references(ref):
    assert reference_problems(ref) == []


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("", "Enter a reference"),
        ("   ", "Enter a reference"),
        ("Smith family", "never a child's or family's name"),
        ("SMITH", "at least one digit"),
        ("X" * 30 + "1", "24 characters"),
    ],
)
def test_bad_references(ref, message):
    problems = reference_problems(ref)
    assert problems
    assert message in problems[0].message


def person(name, agency="Health", role=""):
    return {"name": name, "agency": agency, "role": role}


def test_empty_names_and_agencies_are_named_by_seat():
    problems = participant_problems([person("Ana"), person("  ", agency="")])
    messages = [p.message for p in problems]
    assert "Seat 2 needs a name." in messages
    assert "Seat 2 needs an agency." in messages


def test_duplicate_names_need_a_distinguishing_role():
    same = participant_problems([person("Sam"), person("sam ")])
    assert [p.message.split(".")[0] for p in same] == [
        "Seat 1: two people are called Sam",
        "Seat 2: two people are called sam",
    ]
    three = participant_problems([person("Jo", role="GP")] * 3)
    assert three[2].message.startswith("Seat 3: three people are called Jo with the same role.")
    assert participant_problems([person("Sam", role="DSL"), person("Sam", role="GP")]) == []


def test_names_removed_after_a_session_are_not_checked_but_blank_ones_are():
    removed = [person(None), person(None), person("  ")]
    assert participant_problems(removed[:2], names_removed=True) == []
    assert [p.message for p in participant_problems(removed, names_removed=True)] == [
        "Seat 3 needs a name."
    ]
    assert "Seat 1 needs a name." in [p.message for p in participant_problems(removed)]


def test_too_few_and_too_many():
    assert "at least 2" in participant_problems([person("Ana")])[0].message
    many = [person(f"P{i}") for i in range(31)]
    assert "at most 30" in participant_problems(many)[0].message


def test_purpose_is_one_short_line():
    assert details_problems("Agree a way forward", "Room 2") == []
    long = details_problems("x" * 121, "")
    assert "not a place for notes" in long[0].message
