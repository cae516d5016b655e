"""The deck in use: bundled, or imported (core.decks)."""

from __future__ import annotations

import errno
import os

import pytest

from rethink_desktop.core.agenda import load_templates
from rethink_desktop.core.cards import DeckError, load_default_deck
from rethink_desktop.core.decks import (
    DECK_MAX_BYTES,
    UNCHANGED,
    deck_in_use,
    install_deck,
    missing_opening_cards,
    remove_imported_deck,
)
from tests.helpers import own_deck


@pytest.fixture(scope="module")
def templates():
    return load_templates()


def test_with_nothing_imported_the_bundled_deck_is_in_use(tmp_path, templates):
    deck, imported, problem = deck_in_use(tmp_path / "card-deck.json", templates)
    assert deck == load_default_deck()
    assert not imported
    assert problem is None


def test_an_imported_deck_is_checked_copied_and_then_in_use(tmp_path, templates):
    source = own_deck(tmp_path)
    target = tmp_path / "config" / "card-deck.json"  # its folder is made if need be
    deck = install_deck(source, target, templates)
    assert deck.title == "Our partnership's deck"
    assert target.read_bytes() == source.read_bytes()
    assert list(target.parent.iterdir()) == [target]  # no part-written file left behind
    source.unlink()  # a copy: the file chosen may go (a USB stick taken out)
    assert deck_in_use(target, templates) == (deck, True, None)


def test_a_deck_without_the_templates_opening_cards_is_refused(tmp_path, templates):
    assert missing_opening_cards(load_default_deck(), templates) == []
    source = own_deck(tmp_path, drop="check-in-1")
    target = tmp_path / "card-deck.json"
    with pytest.raises(DeckError) as refused:
        install_deck(source, target, templates)
    assert str(refused.value) == (
        "own-deck.json: the agenda templates open phases with cards this deck does not have "
        f"(check-in-1). Keep those cards (copy them from the bundled deck). {UNCHANGED}"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{not json", "own-deck.json: the file is not valid JSON"),
        ('{"format": "rethink-cards", "format_version": 1, "id": "x", "title": "X", '
         '"cards": []}', "own-deck.json: The deck has no cards."),
        ('{"format": "rethink-agenda", "format_version": 1}', "own-deck.json: "),
    ],
)  # fmt: skip
def test_a_file_that_is_no_usable_deck_is_refused_and_the_deck_in_use_kept(
    tmp_path, templates, text, why
):
    target = tmp_path / "card-deck.json"
    kept = install_deck(own_deck(tmp_path, title="Kept"), target, templates)
    before = target.read_bytes()
    bad = tmp_path / "own-deck.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DeckError) as refused:
        install_deck(bad, target, templates)
    assert str(refused.value).startswith(why)
    assert str(refused.value).endswith(UNCHANGED)
    assert target.read_bytes() == before
    assert deck_in_use(target, templates).deck == kept


def test_a_full_disk_is_told_and_nothing_changes(tmp_path, templates, monkeypatch):
    target = tmp_path / "config" / "card-deck.json"
    kept = install_deck(own_deck(tmp_path, title="Kept"), target, templates)

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DeckError) as refused:
        install_deck(own_deck(tmp_path), target, templates)
    assert str(refused.value) == (
        f"The deck could not be saved in {target.parent} (No space left on device). {UNCHANGED}"
    )
    assert list(target.parent.iterdir()) == [target]  # the part written is gone
    assert deck_in_use(target, templates).deck == kept


def test_the_file_chosen_is_read_once_and_a_vanished_one_is_blamed_not_the_folder(
    tmp_path, templates
):
    """A USB stick pulled out: the message named the config folder as the one at fault."""
    target = tmp_path / "config" / "card-deck.json"
    with pytest.raises(DeckError) as refused:
        install_deck(tmp_path / "on-the-stick.json", target, templates)
    assert str(refused.value) == (
        f"on-the-stick.json: the deck could not be read (No such file or directory). {UNCHANGED}"
    )
    assert not target.exists()


def test_a_file_far_bigger_than_a_deck_is_refused_unread(tmp_path, templates):
    huge = tmp_path / "video.json"
    with huge.open("wb") as out:
        out.truncate(DECK_MAX_BYTES * 50)
    target = tmp_path / "card-deck.json"
    with pytest.raises(DeckError) as refused:
        install_deck(huge, target, templates)
    assert str(refused.value).startswith("video.json: the file is over 1024 KiB, far more than")
    assert not target.exists()
    huge.rename(target)  # put there by hand: the start-up does not read it all either
    assert deck_in_use(target, templates).problem is not None


def test_odd_things_at_the_deck_s_place_are_handled(tmp_path, templates):
    """A folder where the file goes is told in words; a link there is replaced, never
    written through (what it points at stays as it was)."""
    target = tmp_path / "card-deck.json"
    target.mkdir()
    assert deck_in_use(target, templates).problem.startswith(
        "The card deck you imported cannot be used, so the deck that comes with the app is "
        "in use. card-deck.json: the imported deck could not be read ("
    )
    with pytest.raises(DeckError) as refused:
        install_deck(own_deck(tmp_path), target, templates)
    assert str(refused.value).startswith(f"The deck could not be saved in {tmp_path} (")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card-deck.json", "own-deck.json"]
    target.rmdir()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me", encoding="utf-8")
    target.symlink_to(elsewhere)
    install_deck(own_deck(tmp_path), target, templates)
    assert not target.is_symlink()
    assert elsewhere.read_text(encoding="utf-8") == "keep me"


def test_an_imported_deck_spoiled_later_gives_way_to_the_bundled_one(tmp_path, templates):
    target = tmp_path / "card-deck.json"
    install_deck(own_deck(tmp_path), target, templates)
    target.write_text('{"format": "rethink-cards"', encoding="utf-8")  # edited by hand
    deck, imported, problem = deck_in_use(target, templates)
    assert deck == load_default_deck()
    assert not imported
    assert problem.startswith(
        "The card deck you imported cannot be used, so the deck that comes with the app is "
        "in use. card-deck.json: the file is not valid JSON"
    )
    assert problem.endswith("or choose the bundled deck there.")


def test_going_back_to_the_bundled_deck_keeps_the_imported_one_aside(tmp_path, templates):
    """It may be the only copy of a partnership's deck (the file chosen may be gone)."""
    target = tmp_path / "card-deck.json"
    source = own_deck(tmp_path)
    install_deck(source, target, templates)
    kept = remove_imported_deck(target)
    assert kept == tmp_path / "card-deck.previous.json"
    assert kept.read_bytes() == source.read_bytes()
    assert not target.exists()
    assert remove_imported_deck(target) is None  # nothing there: nothing to do
    assert deck_in_use(target, templates).deck == load_default_deck()


def test_importing_another_deck_keeps_the_one_it_replaces_aside(tmp_path, templates):
    """Deck A imported and its file deleted (the docs say it may be), then deck B imported:
    A was gone for good."""
    target = tmp_path / "config" / "card-deck.json"
    first = own_deck(tmp_path, title="Deck A")
    install_deck(first, target, templates)
    a_bytes = first.read_bytes()
    first.unlink()
    install_deck(own_deck(tmp_path, title="Deck B"), target, templates)
    assert deck_in_use(target, templates).deck.title == "Deck B"
    assert (target.parent / "card-deck.previous.json").read_bytes() == a_bytes


def test_importing_the_deck_in_use_again_keeps_the_older_one_aside(tmp_path, templates):
    """A, then B (A kept aside), then B again "to be sure": A, perhaps the only copy, was
    overwritten by B."""
    target = tmp_path / "config" / "card-deck.json"
    first = own_deck(tmp_path, title="Deck A")
    install_deck(first, target, templates)
    a_bytes = first.read_bytes()
    second = own_deck(tmp_path, title="Deck B")
    install_deck(second, target, templates)
    install_deck(second, target, templates)
    assert (target.parent / "card-deck.previous.json").read_bytes() == a_bytes


def test_a_disk_filling_while_the_deck_is_set_aside_loses_neither(tmp_path, templates, monkeypatch):
    """The copy aside was written in place: a full disk left card-deck.previous.json (deck
    A, perhaps the only copy) cut short, though the message said nothing had changed."""
    target = tmp_path / "config" / "card-deck.json"
    install_deck(own_deck(tmp_path, title="Deck A"), target, templates)
    install_deck(own_deck(tmp_path, title="Deck B"), target, templates)
    kept = (target.parent / "card-deck.previous.json").read_bytes()

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)  # the first write, the copy aside, fails
    with pytest.raises(DeckError, match=UNCHANGED):
        install_deck(own_deck(tmp_path, title="Deck C"), target, templates)
    assert deck_in_use(target, templates).deck.title == "Deck B"
    assert (target.parent / "card-deck.previous.json").read_bytes() == kept
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "card-deck.json",
        "card-deck.previous.json",
    ]


def test_a_deck_in_use_that_cannot_be_read_is_moved_aside_not_in_the_way(
    tmp_path, templates, monkeypatch
):
    """Its message says to import a deck again: reading it to keep a copy refused every
    import (another user's file, say)."""
    from pathlib import Path

    target = tmp_path / "config" / "card-deck.json"
    install_deck(own_deck(tmp_path, title="Deck A"), target, templates)
    a_bytes = target.read_bytes()
    real = Path.read_bytes

    def refused(self):
        if self == target:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refused)
    install_deck(own_deck(tmp_path, title="Deck B"), target, templates)
    monkeypatch.undo()
    assert deck_in_use(target, templates).deck.title == "Deck B"
    assert (target.parent / "card-deck.previous.json").read_bytes() == a_bytes
