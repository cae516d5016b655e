"""The card deck schema, its loader's error messages and the bundled default deck."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rethink_desktop.core.cards import (
    ESSENTIALS,
    FORMAT_VERSION,
    KINDS,
    MAX_PROMPT_LENGTH,
    MAX_TITLE_LENGTH,
    PHASES,
    Card,
    Deck,
    DeckError,
    load_deck,
    load_default_deck,
    parse_deck,
)
from rethink_desktop.core.resources import resource_path


def small_deck() -> dict:
    return {
        "format": "rethink-cards",
        "format_version": 1,
        "id": "ours",
        "title": "Our deck",
        "language": "en-GB",
        "cards": [
            {
                "id": "c-1",
                "essential": "clarity",
                "phase": None,
                "title": "Why we are here",
                "prompt": "What brings you here today?",
                "kind": "prompt",
            },
            {
                "id": "c-2",
                "essential": None,
                "phase": "closing",
                "title": "Check-out",
                "prompt": "How are you leaving?",
                "kind": "prompt",
            },
            {
                "id": "c-3",
                "essential": "space",
                "phase": "space",
                "title": "Space",
                "prompt": "A quiet minute.",
                "kind": "space",
            },
        ],
    }


def write_json(tmp_path, obj, name="deck.json"):
    path = tmp_path / name
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def with_card_change(**changes) -> dict:
    deck = small_deck()
    deck["cards"][1].update(changes)
    return deck


# --- the bundled deck -------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_deck() -> Deck:
    return load_default_deck()


def test_default_deck_loads_with_enough_cards(default_deck):
    assert default_deck.id == "default"
    assert default_deck.language == "en-GB"
    assert len(default_deck) >= 30


@pytest.mark.parametrize("essential", ESSENTIALS)
def test_default_deck_has_three_prompts_for_every_essential(default_deck, essential):
    prompts = [card for card in default_deck.for_essential(essential) if card.kind == "prompt"]
    assert len(prompts) >= 3


@pytest.mark.parametrize("phase", ["opening", "check-in", "way-forward", "closing"])
def test_default_deck_has_prompts_for_each_stage(default_deck, phase):
    assert any(card.kind == "prompt" for card in default_deck.for_phase(phase))


def test_default_deck_has_space_cards_and_facilitator_guides(default_deck):
    spaces = default_deck.of_kind("space")
    assert len(spaces) >= 2
    assert all(card.title.startswith("Space") for card in spaces)
    guides = default_deck.of_kind("guide")
    assert len(guides) >= 3
    guide_text = " ".join(card.prompt.lower() for card in guides)
    # The rules every opening has to set out.
    for rule in ("notes", "two hours", "pass"):
        assert rule in guide_text


def test_default_deck_cards_stay_short_enough_to_read_aloud(default_deck):
    for card in default_deck:
        assert len(card.prompt) <= MAX_PROMPT_LENGTH
        assert len(card.title) <= MAX_TITLE_LENGTH
        assert card.prompt.count(". ") + card.prompt.count("? ") <= 2, card.id


def test_deck_lookups(default_deck):
    first = default_deck.cards[0]
    assert default_deck.by_id(first.id) is first
    assert default_deck.get(first.id) is first
    assert default_deck.index_of(first.id) == 0
    assert default_deck.index_of("closing-1") == default_deck.cards.index(
        default_deck.by_id("closing-1")
    )
    assert "clarity-1" in default_deck
    assert "no-such-card" not in default_deck
    assert default_deck.get("no-such-card") is None
    with pytest.raises(KeyError):
        default_deck.by_id("no-such-card")
    with pytest.raises(KeyError):
        default_deck.index_of("no-such-card")


def test_unknown_filter_names_are_mistakes_not_empty_results(default_deck):
    with pytest.raises(ValueError, match="essential"):
        default_deck.for_essential("kindness")
    with pytest.raises(ValueError, match="phase"):
        default_deck.for_phase("Hearing each perspective")
    with pytest.raises(ValueError, match="kind"):
        default_deck.of_kind("note")


def test_cards_and_decks_are_frozen(default_deck):
    with pytest.raises(dataclasses.FrozenInstanceError):
        default_deck.title = "Changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        default_deck.cards[0].prompt = "Changed"  # type: ignore[misc]


# --- parsing a valid deck ---------------------------------------------------------------


def test_load_deck_reads_every_field(tmp_path):
    deck = load_deck(write_json(tmp_path, small_deck()))
    assert deck == Deck(
        id="ours",
        title="Our deck",
        language="en-GB",
        cards=(
            Card("c-1", "Why we are here", "What brings you here today?", "prompt", "clarity"),
            Card("c-2", "Check-out", "How are you leaving?", "prompt", None, "closing"),
            Card("c-3", "Space", "A quiet minute.", "space", "space", "space"),
        ),
    )


def test_optional_fields_take_their_defaults():
    obj = small_deck()
    del obj["language"]
    for card in obj["cards"]:
        del card["kind"]
        card.pop("phase" if card["essential"] else "essential")
    deck = parse_deck(obj)
    assert deck.language == "en-GB"
    assert {card.kind for card in deck} == {"prompt"}


def test_text_is_trimmed():
    deck = parse_deck(with_card_change(title="  Check-out \n", prompt="\tHow are you leaving? "))
    assert deck.cards[1].title == "Check-out"
    assert deck.cards[1].prompt == "How are you leaving?"


def test_lengths_at_the_limit_are_accepted():
    deck = parse_deck(
        with_card_change(title="t" * MAX_TITLE_LENGTH, prompt="p" * MAX_PROMPT_LENGTH)
    )
    assert len(deck.cards[1].prompt) == MAX_PROMPT_LENGTH


# --- every error case, from real files --------------------------------------------------


def expect_error(tmp_path, obj) -> str:
    path = write_json(tmp_path, obj, name="mydeck.json")
    with pytest.raises(DeckError) as caught:
        load_deck(path)
    message = str(caught.value)
    assert message.startswith("mydeck.json: ")
    return message


def test_file_that_is_not_json(tmp_path):
    path = tmp_path / "mydeck.json"
    path.write_text('{"format": "rethink-cards",\n  "cards": [}', encoding="utf-8")
    with pytest.raises(DeckError, match=r"mydeck\.json: the file is not valid JSON \(line 2"):
        load_deck(path)


def test_file_that_is_not_text(tmp_path):
    path = tmp_path / "mydeck.json"
    path.write_bytes(b"\xff\xfe\x00\x81binary")
    with pytest.raises(DeckError, match="not UTF-8 text"):
        load_deck(path)


@pytest.mark.parametrize(
    ("data", "told"),
    [
        (
            '{"format": "rethink-cards"}'.encode("utf-16"),  # Notepad's "Unicode"
            "the file is not UTF-8 text (it is UTF-16, which Notepad calls Unicode); save it "
            "again with the encoding UTF-8.",
        ),
        (  # Notepad's "ANSI": a Latin-1 "é" on the second line, after a byte-order mark
            b'\xef\xbb\xbf{"format": "rethink-cards",\n "title": "Caf\xe9"}',
            "the file is not UTF-8 text (line 2); save it again with the encoding UTF-8.",
        ),
        (  # the start of a Word document (.docx) renamed .json
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xdf\xa4\xd2\x6c\x5a\x01",
            "the file is not text (a Word document, say), so it is not a deck.",
        ),
    ],
)
def test_a_deck_saved_as_other_than_utf8_says_what_to_do(tmp_path, data, told):
    """A deck saved by Notepad as "Unicode" or "ANSI" is still a deck: it was told "not a
    deck", with nothing about saving it again as UTF-8 (as a config file is told)."""
    path = tmp_path / "mydeck.json"
    path.write_bytes(data)
    with pytest.raises(DeckError) as raised:
        load_deck(path)
    assert str(raised.value) == f"mydeck.json: {told}"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # deeper than Python's stack
        '{"format": "rethink-cards", "format_version": ' + "9" * 5000 + "}",  # > 4,300 digits
    ],
)
def test_json_python_cannot_decode_is_a_deck_error_not_a_traceback(tmp_path, text):
    path = tmp_path / "mydeck.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DeckError, match=r"^mydeck\.json: the file is damaged or is not a deck"):
        load_deck(path)


def test_a_byte_order_mark_at_the_start_is_skipped(tmp_path):
    """As Windows Notepad may save a file: the deck still loads."""
    bundled = resource_path("cards", "default.json").read_bytes()
    path = tmp_path / "mydeck.json"
    path.write_bytes(b"\xef\xbb\xbf" + bundled)
    assert load_deck(path) == load_default_deck()


def test_missing_file(tmp_path):
    with pytest.raises(DeckError, match="was not found"):
        load_deck(tmp_path / "absent.json")


def test_a_json_list_is_not_a_deck(tmp_path):
    assert "must be a JSON object" in expect_error(tmp_path, [1, 2, 3])


def test_wrong_format_name(tmp_path):
    obj = small_deck()
    obj["format"] = "rethink-agenda"
    message = expect_error(tmp_path, obj)
    assert 'This is not a card deck: "format" must be "rethink-cards", not "rethink-agenda".' in (
        message
    )


def test_missing_format_name(tmp_path):
    obj = small_deck()
    del obj["format"]
    assert "not null" in expect_error(tmp_path, obj)


def test_format_version_newer_than_supported(tmp_path):
    obj = small_deck()
    obj["format_version"] = FORMAT_VERSION + 1
    message = expect_error(tmp_path, obj)
    assert f"format version {FORMAT_VERSION + 1}" in message
    assert f"reads up to version {FORMAT_VERSION}" in message


@pytest.mark.parametrize("version", [None, 0, "1", True, 1.5])
def test_format_version_must_be_a_whole_number(tmp_path, version):
    obj = small_deck()
    obj["format_version"] = version
    assert '"format_version"' in expect_error(tmp_path, obj)


def test_deck_without_a_title(tmp_path):
    obj = small_deck()
    obj["title"] = "  "
    assert expect_error(tmp_path, obj) == "mydeck.json: The deck needs a title."


def test_deck_with_a_bad_id(tmp_path):
    obj = small_deck()
    obj["id"] = "my deck"
    assert 'needs an "id"' in expect_error(tmp_path, obj)


def test_a_title_too_long_says_where_titles_are_shown(tmp_path):
    """The room display shows the prompt, never the title: the message (and resources.md)
    said the title had to fit "the room screen"."""
    obj = with_card_change(title="t" * (MAX_TITLE_LENGTH + 1))
    assert expect_error(tmp_path, obj) == (
        f'mydeck.json: Card 2 ("c-2") has a title of {MAX_TITLE_LENGTH + 1} characters; the '
        "most is 60, so it fits the card's heading on your laptop (the room display shows "
        "only the prompt)."
    )


def test_deck_with_no_cards(tmp_path):
    obj = small_deck()
    obj["cards"] = []
    assert expect_error(tmp_path, obj) == "mydeck.json: The deck has no cards."


def test_deck_whose_cards_are_not_a_list(tmp_path):
    obj = small_deck()
    obj["cards"] = {"c-1": {}}
    assert 'needs a "cards" list' in expect_error(tmp_path, obj)


def test_card_that_is_not_an_object(tmp_path):
    obj = small_deck()
    obj["cards"].append("Say something kind")
    assert expect_error(tmp_path, obj) == "mydeck.json: Card 4 is not a JSON object."


@pytest.mark.parametrize("card_id", [None, "", "has space", "-leading", "x" * 65, 7])
def test_card_with_a_bad_id(tmp_path, card_id):
    assert 'Card 2 needs an "id"' in expect_error(tmp_path, with_card_change(id=card_id))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": None}, 'Card 2 ("c-2") needs a title.'),
        ({"title": "   "}, 'Card 2 ("c-2") needs a title.'),
        ({"prompt": ""}, 'Card 2 ("c-2") needs a prompt.'),
        ({"prompt": 42}, 'Card 2 ("c-2") needs a prompt.'),
        (
            {"title": "t" * (MAX_TITLE_LENGTH + 1)},
            f'Card 2 ("c-2") has a title of {MAX_TITLE_LENGTH + 1} characters; the most is 60',
        ),
        (
            {"prompt": "p" * (MAX_PROMPT_LENGTH + 1)},
            f'Card 2 ("c-2") has a prompt of {MAX_PROMPT_LENGTH + 1} characters; the most is 300',
        ),
        ({"kind": "note"}, 'Card 2 ("c-2") has an unknown kind "note"; use "prompt", "space"'),
        ({"essential": "kindness"}, 'Card 2 ("c-2") has an unknown essential "kindness"; use'),
        ({"phase": "middle"}, 'Card 2 ("c-2") has an unknown phase "middle"; use "opening"'),
        ({"phase": None}, 'Card 2 ("c-2") needs an essential, a phase, or both'),
    ],
)
def test_card_problems_name_the_card(tmp_path, changes, expected):
    assert expected in expect_error(tmp_path, with_card_change(**changes))


def test_duplicate_card_ids(tmp_path):
    obj = small_deck()
    obj["cards"][2]["id"] = "c-1"
    assert expect_error(tmp_path, obj) == (
        'mydeck.json: Card 3 has the id "c-1", which card 1 already uses. '
        "Each card needs its own id."
    )


def test_parse_deck_messages_have_no_file_prefix():
    with pytest.raises(DeckError, match=r"^The deck has no cards\.$"):
        parse_deck({**small_deck(), "cards": []})


def test_deck_error_is_a_value_error():
    assert issubclass(DeckError, ValueError)


# --- robustness ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
card_keys = st.sampled_from(["id", "title", "prompt", "kind", "essential", "phase"])
card_values = (
    json_values | st.sampled_from(ESSENTIALS + PHASES + KINDS) | st.text(min_size=1, max_size=320)
)


@given(st.lists(st.dictionaries(card_keys, card_values, max_size=6) | json_values, max_size=5))
def test_any_card_list_gives_a_deck_or_a_deck_error(raw_cards):
    obj = small_deck()
    obj["cards"] = raw_cards
    try:
        deck = parse_deck(obj)
    except DeckError:
        return
    assert len(deck) == len(raw_cards)
    for card in deck:
        assert card.essential in (*ESSENTIALS, None)
        assert card.phase in (*PHASES, None)
        assert card.essential or card.phase


@given(json_values)
def test_any_json_value_gives_a_deck_or_a_deck_error(value):
    for obj in (value, {**small_deck(), "format_version": value}, {**small_deck(), "id": value}):
        with contextlib.suppress(DeckError):
            parse_deck(copy.deepcopy(obj))
