"""File → Card deck: which deck is in use, import one of your own, or go back to the bundled one.

The checks and the copy are ``core.decks``'; this dialog only asks and tells. The deck is
not changed during a live session (the cards are being stepped through there), nor in the
trainers' demo window: the deck is the app's, and real meetings would start with it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QEvent, QStandardPaths, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from rethink_desktop.core.agenda import Template
from rethink_desktop.core.cards import DeckError, load_default_deck
from rethink_desktop.core.decks import (
    deck_in_use,
    install_deck,
    remove_imported_deck,
    save_bundled_copy,
)
from rethink_desktop.core.state import LIVE
from rethink_desktop.ui import widgets
from rethink_desktop.ui.controller import SessionController

DURING_A_MEETING = "The deck can be changed once this meeting has ended."
IN_THE_DEMO = (
    "The demo uses the app's deck; it is changed in the app itself (real meetings use it), "
    "not in the demo."
)


class DeckDialog(QDialog):
    def __init__(
        self,
        controller: SessionController,
        imported: Path,
        templates: Mapping[str, Template],
        parent: QWidget | None = None,
        *,
        demo: bool = False,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.imported = imported
        self.templates = templates
        self.demo = demo
        # Patched in tests: the file chosen (None: cancelled), where a copy goes, and how a
        # refusal is told.
        self.choose_file: Callable[[], Path | None] = self._ask_for_file
        self.choose_copy: Callable[[], Path | None] = self._ask_where_to_save
        self.alert: Callable[[str], object] = lambda text: QMessageBox.warning(
            self, "Card deck", text
        )
        self.setWindowTitle("Card deck")
        self.setAccessibleName("Card deck")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        layout = widgets.headed_layout(self, "Card deck")
        self.in_use = QLabel()
        self.in_use.setWordWrap(True)
        self.in_use.setAccessibleName("Deck in use")
        self.in_use.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        layout.addWidget(self.in_use)
        hint = QLabel(
            "A deck of your own is a JSON file in the format of the bundled one (the user "
            "guide says how to make one). It is checked before it is used; records of "
            "earlier sessions are not changed."
        )
        hint.setWordWrap(True)
        hint.setProperty("muted", True)
        layout.addWidget(hint)
        # The file to start from: the bundled one sits inside the installed app.
        # Alt+P: Close has C, and the window behind has F, S, V and H (its menus).
        self.copy_button = QPushButton("Save a co&py of the bundled deck…")
        self.copy_button.setToolTip("A file to edit into your own deck, then import.")
        self.copy_button.clicked.connect(self.save_copy)
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName("About the deck")
        # A path said here (the copy kept, the copy saved) can be selected and copied.
        self.reason.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        layout.addWidget(self.reason)
        buttons = QDialogButtonBox()
        self.import_button = QPushButton("&Import a deck…")
        self.import_button.setToolTip("Choose a deck file; it is checked, then used from now on.")
        self.bundled_button = QPushButton("Use the &bundled deck")
        self.bundled_button.setToolTip("Stop using the imported deck.")
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.bundled_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self.import_deck)
        self.bundled_button.clicked.connect(self.use_bundled)
        layout.addWidget(buttons)
        self.refresh()

    def _why_not(self) -> str | None:
        """Why the deck cannot be changed now, or None."""
        if self.demo:
            return IN_THE_DEMO
        state = self.controller.state
        return DURING_A_MEETING if state is not None and state.status in LIVE else None

    def refresh(self) -> None:
        deck = self.controller.deck
        on_file = deck_in_use(self.imported, self.templates)
        bundled = deck == load_default_deck()
        # By the deck in use (the file may have changed since), and an unedited copy of the
        # bundled deck imported is imported too.
        imported = not bundled or (on_file.imported and on_file.deck == deck)
        where = "imported" if imported else "bundled with the app"
        self.in_use.setText(f"In use: {deck.title}, {len(deck)} cards, {where}.")
        # One imported but refused at start-up (edited by hand, say): the same words again.
        problem = on_file.problem if bundled else None
        why_not = self._why_not()
        self._note(" ".join(filter(None, (problem, why_not))))
        self.import_button.setEnabled(why_not is None)
        self.bundled_button.setEnabled(why_not is None and os.path.lexists(self.imported))

    def _note(self, text: str) -> None:
        self.reason.setText(text)
        self.reason.setVisible(bool(text))
        self._fit_height()

    def _fit_height(self) -> None:
        # A dialog does not grow by itself for lines that wrap: a long note was cut off.
        width = max(self.width(), self.minimumWidth())
        self.setMinimumHeight(self.layout().totalHeightForWidth(width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # new words, or larger type
            self._fit_height()
        return handled

    def _ask_for_file(self) -> Path | None:
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a card deck", start, "Card decks (*.json);;All files (*)"
        )
        return Path(name) if name else None

    def _ask_where_to_save(self) -> Path | None:
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Save a copy of the bundled deck",
            str(Path(start) / "our-card-deck.json"),
            "Card decks (*.json)",
        )
        return Path(name) if name else None

    def save_copy(self) -> None:
        target = self.choose_copy()
        if target is None:
            return
        try:
            save_bundled_copy(target)
        except DeckError as exc:
            self.alert(str(exc))
            return
        self._note(f"Saved as {target}. Edit its cards (the user guide says how), then import it.")

    def import_deck(self) -> None:
        why_not = self._why_not()
        if why_not is not None:
            self.alert(why_not)
            return
        source = self.choose_file()
        if source is None:
            return
        try:
            deck = install_deck(source, self.imported, self.templates)
        except DeckError as exc:
            self.alert(str(exc))
            return
        self.controller.use_deck(deck)
        self.refresh()

    def use_bundled(self) -> None:
        why_not = self._why_not()
        if why_not is not None:
            self.alert(why_not)
            return
        try:
            kept = remove_imported_deck(self.imported)
        except DeckError as exc:
            self.alert(str(exc))
            return
        self.controller.use_deck(load_default_deck())
        self.refresh()
        if kept is not None:  # it may be the only copy of the partnership's deck
            self._note(f"Your deck is kept as {kept}; import it again to use it.")
