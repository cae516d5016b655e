"""File → Card deck: which deck is in use, import one of your own, or go back to the bundled one.

The checks and the copy are ``core.decks``'; this dialog only asks and tells. The deck is
not changed during a live session: the cards are being stepped through there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rethink_desktop.core.agenda import Template
from rethink_desktop.core.cards import DeckError, load_default_deck
from rethink_desktop.core.decks import install_deck, remove_imported_deck
from rethink_desktop.core.state import LIVE
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.theme import set_font_role

DURING_A_MEETING = "The deck can be changed once this meeting has ended."


class DeckDialog(QDialog):
    def __init__(
        self,
        controller: SessionController,
        imported: Path,
        templates: Mapping[str, Template],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.imported = imported
        self.templates = templates
        # Patched in tests: the file chosen (None: cancelled), and how a refusal is told.
        self.choose_file: Callable[[], Path | None] = self._ask_for_file
        self.alert: Callable[[str], object] = lambda text: QMessageBox.warning(
            self, "Card deck", text
        )
        self.setWindowTitle("Card deck")
        self.setAccessibleName("Card deck")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 16)
        layout.setSpacing(12)
        title = QLabel("Card deck")
        set_font_role(title, "heading", bold=True)
        layout.addWidget(title)
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
        self.reason = QLabel(DURING_A_MEETING)
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName("Why the deck cannot be changed now")
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

    def _live(self) -> bool:
        state = self.controller.state
        return state is not None and state.status in LIVE

    def refresh(self) -> None:
        deck = self.controller.deck
        imported = self.imported.exists()
        where = "imported" if imported else "bundled with the app"
        self.in_use.setText(f"In use: {deck.title}, {len(deck)} cards, {where}.")
        live = self._live()
        self.reason.setVisible(live)
        self.import_button.setEnabled(not live)
        self.bundled_button.setEnabled(not live and imported)

    def _ask_for_file(self) -> Path | None:
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a card deck", start, "Card decks (*.json);;All files (*)"
        )
        return Path(name) if name else None

    def import_deck(self) -> None:
        if self._live():
            self.alert(DURING_A_MEETING)
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
        if self._live():
            self.alert(DURING_A_MEETING)
            return
        try:
            remove_imported_deck(self.imported)
        except DeckError as exc:
            self.alert(str(exc))
            return
        self.controller.use_deck(load_default_deck())
        self.refresh()
