"""The close: way forward, closing pulse, anonymous ratings, completion and name removal."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from rethink_desktop.ui.closing import QUESTIONS, CloseView
from rethink_desktop.ui.controller import SessionController
from tests.ui.conftest import larger_text, start_live, tab_walk

PEOPLE = [
    {"id": "a", "name": "Priya Shah", "agency": "Education", "role": "Safeguarding lead"},
    {"id": "b", "name": "Tom Reed", "agency": "Health", "role": "Health visitor"},
    {"id": "c", "name": "Ana Costa", "agency": "Police", "role": "Safeguarding officer"},
    {"id": "d", "name": "Sam Okafor", "agency": "Housing", "role": "Tenancy officer"},
]
IDENTIFYING = [p[k] for p in PEOPLE for k in ("name", "agency", "role")]


@pytest.fixture
def closing(controller, clock):
    """A session that ran with three of four people present and has just ended."""
    start_live(controller, participants=PEOPLE, present=["a", "b", "c"])
    clock.advance(7200)
    assert controller.act("end")
    return controller


def make_view(qtbot, host, controller, **kw) -> CloseView:
    view = CloseView(controller, host, **kw)
    view.resize(host.size())
    view.load()
    with qtbot.waitActive(host):
        host.show()
        host.activateWindow()
    return view


def press(qtbot, key: Qt.Key) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key)


def to_rating(view: CloseView) -> None:
    """Way forward "yes", the pulse left as it is, on to the first person's questions."""
    view.way.set_value("yes")
    view.next()
    view.next()
    view.next()
    assert view.stack.currentIndex() == view.RATING


def rate_by_clicks(qtbot, view: CloseView, **answers: int | None) -> None:
    for key, value in answers.items():
        choices = view.rating.questions[key]
        button = choices.skip_button if value is None else choices.buttons[value - 1]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_full_close_by_keyboard_and_clicks(qtbot, host, closing):
    view = make_view(qtbot, host, closing)
    state = closing.state
    assert view.stack.currentIndex() == view.WAY
    assert not view.next_button.isEnabled()

    # Enter before a choice says what is needed (it did nothing), and chooses nothing.
    press(qtbot, Qt.Key.Key_Return)
    assert view.message.text() == (
        "Choose Yes, Partly or Not yet first: the arrows move, Space chooses."
    )
    assert view.message.isVisibleTo(view)
    assert closing.state.way_forward is None
    # Way forward: Right moves to "Partly", Space chooses it, Enter moves on.
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Space)
    assert not view.message.isVisibleTo(view)  # gone once there is a choice
    press(qtbot, Qt.Key.Key_Return)
    assert closing.state.way_forward == "partly"
    assert view.stack.currentIndex() == view.PULSE

    # Closing pulse: Space picks 1, each Right moves the choice along.
    press(qtbot, Qt.Key.Key_Space)
    for _ in range(3):
        press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Return)
    assert closing.state.pulse_end == 4
    assert view.stack.currentIndex() == view.INTRO
    assert "Hand the laptop" in " ".join(label.text() for label in view.findChildren(QLabel))

    press(qtbot, Qt.Key.Key_Return)
    assert view.stack.currentIndex() == view.RATING
    assert view.rating.person_label.text() == "Person 1 of 3"
    # Person 1 by keyboard: each question Space (1) then Right to the wanted score.
    for value in (5, 4, 3, 5):
        press(qtbot, Qt.Key.Key_Space)
        for _ in range(value - 1):
            press(qtbot, Qt.Key.Key_Right)
        press(qtbot, Qt.Key.Key_Tab)
    assert view.rating.save_button.isEnabled()
    assert QApplication.focusWidget() is view.rating.save_button
    press(qtbot, Qt.Key.Key_Return)
    assert view.stack.currentIndex() == view.HANDOVER
    press(qtbot, Qt.Key.Key_Return)

    # Person 2 skips one question; person 3 skips altogether (nothing recorded).
    assert view.rating.person_label.text() == "Person 2 of 3"
    rate_by_clicks(qtbot, view, communication=2, compassion=3, clarity=None, heard=4)
    qtbot.mouseClick(view.rating.save_button, Qt.MouseButton.LeftButton)
    press(qtbot, Qt.Key.Key_Return)
    assert view.rating.person_label.text() == "Person 3 of 3"
    qtbot.mouseClick(view.rating.skip_button, Qt.MouseButton.LeftButton)
    assert "back to the facilitator" in view.handover_text.text()
    press(qtbot, Qt.Key.Key_Return)

    assert view.stack.currentIndex() == view.FINISH
    assert "2 of 3" in view.summary.text()
    # Completing cannot be undone: the Enter after the hand-over's only reaches the button.
    press(qtbot, Qt.Key.Key_Return)
    assert closing.state.status == "closing"
    assert view.complete_button.hasFocus()
    with qtbot.waitSignal(view.completed):
        press(qtbot, Qt.Key.Key_Return)
    state = closing.state
    assert state.status == "completed"
    assert [(r.communication, r.compassion, r.clarity, r.heard) for r in state.ratings] == [
        (5, 4, 3, 5),
        (2, 3, None, 4),
    ]
    assert state.names_removed
    assert all(p.name is None for p in state.participants)
    assert "replaced by agency and role" in view.names_note.text()


def test_the_rating_screen_shows_nothing_identifying(qtbot, host, closing):
    view = make_view(qtbot, host, closing)
    to_rating(view)
    texts = [label.text() for label in view.findChildren(QLabel)]
    texts += [b.text() for b in view.findChildren(QAbstractButton)]
    texts += [w.accessibleName() for w in view.findChildren(QWidget)]
    texts += [w.accessibleDescription() for w in view.findChildren(QWidget)]
    shown = "\n".join(texts)
    for word in IDENTIFYING:
        assert word not in shown


def test_answers_are_cleared_before_the_next_person(qtbot, host, closing):
    view = make_view(qtbot, host, closing)
    view.way.set_value("not_yet")
    view.next()
    view.next()
    view.next()
    rate_by_clicks(qtbot, view, communication=1, compassion=1, clarity=1, heard=1)
    view.save_rating()
    assert view.stack.currentIndex() == view.HANDOVER
    assert "next person" in view.handover_text.text()
    assert not any(q.answered() for q in view.rating.questions.values())
    assert not view.rating.save_button.isEnabled()
    assert not view.back_button.isVisible()


def test_save_waits_until_every_question_is_answered_or_skipped(qtbot, host, closing):
    view = make_view(qtbot, host, closing)
    to_rating(view)
    rate_by_clicks(qtbot, view, communication=3)
    assert not view.rating.save_button.isEnabled()
    assert "3 questions" in view.rating.status.text()
    view.save_rating()
    assert closing.state.ratings == []
    rate_by_clicks(qtbot, view, compassion=None, clarity=None, heard=None)
    view.save_rating()
    rating = closing.state.ratings[0]
    assert (rating.communication, rating.compassion, rating.clarity, rating.heard) == (
        3,
        None,
        None,
        None,
    )


def test_the_closing_pulse_may_be_left_unset(qtbot, host, closing):
    view = make_view(qtbot, host, closing)
    view.way.set_value("yes")
    view.next()
    assert "At the start you chose 6" in view.pulse_before.text()
    view.next()
    assert view.stack.currentIndex() == view.INTRO
    assert closing.state.pulse_end is None


def test_keep_names_leaves_names_in_place(qtbot, host, closing):
    view = make_view(qtbot, host, closing, keep_names=True)
    view.way.set_value("yes")
    view.next()
    view.next()
    for _ in range(3):
        view.next()  # intro / hand-over → the next person
        view.skip_person()
    view.next()
    assert view.stack.currentIndex() == view.FINISH
    with qtbot.waitSignal(view.completed):
        qtbot.mouseClick(view.complete_button, Qt.MouseButton.LeftButton)
    state = closing.state
    assert state.status == "completed"
    assert state.ratings == []
    assert not state.names_removed
    assert [p.name for p in state.participants] == [p["name"] for p in PEOPLE]


@pytest.mark.parametrize(
    ("recorded", "step"),
    [
        ({}, CloseView.WAY),
        ({"way": "yes"}, CloseView.PULSE),
        ({"way": "yes", "pulse": 3}, CloseView.INTRO),
        ({"way": "yes", "pulse": 3, "ratings": 1}, CloseView.INTRO),
        ({"way": "yes", "pulse": 3, "ratings": 3}, CloseView.FINISH),
    ],
)
def test_resuming_continues_at_the_first_step_not_recorded(qtbot, host, closing, recorded, step):
    if "way" in recorded:
        closing.act("record_way_forward", recorded["way"])
    if "pulse" in recorded:
        closing.act("record_closing_pulse", recorded["pulse"])
    for _ in range(recorded.get("ratings", 0)):
        closing.act("rate", 4, 4, 4, 4)
    view = make_view(qtbot, host, closing)
    assert view.stack.currentIndex() == step
    if "way" in recorded:
        assert view.way.value() == recorded["way"]


def test_resumed_ratings_count_those_already_given(qtbot, host, closing):
    closing.act("record_way_forward", "partly")
    closing.act("record_closing_pulse", 5)
    closing.act("rate", 3, 3, 3, 3)
    view = make_view(qtbot, host, closing)
    assert "1 of 3 people have answered" in view.progress.text()
    view.next()
    assert view.rating.person_label.text() == "Person 2 of 3"
    rate_by_clicks(qtbot, view, communication=5, compassion=5, clarity=5, heard=5)
    view.save_rating()
    view.next()
    assert view.rating.person_label.text() == "Person 3 of 3"
    assert len(closing.state.ratings) == 2


def test_back_returns_to_earlier_steps_and_a_changed_answer_is_recorded(qtbot, host, closing):
    view = make_view(qtbot, host, closing)
    view.way.set_value("yes")
    view.next()
    view.back()
    assert view.stack.currentIndex() == view.WAY
    view.way.set_value("partly")
    view.next()
    assert closing.state.way_forward == "partly"
    kinds = [e.kind for e in closing.session.events]
    assert kinds.count("way_forward") == 2


def test_every_control_has_an_accessible_name(qtbot, host, closing):
    view = make_view(qtbot, host, closing)
    buttons = view.findChildren(QAbstractButton)
    assert buttons
    assert all(b.accessibleName() for b in buttons)


def test_completion_waits_until_names_are_removed(qtbot, controller, monkeypatch):
    from rethink_desktop.ui.closing import CloseView
    from tests.ui.conftest import start_live

    start_live(controller, 3)
    controller.act("end")
    view = CloseView(controller)
    qtbot.addWidget(view)
    view.load()
    monkeypatch.setattr(controller, "remove_names", lambda: False)
    fired = []
    view.completed.connect(lambda: fired.append(True))
    view.complete()
    assert controller.state.status == "completed"
    assert not view.done
    assert fired == []
    monkeypatch.undo()
    view.complete()  # pressing Complete again finishes the job
    assert view.done
    assert fired == [True]
    assert all(p.name is None for p in controller.state.participants)


@pytest.mark.parametrize("demo", [False, True])
def test_the_demo_is_marked_on_the_close_and_a_real_session_is_not(qtbot, host, store, clock,
                                                                    deck, demo):  # fmt: skip
    ctl = SessionController(store, clock, deck, demo=demo)
    start_live(ctl, 3)
    assert ctl.act("end")
    view = make_view(qtbot, host, ctl)
    assert view.demo_marker.isVisibleTo(view) is demo
    assert "DEMO" in view.demo_marker.text()
    ctl.close_session()
    view.deleteLater()
    ctl.deleteLater()


def past_the_pulse(qtbot, host, controller, clock, present, leaving, way="yes") -> CloseView:
    """The close of a meeting that ``leaving`` left early: its way forward recorded and the
    closing pulse step passed, left unset."""
    start_live(controller, participants=PEOPLE, present=present)
    clock.advance(600)
    for pid in leaving:
        assert controller.act("leave", pid)
    clock.advance(6600)
    assert controller.act("end")
    view = make_view(qtbot, host, controller)
    controller.act("record_way_forward", way)
    view.load()
    view.next()  # the closing pulse, left unset
    return view


def test_only_those_still_in_the_room_are_asked_to_rate(qtbot, host, controller, clock):
    """Someone who left early has gone: the close asks the others, and counts them."""
    view = past_the_pulse(qtbot, host, controller, clock, ["a", "b", "c"], ["b"])
    assert view.total == 2
    assert view.progress.text() == "2 people in the room at the close. No answers yet."
    view.next()
    assert view.rating.person_label.text() == "Person 1 of 2"
    view.skip_person()
    view.next()
    assert view.rating.person_label.text() == "Person 2 of 2"
    view.skip_person()
    view.next()
    assert view.stack.currentIndex() == view.FINISH
    assert "Ratings: 0 of 2 people answered" in view.summary.text()


def test_one_left_in_the_room_is_counted_as_one_person(qtbot, host, controller, clock):
    view = past_the_pulse(qtbot, host, controller, clock, ["a", "b", "c"], ["b", "c"])
    assert view.progress.text() == "1 person in the room at the close. No answers yet."
    view.next()
    assert view.rating.person_label.text() == "Person 1 of 1"
    rate_by_clicks(qtbot, view, communication=4, compassion=None, clarity=None, heard=None)
    view.save_rating()
    view.next()
    assert view.stack.currentIndex() == view.FINISH
    assert "Ratings: 1 of 1 person answered" in view.summary.text()
    view.back()
    assert view.progress.text() == "The one person in the room has answered."


def test_with_everyone_gone_before_the_close_there_is_no_one_to_hand_the_laptop_to(
    qtbot, host, controller, clock
):
    # After the closing pulse, straight to Complete.
    view = past_the_pulse(qtbot, host, controller, clock, ["a", "b"], ["a", "b"], "not_yet")
    assert view.total == 0
    assert view.stack.currentIndex() == view.FINISH
    assert "Ratings: no one was in the room at the close to answer" in view.summary.text()
    assert "0 of 0" not in view.summary.text()
    view.back()
    assert view.stack.currentIndex() == view.PULSE


def test_skip_with_answers_on_the_screen_asks_first_and_no_keeps_them(qtbot, host, closing):
    # Tab from an unfinished form reaches Skip; Enter there must not throw the answers away.
    view = make_view(qtbot, host, closing)
    asked = []
    view.confirm = lambda title, text: asked.append(text) or False
    view.way.set_value("partly")
    view.next()
    view.next()
    view.next()  # person 1's form
    rate_by_clicks(qtbot, view, communication=2, compassion=3, clarity=4)
    view.skip_person()  # as Tab, Enter on Skip would
    assert asked
    assert view.stack.currentIndex() == view.RATING
    assert view.rating.values()["compassion"] == 3  # still there
    view.confirm = lambda title, text: True
    view.skip_person()
    assert view.stack.currentIndex() == view.HANDOVER
    assert closing.state.ratings == []
    asked.clear()
    view.next()  # person 2: nothing answered, so Skip asks nothing
    view.skip_person()
    assert not asked
    assert view.stack.currentIndex() == view.HANDOVER


def test_a_digit_chooses_that_score_and_tab_goes_on_to_the_next_question(qtbot, host, closing):
    """People holding the laptop try the number keys: 4 chooses 4."""
    view = make_view(qtbot, host, closing)
    to_rating(view)
    form = view.rating
    form.questions["communication"].focus_first()
    for digit, key in (
        (Qt.Key.Key_4, "communication"),
        (Qt.Key.Key_2, "compassion"),
        (Qt.Key.Key_5, "clarity"),
        (Qt.Key.Key_3, "heard"),
    ):
        assert form.questions[key].isAncestorOf(QApplication.focusWidget())
        press(qtbot, digit)
        press(qtbot, Qt.Key.Key_Tab)
    assert form.values() == {"communication": 4, "compassion": 2, "clarity": 5, "heard": 3}
    assert QApplication.focusWidget() is form.save_button


def test_the_next_person_tabs_onto_no_trace_of_the_last_ones_answers(qtbot, host, closing):
    """The answers were cleared, but Tab still entered each question at the last person's
    score: focused, read out by a screen reader, one Space from being chosen again."""
    view = make_view(qtbot, host, closing)
    to_rating(view)
    form = view.rating
    form.questions["communication"].focus_first()
    for digit in (Qt.Key.Key_4, Qt.Key.Key_5, Qt.Key.Key_3, Qt.Key.Key_2):
        press(qtbot, digit)
        press(qtbot, Qt.Key.Key_Tab)
    assert form.values() == {"communication": 4, "compassion": 5, "clarity": 3, "heard": 2}
    form.save_button.click()
    view.next()  # handed over to the next person
    assert form.values() == dict.fromkeys(form.questions)
    landed = []
    for _ in form.questions:
        landed.append(QApplication.focusWidget().accessibleName())
        press(qtbot, Qt.Key.Key_Tab)
    assert landed == [f"{text}: 1, not at all" for _, text in QUESTIONS]


def test_at_150_percent_type_the_close_fits_a_laptop_screen_and_scrolls(qtbot, host, closing):
    """The steps scroll: the ratings at 150 % type made the window taller than a 768-pixel
    screen, so its foot was off the screen."""
    with larger_text(1.5):
        host.resize(1300, 560)
        view = make_view(qtbot, host, closing)
        to_rating(view)
        assert view.minimumSizeHint().height() < 560  # room for menus and a title bar
        qtbot.waitUntil(lambda: view.scroll.verticalScrollBar().maximum() > 0)
        assert view.scroll.verticalScrollBar().value() == 0
        rate_by_clicks(qtbot, view, communication=4, compassion=4, clarity=5, heard=5)
        # Skip and Save are under the scrolling steps, always in sight: at the foot of the
        # scroll they were cut in half at 150 % on a small laptop.
        footer = view.rating.footer
        assert not view.scroll.widget().isAncestorOf(footer)
        for button in (view.rating.skip_button, view.rating.save_button):
            assert view.rect().contains(button.mapTo(view, button.rect().bottomRight()))
        view.rating.questions["heard"].buttons[4].setFocus()
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # on to the buttons below
        assert QApplication.focusWidget() is view.rating.save_button  # Save, never Skip
        # The scrolling area is no Tab stop of its own (an empty ring on the rating screen).
        reached = tab_walk(qtbot, view, view.rating.questions["communication"].buttons[0], 30)
        assert view.scroll not in reached
        # The next step opens at its top, not at the depth the last one was scrolled to.
        view.scroll.verticalScrollBar().setValue(view.scroll.verticalScrollBar().maximum())
        view.save_rating()
        assert view.stack.currentIndex() != view.RATING
        assert view.scroll.verticalScrollBar().value() == 0


def test_a_short_step_does_not_scroll_because_a_long_one_would(qtbot, host, closing):
    """The steps shared the tallest one's height (the ratings), so at larger type even the
    first step, one question, had a scrollbar."""
    with larger_text(1.5):
        host.resize(1300, 560)
        view = make_view(qtbot, host, closing)
        assert view.stack.currentIndex() == view.WAY
        qtbot.wait(10)
        assert view.scroll.verticalScrollBar().maximum() == 0
        to_rating(view)
        qtbot.waitUntil(lambda: view.scroll.verticalScrollBar().maximum() > 0)  # this one does


def test_enter_before_every_question_is_answered_goes_to_the_first_one_left(qtbot, host, closing):
    """Enter did nothing there, without a word (the way-forward step says what is missing)."""
    view = make_view(qtbot, host, closing)
    to_rating(view)
    rate_by_clicks(qtbot, view, communication=4, clarity=None, heard=5)  # compassion left
    view.rating.save_button.setFocus()  # on a disabled button Enter is the step's own
    view.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    compassion = view.rating.questions["compassion"]
    assert compassion.isAncestorOf(QApplication.focusWidget())
    assert view.stack.currentIndex() == view.RATING
    assert view.rating.status.text() == "1 question still to answer or skip."
    press(qtbot, Qt.Key.Key_3)  # typed where the keys now are
    press(qtbot, Qt.Key.Key_Return)
    assert view.stack.currentIndex() == view.HANDOVER
    assert closing.state.ratings[-1].compassion == 3


def test_the_two_kinds_of_skip_are_told_apart(qtbot, host, closing):
    """Each question's "Skip this question" sat above a footer button called plain "Skip"
    that throws away the whole person's answers."""
    view = make_view(qtbot, host, closing)
    to_rating(view)
    question_skips = {c.skip_button.text() for c in view.rating.questions.values()}
    assert question_skips == {"Skip this question"}
    assert view.rating.skip_button.text() == "Skip me"
    assert view.rating.skip_button.accessibleName().startswith("Skip me: record nothing for me")
