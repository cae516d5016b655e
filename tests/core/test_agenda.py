"""Agenda validation, the template loader and the bundled templates."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from rethink_desktop.core.agenda import (
    FORMAT_VERSION,
    KIND_LABELS,
    MAX_AGENDA_MINUTES,
    MAX_PHASES,
    MIN_AGENDA_MINUTES,
    SESSION_KINDS,
    SESSION_MINUTES,
    AgendaError,
    Phase,
    Template,
    agenda_problems,
    load_template,
    load_templates,
    parse_template,
    phase_start_minutes,
    planned_total_minutes,
    validate_phases,
)
from rethink_desktop.core.cards import load_default_deck


def two_hours() -> list[Phase]:
    return [
        Phase("Welcome", 10, 120, "opening-1"),
        Phase("Check-in", 20, 120),
        Phase("Perspectives", 60, 240),
        Phase("Way forward", 20, 180),
        Phase("Check-out", 10, 120, "closing-1"),
    ]


def template_obj() -> dict:
    return {
        "format": "rethink-agenda",
        "format_version": 1,
        "id": "ours",
        "title": "Our agenda",
        "kind": "thematic",
        "description": "A test agenda.",
        "phases": [
            {
                "name": phase.name,
                "minutes": phase.minutes,
                "turn_seconds": phase.turn_seconds,
                "opening_card": phase.opening_card,
            }
            for phase in two_hours()
        ],
    }


def write_json(tmp_path, obj, name="agenda.json"):
    path = tmp_path / name
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


# --- the bundled templates ---------------------------------------------------------------


@pytest.fixture(scope="module")
def templates() -> dict[str, Template]:
    return load_templates()


def test_three_templates_one_for_each_kind(templates):
    assert list(templates) == ["family-network", "post-proceedings", "thematic"]
    assert sorted(t.kind for t in templates.values()) == sorted(SESSION_KINDS)


@pytest.mark.parametrize("template_id", ["family-network", "thematic", "post-proceedings"])
def test_bundled_template_is_a_sensible_two_hours(templates, template_id):
    template = templates[template_id]
    assert template.total_minutes == SESSION_MINUTES == 120
    assert 5 <= len(template.phases) <= 8
    assert template.title
    assert template.description
    assert "\n" not in template.description
    assert template.kind_label == KIND_LABELS[template.kind]
    for phase in template.phases:
        assert 120 <= phase.turn_seconds <= 300
        assert 5 <= phase.minutes <= 40


@pytest.mark.parametrize("template_id", ["family-network", "thematic", "post-proceedings"])
def test_bundled_template_follows_a_restorative_shape(templates, template_id):
    deck = load_default_deck()
    cards = [deck.by_id(phase.opening_card) for phase in templates[template_id].phases]
    assert cards[0].phase == "opening"
    assert cards[1].phase == "check-in"
    assert cards[-1].phase == "closing"
    assert any(card.kind == "space" for card in cards)
    assert any(card.phase == "way-forward" for card in cards)


def test_every_bundled_opening_card_exists_in_the_default_deck(templates):
    deck = load_default_deck()
    for template in templates.values():
        for phase in template.phases:
            assert phase.opening_card is None or phase.opening_card in deck, (
                f"{template.id}: {phase.name} opens with unknown card {phase.opening_card!r}"
            )


def test_kind_labels_cover_every_kind():
    assert tuple(KIND_LABELS) == SESSION_KINDS
    assert KIND_LABELS["post_proceedings"] == "Post-proceedings"


def test_templates_and_phases_are_frozen(templates):
    template = templates["thematic"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        template.title = "Changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        template.phases[0].minutes = 1  # type: ignore[misc]


# --- validate_phases and agenda_problems -----------------------------------------------


def test_a_two_hour_agenda_is_valid():
    assert validate_phases(two_hours()) == two_hours()
    assert agenda_problems(two_hours()) == []


def test_validate_tidies_names_and_blank_cards():
    phases = two_hours()
    phases[1] = Phase("  Check-in  ", 20, 120, "  ")
    assert validate_phases(phases)[1] == Phase("Check-in", 20, 120, None)


def test_planned_total_and_starts():
    assert planned_total_minutes(two_hours()) == 120
    assert planned_total_minutes([]) == 0
    assert phase_start_minutes(two_hours()) == [0, 10, 30, 90, 110]


def replace(index: int, **changes) -> list[Phase]:
    phases = two_hours()
    phases[index] = dataclasses.replace(phases[index], **changes)
    return phases


@pytest.mark.parametrize(
    ("phases", "expected"),
    [
        ([], "The agenda needs at least one phase."),
        (replace(2, name=""), "Phase 3 needs a name."),
        (replace(2, name="   "), "Phase 3 needs a name."),
        (replace(2, name="n" * 61), "Phase 3 has a name of 61 characters; the most is 60."),
        (replace(1, minutes=0), 'Phase 2 ("Check-in") must last at least 1 minute.'),
        (replace(1, minutes=-5), 'Phase 2 ("Check-in") must last at least 1 minute.'),
        (
            replace(2, minutes=121),
            'Phase 3 ("Perspectives") is 121 minutes, longer than the whole two-hour session.',
        ),
        (
            replace(1, minutes=2.5),
            'Phase 2 ("Check-in") needs its length as a whole number of minutes.',
        ),
        (
            replace(0, turn_seconds=14),
            'Phase 1 ("Welcome") has a speaking turn of 14 seconds; '
            "a turn must be between 15 seconds and 30 minutes.",
        ),
        (
            replace(0, turn_seconds=1801),
            'Phase 1 ("Welcome") has a speaking turn of 1801 seconds; '
            "a turn must be between 15 seconds and 30 minutes.",
        ),
        (
            replace(4, minutes=5),
            "The phases add up to 115 minutes, 5 short of the two hours. "
            "Adjust them or confirm the shorter agenda.",
        ),
        (
            replace(4, minutes=17),
            "The phases add up to 127 minutes, 7 over the two hours. "
            "Adjust them or confirm the longer agenda.",
        ),
        (
            [Phase(f"Part {n}", 10, 120) for n in range(13)],
            "The agenda has 13 phases; the most it can have is 12.",
        ),
    ],
)
def test_each_problem_has_its_own_message(phases, expected):
    with pytest.raises(AgendaError) as caught:
        validate_phases(phases)
    assert str(caught.value) == expected
    assert agenda_problems(phases)[0] == expected


def test_turn_limits_are_inclusive():
    assert validate_phases(replace(0, turn_seconds=15))
    assert validate_phases(replace(0, turn_seconds=1800))


def test_confirmed_total_allows_a_shorter_agenda():
    phases = replace(4, minutes=5)
    assert validate_phases(phases, confirm_total=True)[4].minutes == 5
    assert agenda_problems(phases, confirm_total=True) == []


def test_confirmation_does_not_excuse_other_problems():
    with pytest.raises(AgendaError, match="needs a name"):
        validate_phases(replace(0, name=""), confirm_total=True)
    with pytest.raises(AgendaError, match="at least one phase"):
        validate_phases([], confirm_total=True)


def test_agenda_problems_lists_them_all_in_order():
    phases = two_hours()
    phases[0] = Phase("", 10, 5)
    phases[3] = Phase("Way forward", 15, 180)
    assert agenda_problems(phases) == [
        "Phase 1 needs a name.",
        "Phase 1 has a speaking turn of 5 seconds; "
        "a turn must be between 15 seconds and 30 minutes.",
        "The phases add up to 115 minutes, 5 short of the two hours. "
        "Adjust them or confirm the shorter agenda.",
    ]


def test_broken_minutes_do_not_also_report_the_total():
    assert agenda_problems(replace(1, minutes=0)) == [
        'Phase 2 ("Check-in") must last at least 1 minute.'
    ]


def minutes_summing_to(total: int, max_parts: int):
    """Lists of 1..max_parts positive whole minutes that add up to total."""
    return (
        st.lists(st.integers(1, total - 1), unique=True, max_size=max_parts - 1)
        .map(sorted)
        .map(lambda cuts: [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)])
    )


@given(minutes_summing_to(SESSION_MINUTES, MAX_PHASES), st.integers(15, 1800))
def test_any_positive_split_of_two_hours_is_accepted(minutes, turn_seconds):
    phases = [Phase(f"Phase {n}", m, turn_seconds) for n, m in enumerate(minutes, start=1)]
    assert 1 <= len(phases) <= MAX_PHASES
    assert validate_phases(phases) == phases


@given(st.lists(st.integers(1, SESSION_MINUTES), min_size=1, max_size=MAX_PHASES))
def test_any_other_total_is_refused_unless_confirmed_and_one_to_three_hours(minutes):
    total = sum(minutes)
    assume(total != SESSION_MINUTES)
    phases = [Phase(f"Phase {n}", m, 180) for n, m in enumerate(minutes, start=1)]
    with pytest.raises(AgendaError, match=f"add up to {total} minutes"):
        validate_phases(phases)
    if MIN_AGENDA_MINUTES <= total <= MAX_AGENDA_MINUTES:
        assert validate_phases(phases, confirm_total=True) == phases
    else:
        with pytest.raises(AgendaError, match="must last between 60 and 180 minutes"):
            validate_phases(phases, confirm_total=True)


# --- template files ----------------------------------------------------------------------


def test_load_template_reads_every_field(tmp_path):
    template = load_template(write_json(tmp_path, template_obj()))
    assert template == Template(
        id="ours",
        title="Our agenda",
        kind="thematic",
        description="A test agenda.",
        phases=tuple(two_hours()),
    )


def test_opening_card_is_optional(tmp_path):
    obj = template_obj()
    for phase in obj["phases"]:
        del phase["opening_card"]
    template = parse_template(obj)
    assert {phase.opening_card for phase in template.phases} == {None}


def expect_error(tmp_path, obj) -> str:
    path = write_json(tmp_path, obj, name="mine.json")
    with pytest.raises(AgendaError) as caught:
        load_template(path)
    message = str(caught.value)
    assert message.startswith("mine.json: ")
    return message


def test_template_that_is_not_json(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text("{'single': 'quotes'}", encoding="utf-8")
    with pytest.raises(AgendaError, match=r"mine\.json: the file is not valid JSON \(line 1"):
        load_template(path)


def test_template_nested_deeper_than_python_reads_is_an_agenda_error(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text('{"phases": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(AgendaError, match=r"^mine\.json: the file is damaged or is not a template"):
        load_template(path)


def test_missing_template_file(tmp_path):
    with pytest.raises(AgendaError, match="was not found"):
        load_template(tmp_path / "absent.json")


def test_template_wrong_format_name(tmp_path):
    obj = {**template_obj(), "format": "rethink-cards"}
    assert '"format" must be "rethink-agenda", not "rethink-cards"' in expect_error(tmp_path, obj)


def test_template_from_a_newer_version(tmp_path):
    obj = {**template_obj(), "format_version": FORMAT_VERSION + 1}
    message = expect_error(tmp_path, obj)
    assert f"format version {FORMAT_VERSION + 1}" in message
    assert f"reads up to version {FORMAT_VERSION}" in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"id": ""}, 'The template needs an "id"'),
        ({"title": ""}, "The template needs a title."),
        ({"kind": "court"}, 'unknown kind "court"; use "family_network", "thematic"'),
        ({"description": 3}, 'The template "description" must be text.'),
        ({"phases": None}, 'The template needs a "phases" list.'),
        ({"phases": []}, "The agenda needs at least one phase."),
        ({"phases": ["Welcome"]}, "Phase 1 is not a JSON object."),
        ({"phases": [{"name": "Welcome", "minutes": 120}]}, 'Phase 1 needs "turn_seconds".'),
    ],
)
def test_template_problems(tmp_path, changes, expected):
    assert expected in expect_error(tmp_path, {**template_obj(), **changes})


def test_template_phase_problems_use_the_agenda_messages(tmp_path):
    obj = template_obj()
    obj["phases"][2]["name"] = ""
    assert expect_error(tmp_path, obj) == "mine.json: Phase 3 needs a name."


def test_template_must_fill_the_two_hours(tmp_path):
    obj = template_obj()
    obj["phases"][0]["minutes"] = 5
    assert "add up to 115 minutes, 5 short of the two hours" in expect_error(tmp_path, obj)


def test_template_opening_card_must_be_an_id(tmp_path):
    obj = template_obj()
    obj["phases"][0]["opening_card"] = 3
    assert "opening card that is not a card id" in expect_error(tmp_path, obj)


def test_load_templates_from_a_folder_sorted_by_id(tmp_path):
    write_json(tmp_path, {**template_obj(), "id": "zebra"}, name="a.json")
    write_json(tmp_path, {**template_obj(), "id": "aardvark"}, name="b.json")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    assert list(load_templates(tmp_path)) == ["aardvark", "zebra"]


def test_load_templates_refuses_a_repeated_id(tmp_path):
    write_json(tmp_path, template_obj(), name="a.json")
    write_json(tmp_path, template_obj(), name="b.json")
    with pytest.raises(AgendaError, match=r'b\.json: the template id "ours" is already used by a'):
        load_templates(tmp_path)


def test_agenda_error_is_a_value_error():
    assert issubclass(AgendaError, ValueError)


@pytest.mark.parametrize(
    ("minutes", "problem"),
    [
        ((30, 29), "The phases add up to 59 minutes; an agenda must last between 60 and 180"),
        ((30, 30), None),  # the shortest a confirmed agenda may be
        ((90, 90), None),  # the longest
        ((90, 91), "The phases add up to 181 minutes; an agenda must last between 60 and 180"),
        ((120, 120), "The phases add up to 240 minutes; an agenda must last between 60 and"),
    ],
)
def test_a_confirmed_total_must_still_be_one_to_three_hours(minutes, problem):
    """Confirming a longer or shorter agenda does not make a 5-minute or 24-hour one fit."""
    phases = [Phase("One", minutes[0], 120), Phase("Two", minutes[1], 120)]
    found = agenda_problems(phases, confirm_total=True)
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1
        assert found[0].startswith(problem)
        assert agenda_problems(phases) == found  # unconfirmed: the same, not "confirm it"
