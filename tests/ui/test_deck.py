"""File → Card deck: import a deck of your own, or go back to the bundled one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from rethink_desktop.core.cards import load_default_deck
from rethink_desktop.ui.deck import DURING_A_MEETING, DeckDialog
from tests.helpers import own_deck
from tests.ui.conftest import start_live


@pytest.fixture
def dialog(qtbot, window):
    box = DeckDialog(window.controller, window.paths.imported_deck, window.templates, window)
    qtbot.addWidget(box)
    box.told = []
    box.alert = box.told.append
    return box


def test_it_is_in_the_file_menu(window):
    file_menu = window.menuBar().actions()[0].menu()
    assert "Card &deck…" in [a.text() for a in file_menu.actions() if isinstance(a, QAction)]


def test_a_deck_of_your_own_is_in_use_at_once_and_the_bundled_one_comes_back(
    dialog, tmp_path, controller
):
    bundled = controller.deck
    assert (
        dialog.in_use.text()
        == f"In use: {bundled.title}, {len(bundled)} cards, bundled with the app."
    )
    assert not dialog.bundled_button.isEnabled()  # nothing imported to leave
    dialog.choose_file = lambda: own_deck(tmp_path)
    dialog.import_button.click()
    assert dialog.told == []
    assert controller.deck.title == "Our partnership's deck"
    assert controller.card.prompt == "In a sentence, what brings you here today?"
    assert dialog.in_use.text() == (
        f"In use: Our partnership's deck, {len(bundled)} cards, imported."
    )
    assert dialog.imported.exists()
    assert dialog.bundled_button.isEnabled()
    dialog.bundled_button.click()
    assert controller.deck == load_default_deck()
    assert not dialog.imported.exists()
    assert not dialog.bundled_button.isEnabled()


def test_a_deck_that_cannot_be_used_is_told_and_nothing_changes(dialog, tmp_path, controller):
    before = controller.deck
    dialog.choose_file = lambda: own_deck(tmp_path, drop="opening-1")
    dialog.import_button.click()
    assert dialog.told == [
        "own-deck.json: the agenda templates open phases with cards this deck does not have "
        "(opening-1). Keep those cards (copy them from the bundled deck). The deck in use is "
        "unchanged."
    ]
    assert controller.deck is before
    assert not dialog.imported.exists()


def test_choosing_no_file_changes_nothing(dialog, controller):
    before = controller.deck
    dialog.choose_file = lambda: None
    dialog.import_button.click()
    assert dialog.told == []
    assert controller.deck is before


def test_the_deck_is_not_changed_during_a_meeting(dialog, tmp_path, controller):
    start_live(controller, 3)
    controller.step_card(1)
    index, deck = controller.card_index, controller.deck
    dialog.refresh()
    assert not dialog.reason.isHidden()
    assert dialog.reason.text() == DURING_A_MEETING
    assert not dialog.import_button.isEnabled()
    dialog.choose_file = lambda: own_deck(tmp_path)
    dialog.import_deck()  # even if it were reached
    assert dialog.told == [DURING_A_MEETING]
    assert not controller.use_deck(load_default_deck())
    assert (controller.deck, controller.card_index) == (deck, index)
    assert not dialog.imported.exists()


def test_every_control_has_a_name_and_takes_the_keys(dialog):
    dialog.show()
    for button in (dialog.import_button, dialog.bundled_button):
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
        assert button.text().replace("&", "")
    assert dialog.in_use.accessibleName() == "Deck in use"
