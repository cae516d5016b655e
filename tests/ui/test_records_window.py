"""Records in the main window: menus, navigation, export, import, backup, restore, delete and
anonymise — and none of it during a live session."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PySide6 import QtWidgets
from PySide6.QtCore import Qt

from rethink_desktop.reports.exports import export
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.ui.export_dialog import ExportDialog
from rethink_desktop.ui.records import CLOSE_REASON, LIVE_REASON, safe_file_name
from tests.records_data import at, meeting
from tests.ui.conftest import prepare_draft, start_live


@pytest.fixture
def two(store):
    return (
        meeting(store, at(3, 3), "FN-1001", ratings=((4, 4, 4, 4),), way="yes"),
        meeting(store, at(3, 10), "TH-2002", kind="thematic"),
    )


def record_actions(window):
    r = window.records
    return [r.history_action, r.dashboard_action, r.export_action, r.import_action,
            r.backup_action, r.restore_action, r.purge_action]  # fmt: skip


def choose(fmt: str, *, anonymise: bool = True, include_demo: bool = False):
    def pick(dialog: ExportDialog) -> bool:
        getattr(dialog, fmt).setChecked(True)
        dialog.anonymise.setChecked(anonymise)
        dialog.include_demo.setChecked(include_demo)
        return True

    return pick


def test_records_are_unavailable_during_a_live_session(qtbot, window, controller):
    assert all(action.isEnabled() for action in record_actions(window))
    assert not any(a.isVisible() for a in window.records._reason_actions)
    start_live(controller, 3)
    assert window.stack.currentWidget() is window.live
    assert not any(action.isEnabled() for action in record_actions(window))
    assert all(a.isVisible() for a in window.records._reason_actions)
    assert window.records.history_action.statusTip() == LIVE_REASON
    # Asked anyway (a stale shortcut, say): the reason is shown and the meeting stays.
    window.records.show_history()
    window.records.export()
    assert window.stack.currentWidget() is window.live
    assert window.notice_text() == LIVE_REASON
    controller.act("end")  # the close: still none, its ratings are anonymous
    assert not any(action.isEnabled() for action in record_actions(window))
    assert window.records.history_action.statusTip() == CLOSE_REASON
    assert window.records._reason_actions[0].text().endswith("until the close is complete")
    controller.act("record_way_forward", "yes")
    controller.act("complete")
    assert all(action.isEnabled() for action in record_actions(window))
    assert not any(a.isVisible() for a in window.records._reason_actions)


def test_view_menu_shortcuts_do_not_clash_with_live_keys(window):
    from PySide6.QtGui import QKeySequence

    from rethink_desktop.ui.keymap import LIVE_KEYS

    live = {QKeySequence(k).toString() for b in LIVE_KEYS for k in b.keys}
    for action in (window.records.history_action, window.records.dashboard_action):
        assert action.shortcut().toString() not in live
    assert window.records.history_action.shortcut().toString() == "Ctrl+H"
    assert window.records.dashboard_action.shortcut().toString() == "Ctrl+Shift+D"


def test_every_menu_shortcut_is_on_the_keymap(window):
    """The F1 sheet and docs/keyboard.md (both from keymap.py) list every menu's key."""
    from PySide6.QtGui import QKeySequence

    from rethink_desktop.ui.keymap import LIVE_KEYS, OTHER_KEYS

    listed = {b.shown for b in LIVE_KEYS} | {key for key, _ in OTHER_KEYS}
    listed = {QKeySequence(k).toString() for shown in listed for k in shown.split(" or ")}
    menus = [action.menu() for action in window.menuBar().actions()]
    shortcuts = {
        action.shortcut().toString()
        for menu in menus
        for action in menu.actions()
        if not action.shortcut().isEmpty()
    }
    assert "Ctrl+Shift+H" in shortcuts  # File → Home
    assert shortcuts <= listed


def test_home_history_detail_dashboard_and_back(qtbot, window, two):
    window.home.history_button.click()
    history = window.records.history
    assert window.stack.currentWidget() is history
    assert history.model.rowCount() == 2
    assert history.selected_id() == two[1].id  # the newest, ready for Enter
    qtbot.keyClick(history.table, Qt.Key.Key_Return)
    detail = window.records.detail
    assert window.stack.currentWidget() is detail
    assert detail.state.reference == "TH-2002"
    detail.back_button.click()
    assert window.stack.currentWidget() is history
    history.dashboard_button.click()
    dashboard = window.records.dashboard
    assert window.stack.currentWidget() is dashboard
    dashboard.period.set_key("all")
    assert dashboard.data.sessions_held == 2
    dashboard.home_button.click()
    assert window.stack.currentWidget() is window.home
    window.records.dashboard_action.trigger()
    assert window.stack.currentWidget() is dashboard


def test_esc_goes_back_home_from_history_and_the_dashboard(qtbot, window, two):
    """Esc went back from a session's detail only; on History and the Dashboard it did
    nothing. In History's search box it clears a typed reference first."""
    window.show()
    window.home.history_button.click()
    history = window.records.history
    qtbot.keyClick(history.table, Qt.Key.Key_Return)
    qtbot.keyClick(window.records.detail, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is history
    history.search.setFocus()
    qtbot.keyClicks(history.search, "TH")
    qtbot.keyClick(history.search, Qt.Key.Key_Escape)
    assert history.search.text() == ""
    assert window.stack.currentWidget() is history
    qtbot.keyClick(history.search, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.home
    window.records.dashboard_action.trigger()
    dashboard = window.records.dashboard
    qtbot.keyClick(dashboard.period.choice, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.home


def test_export_json_and_csv_anonymised(tmp_path, window, two):
    records = window.records
    out = tmp_path / "out" / "all.json"
    records.choose_export_dialog = choose("json")
    records.choose_save_file = lambda title, suggested, filters: str(out)
    assert records.export() == out
    doc = json.loads(out.read_text())
    assert {s["reference"] for s in doc["sessions"]} == {"FN-1001", "TH-2002"}
    assert all(p["name"] is None for s in doc["sessions"] for p in s["participants"])
    assert "Exported 2 sessions" in window.status.text()
    records.choose_export_dialog = choose("csv")
    records.choose_save_file = lambda title, suggested, filters: str(tmp_path / "tables")
    written = records.export()
    assert written == tmp_path / "tables.zip"
    with zipfile.ZipFile(written) as archive:
        assert "sessions.csv" in archive.namelist()


def test_names_are_written_only_after_a_warning(tmp_path, window, two):
    records = window.records
    out = tmp_path / "named.json"
    asked = []
    window.confirm = lambda title, text: asked.append((title, text)) or False
    shown = []

    def first_without_then_cancel(dialog: ExportDialog) -> bool:
        shown.append((dialog.fmt, dialog.anonymise.isChecked()))
        if len(shown) == 1:
            return choose("csv", anonymise=False)(dialog)
        return False  # back at the export, as No said: cancelled this time

    records.choose_export_dialog = first_without_then_cancel
    records.choose_save_file = lambda *a: str(out)
    assert records.export() is None
    assert asked[0][0] == "Write names to a file?"
    assert asked[0][1].startswith("8 participant names are still kept")
    assert "No takes you back to the export, with Anonymise ticked" in asked[0][1]
    # No went back to the export, the format kept and Anonymise ticked (it closed it).
    assert shown == [("json", True), ("csv", True)]
    assert not out.exists()
    records.choose_export_dialog = choose("json", anonymise=False)
    window.confirm = lambda title, text: True
    assert records.export() == out
    names = {p["name"] for s in json.loads(out.read_text())["sessions"] for p in s["participants"]}
    assert "Person 1" in names


def test_an_export_that_cannot_be_written_is_told_in_words(tmp_path, window, two):
    # A file where the folder should be: the message names it, with no error number and
    # never the hidden temporary file.
    records = window.records
    (tmp_path / "blocked").write_text("a file, not a folder")
    out = tmp_path / "blocked" / "all.json"
    warned = []
    records.warn = lambda title, text: warned.append((title, text))
    records.choose_export_dialog = choose("json")
    records.choose_save_file = lambda title, suggested, filters: str(out)
    assert records.export() is None
    ((title, text),) = warned
    assert title == "Export failed"
    assert text.startswith(f"The export cannot be written to {out}: {tmp_path / 'blocked'} is")
    assert "Errno" not in text
    assert ".part" not in text


def test_records_that_cannot_be_read_mid_export_are_told_in_words(
    tmp_path, window, two, monkeypatch
):
    """A damaged part of the file met part-way (reading the sessions' texts, say) reached the
    "Something went wrong" hook; it is told as the command tells it, and no file is left."""
    import sqlite3

    from rethink_desktop.reports import exports

    def torn(db, fmt, out, **kwargs):
        def fill(handle):
            handle.write(b'{"format_version": 1, "sessions": [')
            raise sqlite3.DatabaseError("database disk image is malformed")

        exports.atomic_write_bytes(out, fill)

    monkeypatch.setattr(exports, "export", torn)
    records = window.records
    out = tmp_path / "out" / "all.json"
    out.parent.mkdir()
    warned = []
    records.warn = lambda title, text: warned.append((title, text))
    records.choose_export_dialog = choose("json")
    records.choose_save_file = lambda title, suggested, filters: str(out)
    assert records.export() is None
    assert warned == [
        (
            "Export failed",
            "The export stopped: the records could not be read (they may have been changed or "
            "damaged at that moment). No file was written. Try again; if it happens again, "
            "ask IT to run `rethink-desktop check`.",
        )
    ]
    assert list(out.parent.iterdir()) == []


def test_a_cancelled_export_writes_nothing(tmp_path, window, two, monkeypatch):
    records = window.records
    out = tmp_path / "cancelled.json"
    records.choose_export_dialog = choose("json")
    records.choose_save_file = lambda *a: str(out)
    real = records._progress

    def cancel_at_once(title, text):
        dialog, _ = real(title, text)
        return dialog, lambda done, total: False

    monkeypatch.setattr(records, "_progress", cancel_at_once)
    assert records.export() is None
    assert not out.exists()
    assert window.status.text() == "Export cancelled. No file was written."


def test_pdf_of_the_selected_session(tmp_path, window, two):
    records = window.records
    records.show_history()
    records.history.select_row(1)  # FN-1001
    seen = []

    def pick(dialog: ExportDialog) -> bool:
        seen.append((dialog.pdf.text(), dialog.json.isEnabled()))
        return choose("pdf")(dialog)

    records.choose_export_dialog = pick
    records.choose_save_file = lambda title, suggested, filters: str(
        tmp_path / suggested.split("/")[-1]
    )
    records.history.pdf_button.click()
    assert seen == [("Session FN-1001 as a PDF summary", False)]
    pdf = tmp_path / "rethink-FN-1001.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert window.notice_text().startswith(f"Exported the summary of FN-1001 to {pdf}")


def test_file_names_lose_what_no_file_system_takes():
    assert safe_file_name("rethink-FN/2291.pdf") == "rethink-FN-2291.pdf"
    assert safe_file_name('a\\b:c*d?e"f<g>h|i\x01j.pdf') == "a-b-c-d-e-f-g-h-i-j.pdf"
    assert safe_file_name("rethink-TH_20.v2-x.pdf") == "rethink-TH_20.v2-x.pdf"


def test_a_pdf_of_a_reference_with_a_slash_is_suggested_beside_the_others(tmp_path, window, store):
    session = meeting(store, at(3, 3), "FN/2291")
    records = window.records
    records.choose_export_dialog = choose("pdf")
    offered = []
    records.choose_save_file = lambda title, suggested, filters: (
        offered.append(suggested) or str(tmp_path / Path(suggested).name)
    )
    assert records.export(session.id) == tmp_path / "rethink-FN-2291.pdf"
    assert Path(offered[0]) == records._documents() / "rethink-FN-2291.pdf"
    assert (tmp_path / "rethink-FN-2291.pdf").read_bytes().startswith(b"%PDF")


def test_import_merges_another_laptops_export(tmp_path, window, controller):
    other = EventStore.open(tmp_path / "other" / "rethink.sqlite")
    meeting(other, at(2, 2), "FN-OTHER-1")
    meeting(other, at(2, 9), "FN-OTHER-2")
    file = tmp_path / "other.json"
    export(other.db, "json", file)
    other.close()
    records = window.records
    records.show_history()
    assert records.history.model.rowCount() == 0
    shown = []
    records.inform = lambda title, text: shown.append(text)
    records.choose_open_file = lambda *a: str(file)
    report = records.import_file()
    assert len(report.added) == 2
    assert shown[0].startswith("From other.json: 2 added")
    assert records.history.model.rowCount() == 2
    # The same file again: nothing new.
    assert records.import_file().skipped_identical


def test_a_large_import_in_two_parts_shows_its_progress_and_can_be_cancelled(
    tmp_path, window, monkeypatch, caplog
):
    from benchmarks.generate import generate
    from rethink_desktop.reports import importer

    with EventStore.open(tmp_path / "other" / "rethink.sqlite") as other:
        generate(other, sessions=12, seed=4, processes=1)
        export(other.db, "json", tmp_path / "other.json")
    monkeypatch.setattr(importer, "_PARTS_MIN_BYTES", 0)  # read in two parts however small
    caplog.set_level("INFO", logger="rethink_desktop.reports")
    records = window.records
    records.choose_open_file = lambda *a: str(tmp_path / "other.json")
    shown = []
    records.inform = lambda title, text: shown.append(text)
    # Cancel pressed while the file is being read: both parts stop, nothing is kept.
    monkeypatch.setattr(QtWidgets.QProgressDialog, "wasCanceled", lambda dialog: True)
    assert records.import_file() is None
    assert window.notice_text() == "Import cancelled. Nothing was changed."
    assert window.controller.store.db.execute("SELECT count(*) FROM events").fetchone() == (0,)
    monkeypatch.undo()
    monkeypatch.setattr(importer, "_PARTS_MIN_BYTES", 0)
    seen = []
    made = records._progress

    def watched(title, text):
        dialog, progress = made(title, text)
        return dialog, lambda done, total: seen.append((done, total)) or progress(done, total)

    records._progress = watched
    report = records.import_file()
    assert "read in two parts at once" in caplog.text
    assert shown == [f"From other.json: {report.summary()}"]
    assert len(report.added) + len(report.left_out) == 12
    size = (tmp_path / "other.json").stat().st_size
    assert seen[-1] == (size, size)  # both parts' bytes counted, up to the whole file


def test_a_bad_import_file_is_refused_in_plain_words(tmp_path, window):
    bad = tmp_path / "notes.json"
    bad.write_text("this is not an export")
    warned = []
    window.records.warn = lambda title, text: warned.append(text)
    window.records.choose_open_file = lambda *a: str(bad)
    assert window.records.import_file() is None
    assert "Nothing was imported" in warned[0]


def test_a_backup_named_without_its_ending_gets_it_so_restore_lists_it(tmp_path, window, two):
    window.records.choose_save_file = lambda *a: str(tmp_path / "b1")
    assert window.records.back_up() == tmp_path / "b1.sqlite"
    assert (tmp_path / "b1.sqlite").is_file()
    assert not (tmp_path / "b1").exists()


def test_back_up_then_restore(tmp_path, window, controller, two):
    records = window.records
    backup = tmp_path / "copies" / "before.sqlite"
    records.choose_save_file = lambda *a: str(backup)
    assert records.back_up() == backup
    assert records.delete_session(two[0].id)
    records.show_history()
    assert records.history.model.rowCount() == 1
    asked = []
    window.confirm = lambda title, text: asked.append(text) or True
    records.choose_open_file = lambda *a: str(backup)
    old = controller.store
    assert records.restore()
    assert "the newest is TH-2002" in asked[0]
    assert str(backup) in asked[0]
    assert controller.store is not old
    assert window.home.store is controller.store
    assert records.history.model.rowCount() == 2
    assert "Restored from before.sqlite" in window.status.text()
    safety = list((Path(controller.store.path).parent / "backups").glob("before-restore-*"))
    assert len(safety) == 1


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, window, controller):
    bad = tmp_path / "x.sqlite"
    bad.write_bytes(b"not a database at all")
    warned = []
    window.records.warn = lambda title, text: warned.append(text)
    window.records.choose_open_file = lambda *a: str(bad)
    store = controller.store
    assert not window.records.restore()
    assert controller.store is store
    assert "not a Re-Think Desktop backup" in warned[0]


@pytest.mark.parametrize("problem", ["damaged", "missing"])
def test_restore_names_a_damaged_or_missing_backup(tmp_path, window, controller, two, problem):
    records = window.records
    backup = tmp_path / "copies" / "before.sqlite"
    records.choose_save_file = lambda *a: str(backup)
    assert records.back_up() == backup
    if problem == "damaged":
        data = backup.read_bytes()
        backup.write_bytes(data[: len(data) // 2])
    else:
        backup.unlink()
    warned = []
    records.warn = lambda title, text: warned.append((title, text))
    records.choose_open_file = lambda *a: str(backup)
    store = controller.store
    assert not records.restore()
    assert controller.store is store
    expected = (
        f"The backup {backup} is damaged, so it cannot be restored. Nothing has been changed. "
        "Choose an older backup."
        if problem == "damaged"
        else f"There is no backup file at {backup}. Nothing has been changed. Check the name "
        "and the folder, or choose another backup."
    )
    assert warned == [("Cannot restore", expected)]


def test_delete_and_anonymise_name_the_session(window, controller, two):
    records = window.records
    asked = []
    window.confirm = lambda title, text: asked.append((title, text)) or True
    records.show_history()
    assert records.anonymise_session(two[0].id)
    assert asked[-1][0] == "Anonymise FN-1001?"
    names = controller.store.db.execute(
        "SELECT count(*) FROM participants WHERE session_id = ? AND name IS NOT NULL",
        [two[0].id],
    ).fetchone()[0]
    assert names == 0
    records.history.select_row(1)
    assert not records.history.anonymise_button.isEnabled()
    window.confirm = lambda title, text: asked.append((title, text)) or False
    assert not records.delete_session(two[1].id)
    assert asked[-1][0] == "Delete TH-2002?"
    assert records.history.model.rowCount() == 2
    window.confirm = lambda title, text: True
    window.show()
    window.activateWindow()
    records.history.delete_button.setFocus()  # as after Tab to Delete… and Space
    assert records.delete_session(two[1].id)
    assert records.history.model.rowCount() == 1
    assert window.status.text() == "Session TH-2002 deleted."
    # The one left is chosen in its place, and the keys are back in the list (they went on
    # to Dashboard, which the next Enter opened).
    assert records.history.selected_id() == two[0].id
    assert records.history.table.hasFocus()
    window.close()


def test_the_demo_window_makes_no_backups(make_window):
    from rethink_desktop.ui.records import DEMO_REASON

    demo = make_window(demo=True)
    records = demo.records
    assert not records.backup_action.isEnabled()
    assert not records.restore_action.isEnabled()
    assert records.restore_action.statusTip() == DEMO_REASON
    assert not records.purge_action.isEnabled()  # a purge starts with a backup
    assert records.export_action.isEnabled()
    records.choose_save_file = lambda *a: pytest.fail("no file is chosen")
    assert records.back_up() is None
    assert demo.status.text() == DEMO_REASON


def test_remove_old_records_from_the_file_menu(tmp_path, window, controller, store):
    """File → Remove old records…: the preview's sessions go, a backup is written first."""
    from rethink_desktop.storage.retention import sessions_older_than

    old = meeting(store, at(1, 5).replace(year=2023), "FN-OLD-1")
    meeting(store, at(2, 2), "FN-NEW-2")
    records = window.records
    records.show_history()
    assert records.history.model.rowCount() == 2
    previews = []

    def remove(dialog) -> bool:
        previews.append([ref for ref, _ in dialog.listed()])
        return True

    records.choose_purge_dialog = remove
    shown = []
    records.inform = lambda title, text: shown.append(text)
    records.purge_action.trigger()
    assert previews == [["FN-OLD-1"]]
    assert sessions_older_than(store.db, 24, controller.clock.now()) == []
    assert records.history.model.rowCount() == 1
    (backup,) = (Path(store.path).parent / "backups").glob("before-purge-*.sqlite")
    assert str(backup) in shown[0]
    assert old.id not in {r[0] for r in store.db.execute("SELECT id FROM sessions")}


def test_remove_old_records_that_cannot_back_up_removes_nothing(tmp_path, window, store):
    meeting(store, at(1, 5).replace(year=2023), "FN-OLD-1")
    blocker = window.paths.backups_dir
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("a file where the backups folder should be")
    warned = []
    window.records.warn = lambda title, text: warned.append((title, text))
    window.records.choose_purge_dialog = lambda dialog: True
    assert window.records.remove_old_records() is None
    assert warned[0][0] == "Nothing removed"
    assert warned[0][1].endswith("No session was removed.")
    assert store.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


@pytest.mark.parametrize("screen", ["prepare", "check_in"])
@pytest.mark.parametrize("action", ["import", "restore"])
def test_import_and_restore_leave_an_open_sessions_screen_for_home(
    tmp_path, window, controller, two, screen, action
):
    """They change the records under the open session: it closes, and its screen (whose
    Start or Save would now act on nothing) gives way to Home."""
    records = window.records
    if action == "import":
        other = EventStore.open(tmp_path / "other" / "rethink.sqlite")
        meeting(other, at(2, 2), "FN-OTHER-1")
        export(other.db, "json", tmp_path / "other.json")
        other.close()
        records.choose_open_file = lambda *a: str(tmp_path / "other.json")
        records.inform = lambda *a: None
    else:
        records.choose_save_file = lambda *a: str(tmp_path / "copy.sqlite")
        assert records.back_up()
        records.choose_open_file = lambda *a: str(tmp_path / "copy.sqlite")
    prepare_draft(controller, 3)
    if screen == "check_in":
        controller.act("check_in", [p.id for p in controller.state.participants], pulse=5)
    window.show_for_state()
    assert window.stack.currentWidget() is getattr(window, screen)

    assert records.import_file() if action == "import" else records.restore()

    assert controller.state is None
    assert window.stack.currentWidget() is window.home
    assert window.home.store is controller.store


def test_the_demo_window_imports_nothing(make_window, tmp_path):
    from rethink_desktop.ui.records import IMPORT_DEMO_REASON

    demo = make_window(demo=True)
    action = demo.records.import_action
    assert not action.isEnabled()
    assert action.statusTip() == IMPORT_DEMO_REASON
    demo.records.choose_open_file = lambda *a: pytest.fail("no file dialog in the demo")
    assert demo.records.import_file() is None
    assert demo.status.text() == IMPORT_DEMO_REASON


def test_a_copy_of_the_demo_is_not_restored_over_real_records(tmp_path, window, controller, two):
    from tests.helpers import running

    with EventStore.open(tmp_path / "demo.sqlite") as demo:
        running(3, demo=True, sink=demo.append, reference="DEMO-001")
    warned = []
    window.records.warn = lambda title, text: warned.append(text)
    window.confirm = lambda title, text: pytest.fail("refused before any question")
    window.records.choose_open_file = lambda *a: str(tmp_path / "demo.sqlite")
    store = controller.store
    assert not window.records.restore()
    assert controller.store is store
    assert "a copy of the trainers' demo" in warned[0]


def test_the_file_dialogs_open_in_documents_or_else_the_home_folder(tmp_path, window, monkeypatch):
    from PySide6 import QtCore

    documents = tmp_path / "Documents"
    monkeypatch.setattr(QtCore.QStandardPaths, "writableLocation", lambda location: str(documents))
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "home"))
    assert window.records._documents() == tmp_path / "home"  # no Documents folder
    documents.mkdir()
    assert window.records._documents() == documents


LONG_NAMES = [
    {"id": "a", "name": "Sarah Thompson", "agency": "CAMHS – Child & adolescent mental health",
     "role": "Designated safeguarding lead"},
    {"id": "b", "name": "Sarah Thompson", "agency": "St Bartholomew's C of E Primary School",
     "role": "Deputy head teacher"},
    {"id": "c", "name": "Oluwaseun Adebayo-Okonkwo", "agency": "Children's social care",
     "role": "Senior social worker"},
    {"id": "d", "name": "Tom Reed", "agency": "Health", "role": "Health visitor"},
]  # fmt: skip


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_a_detail_with_long_names_opens_within_the_window(qtbot, make_window, store, scale):
    """Opened with long names, the detail stayed side by side, wider than the window:
    Back to history and Export PDF… were out of sight until the window was resized."""
    from PySide6.QtWidgets import QLabel, QPushButton

    from rethink_desktop.core.clock import FakeClock
    from tests.helpers import prepared
    from tests.ui.conftest import larger_text

    clock = FakeClock()
    s = prepared(participants=LONG_NAMES, clock=clock, sink=store.append)
    s.check_in([p.id for p in s.state.participants])
    s.start()
    for _ in range(6):
        s.next_turn()
        clock.advance(200)
    s.end()
    s.complete()
    with larger_text(scale):
        window = make_window()
        window.resize(1366, 768)
        window.records.show_detail(s.id)
        qtbot.wait(20)
        detail = window.records.detail
        viewport = detail.scroll.viewport()
        content = detail.scroll.widget()
        assert content.width() <= viewport.width()
        for widget in content.findChildren(QLabel) + detail.findChildren(QPushButton):
            if widget.isVisible() and content.isAncestorOf(widget):
                assert widget.mapTo(viewport, widget.rect().topRight()).x() <= viewport.width()
        for button in (detail.back_button, detail.pdf_button):
            assert button.visibleRegion().boundingRect().width() == button.width()
        # Two Sarah Thompsons, shortened, still read apart: the middle goes, not the role.
        rows = [detail.people_grid.itemAtPosition(r, 0).widget() for r in range(2)]
        drawn = [r.fontMetrics().elidedText(r.text(), r.mode, 120) for r in rows]
        assert drawn[0] != drawn[1]
        assert drawn[0].endswith("lead)")
