"""The Export dialog of the File menu: JSON or CSV of all sessions, or one session's PDF.

Its own module so that its Qt classes are set up only when it is first opened, not at
start-up (ui/records.py imports it on first use).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)


class ExportDialog(QDialog):
    """What to write: all sessions as JSON or CSV, or one session as a PDF; names or not."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        session_reference: str | None,
        include_demo: bool,
        pdf_only: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.setAccessibleName("Export records")
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        heading = QLabel("What would you like to export?")
        heading.setAccessibleName("What would you like to export?")
        layout.addWidget(heading)
        self.formats = QButtonGroup(self)
        self.json = QRadioButton("All sessions as one JSON file (for merging or analysis)")
        self.csv = QRadioButton("All sessions as CSV tables in a zip (for spreadsheets)")
        pdf_text = (
            f"Session {session_reference} as a PDF summary"
            if session_reference
            else "A PDF summary of one session (choose it in History first)"
        )
        self.pdf = QRadioButton(pdf_text)
        for n, (button, name) in enumerate(
            ((self.json, "JSON"), (self.csv, "CSV"), (self.pdf, "PDF summary"))
        ):
            button.setAccessibleName(f"Export format: {name}")
            self.formats.addButton(button, n)
            layout.addWidget(button)
        self.pdf.setEnabled(session_reference is not None)
        self.json.setEnabled(not pdf_only)
        self.csv.setEnabled(not pdf_only)
        (self.pdf if pdf_only else self.json).setChecked(True)
        self.anonymise = QCheckBox("Anonymise: replace names with agency and role")
        self.anonymise.setAccessibleName("Anonymise: replace names with agency and role")
        self.anonymise.setChecked(True)
        self.include_demo = QCheckBox("Include demo sessions")
        self.include_demo.setAccessibleName("Include demo sessions")
        self.include_demo.setChecked(include_demo)
        layout.addSpacing(4)
        layout.addWidget(self.anonymise)
        layout.addWidget(self.include_demo)
        note = QLabel("Exports hold the process only: Re-Think keeps no notes of what was said.")
        note.setProperty("muted", True)
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.formats.idToggled.connect(lambda *_: self._sync())
        self._sync()

    def _sync(self) -> None:
        self.include_demo.setEnabled(not self.pdf.isChecked())

    @property
    def fmt(self) -> str:
        return "pdf" if self.pdf.isChecked() else "csv" if self.csv.isChecked() else "json"
