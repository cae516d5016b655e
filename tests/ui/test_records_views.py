"""History, Session detail and Dashboard with known sessions: the rows, figures and charted
values they show are the expected ones."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage.history import HistoryFilters, dashboard
from rethink_desktop.ui.dashboard import DashboardView
from rethink_desktop.ui.detail import SessionDetailView
from rethink_desktop.ui.history import COLUMNS, HistoryView
from rethink_desktop.ui.period import FIRST_DAY, LAST_DAY
from tests.helpers import prepared
from tests.records_data import at, meeting
from tests.ui.conftest import larger_text, tab_walk

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def today():
    return FakeClock(NOW)


@pytest.fixture
def known(store):
    """Five real sessions and one demo, over four months."""
    return {
        "fn1": meeting(store, at(3, 3), "FN-1001", talk=(100, 100, 100, 100), pulse=(8, 3),
                       ratings=((4, 5, 3, 4), (2, 3, None, 4)), way="yes"),
        "th1": meeting(store, at(3, 17), "TH-2002", kind="thematic", talk=(300, 100),
                       pulse=(6, 5), ratings=((5, 5, 5, 5), (3, 4, 4, None)), way="partly"),
        "fn2": meeting(store, at(4, 7), "FN-1003", talk=(100, 100, 100), invited=4,
                       present=["p1", "p2", "p3"], ratings=((1, 2, 3, 4), (5, 4, 3, 2))),
        "fn3": meeting(store, at(4, 9), "FN-1004", talk=(10, 10), finish="abandoned"),
        "demo": meeting(store, at(4, 10), "FN-DEMO-1", demo=True, ratings=((1, 1, 1, 1),)),
        "pp1": prepared(3, FakeClock(at(5, 2)), sink=store.append, reference="PP-3005",
                        kind="post_proceedings"),
    }  # fmt: skip


def history(qtbot, controller, today, **kw) -> HistoryView:
    view = HistoryView(controller, clock=today, **kw)
    qtbot.addWidget(view)
    view.refresh()
    return view


def shown(view: HistoryView, column: int = 1) -> list[str]:
    model = view.model
    return [model.index(r, column).data() for r in range(model.rowCount())]


# --- History ----------------------------------------------------------------------------------
def test_history_shows_every_real_session_newest_first(qtbot, controller, today, known):
    view = history(qtbot, controller, today)
    assert shown(view) == ["PP-3005", "FN-1004", "FN-1003", "TH-2002", "FN-1001"]
    assert view.count_label.text() == "5 sessions"
    model = view.model
    first = [model.index(4, c).data() for c in range(len(COLUMNS))]
    assert first == ["Tue 3 Mar", "FN-1001", "Family network", "Completed", "7 min",
                     "4 of 4", "1.00"]  # fmt: skip
    assert [model.index(2, c).data() for c in (3, 5, 6)] == ["Completed", "3 of 4", "1.00"]
    assert [model.index(3, c).data() for c in (4, 6)] == ["7 min", "0.50"]
    assert [model.index(0, c).data() for c in (3, 4, 5, 6)] == ["Prepared", "—", "3 invited", "—"]
    summary = model.index(4, 0).data(Qt.ItemDataRole.AccessibleTextRole)
    assert summary.startswith("FN-1001, Family network, Tue 3 Mar, Completed, lasted 7 min")


def test_history_filters_and_search(qtbot, controller, today, known):
    view = history(qtbot, controller, today)
    view.kind.setCurrentIndex(view.kind.findData("thematic"))
    assert shown(view) == ["TH-2002"]
    view.kind.setCurrentIndex(0)
    view.status.setCurrentIndex(view.status.findData("abandoned"))
    assert shown(view) == ["FN-1004"]
    view.status.setCurrentIndex(view.status.findData("prepared"))
    assert shown(view) == ["PP-3005"]
    view.status.setCurrentIndex(0)
    view.records.setCurrentIndex(view.records.findText("Demo sessions"))
    assert shown(view) == ["FN-DEMO-1"]
    assert view.model.index(0, 3).data() == "Completed (demo)"
    view.records.setCurrentIndex(view.records.findText("Real and demo"))
    assert len(shown(view)) == 6
    # Typing searches after a short pause; Enter searches at once.
    qtbot.keyClicks(view.search, "fn-100")
    qtbot.waitUntil(lambda: shown(view) == ["FN-1004", "FN-1003", "FN-1001"])
    view.search.setText("2002")
    view.search.returnPressed.emit()
    assert shown(view) == ["TH-2002"]
    view.search.clear()
    view.period.set_dates(date(2026, 3, 10), date(2026, 4, 8))
    view.apply_filters()
    assert view.filters().date_from == date(2026, 3, 10)
    assert shown(view) == ["FN-1003", "TH-2002"]
    view.records.setCurrentIndex(0)
    view.period.set_key("all")
    view.search.setText("nothing-like-this")
    view.apply_filters()
    assert shown(view) == []
    assert view.empty_label.text() == "No sessions match these filters."


def test_period_dates_stay_within_this_century(qtbot, controller, today, known):
    """Qt's date boxes would go to 31 Dec 9999; ours stop at 2099 and History still lists."""
    view = history(qtbot, controller, today)
    view.period.set_key("custom")
    view.period.from_edit.setDate(QDate(1, 1, 1))
    view.period.to_edit.setDate(QDate(9999, 12, 31))
    assert view.period.period() == (FIRST_DAY, LAST_DAY) == (date(2000, 1, 1), date(2099, 12, 31))
    view.apply_filters()
    assert len(shown(view)) == 5
    dash = DashboardView(controller, clock=today)
    qtbot.addWidget(dash)
    dash.period.set_dates(date(1, 1, 1), date(9999, 12, 31))
    dash.refresh()
    assert dash.data.sessions_held == 4


def test_the_demo_window_lists_demo_sessions_first(qtbot, controller, today, known):
    view = history(qtbot, controller, today, demo=True)
    assert shown(view) == ["FN-DEMO-1"]


def test_history_model_fetches_a_page_at_a_time(qtbot, controller, today, store):
    for day in range(1, 26):
        meeting(store, at(5, day), f"FN-{day:04d}", talk=(30, 30))
    view = HistoryView(controller, clock=today)
    qtbot.addWidget(view)
    view.model.page_size = 10
    view.refresh()
    model = view.model
    assert (model.rowCount(), model.total) == (10, 25)
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 20
    model.fetchMore()
    assert model.rowCount() == 25
    assert not model.canFetchMore()
    assert shown(view)[0] == "FN-0025"
    assert shown(view)[-1] == "FN-0001"
    assert view.model.filters == HistoryFilters()


def test_enter_opens_the_selected_session_and_actions_name_it(qtbot, controller, today, known):
    view = history(qtbot, controller, today)
    view.show()
    qtbot.waitExposed(view)
    # The first session is chosen from the start: the actions and the arrow keys work.
    assert view.open_button.isEnabled()
    assert view.selected_id() == known["pp1"].id
    view.focus_default()
    assert view.selected_id() == known["pp1"].id
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(view.open_requested) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [known["fn3"].id]
    for button, signal in (
        (view.pdf_button, view.pdf_requested),
        (view.delete_button, view.delete_requested),
        (view.anonymise_button, view.anonymise_requested),
    ):
        with qtbot.waitSignal(signal) as emitted:
            button.click()
        assert emitted.args == [known["fn3"].id]


def test_the_search_box_does_not_widen_as_the_first_letter_is_typed(qtbot, controller, today):
    view = history(qtbot, controller, today)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    before = view.search.geometry()
    qtbot.keyClicks(view.search, "F")  # its clear button shows
    qtbot.wait(10)
    assert view.search.geometry() == before


def test_long_references_keep_both_ends_in_history(qtbot, controller, today, store):
    """The Reference column fitted "FN-2291-WW": "FN-2026/CAMHS-NORTH-0041" and "…-0042"
    both read "FN-2026/CA…"."""
    for n in (1, 2):
        meeting(store, at(3, n), f"FN-2026/CAMHS-NORTH-004{n}")
    view = history(qtbot, controller, today)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    metrics = view.table.fontMetrics()
    width = view.table.columnWidth(1) - metrics.height()  # less the cell's insets
    assert width >= metrics.horizontalAdvance("FN-2026/CAMHS-042")
    shown = [
        metrics.elidedText(view.model.index(r, 1).data(), view.table.textElideMode(), width)
        for r in range(2)
    ]
    assert shown[0] != shown[1]


def test_after_a_search_or_a_refresh_a_session_stays_chosen(qtbot, controller, today, known):
    view = history(qtbot, controller, today)
    view.select_row(2)
    chosen = view.selected_id()
    view.refresh()  # the records changed elsewhere: the same session stays chosen
    assert view.selected_id() == chosen
    view.search.setText("TH-2002")
    view.apply_filters()  # one match: it is chosen, so Up/Down and the buttons work at once
    assert view.model.rowCount() == 1
    assert view.selected_id() == known["th1"].id
    assert view.delete_button.isEnabled()


def test_the_list_shows_a_ring_when_it_has_the_keys(qtbot, controller, today, known):
    from PySide6.QtWidgets import QApplication

    from rethink_desktop.ui.theme import THEMES, apply_theme

    apply_theme(QApplication.instance(), "light")
    view = history(qtbot, controller, today)
    view.resize(1000, 600)
    view.show()
    view.activateWindow()
    qtbot.waitExposed(view)
    view.search.setFocus()
    qtbot.waitUntil(view.search.hasFocus)
    edge = (1, view.table.height() // 2)  # the table's left edge, half-way down
    resting = view.table.grab().toImage().pixelColor(*edge).name()
    view.table.setFocus()
    qtbot.waitUntil(view.table.hasFocus)
    ringed = view.table.grab().toImage().pixelColor(*edge).name()
    assert ringed == THEMES["light"].accent.lower()
    assert resting != ringed
    view.close()


def test_every_control_has_an_accessible_name(qtbot, controller, today, known):
    view = history(qtbot, controller, today)
    controls = [view.period.choice, view.period.from_edit, view.period.to_edit, view.kind,
                view.status, view.records, view.search, view.table, view.open_button,
                view.pdf_button, view.anonymise_button, view.delete_button,
                view.dashboard_button, view.home_button]  # fmt: skip
    assert all(widget.accessibleName() for widget in controls)
    # Everything the facilitator can press is in that list.
    from PySide6.QtWidgets import QPushButton

    assert set(view.findChildren(QPushButton)) <= set(controls)


# --- Session detail ---------------------------------------------------------------------------
def test_detail_shows_the_figures_of_a_known_session(qtbot, controller, known):
    view = SessionDetailView(controller)
    qtbot.addWidget(view)
    assert view.load(known["th1"].id)
    assert view.title.text() == "TH-2002 · Thematic"
    assert view.facts["status"] == "Completed"
    assert view.facts["length"] == "7 min of 120 planned minutes"
    assert view.facts["attendance"] == "2 of 2 attended: 2 present throughout"
    assert view.facts["pulse"] == "6 at the start → 5 at the end (1 calm – 10 tense): 1 calmer"
    assert view.facts["way_forward"] == "Partly"
    people = [(r.label, r.seconds, round(r.share, 2), r.equal_share) for r in view.people_rows]
    assert people == [("Person 1", 300.0, 0.75, 0.5), ("Person 2", 100.0, 0.25, 0.5)]
    assert [(r.agency, r.people, r.seconds) for r in view.agency_rows] == [
        ("Education", 1, 300.0),
        ("Health", 1, 100.0),
    ]
    assert view.balance_label.text().startswith("Balance of voice 0.50")
    assert {k: v.text() for k, v in view.rating_values.items()} == {
        "communication": "4.0", "compassion": "4.5", "clarity": "4.5", "heard": "5.0",
    }  # fmt: skip
    assert view.rating_counts["heard"].text() == "1 answer, 1 skipped"
    assert view.ratings_note.text() == "2 of the 2 asked at the close gave ratings."
    assert view.timeline.state is view.state
    described = view.timeline.accessibleDescription()
    assert "2 turns, 0 passes" in described
    # What the colours show, in words: who spoke, by agency, phase by phase.
    assert "Phase 1, Phase 1: Education 5:00, Health 1:40." in described
    assert "Education" in view.legend.text()
    assert "pass" in view.legend.accessibleDescription()
    # Each mark has a shape of its own: a bar for a pass, a triangle for a card.
    assert "▮</span>&nbsp;pass" in view.legend.text()
    assert "▲</span>&nbsp;card&nbsp;shown" in view.legend.text()
    with qtbot.waitSignal(view.pdf_requested) as emitted:
        view.pdf_button.click()
    assert emitted.args == [known["th1"].id]
    with qtbot.waitSignal(view.back_requested):
        qtbot.keyClick(view, Qt.Key.Key_Escape)


def test_detail_of_a_session_held_today_says_today(qtbot, controller, store, clock):
    """Its date read "13:30" alone, where History said which day."""
    from rethink_desktop.ui.home import format_when

    today = meeting(store, clock.now(), "FN-1005")
    earlier = meeting(store, at(3, 3), "FN-1006")
    view = SessionDetailView(controller)
    qtbot.addWidget(view)
    assert view.load(today.id)
    local = clock.now().astimezone()
    assert view.facts["date"] == f"Today, {local:%H:%M}"
    assert view.load(earlier.id)
    assert view.facts["date"] == format_when(at(3, 3).astimezone(), local)


def test_detail_rounds_an_average_rating_half_up(qtbot, controller, store):
    """Four answers 4, 2, 3, 4 average 3.25, which reads 3.3 (Python's rounding said 3.2,
    and 3.75 said 3.8: halves went both ways)."""
    s = meeting(store, at(5, 4), "FN-3001", ratings=((4, 4, 4, 4), (2, 4, 4, 4),
                (3, 5, 4, 4), (4, 2, 4, 4)))  # fmt: skip
    view = SessionDetailView(controller)
    qtbot.addWidget(view)
    assert view.load(s.id)
    assert view.rating_values["communication"].text() == "3.3"  # 13 / 4
    assert view.rating_values["compassion"].text() == "3.8"  # 15 / 4


def test_detail_keeps_the_ratings_of_a_close_in_progress_to_itself(qtbot, controller, store):
    """Some have rated and some not: the order of hand-over could tell whose is whose."""
    from rethink_desktop.reports.pdf import RATINGS_WAIT, summary_lines

    closing = meeting(store, at(3, 3), "FN-1009", ratings=((1, 2, 1, 1),), finish="closing")
    view = SessionDetailView(controller)
    qtbot.addWidget(view)
    assert view.load(closing.id)
    assert {v.text() for v in view.rating_values.values()} == {"—"}
    assert {v.text() for v in view.rating_counts.values()} == {""}
    assert view.ratings_note.text() == RATINGS_WAIT
    assert summary_lines(closing.state)["ratings"] == RATINGS_WAIT
    closing.complete()
    assert view.load(closing.id)
    assert view.rating_values["communication"].text() == "1.0"
    assert summary_lines(closing.state)["ratings"].startswith("Communication 1.0 (1)")


def test_detail_of_a_session_abandoned_at_its_close_keeps_its_ratings_back(
    qtbot, controller, store
):
    from rethink_desktop.reports.pdf import RATINGS_LEFT_OUT

    session = meeting(store, at(3, 3), "FN-1010", ratings=((1, 2, 1, 1),), finish="closing")
    session.abandon("interrupted")
    view = SessionDetailView(controller)
    qtbot.addWidget(view)
    assert view.load(session.id)
    assert {v.text() for v in view.rating_values.values()} == {"—"}
    assert view.ratings_note.text() == RATINGS_LEFT_OUT
    abandoned_early = meeting(store, at(3, 4), "FN-1011", finish="abandoned")
    assert view.load(abandoned_early.id)
    assert view.ratings_note.text() == "No ratings were given."


def test_detail_names_an_anonymised_person_without_a_role_by_neither(qtbot, controller, store):
    from PySide6.QtWidgets import QLabel

    from tests.helpers import phases, running

    people = [{"name": "Ann", "agency": "Police", "role": ""},
              {"name": "Bo", "agency": "Education", "role": "DSL"}]  # fmt: skip
    s = running(2, FakeClock(at(5, 6)), sink=store.append, participants=people,
                phases=phases())  # fmt: skip
    s.next_turn()
    s.end()
    s.complete()
    s.remove_names()
    view = SessionDetailView(controller)
    qtbot.addWidget(view)
    assert view.load(s.id)
    grid = view.people_grid
    rows = {
        grid.itemAtPosition(r, 1).widget().text(): grid.itemAtPosition(r, 0).widget().text()
        for r in range(grid.rowCount())
        if isinstance(grid.itemAtPosition(r, 0).widget(), QLabel)
    }
    assert rows == {"Police": "(no role given)", "Education": "DSL"}


def test_detail_of_an_absentee_session_and_a_draft(qtbot, controller, known):
    view = SessionDetailView(controller)
    qtbot.addWidget(view)
    assert view.load(known["fn2"].id)
    assert view.facts["attendance"] == "3 of 4 attended: 3 present throughout, 1 absent"
    assert len(view.people_rows) == 3
    assert view.load(known["pp1"].id)
    assert view.facts["length"] == "did not start"
    assert view.people_rows == []
    assert view.balance_label.text() == "No one spoke in this session."
    assert not view.load("no-such-session")
    assert view.problem_label.text() == "This session is no longer in the records."


def test_detail_paints_in_light_and_dark(qtbot, controller, known):
    from PySide6.QtWidgets import QApplication

    from rethink_desktop.ui.theme import apply_theme

    view = SessionDetailView(controller)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.load(known["fn1"].id)
    app = QApplication.instance()
    try:
        for theme in ("dark", "light"):
            apply_theme(app, theme)
            assert not view.grab().isNull()
    finally:
        apply_theme(app, "light")


# --- Dashboard --------------------------------------------------------------------------------
def test_dashboard_charts_the_expected_averages(qtbot, controller, today, known, store):
    view = DashboardView(controller, clock=today)
    qtbot.addWidget(view)
    view.period.set_dates(date(2026, 3, 1), date(2026, 4, 30))
    view.refresh()
    expected = dashboard(store.db, date(2026, 3, 1), date(2026, 4, 30))
    assert view.data == expected
    assert view.ratings_chart.labels == ["Mar 2026", "Apr 2026"]
    series = view.ratings_chart.series
    assert series["Communication"] == pytest.approx([(4 + 2 + 5 + 3) / 4, (1 + 5) / 2])
    assert series["Compassion"] == pytest.approx([(5 + 3 + 5 + 4) / 4, 3.0])
    assert series["Clarity"] == pytest.approx([(3 + 5 + 4) / 3, 3.0])
    assert series["Felt heard"] == pytest.approx([(4 + 4 + 5) / 3, 3.0])
    assert view.held_tile.value.text() == "4"
    assert view.held_tile.note.text() == "3 completed, 1 abandoned"
    # Pulse: FN-1001 8→3, TH-2002 6→5, FN-1003 7→4; the abandoned one has no end.
    assert view.pulse_tile.value.text() == "7.0 → 4.0"
    assert view.pulse_tile.note.text().startswith("Average change −3.0 over 3 sessions")
    assert view.balance_tile.value.text() == f"{(1 + 0.5 + 1 + 1) / 4:.2f}"
    # One yes, one partly: "partly" is shown beside "yes", never as a lone "50%".
    assert view.way_tile.value.text() == "50% / 50%"
    assert view.way_tile.note.text() == "Of 2 recorded; not yet 0%"
    assert view.balance_chart.counts == [0, 0, 0, 0, 0, 1, 0, 0, 0, 3]
    assert view.balance_chart.marker == pytest.approx(0.875)
    attendance = {bar.label: bar.text for bar in view.attendance_chart.bars}
    assert attendance["Present throughout"] == "92% (11)"
    assert attendance["Absent"] == "8% (1)"
    kinds = {bar.label: (bar.value, bar.text) for bar in view.kind_chart.bars}
    assert kinds == {"Family network": (0.75, "75% (3)"), "Thematic": (0.25, "25% (1)")}
    assert "Communication: Mar 2026 3.50, Apr 2026 3.00" in (
        view.ratings_chart.accessibleDescription()
    )


def test_dashboard_chart_gaps_months_without_sessions(qtbot, controller, today, store):
    meeting(store, at(1, 15), "FN-JAN", ratings=((4, 4, 4, 4),))
    meeting(store, at(6, 15), "FN-JUN", ratings=((2, 2, 2, 2),))
    view = DashboardView(controller, clock=today)
    qtbot.addWidget(view)
    view.period.set_dates(date(2026, 1, 1), date(2026, 6, 30))
    view.refresh()
    chart = view.ratings_chart
    assert chart.labels == [
        "Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026",
    ]  # fmt: skip
    assert chart.series["Communication"] == [4, None, None, None, None, 2]
    assert "Feb 2026 no ratings" in chart.accessibleDescription()
    view.resize(900, 700)
    assert not view.grab().isNull()


def test_dashboard_leaves_demo_out_unless_asked(qtbot, controller, today, known):
    view = DashboardView(controller, clock=today)
    qtbot.addWidget(view)
    view.period.set_key("all")
    view.refresh()
    assert view.data.sessions_held == 4
    view.include_demo.setChecked(True)
    assert view.data.sessions_held == 5
    assert view.held_tile.note.text().endswith("(demo included)")
    assert view.ratings_chart.series["Communication"][1] == pytest.approx((1 + 5 + 1) / 3)


def test_dashboard_of_an_empty_period(qtbot, controller, today, known):
    view = DashboardView(controller, clock=today)
    qtbot.addWidget(view)
    view.period.set_dates(date(2020, 1, 1), date(2020, 12, 31))
    view.refresh()
    assert view.held_tile.value.text() == "0"
    assert view.ratings_chart.labels == []
    assert view.ratings_chart.accessibleDescription() == "Nothing to show for this period."
    assert view.attendance_chart.bars == []
    view.resize(1200, 700)
    assert not view.grab().isNull()


def test_tab_reaches_every_dashboard_chart_with_its_figures(qtbot, controller, today, known):
    """A keyboard or screen-reader user reaches each chart with Tab; its figures are its
    accessible description."""
    view = DashboardView(controller, clock=today)
    qtbot.addWidget(view)
    view.period.set_dates(date(2026, 3, 1), date(2026, 4, 30))
    view.refresh()
    view.resize(1366, 768)
    view.show()
    qtbot.waitExposed(view)
    charts = [view.ratings_chart, view.balance_chart, view.attendance_chart, view.kind_chart]
    reached = tab_walk(qtbot, view, view.period.findChild(QComboBox), 20)
    assert all(chart in reached for chart in charts)
    assert all(chart.accessibleDescription() for chart in charts)
    assert view.scroll.accessibleName()
    # Closed here, while the test still holds it: a shown view left to the garbage collector
    # can be collected in the middle of a later paint (a test-only hazard: in the app every
    # screen has a parent that owns it).
    view.close()


def test_tab_reaches_the_timeline_in_the_detail(qtbot, controller, known):
    view = SessionDetailView(controller)
    qtbot.addWidget(view)
    assert view.load(known["th1"].id)
    view.resize(1366, 768)
    view.show()
    qtbot.waitExposed(view)
    reached = tab_walk(qtbot, view, view.pdf_button, 10)
    assert view.timeline in reached
    view.close()  # while still held (see the dashboard's Tab test)


def test_tab_leaves_a_period_date_box_in_one_press(qtbot):
    from rethink_desktop.ui.period import PeriodChooser

    chooser = PeriodChooser(lambda: date(2026, 4, 15), default="custom", name="Period")
    qtbot.addWidget(chooser)
    chooser.show()
    qtbot.waitExposed(chooser)
    chooser.activateWindow()
    chooser.from_edit.setFocus()
    qtbot.keyClick(chooser.from_edit, Qt.Key.Key_Tab)
    assert chooser.focusWidget() is chooser.to_edit


def test_the_timelines_phases_add_up_to_the_talk_time_shown(qtbot):
    """Three turns of 30.6 s in three phases: the phases read 0:30, 0:31, 0:30, which add up
    to the 1:31 the detail shows, not 1:30."""
    from rethink_desktop.core.clock import FakeClock
    from rethink_desktop.ui.detail import TimelineWidget
    from tests.helpers import running

    clock = FakeClock()
    session = running(2, clock)
    for _ in range(3):
        session.next_turn()  # the first seat speaks
        clock.advance(30.6)
        session.next_phase()
    session.end()
    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.set_state(session.state)
    described = timeline.accessibleDescription()
    agency = session.state.participants[0].agency
    assert f"Phase 1, Phase 1: {agency} 0:30." in described
    assert f"Phase 2, Phase 2: {agency} 0:31." in described
    assert f"Phase 3, Phase 3: {agency} 0:30." in described


def test_session_counts_read_as_words():
    from rethink_desktop.ui.widgets import sessions_text as sessions

    assert sessions(1) == "1 session"
    assert sessions(2) == "2 sessions"
    assert sessions(1204) == "1,204 sessions"


@given(
    st.floats(0, 2000, allow_nan=False), st.floats(1, 200, allow_nan=False),
    st.floats(250, 2000, allow_nan=False),
)  # fmt: skip
def test_a_month_label_is_centred_where_it_can_be_and_never_runs_off_the_chart(centre, width, room):
    from rethink_desktop.ui.charts import label_left

    left = label_left(centre, width, room)
    assert left >= 0
    assert left + width < room
    if width / 2 <= centre <= room - width / 2 - 1:
        assert left == pytest.approx(centre - width / 2)  # centred under its point


def test_the_attended_column_fits_someone_late_and_someone_leaving(qtbot, controller, today):
    """ "7 of 7 · 1 late · 1 left early" was cut to "7 of 7 · 1 late · …" beside empty space."""
    from PySide6.QtGui import QFontMetrics

    view = history(qtbot, controller, today)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    width = QFontMetrics(view.table.font()).horizontalAdvance("12 of 12 · 1 late · 1 left early")
    header = view.table.horizontalHeader()
    assert header.sectionSize(COLUMNS.index("Attended")) > width


def test_at_150_percent_on_a_small_laptop_the_filters_take_two_lines(qtbot, controller, today):
    """Period, three lists and the search box made one line 1,098 pixels long: the window
    scrolled sideways on a 1024-pixel screen. They go on to a second line instead."""
    with larger_text(1.5):
        view = history(qtbot, controller, today)
        assert view.minimumSizeHint().width() <= 960
        view.resize(960, 560)
        view.show()
        qtbot.waitExposed(view)
        assert view.search.y() > view.period.geometry().bottom()  # on the next line
        assert view.search.geometry().right() < view.width()
        header = view.table.horizontalHeader()  # and the whole row in the table (review)
        assert sum(header.sectionSize(c) for c in range(len(COLUMNS))) <= (
            view.table.viewport().width()
        )
        assert not view.table.horizontalScrollBar().isVisible()
        view.resize(1900, 700)
        qtbot.wait(10)
        assert view.search.y() == view.kind.y()  # one line with room for it


def test_at_150_percent_on_a_laptop_the_balance_figures_stay_in_sight(
    qtbot, controller, today, known
):
    """History at 150 % type on a 1366 × 768 screen was 76 px wider than its view: the
    Balance figures sat behind the scroll bar and only the bars showed. Reference, then
    Attended, Status, Kind and Date give way (in "…", the whole row on hover)."""
    from PySide6.QtGui import QFontMetrics

    from rethink_desktop.ui.history import COLUMN_SAMPLES

    with larger_text(1.5):
        view = history(qtbot, controller, today)
        view.resize(1300, 700)  # the window's content at 1366 × 768
        view.show()
        qtbot.waitExposed(view)
        header, room = view.table.horizontalHeader(), view.table.viewport().width()
        metrics = QFontMetrics(view.table.font())
        sizes = [header.sectionSize(c) for c in range(len(COLUMNS))]
        assert sum(sizes) <= room
        assert not view.table.horizontalScrollBar().isVisible()
        balance = COLUMNS.index("Balance")
        assert sizes[balance] >= metrics.horizontalAdvance(COLUMN_SAMPLES[balance])
        attended = COLUMNS.index("Attended")
        assert sizes[attended] > metrics.horizontalAdvance("12 of 12 · 1 late")
        # With room again, every column has its whole width back.
        view.resize(1900, 700)
        qtbot.wait(10)
        assert header.sectionSize(attended) > metrics.horizontalAdvance(COLUMN_SAMPLES[attended])
        # A column dragged to another width keeps it, whatever the window does next.
        header.resizeSection(COLUMNS.index("Reference"), 400)  # as a drag does
        view.resize(1300, 700)
        qtbot.wait(10)
        view.resize(1600, 700)
        qtbot.wait(10)
        assert header.sectionSize(COLUMNS.index("Reference")) == 400


def test_series_sharing_a_value_show_their_markers_side_by_side(qtbot):
    """Clarity and Felt heard both at 2.5 in one month showed one marker: the other hid."""
    from PySide6.QtGui import QColor

    from rethink_desktop.ui.charts import SERIES_COLOURS, LineChart, side_by_side

    assert side_by_side([[2.5, 3.0], [2.5, None], [4.0, 3.0], [2.5, 1.0]]) == {
        (0, 0): -1.0, (1, 0): 0.0, (3, 0): 1.0, (0, 1): -0.5, (2, 1): 0.5,
    }  # fmt: skip
    assert side_by_side([[1.0], [2.0]]) == {}
    chart = LineChart("Ratings")
    qtbot.addWidget(chart)
    chart.resize(600, 300)
    chart.set_data(["Nov 2026"], {"Clarity": [2.5], "Felt heard": [2.5]})
    image = chart.grab().toImage()
    seen = {
        image.pixelColor(x, y).name()
        for x in range(image.width())
        for y in range(image.height() // 4, image.height())
    }  # below the legend
    for colour in SERIES_COLOURS[:2]:
        assert QColor(colour).name() in seen
