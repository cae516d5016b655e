"""The Prepare screen: filling the form, inline validation, saving and reordering the circle."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPointF, Qt
from PySide6.QtGui import QDropEvent, QValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStyleOptionViewItem,
    QWidget,
)

from rethink_desktop.core.agenda import Phase
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.prepare import PrepareView, format_turn
from tests.helpers import phases as make_phases
from tests.ui.conftest import prepare_draft

NAME, AGENCY, ROLE = 1, 2, 3
PHASE_NAME, MINUTES, TURN = 0, 1, 2


@pytest.fixture
def make_view(qtbot, controller, templates):
    """A shown PrepareView loaded from the controller's current session."""

    def make() -> PrepareView:
        view = PrepareView(controller, templates)
        qtbot.addWidget(view)
        view.resize(1366, 768)
        view.show()
        qtbot.waitExposed(view)
        view.load()
        return view

    return make


@pytest.fixture
def fresh(controller, make_view):
    controller.new_session()
    return make_view()


@pytest.fixture
def prepared(controller, make_view):
    prepare_draft(controller, 4, purpose="Stuck on attendance", venue="Room 2")
    return make_view()


def names(view: PrepareView) -> list[str]:
    return [row["name"] for row in view.people.rows()]


def set_cell(view: PrepareView, model_name: str, row: int, col: int, value) -> None:
    model = getattr(view, model_name)
    assert model.setData(model.index(row, col), value)


def type_into_cell(qtbot, table, row: int, col: int, text: str) -> None:
    """Open the cell's editor as F2 would, type, and press Enter to commit."""
    index = table.model().index(row, col)
    table.setFocus()
    table.setCurrentIndex(index)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    assert table.state() == QAbstractItemView.State.EditingState
    editor = next(w for w in table.viewport().findChildren(QWidget) if w.hasFocus())
    line = editor.lineEdit() if isinstance(editor, QComboBox) else editor
    assert isinstance(line, QLineEdit)
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    # The delegate commits on Enter through a queued call.
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)
    assert index.data(Qt.ItemDataRole.EditRole) == text


def summary_lines(view: PrepareView) -> list[str]:
    return [view.summary.item(i).text() for i in range(view.summary.count())]


def fill_valid(qtbot, view: PrepareView) -> None:
    qtbot.keyClicks(view.reference, "FN-4410")
    qtbot.keyClicks(view.purpose, "Views differ on school attendance")
    qtbot.keyClicks(view.venue, "Room 2, Civic Centre")
    type_into_cell(qtbot, view.people_table, 0, NAME, "Priya")
    type_into_cell(qtbot, view.people_table, 0, AGENCY, "Education")
    type_into_cell(qtbot, view.people_table, 0, ROLE, "DSL")
    type_into_cell(qtbot, view.people_table, 1, NAME, "Tom")
    type_into_cell(qtbot, view.people_table, 1, AGENCY, "Health")


# --- loading ------------------------------------------------------------------------------


def test_a_fresh_draft_starts_from_the_default_template_with_two_empty_seats(fresh, templates):
    template = templates["family-network"]
    assert fresh.template.currentData() == "family-network"
    assert tuple(fresh.agenda()) == template.phases
    assert fresh.people.rows() == [
        {"id": None, "name": "", "agency": "", "role": ""},
        {"id": None, "name": "", "agency": "", "role": ""},
    ]
    assert fresh.total.text() == "Total 120 of 120 minutes — exactly two hours"
    assert fresh.confirm_total.isHidden()
    assert fresh.second_chance.isChecked()
    # Nothing typed yet: the summary says what is needed, the fields are not marked.
    assert "• Enter a reference code, for example FN-2291." in summary_lines(fresh)
    assert "• Seat 1 needs a name." in summary_lines(fresh)
    assert fresh.reference_problem.isHidden()
    assert fresh.reference.property("problem") != "true"
    assert not fresh.save_button.isEnabled()
    assert not fresh.check_in_button.isEnabled()


def test_a_prepared_draft_fills_every_field(controller, prepared):
    state = controller.state
    assert prepared.kind.currentData() == "family_network"
    assert prepared.reference.text() == "FN-2291"
    assert prepared.purpose.text() == "Stuck on attendance"
    assert prepared.venue.text() == "Room 2"
    assert names(prepared) == ["Person 1", "Person 2", "Person 3", "Person 4"]
    ids = [prepared.people.index(row, NAME).data(Qt.ItemDataRole.UserRole) for row in range(4)]
    assert ids == [p.id for p in state.participants] == ["p1", "p2", "p3", "p4"]
    assert [ph.minutes for ph in prepared.agenda()] == [10, 20, 30, 30, 20, 10]
    assert prepared.phases.index(0, TURN).data() == "2:00"
    assert prepared.people.index(2, 0).data() == "3"
    # The helper's phases come from no template: the chooser shows a custom agenda.
    assert prepared.template.currentIndex() == -1
    assert prepared.template.placeholderText() == "Custom agenda"
    assert prepared.problems() == []
    assert prepared.save_button.isEnabled()
    assert not prepared.is_dirty()


@pytest.mark.parametrize("demo", [False, True])
def test_the_demo_is_marked_on_prepare_and_a_real_session_is_not(qtbot, store, clock, deck,
                                                                  templates, demo):  # fmt: skip
    # The demo's check-in has "Back to preparation": its Prepare screen must say DEMO too.
    ctl = SessionController(store, clock, deck, demo=demo)
    prepare_draft(ctl, 3)
    view = PrepareView(ctl, templates)
    qtbot.addWidget(view)
    view.load()
    assert view.demo_marker.isVisibleTo(view) is demo
    assert "DEMO" in view.demo_marker.text()
    ctl.close_session()
    ctl.deleteLater()


def test_the_date_round_trips_as_an_iso_minute(controller, make_view):
    prepare_draft(controller, 3, scheduled_for="2026-03-09T10:00", second_chance=False)
    view = make_view()
    assert view.form_data()["scheduled_for"] == "2026-03-09T10:00"
    assert view.scheduled.calendarPopup()
    assert not view.second_chance.isChecked()


def test_turn_allowance_reads_as_minutes_and_seconds():
    assert format_turn(240) == "4:00"
    assert format_turn(95) == "1:35"
    assert format_turn(15) == "0:15"


# --- typing and saving --------------------------------------------------------------------


def test_a_valid_form_saves_a_prepared_event_that_matches_it(qtbot, controller, fresh):
    fill_valid(qtbot, fresh)
    assert fresh.problems() == []
    assert fresh.save_button.isEnabled()
    count = len(controller.session.events)
    with qtbot.waitSignal(fresh.saved):
        qtbot.mouseClick(fresh.save_button, Qt.MouseButton.LeftButton)
    events = controller.session.events
    assert len(events) == count + 1
    data = events[-1].data
    assert events[-1].kind == "prepared"
    assert data["reference"] == "FN-4410"
    assert data["purpose"] == "Views differ on school attendance"
    assert data["venue"] == "Room 2, Civic Centre"
    assert data["kind"] == "family_network"
    assert data["template_id"] == "family-network"
    assert data["second_chance"] is True
    assert data["scheduled_for"] == fresh.scheduled.dateTime().toString("yyyy-MM-dd'T'HH:mm")
    people = [{k: p[k] for k in ("name", "agency", "role")} for p in data["participants"]]
    assert people == [
        {"name": "Priya", "agency": "Education", "role": "DSL"},
        {"name": "Tom", "agency": "Health", "role": ""},
    ]
    assert data["phases"] == fresh.form_data()["phases"]
    state = controller.state
    assert state.reference == "FN-4410"
    assert [p.name for p in state.participants] == ["Priya", "Tom"]
    assert [p.seat for p in state.participants] == [1, 2]
    assert len(state.phases) == 7
    expected = controller.now().astimezone().strftime("%H:%M")
    assert fresh.status.text() == f"Saved at {expected}."
    assert not fresh.is_dirty()


def test_saving_again_keeps_the_same_people(qtbot, controller, fresh):
    fill_valid(qtbot, fresh)
    assert fresh.save()
    first = [p["id"] for p in controller.session.events[-1].data["participants"]]
    # The ids the store gave are now held in the rows.
    assert [fresh.people.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in (0, 1)] == first
    type_into_cell(qtbot, fresh.people_table, 1, NAME, "Thomas")
    assert "changes since then are not saved yet" in fresh.status.text()
    assert fresh.save()
    again = controller.session.events[-1].data["participants"]
    assert [p["id"] for p in again] == first
    assert again[1]["name"] == "Thomas"


def test_an_existing_draft_keeps_its_ids_when_re_saved(qtbot, controller, prepared):
    set_cell(prepared, "people", 0, NAME, "Priya")
    assert prepared.save()
    saved = controller.session.events[-1].data["participants"]
    assert [p["id"] for p in saved] == ["p1", "p2", "p3", "p4"]
    assert saved[0]["name"] == "Priya"


def test_save_and_go_to_check_in_emits_both_signals(qtbot, controller, prepared):
    with qtbot.waitSignals([prepared.saved, prepared.check_in_requested], order="strict"):
        qtbot.mouseClick(prepared.check_in_button, Qt.MouseButton.LeftButton)
    assert controller.session.events[-1].kind == "prepared"


def test_an_invalid_form_does_not_save_or_go_to_check_in(qtbot, controller, fresh):
    count = len(controller.session.events)
    with qtbot.assertNotEmitted(fresh.check_in_requested):
        assert not fresh.save_and_check_in()
    assert len(controller.session.events) == count


def test_a_refused_save_keeps_the_form_as_it_is(qtbot, controller, prepared):
    set_cell(prepared, "people", 0, NAME, "Priya")
    # Checked in behind the form's back (another window): preparation is now closed.
    assert controller.act("check_in", ["p1", "p2", "p3", "p4"])
    count = len(controller.session.events)
    with qtbot.assertNotEmitted(prepared.saved):
        assert not prepared.save()
    assert len(controller.session.events) == count
    assert names(prepared)[0] == "Priya"
    assert prepared.status.text().startswith("Not saved: Cannot change the preparation")
    assert "The form is as you left it." in prepared.status.text()


def test_a_checked_in_session_opens_read_only(controller, make_view):
    prepare_draft(controller, 3)
    controller.act("check_in", ["p1", "p2", "p3"])
    view = make_view()
    assert not view.content.isEnabled()
    assert "checked in" in view.locked_note.text()
    assert not view.save_button.isEnabled()


def test_back_asks_only_when_there_are_unsaved_changes(qtbot, prepared):
    asked = []
    prepared.confirm = lambda title, text: asked.append(title) or False
    with qtbot.waitSignal(prepared.cancelled):
        prepared.back.click()
    assert asked == []
    qtbot.keyClicks(prepared.venue, " east")
    with qtbot.assertNotEmitted(prepared.cancelled):
        prepared.back.click()
    assert asked == ["Leave without saving?"]
    prepared.confirm = lambda title, text: True
    with qtbot.waitSignal(prepared.cancelled):
        prepared.back.click()


# --- validation ---------------------------------------------------------------------------


def test_a_name_as_reference_is_refused_beside_the_field(qtbot, fresh):
    qtbot.keyClicks(fresh.reference, "Smith family")
    message = (
        "Use a case reference with at least one digit and no spaces (for example FN-2291) "
        "— never a child's or family's name."
    )
    assert fresh.reference_problem.text() == message
    assert fresh.reference_problem.isVisible()
    assert fresh.reference.property("problem") == "true"
    assert f"• {message}" in summary_lines(fresh)
    assert not fresh.save_button.isEnabled()
    fresh.reference.clear()
    qtbot.keyClicks(fresh.reference, "FN-2291")
    assert fresh.reference_problem.isHidden()
    assert fresh.reference.property("problem") == "false"


def test_an_empty_name_is_named_by_seat(prepared):
    set_cell(prepared, "people", 1, NAME, "  ")
    assert "Seat 2 needs a name." in prepared.people_problem.text()
    assert prepared.people_problem.isVisible()
    assert prepared.people.index(1, NAME).data(Qt.ItemDataRole.ToolTipRole) == (
        "Seat 2 needs a name."
    )
    assert prepared.people.index(1, NAME).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert prepared.people.index(0, NAME).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "• Seat 2 needs a name." in summary_lines(prepared)
    assert not prepared.save_button.isEnabled()


def test_two_people_with_one_name_need_different_roles(prepared):
    for row in (0, 1):
        set_cell(prepared, "people", row, NAME, "Alex")
        set_cell(prepared, "people", row, ROLE, "")
    message = (
        "Seat 1: two people are called Alex. Give each a different role so the circle can "
        "tell them apart."
    )
    assert message in prepared.people_problem.text()
    assert "Seat 2: two people are called Alex." in prepared.people_problem.text()
    assert prepared.people.index(0, ROLE).data(Qt.ItemDataRole.ToolTipRole) == message
    assert not prepared.save_button.isEnabled()
    set_cell(prepared, "people", 1, ROLE, "School nurse")
    assert prepared.problems() == []
    assert prepared.people_problem.isHidden()
    assert prepared.save_button.isEnabled()


def test_fewer_than_two_people_cannot_be_saved(qtbot, prepared):
    prepared.people_table.setFocus()
    prepared.people_table.select_row(0)
    asked = []
    prepared.confirm = lambda title, text: asked.append(text) or False
    qtbot.keyClick(prepared.people_table, Qt.Key.Key_Delete)  # No: the person stays
    assert asked == [
        "Delete removes seat 1, Person 1, not just the cell. Remove it? To change one cell, "
        "press F2 or start typing in it."
    ]
    assert len(names(prepared)) == 4
    prepared.confirm = lambda title, text: True
    for _ in range(3):
        qtbot.keyClick(prepared.people_table, Qt.Key.Key_Delete)
    assert names(prepared) == ["Person 4"]
    assert "Add at least 2 participants." in prepared.people_problem.text()
    assert not prepared.save_button.isEnabled()


def test_more_than_thirty_people_cannot_be_saved(qtbot, prepared):
    table = prepared.people_table
    for number in range(5, 32):
        prepared.add_person.click()
        # Add opens the new seat's name for typing.
        assert table.state() == QAbstractItemView.State.EditingState
        editor = next(w for w in table.viewport().findChildren(QLineEdit) if w.hasFocus())
        qtbot.keyClicks(editor, f"Person {number}")
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)
        set_cell(prepared, "people", number - 1, AGENCY, "Health")
    assert names(prepared)[-1] == "Person 31"
    assert prepared.people.rowCount() == 31
    assert prepared.people_count.text().startswith("31 people")
    assert "A Re-Think circle has at most 30 people; this one has 31." in (
        prepared.people_problem.text()
    )
    assert not prepared.check_in_button.isEnabled()
    prepared.people_table.select_row(30)
    prepared.remove_person.click()
    assert prepared.save_button.isEnabled()


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (500, 'Phase 1 ("Phase 1") is 500 minutes, longer than the whole two-hour session.'),
        (0, 'Phase 1 ("Phase 1") must last at least 1 minute.'),
    ],
)
def test_absurd_minutes_are_refused_on_the_phase(prepared, minutes, message):
    set_cell(prepared, "phases", 0, MINUTES, minutes)
    assert message in prepared.agenda_problem.text()
    assert prepared.phases.index(0, MINUTES).data(Qt.ItemDataRole.ToolTipRole) == message
    assert prepared.phases.index(0, PHASE_NAME).data(Qt.ItemDataRole.ToolTipRole) is None
    # A broken phase is not also reported as a wrong total.
    assert prepared.confirm_total.isHidden()
    assert not prepared.save_button.isEnabled()


def test_the_minutes_editor_only_offers_sensible_values(prepared):
    index = prepared.phases.index(0, MINUTES)
    editor = prepared.minutes_delegate.createEditor(
        prepared.phases_table.viewport(), QStyleOptionViewItem(), index
    )
    assert isinstance(editor, QSpinBox)
    assert (editor.minimum(), editor.maximum()) == (1, 120)
    turn = prepared.turn_delegate.createEditor(
        prepared.phases_table.viewport(), QStyleOptionViewItem(), index
    )
    assert (turn.minimum(), turn.maximum()) == (15, 1800)
    editor.deleteLater()
    turn.deleteLater()


def test_the_turn_allowance_is_typed_as_the_cell_shows_it(qtbot, prepared):
    """Minutes and seconds ("2:30"), or minutes alone ("3"): the editor took seconds while
    the cell read "2:00", so a 3 meant as minutes was quietly dropped."""
    from PySide6.QtWidgets import QApplication

    prepared.activateWindow()
    table = prepared.phases_table
    column = prepared.phases.column("turn_seconds")
    for typed, seconds, shown in (("3", 180, "3:00"), ("2:30", 150, "2:30"), ("0:45", 45, "0:45")):
        table.setFocus()
        table.select_row(0, column)
        table.edit(table.currentIndex())
        editor = QApplication.focusWidget()
        assert editor.text() in ("2:00", "3:00", "2:30")  # the value as the cell shows it
        editor.selectAll()
        qtbot.keyClicks(editor, typed)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        # The delegate commits on Enter through a queued call.
        qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)
        assert prepared.phases.rows()[0]["turn_seconds"] == seconds
        assert prepared.phases.index(0, column).data() == shown


def test_seconds_past_59_are_refused_as_they_are_typed(qtbot, prepared):
    """ "9:75" became 9:07 without a word (the box went back to what it last could read)."""
    from PySide6.QtWidgets import QApplication

    prepared.activateWindow()
    table = prepared.phases_table
    table.setFocus()
    table.select_row(0, prepared.phases.column("turn_seconds"))
    table.edit(table.currentIndex())
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "4:75")
    assert editor.text() == "4:7"  # the 5 is not taken, so the mistake shows at once
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(editor, "59")
    assert editor.text() == "4:59"
    for stray in "x.;:²³":  # refused too (a letter there crashed the app: int("7x"))
        qtbot.keyClicks(editor, stray)
        assert editor.text() == "4:59"
    editor.selectAll()
    qtbot.keyClicks(editor, "4:7x")
    assert editor.text() == "4:7"
    for text in ("²", "4:5²", "4:²", "¹:30", "9" * 5000):  # not digits to int(), or too many
        assert editor.validate(text, len(text))[0] == QValidator.State.Invalid, text[:9]


def test_a_short_agenda_needs_the_confirm_box(prepared):
    assert prepared.agenda_title.text() == "Agenda — two hours"
    set_cell(prepared, "phases", 0, MINUTES, 5)
    assert prepared.total.text() == "Total 115 of 120 minutes — 5 short"
    assert prepared.agenda_title.text() == "Agenda — 115 minutes"  # the heading is not wrong
    assert prepared.total.property("problem") == "true"
    assert not prepared.confirm_total.isHidden()
    assert prepared.confirm_total.text() == "C&onfirm a shorter agenda (115 minutes)"
    assert any("add up to 115 minutes, 5 short" in line for line in summary_lines(prepared))
    assert not prepared.save_button.isEnabled()

    prepared.confirm_total.setChecked(True)
    assert prepared.total.text() == "Total 115 of 120 minutes — 5 short — confirmed"
    assert prepared.total.property("muted") == "true"
    assert prepared.problems() == []
    assert prepared.save()

    # Back to two hours: the confirmation goes away and must be given again next time.
    set_cell(prepared, "phases", 0, MINUTES, 10)
    assert prepared.agenda_title.text() == "Agenda — two hours"
    assert prepared.confirm_total.isHidden()
    assert not prepared.confirm_total.isChecked()
    set_cell(prepared, "phases", 0, MINUTES, 15)
    assert prepared.total.text() == "Total 125 of 120 minutes — 5 over"
    assert prepared.confirm_total.text().startswith("C&onfirm a longer agenda")
    assert not prepared.save_button.isEnabled()


def test_an_agenda_outside_one_to_three_hours_cannot_be_confirmed(prepared):
    for row in range(1, prepared.phases.rowCount()):
        set_cell(prepared, "phases", row, MINUTES, 120 if row < 3 else 1)
    total = 10 + 120 + 120 + (prepared.phases.rowCount() - 3)
    assert prepared.total.text().startswith(f"Total {total} of 120 minutes — ")
    assert prepared.total.property("problem") == "true"
    assert prepared.confirm_total.isHidden()  # nothing to confirm: it cannot be saved
    assert any(
        f"add up to {total} minutes; an agenda must last between 60 and 180" in line
        for line in summary_lines(prepared)
    )
    assert not prepared.save_button.isEnabled()


def test_a_saved_short_agenda_loads_confirmed(controller, make_view):
    prepare_draft(controller, 3, phases=make_phases(30, 30, 30))
    view = make_view()
    assert view.confirm_total.isChecked()
    assert view.total.text() == "Total 90 of 120 minutes — 30 short — confirmed"
    assert view.save_button.isEnabled()


def test_a_confirmation_is_for_the_total_confirmed_not_any_other(prepared):
    set_cell(prepared, "phases", 0, MINUTES, 5)  # 115
    prepared.confirm_total.setChecked(True)
    assert prepared.problems() == []
    set_cell(prepared, "phases", 0, MINUTES, 30)  # 140: another total, asked afresh
    assert not prepared.confirm_total.isChecked()
    assert prepared.confirm_total.text() == "C&onfirm a longer agenda (140 minutes)"
    assert prepared.total.text() == "Total 140 of 120 minutes — 20 over"
    assert not prepared.save_button.isEnabled()


def test_a_saved_short_agenda_changed_again_asks_again(controller, make_view):
    prepare_draft(controller, 3, phases=make_phases(30, 30, 30))
    view = make_view()
    assert view.confirm_total.isChecked()
    set_cell(view, "phases", 0, MINUTES, 40)  # 100, not the 90 confirmed when it was saved
    assert not view.confirm_total.isChecked()
    assert not view.save_button.isEnabled()


def test_a_phase_without_a_name_is_marked(qtbot, prepared):
    set_cell(prepared, "phases", 2, PHASE_NAME, "")
    assert "Phase 3 needs a name." in prepared.agenda_problem.text()
    assert prepared.phases.index(2, PHASE_NAME).data(Qt.ItemDataRole.ToolTipRole) == (
        "Phase 3 needs a name."
    )
    assert not prepared.save_button.isEnabled()


def test_the_summary_takes_you_to_the_field(qtbot, fresh):
    qtbot.keyClicks(fresh.reference, "x")
    fresh.people_table.setFocus()
    item = fresh.summary.item(0)
    assert item.data(Qt.ItemDataRole.UserRole) == "reference"
    fresh.summary.itemActivated.emit(item)
    assert fresh.reference.hasFocus()
    seat = next(
        fresh.summary.item(i)
        for i in range(fresh.summary.count())
        if fresh.summary.item(i).text() == "• Seat 2 needs a name."
    )
    fresh.summary.itemActivated.emit(seat)
    assert fresh.people_table.hasFocus()
    assert fresh.people_table.currentIndex().row() == 1


# --- order of the circle and of the agenda ------------------------------------------------


def test_ctrl_down_moves_the_selected_person_and_the_save_follows(qtbot, controller, prepared):
    table = prepared.people_table
    table.setFocus()
    table.select_row(0, NAME)
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert names(prepared) == ["Person 2", "Person 1", "Person 3", "Person 4"]
    assert table.current_row() == 1  # the moved person stays selected
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert prepared.people.index(1, 0).data() == "2"
    assert prepared.save()
    assert [p.id for p in controller.state.participants] == ["p2", "p1", "p3", "p4"]
    assert [p.seat for p in controller.state.participants] == [1, 2, 3, 4]


def test_move_buttons_reorder_and_disable_at_the_ends(controller, prepared):
    prepared.people_table.select_row(3)
    assert not prepared.person_down.isEnabled()
    prepared.person_up.click()
    prepared.person_up.click()
    assert [r["id"] for r in prepared.people.rows()] == ["p1", "p4", "p2", "p3"]
    prepared.people_table.select_row(0)
    assert not prepared.person_up.isEnabled()
    prepared.person_down.click()
    assert prepared.save()
    assert [p.id for p in controller.state.participants] == ["p4", "p1", "p2", "p3"]


def drop(table, rows_from, row: int, *, lower: bool) -> QDropEvent:
    rect = table.visualRect(table.model().index(row, 1))
    y = rect.bottom() - 2 if lower else rect.top() + 2
    mime = rows_from.mimeData([rows_from.index(0, 0)])
    event = QDropEvent(
        QPointF(rect.center().x(), y),
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    table.dropEvent(event)
    return event


def test_dropping_a_row_moves_that_person(controller, prepared):
    event = drop(prepared.people_table, prepared.people, 2, lower=True)
    assert event.isAccepted()
    assert [r["id"] for r in prepared.people.rows()] == ["p2", "p3", "p1", "p4"]
    assert prepared.people_table.current_row() == 2
    assert prepared.save()
    assert [p.id for p in controller.state.participants] == ["p2", "p3", "p1", "p4"]


def test_a_row_from_the_agenda_cannot_be_dropped_among_people(prepared):
    event = drop(prepared.people_table, prepared.phases, 1, lower=False)
    assert not event.isAccepted()
    assert [r["id"] for r in prepared.people.rows()] == ["p1", "p2", "p3", "p4"]
    assert prepared.people.mimeData([QModelIndex()]).hasFormat("application/x-rethink-row")
    assert prepared.people.dragged_rows(QMimeData()) == []


def test_insert_and_delete_keys_add_and_remove(qtbot, prepared):
    table = prepared.phases_table
    table.setFocus()
    table.select_row(1)
    qtbot.keyClick(table, Qt.Key.Key_Escape)
    qtbot.keyClick(table, Qt.Key.Key_Insert)
    assert prepared.phases.rowCount() == 7
    assert prepared.phases.rows()[2]["name"] == ""
    table.setFocus()
    table.select_row(2)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert [ph.name for ph in prepared.agenda()] == [f"Phase {i}" for i in range(1, 7)]


def test_phases_move_and_keep_their_opening_card(controller, templates, fresh):
    first = templates["family-network"].phases[0]
    fresh.phases_table.select_row(0)
    fresh.phase_down.click()
    moved = fresh.agenda()[1]
    assert moved == first
    assert fresh.phases.index(1, 0).data(Qt.ItemDataRole.UserRole) == first.opening_card


# --- templates and kinds ------------------------------------------------------------------


def test_choosing_a_template_replaces_edited_phases_after_asking(prepared, templates):
    asked: list[str] = []
    prepared.confirm = lambda title, text: asked.append(text) or True
    prepared.template.setCurrentIndex(prepared.template.findData("thematic"))
    assert len(asked) == 1
    assert "Thematic: school attendance" in asked[0]
    assert tuple(prepared.agenda()) == templates["thematic"].phases
    assert prepared.form_data()["template_id"] == "thematic"
    assert prepared.template_about.text() == templates["thematic"].description


def test_declining_the_switch_keeps_the_phases(prepared):
    before = prepared.agenda()
    prepared.confirm = lambda title, text: False
    prepared.template.setCurrentIndex(prepared.template.findData("thematic"))
    assert prepared.agenda() == before
    assert prepared.template.currentIndex() == -1
    assert prepared.form_data()["template_id"] is None


def test_an_untouched_template_switches_without_asking(fresh, templates):
    fresh.confirm = lambda title, text: pytest.fail("should not ask")
    fresh.template.setCurrentIndex(fresh.template.findData("post-proceedings"))
    assert tuple(fresh.agenda()) == templates["post-proceedings"].phases
    # Now edit a phase: switching back asks.
    asked = []
    fresh.confirm = lambda title, text: asked.append(title) or True
    set_cell(fresh, "phases", 0, MINUTES, 20)
    fresh.template.setCurrentIndex(fresh.template.findData("family-network"))
    assert asked == ["Replace the agenda?"]
    assert tuple(fresh.agenda()) == templates["family-network"].phases


def test_changing_the_kind_brings_its_template_when_nothing_was_edited(fresh, templates):
    fresh.kind.setCurrentIndex(fresh.kind.findData("thematic"))
    assert fresh.template.currentData() == "thematic"
    assert tuple(fresh.agenda()) == templates["thematic"].phases
    set_cell(fresh, "phases", 0, PHASE_NAME, "Our welcome")
    fresh.kind.setCurrentIndex(fresh.kind.findData("post_proceedings"))
    assert fresh.template.currentData() == "thematic"
    assert fresh.agenda()[0].name == "Our welcome"
    assert fresh.form_data()["kind"] == "post_proceedings"


def test_agenda_rows_become_core_phases(prepared):
    assert prepared.agenda()[0] == Phase("Phase 1", 10, 120, None)


# --- accessibility ------------------------------------------------------------------------


def test_every_control_has_a_name_and_every_label_a_buddy(prepared):
    controls = [
        w
        for w in prepared.findChildren(QWidget)
        if w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and w.isVisibleTo(prepared)
        and not isinstance(w.parentWidget(), QComboBox | QAbstractSpinBox)
        and w.metaObject().className() not in {"QScrollBar", "QScrollArea"}
    ]
    assert len(controls) > 15
    unnamed = [w.metaObject().className() for w in controls if not w.accessibleName()]
    assert unnamed == []
    mnemonic_labels = [label for label in prepared.findChildren(QLabel) if "&" in label.text()]
    assert len(mnemonic_labels) >= 7
    assert all(label.buddy() is not None for label in mnemonic_labels)
    for table in (prepared.people_table, prepared.phases_table):
        assert "Ctrl+Up" in table.accessibleDescription()
        assert "Delete" in table.toolTip()
    assert not prepared.people_table.tabKeyNavigation()


def test_mnemonics_do_not_clash(prepared):
    texts = [label.text() for label in prepared.findChildren(QLabel)]
    texts += [button.text() for button in prepared.findChildren(QAbstractButton)]
    keys = [t[t.index("&") + 1].lower() for t in texts if "&" in t and not t.endswith("&")]
    assert len(keys) == len(set(keys)), keys


def test_ctrl_shift_n_adds_a_person_from_anywhere_in_the_form(qtbot, prepared):
    prepared.activateWindow()
    qtbot.waitActive(prepared)
    prepared.venue.setFocus()
    qtbot.keyClick(
        prepared.venue,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert prepared.people.rowCount() == 5
    assert prepared.people_table.state() == QAbstractItemView.State.EditingState


def test_an_empty_cell_s_hint_is_italic_so_it_never_reads_as_typed(fresh):
    # In the high-contrast themes the muted colour is the text's own.
    from PySide6.QtWidgets import QStyleOptionViewItem

    column = fresh.people.column("role")
    delegate = fresh.people_table.itemDelegateForColumn(column)
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, fresh.people.index(0, column))
    assert option.text == "Optional"
    assert option.font.italic()


def test_a_disabled_button_looks_different_in_the_high_contrast_themes(qtbot):
    # There the muted colour is the text's own: a dashed border tells them apart.
    from PySide6.QtWidgets import QApplication, QPushButton

    from rethink_desktop.ui.theme import apply_theme

    app = QApplication.instance()
    try:
        for theme in ("high_contrast", "high_contrast_dark"):
            apply_theme(app, theme)
            images = []
            for enabled in (True, False):
                button = QPushButton("Save")
                qtbot.addWidget(button)
                button.setFixedSize(120, 40)
                button.setEnabled(enabled)
                images.append(button.grab().toImage())
            assert images[0] != images[1], theme
    finally:
        apply_theme(app, "light")


def test_the_date_and_time_stays_within_this_century(fresh):
    from PySide6.QtCore import QDate, QDateTime, QTime

    fresh.scheduled.setDateTime(QDateTime(QDate(1900, 1, 1), QTime(3, 0)))
    assert fresh.scheduled.date() == QDate(2000, 1, 1)
    fresh.scheduled.setDateTime(QDateTime(QDate(9999, 1, 1), QTime(3, 0)))
    assert fresh.scheduled.date().year() == 2099


def test_two_saved_drafts_of_other_lengths_both_open_confirmed(controller, make_view):
    # The Prepare screen is reused: a tick left from the first draft sends no signal.
    prepare_draft(controller, 3, phases=make_phases(30, 30, 30))
    view = make_view()
    assert view.confirm_total.isChecked()
    prepare_draft(controller, 3, phases=make_phases(30, 30, 40))
    view.load()
    assert view.confirm_total.isChecked()
    assert view.total.text() == "Total 100 of 120 minutes — 20 short — confirmed"
    assert view.save_button.isEnabled()


def test_choosing_the_same_template_again_puts_its_phases_back(fresh, templates):
    template = fresh.template.itemData(fresh.template.currentIndex())
    original = [ph.minutes for ph in fresh.agenda()]
    set_cell(fresh, "phases", 0, MINUTES, 40)
    assert [ph.minutes for ph in fresh.agenda()] != original
    asked = []
    fresh.confirm = lambda title, text: asked.append(text) or False
    fresh.template.activated.emit(fresh.template.currentIndex())  # No: the edits stay
    assert asked
    assert fresh.agenda()[0].minutes == 40
    fresh.confirm = lambda title, text: True
    fresh.template.activated.emit(fresh.template.currentIndex())
    assert [ph.minutes for ph in fresh.agenda()] == original
    assert fresh.template.itemData(fresh.template.currentIndex()) == template
    asked.clear()
    fresh.confirm = lambda title, text: asked.append(text) or True
    fresh.template.activated.emit(fresh.template.currentIndex())  # nothing edited: no question
    assert not asked


def test_a_window_made_wide_can_be_made_narrow_again(qtbot, fresh):
    """Nothing on the screen takes the window's width as its minimum: a window once widened
    (on a wall screen, say) could otherwise never come back to the laptop's width."""
    narrowest = fresh.minimumSizeHint().width()
    fresh.resize(1900, 768)
    qtbot.wait(10)
    assert fresh.minimumSizeHint().width() == narrowest < 1366
    fresh.resize(1000, 768)
    qtbot.wait(10)
    assert fresh.width() == 1000


def test_tab_leaves_the_date_box_in_one_press(qtbot, fresh):
    """Qt's date box took Tab to step through its six parts; Left and Right do that here."""
    fresh.activateWindow()
    fresh.scheduled.setFocus()
    qtbot.keyClick(fresh.scheduled, Qt.Key.Key_Tab)
    assert fresh.focusWidget() is not fresh.scheduled
    assert not fresh.scheduled.isAncestorOf(fresh.focusWidget())


def test_enter_in_a_details_field_goes_on_to_the_next(qtbot, fresh):
    """Enter on the reference, the purpose or the venue did nothing: it moves on, as Tab
    does, and never saves or leaves the screen."""
    fresh.activateWindow()
    fresh.reference.setFocus()
    qtbot.keyClicks(fresh.reference, "PP-1")
    for edit, after in (
        (fresh.reference, fresh.purpose),
        (fresh.purpose, fresh.venue),
        (fresh.venue, fresh.scheduled),
    ):
        assert fresh.focusWidget() is edit
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        focus = fresh.focusWidget()
        assert focus is after or after.isAncestorOf(focus)
    assert fresh.reference.text() == "PP-1"
    assert fresh.isVisible()


def test_on_a_very_wide_window_the_footer_is_centred_under_the_form(qtbot, fresh):
    fresh.resize(3000, 768)
    qtbot.wait(10)
    left = fresh.footer.geometry().left()
    right = fresh.width() - fresh.footer.geometry().right() - 1
    assert fresh.footer.width() < 3000
    assert abs(left - right) <= 1


def test_left_and_right_move_through_the_date_box_part_by_part(qtbot, fresh):
    from PySide6.QtWidgets import QDateTimeEdit

    fresh.activateWindow()
    fresh.kind.setFocus()
    fresh.scheduled.setFocus(Qt.FocusReason.TabFocusReason)  # as Tab brings it
    # The day first, not the weekday's name in front of it ("Sat 28 Nov 2026, 10:00").
    assert fresh.scheduled.currentSectionIndex() == 1
    assert fresh.scheduled.currentSection() == QDateTimeEdit.Section.DaySection
    qtbot.keyClick(fresh.scheduled, Qt.Key.Key_Left)  # nowhere further left
    assert fresh.scheduled.currentSectionIndex() == 1
    parts = []
    for _ in range(fresh.scheduled.sectionCount()):
        parts.append(fresh.scheduled.currentSection())
        qtbot.keyClick(fresh.scheduled, Qt.Key.Key_Right)
    assert QDateTimeEdit.Section.HourSection in parts
    assert QDateTimeEdit.Section.MinuteSection in parts
    assert fresh.scheduled.currentSection() == QDateTimeEdit.Section.MinuteSection  # stays
    qtbot.keyClick(fresh.scheduled, Qt.Key.Key_Left)
    assert fresh.scheduled.currentSection() == QDateTimeEdit.Section.HourSection
    before = fresh.scheduled.dateTime()
    qtbot.keyClick(fresh.scheduled, Qt.Key.Key_Up)  # changes the part chosen: the hour
    assert fresh.scheduled.dateTime() == before.addSecs(3600)


def test_add_person_then_type_and_tab_fills_name_agency_and_role(qtbot, fresh):
    """Alt+N, a name, Tab, an agency, Tab, a role: each goes in its own cell."""
    from PySide6.QtWidgets import QApplication

    fresh.activateWindow()
    rows = fresh.people.rowCount()
    assert rows == 2  # two empty seats to start with: Alt+N fills those first
    for seat, (name, agency, role) in enumerate(
        [("Chloe", "Health", "School nurse"), ("Ana", "Police", "DC"), ("Dev", "Housing", "")]
    ):
        fresh.add_person.click()  # Alt+N
        assert fresh.people.rowCount() == max(rows, seat + 1)
        for text in (name, agency, role):
            qtbot.keyClicks(QApplication.focusWidget(), text)
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        row = fresh.people.rows()[seat]
        assert (row["name"], row["agency"], row["role"]) == (name, agency, role)


def test_typing_just_after_clicking_a_cell_goes_into_that_cell(qtbot, prepared):
    """Clicking a cell of the chosen row and typing at once: the text goes into that cell.
    Qt waits a double-click's time before it edits a clicked cell, and a key in that time
    searched the rows by its letter, so "School nurse" became another person's role
    ("chool nurse")."""
    from PySide6.QtWidgets import QApplication

    prepared.activateWindow()
    table = prepared.people_table
    model = prepared.people
    before = model.rows()
    role = model.column("role")
    point = table.visualRect(model.index(2, role)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=point)  # now chosen
    assert (table.currentIndex().row(), table.currentIndex().column()) == (2, role)
    for letter in "School nurse":  # each key to whatever has the focus as it is typed
        qtbot.keyClick(QApplication.focusWidget(), letter)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() != table.State.EditingState)
    after = model.rows()
    assert after[2]["role"] == "School nurse"
    assert [r for n, r in enumerate(after) if n != 2] == [r for n, r in enumerate(before) if n != 2]
    # A key typed where nothing can be edited (the seat) never jumps to another row.
    table.setCurrentIndex(model.index(0, 0))
    qtbot.keyClicks(table, "3")
    assert table.currentIndex().row() == 0
    assert model.rows() == after


def test_space_on_a_cell_opens_it_rather_than_typing_a_space(qtbot, fresh):
    """Space started the name with a space (" Priya"): it opens the cell, as F2 does."""
    from PySide6.QtWidgets import QApplication

    fresh.activateWindow()
    table = fresh.people_table
    table.setFocus()
    table.select_row(0, fresh.people.column("name"))
    qtbot.keyClick(table, Qt.Key.Key_Space)
    editor = QApplication.focusWidget()
    assert table.isAncestorOf(editor)
    qtbot.keyClicks(editor, "Priya")
    assert editor.text() == "Priya"
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert fresh.people.rows()[0]["name"] == "Priya"


def test_tab_through_the_people_goes_row_by_row_and_then_leaves_the_table(qtbot, prepared):
    """Role, Tab: the next row's name (never its seat, which cannot be edited); after the
    last row's role, on out of the table, not round to the first row."""
    from PySide6.QtWidgets import QApplication

    prepared.activateWindow()
    table = prepared.people_table
    model = prepared.people
    last = model.rowCount() - 1
    role = model.column("role")
    table.setFocus()
    table.select_row(0, role)
    table.edit(table.currentIndex())
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert (table.currentIndex().row(), table.currentIndex().column()) == (1, model.column("name"))
    assert table.isAncestorOf(QApplication.focusWidget())  # an editor: typing goes in
    qtbot.keyClicks(QApplication.focusWidget(), "Robin")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert model.rows()[1]["name"] == "Robin"
    # Shift+Tab goes back the same way: from row 1's agency to its name, then row 0's role.
    for column, row in (("name", 1), ("role", 0)):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
        assert (table.currentIndex().row(), table.currentIndex().column()) == (
            row,
            model.column(column),
        )
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    table.select_row(last, role)
    table.edit(table.currentIndex())
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert not table.isAncestorOf(QApplication.focusWidget())
    assert QApplication.focusWidget() is not table
    assert table.currentIndex().row() == last


def test_tabbing_into_the_people_puts_the_cursor_where_typing_goes(qtbot, prepared):
    """Not on the seat number, which cannot be edited: a name typed there went nowhere."""
    from PySide6.QtWidgets import QApplication

    prepared.activateWindow()
    table = prepared.people_table
    table.setCurrentIndex(prepared.people.index(0, 0))  # on the seat, as Qt leaves it
    table.clearFocus()
    table.setFocus(Qt.FocusReason.TabFocusReason)
    assert table.currentIndex().column() == prepared.people.column("name")
    for char in "Robin":
        qtbot.keyClicks(QApplication.focusWidget(), char)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert prepared.people.rows()[0]["name"] == "Robin"


def test_typing_into_a_filled_agency_cell_replaces_it(qtbot, prepared):
    """As in the name cell: start typing and the cell's text is replaced, not added to."""
    from PySide6.QtWidgets import QApplication

    prepared.activateWindow()
    table = prepared.people_table
    column = prepared.people.column("agency")
    table.setFocus()
    table.select_row(0, column)
    before = prepared.people.rows()[0]["agency"]
    assert before
    for char in "Police":  # the first key opens the editor; the rest go to it
        qtbot.keyClicks(QApplication.focusWidget(), char)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert prepared.people.rows()[0]["agency"] == "Police"


def test_tab_round_the_form_never_stops_on_nothing_visible(qtbot, fresh):
    """The form's scrolling area took the focus itself: a Tab stop that showed nothing."""
    from tests.ui.conftest import tab_walk

    fresh.show()
    qtbot.waitExposed(fresh)
    reached = tab_walk(qtbot, fresh, fresh.kind, 40)
    assert fresh.scroll not in reached
    assert fresh.kind in reached  # round the whole form and back


@pytest.mark.parametrize(
    ("key", "column"),
    [("Insert", "role"), ("Ctrl+Shift+N", "name"), ("Ctrl+Up", "role"), ("Ctrl+Down", "agency")],
)
def test_what_is_typed_in_a_cell_is_kept_when_a_row_is_added_or_moved(qtbot, prepared, key, column):
    """Insert, Ctrl+Shift+N (or Alt+N) with a cell still open added a row and dropped what
    was typed in it; Ctrl+Up/Down from an open cell did nothing (a line took Ctrl+Up as
    Home, an agency list as its own)."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication

    prepared.activateWindow()
    model, table = prepared.people, prepared.people_table
    rows = model.rowCount()
    cell = model.index(1, model.column(column))
    table.setFocus()
    table.setCurrentIndex(cell)
    qtbot.keyClick(table, Qt.Key.Key_F2)  # opened as a facilitator opens it
    editor = QApplication.focusWidget()
    assert table.viewport().isAncestorOf(editor)
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "Typed")  # over what was there; the cell still open
    combo = QKeySequence(key)[0]
    qtbot.keyClick(editor, combo.key(), combo.keyboardModifiers())
    moved_to = {"Ctrl+Up": 0, "Ctrl+Down": 2}.get(key, 1)
    assert model.rows()[moved_to][column] == "Typed"  # kept, where the row now is
    assert model.rowCount() == rows + (key in ("Insert", "Ctrl+Shift+N"))
    if moved_to == 1:
        assert table.currentIndex().row() == rows  # typing goes on in the new row


def test_the_cell_typing_would_go_into_is_outlined_in_the_chosen_row(qtbot, prepared):
    """The chosen row was filled alike from end to end: nothing said whether typing would
    replace the minutes or the turn allowance."""
    from PySide6.QtGui import QColor

    from rethink_desktop.ui.theme import current_theme

    prepared.activateWindow()
    table = prepared.phases_table
    table.setFocus()
    model = table.model()
    table.setCurrentIndex(model.index(1, 2))
    qtbot.wait(10)
    image = table.viewport().grab().toImage()
    ring = QColor(current_theme().surface)

    def edge(column: int) -> QColor:
        rect = table.visualRect(model.index(1, column))
        return image.pixelColor(rect.center().x(), rect.top() + 2)

    assert edge(2) == ring  # the current cell's outline
    assert edge(1) != ring  # the rest of the row is only filled


def test_a_new_forms_things_to_fix_are_all_in_sight(qtbot, fresh):
    """Three lines showed; the rest of a new form's list hid under tiny scroll arrows."""
    from rethink_desktop.ui.prepare import SUMMARY_LINES

    fresh.show()
    qtbot.waitExposed(fresh)
    summary = fresh.summary
    count = summary.count()
    assert 3 < count <= SUMMARY_LINES
    rows = sum(summary.sizeHintForRow(i) for i in range(count))
    assert summary.viewport().height() >= rows
    assert not summary.verticalScrollBar().isVisible()
