"""The home screen: in progress first, prepared and recent lists, empty states, demo banner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from rethink_desktop.core.session import Session
from rethink_desktop.storage.database import StorageError
from rethink_desktop.ui import home as home_module
from rethink_desktop.ui.home import (
    DEMO_BANNER,
    PREPARED_EMPTY,
    RECENT_EMPTY,
    HomeView,
    format_day,
    format_when,
    parse_time,
)
from tests.helpers import people, phases, prepared, running
from tests.ui.conftest import larger_text


def local_hm(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


@pytest.fixture
def make_home(qtbot, store, clock):
    """A HomeView inside a plain window, as the app embeds it (a top-level widget with a
    layout makes the offscreen platform warn about size hints)."""
    hosts: list[QWidget] = []  # qtbot holds widgets weakly; keep the windows alive

    def make(*, demo: bool = False, show: bool = False) -> HomeView:
        host = QWidget()
        qtbot.addWidget(host)
        hosts.append(host)
        host.resize(1366, 768)
        view = HomeView(store, demo=demo, clock=clock, parent=host)
        view.resize(host.size())
        if show:
            with qtbot.waitActive(host):
                host.show()
                host.activateWindow()
        return view

    return make


def completed(store, clock, reference: str, n: int, present: int) -> Session:
    session = running(
        n,
        clock,
        sink=store.append,
        reference=reference,
        present=[f"p{i}" for i in range(1, present + 1)],
    )
    clock.advance(7200)
    session.end()
    session.complete()
    return session


def cells(table) -> list[list[str]]:
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_session_in_progress_comes_first_and_continue_opens_it(qtbot, make_home, store, clock):
    prepared(4, clock, sink=store.append, reference="FN-1000")
    clock.advance(300)
    live = running(7, clock, sink=store.append, reference="FN-2291")
    started = clock.now()
    clock.advance(1200)

    view = make_home(show=True)

    assert view.in_progress_panel.isVisible()
    assert view.in_progress_label.text() == (
        f"In progress: FN-2291 · Family network · started {local_hm(started)} · running"
    )
    assert view.continue_button.property("primary") is True
    # above everything else, and where the keyboard starts
    assert view.in_progress_panel.y() < view.prepared_heading.y()
    view.focus_default()
    assert view.continue_button.hasFocus()
    with qtbot.waitSignal(view.open_requested) as blocker:
        qtbot.mouseClick(view.continue_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [live.id]


def test_paused_checked_in_and_closing_sessions_are_in_progress(make_home, store, clock):
    paused = running(4, clock, sink=store.append, reference="FN-1")
    paused.toggle_pause()
    clock.advance(60)
    waiting = prepared(4, clock, sink=store.append, reference="FN-2")
    waiting.check_in(["p1", "p2", "p3"])
    checked_in_at = clock.now()

    view = make_home()

    # a meeting under way leads, though newer ones are only checked in; the others stay
    # reachable under the first
    assert view.in_progress_label.text() == (
        f"In progress: FN-1 · Family network · started {local_hm(paused.state.started_at)} · paused"
    )
    assert [b.text() for b in view._more_buttons] == [
        f"Also in progress: FN-2 · Family network · checked in {local_hm(checked_in_at)}"
        " · not started yet"
    ]
    clock.advance(60)
    later = prepared(4, clock, sink=store.append, reference="FN-3")
    later.check_in(["p1", "p2"])
    view.refresh()  # among the checked in, the newest first
    assert [b.text().split(" · ")[0] for b in view._more_buttons] == [
        "Also in progress: FN-3",
        "Also in progress: FN-2",
    ]


def test_other_sessions_in_progress_can_be_opened(qtbot, make_home, store, clock):
    older = running(4, clock, sink=store.append, reference="FN-1")
    clock.advance(60)
    newer = running(4, clock, sink=store.append, reference="FN-2")
    newer.end()

    view = make_home()

    assert view.in_progress_label.text().endswith("· closing")
    with qtbot.waitSignal(view.open_requested) as blocker:
        qtbot.mouseClick(view._more_buttons[0], Qt.MouseButton.LeftButton)
    assert blocker.args == [older.id]


def test_prepared_sessions_are_listed_soonest_first_and_enter_opens(qtbot, make_home, store, clock):
    later = prepared(
        5, clock, sink=store.append, reference="FN-3001", scheduled_for="2026-03-10T10:00"
    )
    sooner = prepared(
        4,
        clock,
        sink=store.append,
        reference="TH-0417",
        kind="thematic",
        scheduled_for="2026-03-05T13:30",
    )
    unplanned = prepared(3, clock, sink=store.append, reference="PP-12", kind="post_proceedings")

    view = make_home(show=True)
    table = view.prepared_table

    assert cells(table) == [
        ["TH-0417", "Thematic", "Thu 5 Mar, 13:30"],
        ["FN-3001", "Family network", "Tue 10 Mar, 10:00"],
        ["PP-12", "Post-proceedings", "No date set"],
    ]
    assert table.session_ids() == [sooner.id, later.id, unplanned.id]
    assert not view.prepared_empty.isVisible()
    assert not view.open_prepared_button.isEnabled()
    table.setFocus()
    table.selectRow(1)
    assert view.open_prepared_button.isEnabled()
    with qtbot.waitSignal(view.open_requested) as blocker:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert blocker.args == [later.id]
    qtbot.keyClick(table, Qt.Key.Key_Down)
    with qtbot.waitSignal(view.open_requested) as blocker:
        qtbot.keyClick(table, Qt.Key.Key_Enter)
    assert blocker.args == [unplanned.id]
    with qtbot.waitSignal(view.open_requested) as blocker:
        qtbot.mouseClick(view.open_prepared_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [unplanned.id]


def test_tabbing_into_a_list_selects_a_row_to_open(qtbot, make_home, store, clock):
    draft = prepared(4, clock, sink=store.append, reference="FN-1")

    view = make_home(show=True)
    view.history_button.setFocus()
    qtbot.keyClick(view.history_button, Qt.Key.Key_Tab)

    assert view.prepared_table.hasFocus()
    assert view.prepared_table.current_id() == draft.id
    assert view.open_prepared_button.isEnabled()


def test_double_click_opens_a_prepared_session(qtbot, make_home, store, clock):
    draft = prepared(4, clock, sink=store.append, reference="FN-1")
    view = make_home(show=True)
    table = view.prepared_table
    rect = table.visualRect(table.model().index(0, 1))

    opened: list[str] = []
    view.open_requested.connect(opened.append)

    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == []  # one click only selects
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [draft.id]


def test_recent_sessions_show_status_and_attendance(qtbot, make_home, store, clock):
    first = completed(store, clock, "FN-2274", 7, 6)
    clock.advance(86400)
    dropped = prepared(5, clock, sink=store.append, reference="FN-2250")
    dropped.abandon("cancelled")
    clock.advance(86400)
    second = running(9, clock, sink=store.append, reference="TH-0398", present=["p1", "p2"])
    clock.advance(600)
    for pid in ("p3", "p4", "p5", "p6", "p7", "p8", "p9"):
        second.arrive(pid)  # seven came late, and two of them left early
    second.leave("p3")
    second.leave("p4")
    clock.advance(6600)
    second.end()
    second.complete()

    view = make_home()
    table = view.recent_table

    assert table.session_ids() == [second.id, dropped.id, first.id]
    assert [row[3:] for row in cells(table)] == [
        ["Completed", "9 of 9 · 7 late · 2 left early"],
        ["Abandoned", "no check-in"],
        ["Completed", "6 of 7"],
    ]
    assert "9 of 9 attended, 7 late, 2 left early" in table.item(0, 0).toolTip()
    day = format_day(first.state.started_at.astimezone(), clock.now().astimezone())
    assert cells(table)[2][:3] == ["FN-2274", "Family network", day]
    assert "meeting cancelled" in table.item(1, 0).toolTip()
    table.selectRow(2)
    with qtbot.waitSignal(view.open_requested) as blocker:
        qtbot.mouseClick(view.open_recent_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [first.id]


def test_empty_states_say_what_to_do(make_home):
    view = make_home(show=True)

    assert not view.in_progress_panel.isVisible()
    assert view.prepared_empty.isVisible()
    assert view.prepared_empty.text() == PREPARED_EMPTY
    assert "New session" in PREPARED_EMPTY
    assert view.recent_empty.isVisible()
    assert view.recent_empty.text() == RECENT_EMPTY
    assert not view.prepared_table.isVisible()
    assert not view.open_prepared_button.isVisible()
    assert not view.recent_table.isVisible()
    # with nothing to continue, starting anew is the obvious step
    assert view.new_button.property("primary") is True
    view.focus_default()
    assert view.new_button.hasFocus()


def test_refresh_picks_up_new_sessions_and_keeps_the_selection(make_home, store, clock):
    view = make_home()
    first = prepared(4, clock, sink=store.append, reference="FN-1", scheduled_for="2026-03-04")
    view.refresh()
    view.prepared_table.selectRow(0)
    prepared(4, clock, sink=store.append, reference="FN-0", scheduled_for="2026-03-03")
    running(4, clock, sink=store.append, reference="FN-9")

    view.refresh()

    assert [row[0] for row in cells(view.prepared_table)] == ["FN-0", "FN-1"]
    assert cells(view.prepared_table)[0][2] == "Tue 3 Mar"  # a date without a time
    assert view.prepared_table.current_id() == first.id
    assert view.in_progress_label.text().startswith("In progress: FN-9")
    assert view.new_button.property("primary") is False


def test_new_and_demo_buttons_emit_their_signals(qtbot, make_home):
    view = make_home()
    with qtbot.waitSignal(view.new_requested):
        qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.demo_requested):
        qtbot.mouseClick(view.demo_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.history_requested):
        qtbot.mouseClick(view.history_button, Qt.MouseButton.LeftButton)


def test_demo_banner_only_in_demo_mode(make_home, store, clock):
    real = prepared(4, clock, sink=store.append, reference="FN-1")
    demo = Session.create(clock, store.append, demo=True)
    demo.prepare(kind="thematic", reference="DEMO-001", participants=people(4), phases=phases())

    plain = make_home(show=True)
    trainer = make_home(demo=True, show=True)

    assert not plain.demo_banner.isVisible()
    assert trainer.demo_banner.isVisible()
    assert trainer.demo_banner.text() == DEMO_BANNER
    # each mode lists only its own sessions
    assert plain.prepared_table.session_ids() == [real.id]
    assert trainer.prepared_table.session_ids() == [demo.id]


def test_every_control_has_an_accessible_name(make_home, store, clock):
    prepared(4, clock, sink=store.append, reference="FN-1")
    running(4, clock, sink=store.append, reference="FN-2")
    view = make_home(demo=True)
    controls = [
        view.continue_button,
        view.new_button,
        view.demo_button,
        view.history_button,
        view.prepared_table,
        view.open_prepared_button,
        view.recent_table,
        view.open_recent_button,
        view.demo_banner,
        view.in_progress_label,
        view.prepared_empty,
        view.recent_empty,
    ]
    assert all(control.accessibleName() for control in controls)


def test_a_read_failure_is_shown_in_plain_words(make_home, monkeypatch):
    view = make_home(show=True)

    def fail(*args, **kwargs):
        raise StorageError("Another program is using the database.")

    monkeypatch.setattr(home_module, "home_sessions", fail)
    view.refresh()

    assert view.problem_label.isVisible()
    assert "Another program is using the database." in view.problem_label.text()


def test_times_are_shown_in_local_time(make_home, store, clock):
    clock.set(datetime(2026, 3, 2, 23, 45, tzinfo=UTC))
    running(4, clock, sink=store.append, reference="FN-1")

    view = make_home()

    assert f"started {local_hm(clock.now())}" in view.in_progress_label.text()


def test_dates_read_naturally():
    now = datetime(2026, 3, 2, 10, 0)
    assert format_when(datetime(2026, 3, 2, 9, 30), now) == "09:30"
    assert format_when(datetime(2026, 3, 5, 13, 30), now) == "Thu 5 Mar, 13:30"
    assert format_when(datetime(2025, 12, 1, 9, 0), now) == "Mon 1 Dec 2025, 09:00"
    assert format_when(datetime(2026, 3, 5), now, time=False) == "Thu 5 Mar"
    assert format_day(datetime(2027, 1, 4), now) == "Mon 4 Jan 2027"
    # stored UTC stamps become local time; planned times were entered in local time already
    utc = parse_time("2026-03-02T09:30:00.000000Z")
    assert utc == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert utc.utcoffset() == datetime(2026, 3, 2, 9, 30, tzinfo=UTC).astimezone().utcoffset()
    assert parse_time("2026-03-05T13:30") == datetime(2026, 3, 5, 13, 30)
    assert parse_time("not a date") is None
    assert parse_time(None) is None


def test_at_150_percent_type_no_button_can_be_squeezed_below_its_words(make_home):
    with larger_text(1.5):
        view = make_home()
        buttons = [view.new_button, view.demo_button, view.history_button]
        for button in buttons:
            assert button.minimumWidth() >= button.sizeHint().width(), button.text()


def test_at_150_percent_long_references_give_way_not_the_kind(qtbot, make_home, store, clock):
    """The Kind column was squeezed to "T…" (its heading "Kinc") by 24-character references."""
    for n in range(3):
        completed(store, clock, f"FN-2026/CAMHS-NORTH-004{n}", 4, 4)
    with larger_text(1.5):
        view = make_home(show=True)
        view.parentWidget().resize(1100, 720)
        view.resize(1100, 720)
        view.refresh()
        qtbot.wait(20)
        table = view.recent_table
        assert table.content_width() > table._viewport_width()  # they do not all fit
        header = table.horizontalHeader()
        for column in range(1, table.columnCount()):  # Kind, Date, Status, Attended whole
            need = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
            assert header.sectionSize(column) >= need, table.horizontalHeaderItem(column).text()
        assert table.horizontalScrollBar().maximum() == 0
        width = header.sectionSize(0) - table.fontMetrics().height()  # less the cell's insets
        shown = table.fontMetrics().elidedText(
            table.item(0, 0).text(), table.textElideMode(), width
        )
        assert shown.endswith("0042") or shown == table.item(0, 0).text()


def test_on_a_small_laptop_at_150_percent_both_lists_stay_readable(qtbot, make_home, store, clock):
    """At 150 % on 1024 pixels Recent's reference went down to nothing ("R", its cells
    empty) beside Prepared, and with both lists filled they read "P…7". A list now gives way
    only down to a few letters a column, and the lists go one under the other before that."""
    from PySide6.QtWidgets import QBoxLayout

    from tests.helpers import prepared

    for n in range(3):
        completed(store, clock, f"FN-228{n}", 7, 6)
    with larger_text(1.5):
        view = make_home(show=True)
        view.parentWidget().resize(860, 560)  # Home's part of a 1024-pixel screen, nearly
        view.resize(860, 560)
        view.refresh()
        qtbot.wait(20)
        table = view.recent_table
        header = table.horizontalHeader()
        floor = table._least()[0]  # the reference's least width
        assert header.sectionSize(0) >= min(floor, table.sizeHintForColumn(0))
        assert table.horizontalScrollBar().maximum() == 0
        assert view._columns.direction() == QBoxLayout.Direction.LeftToRight  # one empty
        prepared(4, clock, sink=store.append, reference="DEMO-001")
        view.refresh()
        qtbot.wait(20)
        assert view._columns.direction() == QBoxLayout.Direction.TopToBottom
        for table in (view.prepared_table, view.recent_table):
            assert table.horizontalScrollBar().maximum() == 0
            assert table.horizontalHeader().sectionSize(0) >= table.sizeHintForColumn(0)


def test_a_screen_reader_meets_homes_parts_in_the_order_they_are_seen(qtbot, store):
    from PySide6.QtGui import QAccessible

    view = HomeView(store)
    qtbot.addWidget(view)
    view.show()
    home = QAccessible.queryAccessibleInterface(view)
    children = [home.child(n).object() for n in range(home.childCount())]
    frames = view._table_frames
    order = [view.title, view.new_button,
             view.prepared_heading, frames[view.prepared_table], view.prepared_empty,
             view.recent_heading, frames[view.recent_table], view.recent_empty]  # fmt: skip
    positions = [children.index(widget) for widget in order]
    assert positions == sorted(positions)
