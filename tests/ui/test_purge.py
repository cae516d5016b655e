"""File → Remove old records…: the preview lists exactly what the purge removes, Cancel
changes nothing, Remove takes a backup and keeps newer and in-progress sessions, a period
locked by IT cannot be changed, and none of it runs during a live session."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage.config import Config
from rethink_desktop.storage.retention import sessions_older_than
from rethink_desktop.ui.home import parse_time
from rethink_desktop.ui.purge import SET_BY_IT, PurgeDialog, format_date
from rethink_desktop.ui.records import LIVE_REASON, PURGE_DEMO_REASON
from tests.helpers import prepared, running
from tests.ui.conftest import start_live, tab_walk

# The controller's FakeClock starts at 2026-03-02 09:30 UTC: 24 months before is 2024-03-02.
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def finished(store, when: datetime, reference: str, *, abandon: bool = False):
    """A four-person meeting run from ``when`` for an hour, then completed (or abandoned)."""
    clock = FakeClock(when)
    session = running(4, clock, store.append, reference=reference)
    session.next_turn()
    clock.advance(3600)
    if abandon:
        session.abandon("interrupted")
    else:
        session.end()
        session.complete()
    return session


@pytest.fixture
def records(store):
    """Sessions months apart: three past 24 months, one just inside, newer and live ones."""
    made = {
        "FN-0101": finished(store, datetime(2023, 2, 6, 9, 30, tzinfo=UTC), "FN-0101"),
        "TH-0202": finished(
            store, datetime(2023, 9, 11, 13, 30, tzinfo=UTC), "TH-0202", abandon=True
        ),
        "FN-0303": finished(store, datetime(2024, 2, 5, 9, 30, tzinfo=UTC), "FN-0303"),
        "FN-0404": finished(store, datetime(2024, 4, 8, 9, 30, tzinfo=UTC), "FN-0404"),
        "FN-0505": finished(store, datetime(2026, 1, 12, 9, 30, tzinfo=UTC), "FN-0505"),
    }
    # Never finished, however old: still running, and checked in but never started.
    made["FN-0606"] = running(
        4, FakeClock(datetime(2022, 11, 7, 9, 30, tzinfo=UTC)), store.append, reference="FN-0606"
    )
    checked_in = prepared(
        4, FakeClock(datetime(2023, 1, 9, 9, 30, tzinfo=UTC)), store.append, reference="FN-0707"
    )
    checked_in.check_in([p.id for p in checked_in.state.participants], pulse=5)
    made["FN-0707"] = checked_in
    # A draft prepared long ago and never run goes with the finished ones.
    made["FN-0808"] = prepared(
        4, FakeClock(datetime(2023, 6, 5, 9, 30, tzinfo=UTC)), store.append, reference="FN-0808"
    )
    return made


def references(store) -> set[str]:
    return {r[0] for r in store.db.execute("SELECT reference FROM sessions").fetchall()}


def backups(window) -> list:
    folder = window.paths.backups_dir
    return sorted(folder.glob("*.sqlite")) if folder.exists() else []


def build(window, **kw) -> PurgeDialog:
    dialog = PurgeDialog(
        window,
        window.controller.store.db,
        now=kw.pop("now", NOW),
        months=kw.pop("months", 24),
        locked=kw.pop("locked", False),
        backups_dir=window.paths.backups_dir,
    )
    return dialog


def test_the_preview_lists_exactly_what_would_be_removed(qtbot, window, store, records):
    dialog = build(window)
    qtbot.addWidget(dialog)
    expected = sessions_older_than(store.db, 24, NOW)
    assert [r["reference"] for r in expected] == ["FN-0101", "FN-0808", "TH-0202", "FN-0303"]
    assert dialog.listed() == [
        (r["reference"], format_date(parse_time(r["finished_at"]))) for r in expected
    ]
    assert dialog.listed()[0] == ("FN-0101", "6 Feb 2023")
    statuses = [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())]
    assert statuses == ["completed", "prepared, never run", "abandoned", "completed"]
    assert dialog.summary.text() == "4 sessions will be removed."
    assert dialog.range_line.text() == (
        "They are from before 2 Mar 2024: the oldest on 6 Feb 2023, the newest on 5 Feb 2024."
    )
    # No names anywhere: only references, dates and how each session ended.
    shown = " ".join(" ".join(row) for row in dialog.listed()) + dialog.summary.text()
    assert "Person" not in shown
    # Removing is never the default: Enter cancels.
    assert dialog.remove_button.text() == "Remove 4 sessions"
    assert dialog.remove_button.isEnabled()
    assert not dialog.remove_button.isDefault()
    assert not dialog.remove_button.autoDefault()
    assert dialog.cancel_button.isDefault()
    # The backup is announced, with its folder.
    assert "before-purge-" in dialog.backup_note.text()
    assert str(window.paths.backups_dir) in dialog.backup_note.text()


def test_another_period_for_this_run_updates_the_preview(qtbot, window, store, records):
    dialog = build(window)
    qtbot.addWidget(dialog)
    assert not dialog.months_box.isReadOnly()
    dialog.set_months(12)
    assert [ref for ref, _ in dialog.listed()] == [
        r["reference"] for r in sessions_older_than(store.db, 12, NOW)
    ]
    assert "FN-0404" in [ref for ref, _ in dialog.listed()]
    assert dialog.remove_button.text() == "Remove 5 sessions"
    assert dialog.period_note.text() == "for this time only; the setting stays at 24"
    dialog.set_months(24)
    assert dialog.period_note.text() == ""
    # − and + step a month at a time (the spin box's own arrows are hidden).
    dialog.fewer_button.click()
    assert dialog.months == 23
    assert "FN-0404" not in [ref for ref, _ in dialog.listed()]
    dialog.more_button.click()
    dialog.more_button.click()
    assert dialog.months == 25
    assert dialog.count == 3  # FN-0303, finished 5 Feb 2024, is inside 25 months
    assert dialog.months_box.text() == "25 months"
    dialog.set_months(1)
    assert dialog.months_box.text() == "1 month"  # not "1 months"


def test_a_long_list_is_cut_short_and_says_how_many_more(qtbot, monkeypatch, window, records):
    monkeypatch.setattr("rethink_desktop.ui.purge.MAX_LISTED", 3)
    dialog = build(window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 3
    assert dialog.more.text() == "…and 1 more, all removed too."
    assert dialog.remove_button.text() == "Remove 4 sessions"


def test_nothing_to_remove_says_so_and_the_button_is_disabled(qtbot, window, store, records):
    dialog = build(window, months=120)
    qtbot.addWidget(dialog)
    assert dialog.count == 0
    assert dialog.summary.text() == "Nothing to remove."
    assert dialog.range_line.text() == "No session from before 2 Mar 2016."
    assert not dialog.remove_button.isEnabled()
    assert dialog.table.isHidden()


def test_enter_cancels(qtbot, window, records):
    dialog = build(window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.months_box, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.isHidden()


def test_tab_walks_from_the_period_through_the_list_to_cancel_and_remove(qtbot, window, records):
    dialog = build(window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    reached = tab_walk(qtbot, dialog, dialog.months_box, 8)
    assert dialog.table in reached
    assert dialog.cancel_button in reached
    assert dialog.remove_button in reached
    assert reached.index(dialog.table) < reached.index(dialog.remove_button)


def test_remove_is_the_destructive_button_beside_cancel(qtbot, window, records):
    dialog = build(window)
    qtbot.addWidget(dialog)
    box = dialog.remove_button.parent()
    assert isinstance(box, QDialogButtonBox)
    assert box.buttonRole(dialog.remove_button) == QDialogButtonBox.ButtonRole.DestructiveRole
    assert dialog.remove_button.property("destructive") is True


def test_cancel_changes_nothing(window, store, records):
    before = references(store)
    seen = []

    def cancel(dialog: PurgeDialog) -> bool:
        seen.append(dialog.count)
        return False

    window.records.choose_purge_dialog = cancel
    window.records.inform = lambda *a: pytest.fail("nothing is reported")
    assert window.records.remove_old_records() is None
    assert seen == [4]
    assert references(store) == before
    assert backups(window) == []


def test_remove_purges_the_old_keeps_the_rest_and_backs_up_first(window, store, records):
    records_ui = window.records
    records_ui.show_history()
    assert records_ui.history.model.rowCount() == 8
    dashboard = records_ui.dashboard
    dashboard.period.set_key("all")
    records_ui.show_dashboard()
    held = dashboard.data.sessions_held
    shown = []
    records_ui.inform = lambda title, text: shown.append((title, text))
    records_ui.choose_purge_dialog = lambda dialog: True

    report = records_ui.remove_old_records()

    assert sorted(report.references) == ["FN-0101", "FN-0303", "FN-0808", "TH-0202"]
    # Newer ones, one just inside the period, and ones in progress (however old) stay.
    assert references(store) == {"FN-0404", "FN-0505", "FN-0606", "FN-0707"}
    assert records["FN-0606"].state.status == "running"
    # The backup was written first and holds everything as it was.
    (backup,) = backups(window)
    assert backup == report.backup
    assert backup.name.startswith("before-purge-")
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT count(*) FROM sessions").fetchone()[0] == 8
    copy.close()
    # The result names the backup; the screens were re-read.
    title, text = shown[0]
    assert title == "Old records removed"
    assert text.startswith("4 sessions from before 2 Mar 2024 were removed.")
    assert str(backup) in text
    assert records_ui.history.model.rowCount() == 4
    assert dashboard.data.sessions_held < held
    assert str(backup) in window.status.text()


def test_remove_with_another_period_uses_the_period_chosen(window, store, records):
    def twelve(dialog: PurgeDialog) -> bool:
        dialog.set_months(12)
        return True

    window.records.choose_purge_dialog = twelve
    window.records.inform = lambda *a: None
    report = window.records.remove_old_records()
    assert "FN-0404" in report.references
    assert references(store) == {"FN-0505", "FN-0606", "FN-0707"}
    assert window.config.retention_months == 24  # the setting itself is unchanged


def test_nothing_to_remove_writes_no_backup(window, store):
    finished(store, datetime(2026, 1, 12, 9, 30, tzinfo=UTC), "FN-0505")
    window.records.choose_purge_dialog = lambda dialog: True
    assert window.records.remove_old_records() is None
    assert references(store) == {"FN-0505"}
    assert backups(window) == []


def test_a_session_open_on_screen_that_is_removed_goes_home(window, controller, records):
    controller.open_session(records["FN-0808"].id)
    window.show_prepare()
    window.records.choose_purge_dialog = lambda dialog: True
    window.records.inform = lambda *a: None
    assert window.records.remove_old_records().count == 4
    assert controller.session is None
    assert window.stack.currentWidget() is window.home


def test_a_retention_period_locked_by_it_is_read_only(qtbot, make_window, store, records):
    config = Config(retention_months=30, locked=frozenset({"retention_months"}))
    window = make_window(config)
    seen = []

    def look(dialog: PurgeDialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.show()
        box = dialog.months_box
        seen.append((box.value(), box.isReadOnly(), dialog.period_note.text()))
        qtbot.keyClick(box, Qt.Key.Key_Up)
        dialog.set_months(6)
        seen.append((box.value(), dialog.months, dialog.count))
        return True

    window.records.choose_purge_dialog = look
    window.records.inform = lambda *a: None
    report = window.records.remove_old_records()
    assert seen == [(30, True, SET_BY_IT), (30, 30, 2)]
    assert sorted(report.references) == ["FN-0101", "FN-0808"]


def test_not_during_a_live_session(window, controller, store, records):
    action = window.records.purge_action
    assert action.isEnabled()
    start_live(controller, 3)
    assert not action.isEnabled()
    assert action.statusTip() == LIVE_REASON
    before = references(store)
    window.records.choose_purge_dialog = lambda dialog: pytest.fail("no dialog in a meeting")
    assert window.records.remove_old_records() is None
    assert window.notice_text() == LIVE_REASON
    assert window.stack.currentWidget() is window.live
    assert references(store) == before
    controller.act("end")
    assert not action.isEnabled()  # nor during the close
    controller.act("record_way_forward", "yes")
    controller.act("complete")
    assert action.isEnabled()


def test_not_in_the_demo(make_window):
    demo = make_window(demo=True)
    action = demo.records.purge_action
    assert not action.isEnabled()
    assert action.statusTip() == PURGE_DEMO_REASON
    demo.records.choose_purge_dialog = lambda dialog: pytest.fail("no dialog in the demo")
    assert demo.records.remove_old_records() is None
    assert demo.status.text() == PURGE_DEMO_REASON


def test_the_file_menu_offers_it(window):
    file_menu = next(a for a in window.menuBar().actions() if a.text() == "&File").menu()
    texts = [a.text() for a in file_menu.actions()]
    assert "Remove &old records…" in texts
    assert texts.index("Remove &old records…") == texts.index("&Restore from a backup…") + 1


def test_at_150_percent_type_the_dialog_fits_the_screen_with_its_buttons(qtbot, window, records):
    from tests.ui.conftest import larger_text

    with larger_text(1.5):
        dialog = build(window)
        room = dialog.screen().availableGeometry()
        assert dialog.height() <= room.height() - 64  # its title bar and frame too
        dialog.show()
        qtbot.waitExposed(dialog)
        for button in (dialog.remove_button, dialog.cancel_button):
            bottom = button.mapTo(dialog, button.rect().bottomLeft()).y()
            assert bottom < dialog.height()
        dialog.close()
