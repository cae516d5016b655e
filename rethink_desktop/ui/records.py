"""Records in the main window: the History, Session detail and Dashboard screens, and the File
menu's Export, Import, Back up, Restore and Remove old records.

None of it is available while a session is running: the menu entries are disabled, say why,
and a shortcut pressed anyway only shows the reason. The work itself is done by the
Qt-free modules (``reports.exports``, ``reports.pdf``, ``reports.importer``,
``storage.backups``, ``storage.retention``); this module asks, confirms, shows progress with
a Cancel button and reports in plain words.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from rethink_desktop.core.state import LIVE, IllegalAction
from rethink_desktop.storage.database import StorageError
from rethink_desktop.storage.records import names_kept
from rethink_desktop.ui.widgets import sessions_text

if TYPE_CHECKING:
    from PySide6.QtWidgets import QProgressDialog

    from rethink_desktop.storage.retention import PurgeReport
    from rethink_desktop.ui.dashboard import DashboardView
    from rethink_desktop.ui.detail import SessionDetailView
    from rethink_desktop.ui.export_dialog import ExportDialog
    from rethink_desktop.ui.history import HistoryView
    from rethink_desktop.ui.main_window import MainWindow
    from rethink_desktop.ui.purge import PurgeDialog

log = logging.getLogger(__name__)

LIVE_REASON = (
    "Not while a session is running: records, exports and backups wait until it has ended "
    "(Ctrl+E), so nothing can disturb the meeting."
)
DEMO_REASON = (
    "The demo has no backups: its sessions are fictional, and a copy of them must never be "
    "restored over real records."
)
IMPORT_DEMO_REASON = (
    "Not in the demo: it keeps only its fictional network. Import other laptops' records "
    "in the app's normal window."
)
PURGE_DEMO_REASON = (
    "Not in the demo: removing old records starts with a backup, and the demo makes none (its "
    "sessions are fictional, and a copy of them must never be restored over real records)."
)
CLOSE_REASON = (
    "Not during the close: records, exports and backups wait until the session is complete "
    "(the ratings are anonymous, and the screen that takes them shows nothing else)."
)
# The disabled line in the File and View menus that says why records are unavailable.
REASON_LINES = {
    LIVE_REASON: "Records: unavailable while a session is running",
    CLOSE_REASON: "Records: unavailable until the close is complete",
}
HISTORY_KEY = "Ctrl+H"
DASHBOARD_KEY = "Ctrl+Shift+D"

Progress = Callable[[int, int], bool]


def _stamp() -> str:
    return datetime.now().strftime("%Y-%m-%d-%H%M")


# Characters Windows, macOS or Linux refuse in a file name (or read as a folder), and controls.
_NOT_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def safe_file_name(name: str) -> str:
    """``name`` with each character no file system takes in a name replaced by ``-``: a
    reference may hold ``/`` (FN/2291), which would otherwise point into a folder."""
    return _NOT_IN_FILE_NAMES.sub("-", name)


class Records(QObject):
    """The records screens and actions of one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.actions: list[QAction] = []
        self._reason_actions: list[QAction] = []
        # Dialog seams, patched in tests.
        self.choose_export_dialog: Callable[[ExportDialog], bool] = lambda d: bool(d.exec())
        self.choose_purge_dialog: Callable[[PurgeDialog], bool] = lambda d: bool(d.exec())
        self.choose_save_file: Callable[[str, str, str], str | None] = self._save_file
        self.choose_open_file: Callable[[str, str, str], str | None] = self._open_file
        self.inform: Callable[[str, str], None] = self._inform
        self.warn: Callable[[str, str], None] = self._warn
        self.last_progress: QProgressDialog | None = None
        window.controller.changed.connect(self.update_availability)
        window.home.history_requested.connect(self.show_history)

    # --- the screens -----------------------------------------------------------------------
    @property
    def controller(self) -> Any:
        return self.window.controller

    @cached_property
    def history(self) -> HistoryView:
        from rethink_desktop.ui.history import HistoryView

        view = HistoryView(self.controller, demo=self.window.demo, parent=self.window.stack)
        view.open_requested.connect(self.show_detail)
        view.pdf_requested.connect(self.export_pdf)
        view.delete_requested.connect(self.delete_session)
        view.anonymise_requested.connect(self.anonymise_session)
        view.dashboard_requested.connect(self.show_dashboard)
        view.home_requested.connect(self.window.show_home)
        self.window.stack.addWidget(view)
        return view

    @cached_property
    def detail(self) -> SessionDetailView:
        from rethink_desktop.ui.detail import SessionDetailView

        view = SessionDetailView(self.controller, parent=self.window.stack)
        view.back_requested.connect(self.show_history)
        view.pdf_requested.connect(self.export_pdf)
        self.window.stack.addWidget(view)
        return view

    @cached_property
    def dashboard(self) -> DashboardView:
        from rethink_desktop.ui.dashboard import DashboardView

        view = DashboardView(self.controller, demo=self.window.demo, parent=self.window.stack)
        view.history_requested.connect(self.show_history)
        view.home_requested.connect(self.window.show_home)
        self.window.stack.addWidget(view)
        return view

    def _built(self, name: str) -> Any:
        """A screen if it has been built (``None`` otherwise), without building it."""
        return self.__dict__.get(name)

    # --- availability ----------------------------------------------------------------------
    def unavailable(self) -> str | None:
        """Why records cannot be used now, or ``None`` when they can."""
        state = self.controller.state
        if state is not None and state.status in LIVE:
            return LIVE_REASON
        if state is not None and state.status == "closing":
            return CLOSE_REASON
        return None

    def _unavailable_to(self, demo_reason: str | None) -> str | None:
        """Why an action cannot be used now: ``demo_reason`` in the demo window (None: the
        demo may use it), else ``unavailable()``."""
        return demo_reason if demo_reason and self.window.demo else self.unavailable()

    def update_availability(self) -> None:
        reason = self.unavailable()
        demo_reasons = {
            getattr(self, "backup_action", None): DEMO_REASON,
            getattr(self, "restore_action", None): DEMO_REASON,
            getattr(self, "purge_action", None): PURGE_DEMO_REASON,
            getattr(self, "import_action", None): IMPORT_DEMO_REASON,
        }
        for action in self.actions:
            why = self._unavailable_to(demo_reasons.get(action))
            action.setEnabled(why is None)
            action.setStatusTip(why or action.toolTip())
        for action in self._reason_actions:
            action.setVisible(reason is not None)
            action.setText(REASON_LINES.get(reason, REASON_LINES[LIVE_REASON]))
            action.setStatusTip(reason or LIVE_REASON)

    def _guard(self, demo_reason: str | None = None) -> bool:
        reason = self._unavailable_to(demo_reason)
        if reason is not None:
            self.window.show_notice(reason)
            return False
        return True

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object],
                shortcut: str | None = None) -> QAction:  # fmt: skip
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self.actions.append(action)
        return action

    def _reason(self, menu: QMenu) -> None:
        note = QAction(REASON_LINES[LIVE_REASON], self.window)
        note.setEnabled(False)
        note.setVisible(False)
        note.setStatusTip(LIVE_REASON)
        menu.addAction(note)
        self._reason_actions.append(note)

    def add_file_actions(self, menu: QMenu) -> None:
        """Export…, Import…, Back up now…, Restore…, Remove old records… (with a line saying
        why when disabled)."""
        menu.addSeparator()
        self._reason(menu)
        self.export_action = self._action(menu, "&Export…", self.export)
        self.import_action = self._action(menu, "&Import from another laptop…", self.import_file)
        self.backup_action = self._action(menu, "&Back up now…", self.back_up)
        self.restore_action = self._action(menu, "&Restore from a backup…", self.restore)
        self.purge_action = self._action(menu, "Remove &old records…", self.remove_old_records)
        self.update_availability()

    def add_view_actions(self, menu: QMenu) -> None:
        """History (Ctrl+H) and Dashboard (Ctrl+Shift+D)."""
        menu.addSeparator()
        self._reason(menu)
        self.history_action = self._action(menu, "&History", self.show_history, HISTORY_KEY)
        self.dashboard_action = self._action(menu, "&Dashboard", self.show_dashboard, DASHBOARD_KEY)
        menu.addSeparator()
        self.update_availability()

    # --- navigation ------------------------------------------------------------------------
    def _leave_session(self) -> None:
        # Like Home: everything is on disk, so the open (not running) session can close.
        self.controller.close_session()

    def _set_session_aside(self) -> None:
        """Import and restore change the records under the open (not running) session: it
        closes, and its screen (Prepare, Check-in, the close) gives way to Home, whose
        buttons act on what is there. Leaving an edited Prepare was asked about just before."""
        if self.controller.state is not None:
            self.window.show_home(ask=False)  # closes the session

    def show_history(self) -> None:
        if not self._guard() or not self.window.may_leave_screen():
            return
        self._leave_session()
        self.history.refresh()
        self.window._show(self.history)
        self.history.focus_default()

    def show_dashboard(self) -> None:
        if not self._guard() or not self.window.may_leave_screen():
            return
        self._leave_session()
        self.dashboard.refresh()
        self.window._show(self.dashboard)
        self.dashboard.focus_default()

    def show_detail(self, session_id: str) -> None:
        if not self._guard():
            return
        if self.detail.load(session_id):
            self.window._show(self.detail)
            self.detail.focus_default()

    def _refresh_views(self) -> None:
        """After the records changed: re-read whichever screens exist."""
        self.window.home.refresh()
        for name in ("history", "dashboard"):
            view = self._built(name)
            if view is not None:
                view.refresh()
        history = self._built("history")
        if history is not None and self.window.stack.currentWidget() is history:
            # The button pressed (Delete…, Anonymise…) may be disabled now: the keys go
            # back to the list, not on to whatever came next (Dashboard, which Enter opened).
            history.table.setFocus()
        detail = self._built("detail")
        current = self.window.stack.currentWidget()
        shown = detail is not None and current is detail and detail.session_id
        if shown and not detail.load(detail.session_id):
            self.show_history()

    def _current_session(self) -> tuple[str, str] | None:
        """(id, reference) of the session selected in History or shown in the detail."""
        current = self.window.stack.currentWidget()
        detail = self._built("detail")
        if detail is not None and current is detail and detail.state is not None:
            return detail.session_id or "", detail.state.reference
        history = self._built("history")
        if history is not None and current is history:
            row = history.selected()
            if row is not None:
                return row["id"], row["reference"]
        return None

    def _reference(self, session_id: str) -> str:
        row = self.controller.store.db.execute(
            "SELECT reference FROM sessions WHERE id = ?", [session_id]
        ).fetchone()
        return (row[0] if row else "") or "(no reference)"

    # --- dialogs ---------------------------------------------------------------------------
    def _documents(self) -> Path:
        """Where the file dialogs open: Documents, or the home folder where there is none
        (a managed laptop without one opened them in the folder the app was started in)."""
        folder = QtCore.QStandardPaths.writableLocation(
            QtCore.QStandardPaths.StandardLocation.DocumentsLocation
        )
        return Path(folder) if folder and Path(folder).is_dir() else Path.home()

    def _save_file(self, title: str, suggested: str, filters: str) -> str | None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, title, suggested, filters)
        return path or None

    def _open_file(self, title: str, folder: str, filters: str) -> str | None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, title, folder, filters)
        return path or None

    def _inform(self, title: str, text: str) -> None:
        QtWidgets.QMessageBox.information(self.window, title, text)

    def _warn(self, title: str, text: str) -> None:
        self.window.alert(title, text)  # the window's one warning (printed when unattended)

    def _progress(self, title: str, text: str) -> tuple[QProgressDialog, Progress]:
        """A modal progress dialog with Cancel, and the ``progress`` callback that feeds it."""
        dialog = QtWidgets.QProgressDialog(text, "Cancel", 0, 0, self.window)
        dialog.setWindowTitle(title)
        dialog.setAccessibleName(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)  # quick jobs finish before it would appear
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        self.last_progress = dialog

        def progress(done: int, total: int) -> bool:
            if total > 0 and dialog.maximum() != total:
                dialog.setMaximum(total)
            dialog.setValue(min(done, total) if total > 0 else 0)
            QApplication.processEvents()
            return not dialog.wasCanceled()

        return dialog, progress

    # --- export ----------------------------------------------------------------------------
    def export(self, session_id: str | None = None, *, pdf_only: bool = False) -> Path | None:
        """File → Export…: choose the format, where, and whether names go; then write."""
        if not self._guard():
            return None
        current = (session_id, self._reference(session_id)) if session_id else None
        current = current or self._current_session()
        from rethink_desktop.ui.export_dialog import ExportDialog

        again: tuple[str, bool] | None = None  # the choices to come back to, after No
        while True:
            dialog = ExportDialog(
                self.window,
                session_reference=current[1] if current else None,
                include_demo=self.window.demo,
                pdf_only=pdf_only,
            )
            if again is not None:  # back from "Write names to a file?": Anonymise ticked
                {"pdf": dialog.pdf, "csv": dialog.csv, "json": dialog.json}[again[0]].setChecked(
                    True
                )
                dialog.include_demo.setChecked(again[1])
            if not self.choose_export_dialog(dialog):
                return None
            fmt, anonymise = dialog.fmt, dialog.anonymise.isChecked()
            include_demo = dialog.include_demo.isChecked()
            dialog.deleteLater()
            if fmt == "pdf" and current is None:
                return None
            if anonymise or self._names_may_go(fmt, include_demo, current):
                break
            again = (fmt, include_demo)
        if fmt == "pdf":
            assert current is not None
            suggested = safe_file_name(f"rethink-{current[1]}.pdf")
            filters = "PDF summary (*.pdf)"
        elif fmt == "csv":
            suggested, filters = f"rethink-export-{_stamp()}.zip", "CSV tables, zipped (*.zip)"
        else:
            suggested, filters = f"rethink-export-{_stamp()}.json", "JSON export (*.json)"
        chosen = self.choose_save_file("Export to", str(self._documents() / suggested), filters)
        if not chosen:
            return None
        out = Path(chosen)
        if out.suffix.lower() != Path(suggested).suffix:
            out = out.with_name(out.name + Path(suggested).suffix)
        return self._write_export(fmt, out, anonymise, include_demo, current)

    def _names_may_go(self, fmt: str, include_demo: bool, current: tuple[str, str] | None) -> bool:
        """Whether a file without anonymising may be written: no names are kept, or the
        facilitator agrees to names in a file. No goes back to the export (Anonymise ticked)."""
        db = self.controller.store.db
        if fmt == "pdf":
            assert current is not None
            kept = names_kept(db, session_id=current[0])
        else:
            kept = names_kept(db, include_demo=include_demo)
        return not kept or self.window.confirm(
            "Write names to a file?",
            f"{kept} participant name{'s are' if kept != 1 else ' is'} still kept in "
            f"{'this session' if fmt == 'pdf' else 'these records'}, and the file will "
            "include them. Anyone who can open the file will see them. No takes you back "
            "to the export, with Anonymise ticked, to write agency and role instead.",
        )

    def _write_export(
        self,
        fmt: str,
        out: Path,
        anonymise: bool,
        include_demo: bool,
        current: tuple[str, str] | None,
    ) -> Path | None:
        from rethink_desktop.reports.exports import ExportCancelled, export

        dialog, progress = self._progress("Exporting", f"Writing {out.name}…")
        try:
            if fmt == "pdf":
                from rethink_desktop.reports.pdf import write_pdf

                assert current is not None
                write_pdf(
                    self.controller.store, current[0], out, anonymise=anonymise, progress=progress
                )
                what = f"the summary of {current[1]}"
            else:
                n = export(
                    self.controller.store.db,
                    fmt,
                    out,
                    anonymise=anonymise,
                    include_demo=include_demo,
                    progress=progress,
                )
                what = sessions_text(n)
        except ExportCancelled:
            self.window.show_notice("Export cancelled. No file was written.")
            return None
        except OSError as exc:
            from rethink_desktop.reports.exports import write_failure

            self.warn("Export failed", write_failure(exc, out))
            return None
        except (StorageError, LookupError) as exc:
            message = exc.message if isinstance(exc, StorageError) else str(exc)
            self.warn("Export failed", f"The export could not be written. {message}")
            return None
        except sqlite3.DatabaseError as exc:
            # A damaged part of the file met part-way (the sessions' texts, say); the file
            # being written was removed unfinished (atomic_write_bytes), as the command's.
            log.warning("export could not read the records: %s", type(exc).__name__)
            self.warn(
                "Export failed",
                "The export stopped: the records could not be read (they may have been "
                "changed or damaged at that moment). No file was written. Try again; if it "
                "happens again, ask IT to run `rethink-desktop check`.",
            )
            return None
        finally:
            dialog.close()
            dialog.deleteLater()
        names = "without names" if anonymise else "with names where still kept"
        self.window.show_notice(f"Exported {what} to {out} ({names}).")
        return out

    def export_pdf(self, session_id: str) -> Path | None:
        """History's or the detail's Export PDF…: the same dialog, PDF chosen."""
        return self.export(session_id, pdf_only=True)

    # --- import ----------------------------------------------------------------------------
    def import_file(self) -> Any:
        """File → Import…: merge another laptop's JSON export."""
        if not self._guard(IMPORT_DEMO_REASON):
            return None
        chosen = self.choose_open_file(
            "Import records from another laptop", str(self._documents()), "JSON export (*.json)"
        )
        if not chosen or not self.window.may_leave_screen():
            return None
        from rethink_desktop.reports.importer import ImportCancelled, ImportFileError, import_export

        self._set_session_aside()
        dialog, progress = self._progress("Importing", f"Reading {Path(chosen).name}…")
        try:
            report = import_export(
                self.controller.store, chosen, keep_names=self.window.keep_names, progress=progress
            )
        except ImportCancelled:
            self.window.show_notice("Import cancelled. Nothing was changed.")
            return None
        except ImportFileError as exc:
            self.warn("Not imported", exc.message)
            return None
        except StorageError as exc:
            self.warn("Not imported", f"{exc.message} Nothing was imported.")
            return None
        finally:
            dialog.close()
            dialog.deleteLater()
        self._refresh_views()
        text = f"From {Path(chosen).name}: {report.summary()}"
        if report.conflicts:
            shown = "; ".join(f"{sid[:8]}…: {why}" for sid, why in report.conflicts[:5])
            text += f"\n\nIn conflict (kept as they were here): {shown}"
        self.inform("Import finished", text)
        self.window.show_notice(report.summary())
        return report

    # --- backups ---------------------------------------------------------------------------
    def back_up(self) -> Path | None:
        """File → Back up now…: an SQLite online backup wherever the facilitator chooses."""
        if not self._guard(DEMO_REASON):
            return None
        from rethink_desktop.storage.database import backup_database

        folder = self.window.paths.backups_dir
        chosen = self.choose_save_file(
            "Back up the records to",
            str(folder / f"manual-{_stamp()}.sqlite"),
            "Re-Think backup (*.sqlite)",
        )
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".sqlite":  # as Restore lists them: "b1" was hidden there
            target = target.with_name(target.name + ".sqlite")
        try:
            out = backup_database(self.controller.store.db, target)
        except StorageError as exc:
            self.warn("Backup failed", exc.message)
            return None
        self.window.show_notice(f"Backup written to {out}.")
        return out

    def restore(self) -> bool:
        """File → Restore…: replace the records with a backup, after naming what it holds."""
        if not self._guard(DEMO_REASON):
            return False
        from rethink_desktop.storage.backups import describe_backup, restore_backup
        from rethink_desktop.storage.eventlog import EventStore

        chosen = self.choose_open_file(
            "Restore the records from a backup",
            str(self.window.paths.backups_dir),
            "Re-Think backup (*.sqlite);;All files (*)",
        )
        if not chosen:
            return False
        try:
            info = describe_backup(chosen)
        except StorageError as exc:
            self.warn("Cannot restore", exc.message)
            return False
        if (
            not self.window.confirm(
                "Restore this backup?",
                f"{info.describe()}\n\nEvery record on this laptop will be replaced by the "
                "backup's. A copy of the records as they are now is kept first, in the backups "
                "folder (before-restore-…).",
            )
            or not self.window.may_leave_screen()
        ):
            return False
        old = self.controller.store
        live_path = old.path
        if live_path is None:
            self.warn("Cannot restore", "The records file of this window is not known.")
            return False
        self._set_session_aside()
        old.close()
        restored, damaged = False, ""
        try:
            kept = restore_backup(live_path, info.path)
            restored, damaged = True, kept.kept() if kept.damaged else ""
        except StorageError as exc:
            self.warn("Not restored", exc.message)
        finally:
            # Reopen either way: the app must always have its records open.
            try:
                store = EventStore.open(live_path)
            except StorageError as exc:
                # Without its records the window must not carry on: close the app cleanly.
                self.warn("Records cannot be opened", exc.message + " The app will now close.")
                QApplication.quit()
                return False
            self.controller.store = store
            self.window.home.store = store
        if restored:
            self._refresh_views()
            ref = info.newest_session_reference or "no sessions"
            self.window.show_notice(
                f"Restored from {info.path.name} (newest session {ref}). {damaged}".strip()
            )
        return restored

    # --- retention -------------------------------------------------------------------------
    def remove_old_records(self) -> PurgeReport | None:
        """File → Remove old records…: preview what the retention period removes, then purge.

        The purge takes a backup first and removes the sessions in one transaction; it uses
        the preview's "now", so exactly the listed sessions go.
        """
        if not self._guard(PURGE_DEMO_REASON):
            return None
        from rethink_desktop.storage.retention import purge
        from rethink_desktop.ui.home import parse_time
        from rethink_desktop.ui.purge import PurgeDialog, format_date

        config = self.window.config
        backups_dir = self.window.paths.backups_dir
        try:
            dialog = PurgeDialog(
                self.window,
                self.controller.store.db,
                now=self.controller.clock.now(),
                months=config.retention_months,
                locked=config.is_locked("retention_months"),
                backups_dir=backups_dir,
            )
        except StorageError as exc:
            self.warn("Cannot remove old records", exc.message)
            return None
        accepted = self.choose_purge_dialog(dialog)
        months, now, expected = dialog.months, dialog.now, dialog.count
        dialog.deleteLater()
        if not accepted or not expected:
            return None
        open_session = self.controller.session
        try:
            report = purge(
                self.controller.store,
                months,
                now,
                backups_dir=backups_dir,
                safety_copy_days=self.window.config.safety_copy_days,
            )
        except StorageError as exc:
            self.warn("Nothing removed", f"{exc.message} No session was removed.")
            return None
        except OSError as exc:  # the backup could not be written: nothing was deleted
            self.warn(
                "Nothing removed",
                f"The backup could not be written in {backups_dir} "
                f"({exc.strerror or exc}). No session was removed.",
            )
            return None
        if not report.ids:  # the records changed since the preview
            self.window.show_notice("Nothing to remove.")
            return report
        if open_session is not None and open_session.id in report.ids:
            self.window.show_home()  # the session on screen is gone
        self._refresh_views()
        n = report.count
        what = sessions_text(n)
        self.inform(
            "Old records removed",
            f"{what} from before {format_date(parse_time(report.cutoff))} "
            f"{'was' if n == 1 else 'were'} removed.\n\nThe records as they were before are "
            f"kept in the backup {report.backup}.",
        )
        self.window.show_notice(f"Removed {what}; backup: {report.backup}.")
        return report

    # --- one session -----------------------------------------------------------------------
    def delete_session(self, session_id: str) -> bool:
        if not self._guard():
            return False
        from rethink_desktop.storage.retention import delete_session

        ref = self._reference(session_id)
        if not self.window.confirm(
            f"Delete {ref}?",
            f"Session {ref} and everything recorded about it (attendance, timings, ratings) "
            "will be deleted from this laptop. Backups made earlier still hold it. "
            "This cannot be undone.",
        ):
            return False
        try:
            delete_session(self.controller.store, session_id)
        except IllegalAction as exc:
            self.warn("Not deleted", str(exc))
            return False
        except StorageError as exc:
            self.warn("Not deleted", exc.message)
            return False
        self._refresh_views()
        if self.window.stack.currentWidget() is self._built("detail"):
            self.show_history()
        self.window.show_notice(f"Session {ref} deleted.")
        return True

    def anonymise_session(self, session_id: str) -> bool:
        if not self._guard():
            return False
        from rethink_desktop.storage.retention import anonymise_session

        ref = self._reference(session_id)
        if not self.window.confirm(
            f"Anonymise {ref}?",
            f"The participants' names in session {ref} will be removed for good; they will be "
            "shown by agency and role. Backups made earlier still hold the names.",
        ):
            return False
        try:
            changed = anonymise_session(self.controller.store, session_id, self.controller.clock)
        except IllegalAction as exc:
            self.warn("Not anonymised", str(exc))
            return False
        except StorageError as exc:
            self.warn("Not anonymised", exc.message)
            return False
        self._refresh_views()
        self.window.show_notice(
            f"Names removed from {ref}." if changed else f"{ref} had no names left."
        )
        return changed
