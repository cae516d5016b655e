"""File → Card deck: import a deck of your own, or go back to the bundled one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction

from rethink_desktop.core.cards import load_default_deck
from rethink_desktop.ui.deck import DURING_A_MEETING, IN_THE_DEMO, DeckDialog
from tests.helpers import own_deck
from tests.ui.conftest import larger_text, start_live


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
    kept = dialog.imported.with_name("card-deck.previous.json")
    assert dialog.reason.text() == f"Your deck is kept as {kept}; import it again to use it."
    assert not dialog.reason.isHidden()


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


def test_in_the_demo_window_the_deck_is_shown_but_not_changed(qtbot, make_window, tmp_path):
    """The demo shares the config folder: a deck chosen there became real meetings' deck."""
    demo = make_window(demo=True)
    box = DeckDialog(demo.controller, demo.paths.imported_deck, demo.templates, demo, demo=True)
    qtbot.addWidget(box)
    told = []
    box.alert = told.append
    assert not box.import_button.isEnabled()
    assert not box.bundled_button.isEnabled()
    assert box.reason.text() == IN_THE_DEMO
    box.choose_file = lambda: own_deck(tmp_path)
    box.import_deck()
    assert told == [IN_THE_DEMO]
    assert not box.imported.exists()


def test_a_deck_refused_at_start_up_is_not_called_imported(qtbot, dialog, tmp_path, controller):
    """Spoiled after it was imported, the bundled deck is in use: the dialog said
    "imported", against the start-up's message."""
    dialog.imported.parent.mkdir(parents=True, exist_ok=True)
    dialog.imported.write_text("{", encoding="utf-8")
    dialog.refresh()
    bundled = controller.deck
    assert dialog.in_use.text() == (
        f"In use: {bundled.title}, {len(bundled)} cards, bundled with the app."
    )
    assert dialog.reason.text().startswith("The card deck you imported cannot be used")
    assert dialog.bundled_button.isEnabled()  # the spoiled file can be set aside from here
    with larger_text(1.5):  # the long note whole, not cut off (a dialog does not grow)
        dialog.show()
        qtbot.wait(10)
        note = dialog.reason
        assert note.height() >= note.heightForWidth(note.width())
        buttons_top = dialog.import_button.mapTo(dialog, QPoint(0, 0)).y()
        assert note.geometry().bottom() < buttons_top


def test_the_file_menu_opens_it_on_the_app_s_own_deck_file(qtbot, window, monkeypatch, tmp_path):
    from rethink_desktop.ui import deck

    opened = []
    monkeypatch.setattr(deck.DeckDialog, "exec", lambda box: opened.append(box) or 0)
    action = next(
        a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "Card &deck…"
    )
    action.trigger()
    (box,) = opened
    assert box.imported == window.paths.config_dir / "card-deck.json"
    assert box.demo is False


def test_an_imported_copy_of_the_bundled_deck_is_called_imported(dialog, controller):
    """The label went by the deck's contents: an unedited copy said "bundled with the app"
    while Use the bundled deck was there to press."""
    from rethink_desktop.core.resources import resource_path

    dialog.choose_file = lambda: resource_path("cards", "default.json")
    dialog.import_button.click()
    assert dialog.in_use.text().endswith(" cards, imported.")
    assert dialog.bundled_button.isEnabled()


def test_a_copy_of_the_bundled_deck_can_be_saved_to_start_from(dialog, tmp_path):
    """The user guide's first step is to copy the bundled deck, which sits inside the
    installed app: the dialog saves a copy where the facilitator chooses."""
    from rethink_desktop.core.resources import resource_path

    target = tmp_path / "our-card-deck.json"
    dialog.choose_copy = lambda: target
    dialog.copy_button.click()
    assert target.read_bytes() == resource_path("cards", "default.json").read_bytes()
    assert dialog.reason.text() == (
        f"Saved as {target}. Edit its cards (the user guide says how), then import it."
    )
    assert dialog.reason.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    dialog.choose_copy = lambda: tmp_path / "no-such-folder" / "deck.json"
    dialog.copy_button.click()
    assert dialog.told == [
        f"The copy could not be saved as {tmp_path / 'no-such-folder' / 'deck.json'} "
        "(No such file or directory). Choose another folder."
    ]
    assert (
        dialog.copy_button.isEnabled()
    )  # in the demo and during a meeting too: it changes nothing


def test_the_label_follows_the_deck_in_use_not_the_file(dialog, tmp_path, controller):
    """The file changed since (IT, a hand edit, the demo window's dialog showing the same
    file): the deck in use was called "bundled with the app"."""
    dialog.choose_file = lambda: own_deck(tmp_path, title="Deck A")
    dialog.import_button.click()
    dialog.imported.write_text("{}", encoding="utf-8")
    dialog.refresh()
    assert controller.deck.title == "Deck A"
    assert dialog.in_use.text().endswith(" cards, imported.")
    assert dialog.reason.isHidden()  # not "the deck that comes with the app is in use"


def test_each_button_has_its_alt_key(qtbot, dialog, tmp_path):
    """Alt+P, Alt+I and Alt+B press them (a pressed-looking button clicks a moment later);
    the copy had Alt+C, which Close has too, so it only moved the focus."""
    asked = []
    dialog.choose_copy = lambda: asked.append("copy")
    dialog.choose_file = lambda: asked.append("import")
    dialog.setModal(True)  # as exec() shows it: the window's own Alt keys (Alt+S) wait
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    for key in (Qt.Key.Key_I, Qt.Key.Key_P, Qt.Key.Key_I):
        qtbot.keyClick(dialog, key, Qt.KeyboardModifier.AltModifier)
        qtbot.wait(200)
    # (Offscreen, the first Alt key after the dialog is shown can go astray: not counted.)
    assert asked[-2:] == ["copy", "import"]
    own = own_deck(tmp_path)
    dialog.choose_file = lambda: own
    dialog.import_deck()
    qtbot.keyClick(dialog, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.imported.exists())
