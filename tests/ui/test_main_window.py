"""The whole facilitator's flow through the main window, screen by screen."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from rethink_desktop.ui.keymap import LIVE_KEYS
from rethink_desktop.ui.main_window import ROOM_DISPLAY_KEY
from rethink_desktop.ui.theme import THEMES, apply_theme
from tests.helpers import people
from tests.ui.conftest import finished_with_names, larger_text, names_on_disk, start_live


@contextmanager
def on_a_small_laptop(make_window) -> Iterator:
    """A main window made in 150 % type, 1024 × 600, shown (the type set before it is made,
    as a user's system font is)."""
    with larger_text(1.5):
        window = make_window()
        window.resize(1024, 600)
        window.show()
        yield window


def test_starts_on_home(window):
    assert window.stack.currentWidget() is window.home


def prepared_data() -> dict:
    return dict(
        kind="thematic",
        reference="T-2026-4",
        participants=people(3),
        phases=[{"name": "Only", "minutes": 120, "turn_seconds": 120, "opening_card": None}],
    )


@pytest.mark.parametrize("demo", [False, True])
def test_the_window_title_names_the_app_once_and_marks_the_demo(make_window, demo):
    title = make_window(demo=demo).windowTitle()
    # Qt adds the app's name to a title that does not end with it.
    assert title == ("DEMO (fictional) — " if demo else "") + "Re-Think Desktop"


# Each screen's class, by the module the window imports it from.
SCREENS = {
    "rethink_desktop.ui.main_window": "HomeView",
    "rethink_desktop.ui.prepare": "PrepareView",
    "rethink_desktop.ui.checkin": "CheckInView",
    "rethink_desktop.ui.live": "LiveView",
    "rethink_desktop.ui.closing": "CloseView",
    "rethink_desktop.ui.history": "HistoryView",
    "rethink_desktop.ui.detail": "SessionDetailView",
    "rethink_desktop.ui.dashboard": "DashboardView",
    "rethink_desktop.ui.home": "SessionTable",
}


def test_screens_and_home_tables_are_made_in_place(make_window, monkeypatch):
    """A styled widget moved to a new parent is styled again, its whole tree: Home and its
    tables were styled three times over (~30 ms of every start). So each screen is made in
    the stack, and each of Home's tables in its panel: the parent it is made with is the one
    it keeps."""
    made: list[tuple[QWidget, QWidget | None]] = []
    for module_name, name in SCREENS.items():
        module = importlib.import_module(module_name)
        cls = getattr(module, name)

        def init(self, *args, _cls=cls, **kwargs):
            _cls.__init__(self, *args, **kwargs)
            made.append((self, self.parentWidget()))

        monkeypatch.setattr(module, name, type(name, (cls,), {"__init__": init}))
    window = make_window()
    screens = [window.prepare, window.check_in, window.live, window.close_view]
    screens += [window.records.history, window.records.detail, window.records.dashboard]
    assert len(made) == len(screens) + 3  # and Home with its two tables
    assert [type(w).__name__ for w, parent in made if w.parentWidget() is not parent] == []
    assert all(parent is window.stack for w, parent in made if w in [window.home, *screens])


def test_full_flow_new_prepare_check_in_live_close_home(qtbot, window, controller):
    window.new_session()
    assert window.stack.currentWidget() is window.prepare
    # fill the form through its public seam and save
    prep = window.prepare
    data = dict(
        kind="thematic",
        reference="T-2026-4",
        participants=people(3),
        phases=[{"name": "Only", "minutes": 120, "turn_seconds": 120, "opening_card": None}],
    )
    assert controller.act("prepare", **data)
    prep.load()
    with qtbot.waitSignal(prep.check_in_requested):
        assert prep.save_and_check_in()
    assert window.stack.currentWidget() is window.check_in
    assert window.notice_text() == ""  # "Saved." was Prepare's, not carried onto check-in
    window.check_in.load()
    assert window.check_in.start_session()
    assert controller.state.status == "running"
    assert window.stack.currentWidget() is window.live
    qtbot.keyClick(window.live, Qt.Key.Key_Space)
    assert controller.state.current_speaker is not None
    window.end_session()
    assert controller.state.status == "closing"
    assert window.stack.currentWidget() is window.close_view
    controller.act("record_way_forward", "yes")
    controller.act("complete")
    window.close_view.load()
    window.close_view.home_requested.emit()
    assert window.stack.currentWidget() is window.home


def test_a_notice_stays_with_its_screen_and_goes_when_the_facilitator_moves_on(
    qtbot, window, controller
):
    start_live(controller, 3)
    window.show_for_state()
    controller.act("end")
    window.show_for_state()
    controller.act("record_way_forward", "partly")
    controller.act("complete")
    window.close_view.load()
    window.close_view.completed.emit()
    assert window.status.text() == "Session completed and saved."
    qtbot.wait(10)  # the facilitator reads it, then goes home
    window.close_view.home_requested.emit()
    assert window.stack.currentWidget() is window.home
    assert window.status.text() == ""


def test_the_live_screen_says_things_on_one_line_and_a_saved_action_clears_it(
    qtbot, window, controller
):
    start_live(controller, 3)
    window.show_for_state()
    window.records.show_history()  # refused during the meeting, with the reason
    window.live.pick_seat(7)  # refused: no one sits there
    assert window.live.notice.text() == "No one sits in seat 7."
    assert window.status.text() == ""  # not a second, different message at the foot
    qtbot.keyClick(window.live, Qt.Key.Key_Space)  # saved: the refusal is old news
    assert window.notice_text() == ""
    qtbot.keyClick(window.live, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.live.notice.text().startswith("Undone")
    assert window.status.text() == ""


def test_enter_on_a_focused_button_presses_it_as_space_does(qtbot, window, controller):
    window.show()
    window.activateWindow()
    window.home.new_button.setFocus()
    qtbot.keyClick(window.home.new_button, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.prepare
    back = window.prepare.back  # a screen shown later gets the same
    back.setFocus()
    qtbot.keyClick(back, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert window.stack.currentWidget() is window.home
    window.close()


def test_a_focused_accent_button_shows_its_focus(qtbot):
    """The ring around a focused button filled with the accent colour is not that colour."""
    from PySide6.QtWidgets import QApplication, QPushButton

    apply_theme(QApplication.instance(), "light")
    button = QPushButton("New session")
    button.setProperty("primary", True)
    qtbot.addWidget(button)
    button.resize(200, 40)
    button.show()
    qtbot.waitExposed(button)
    resting = button.grab().toImage()
    button.setFocus()
    button.activateWindow()
    qtbot.waitUntil(button.hasFocus)
    focused = button.grab().toImage()
    edge = focused.pixelColor(100, 1).name()  # the middle of the top border
    assert edge != resting.pixelColor(100, 1).name()
    assert edge == THEMES["light"].text.lower()
    button.close()


def _ink_from_left(image, fill: str) -> int:
    """How many pixels, from the left edge along the middle row, differ from ``fill``."""
    y = image.height() // 2
    width = 0
    while width < image.width() and image.pixelColor(width, y).name() != fill:
        width += 1
    return width


def _edge_before_and_after_focus(qtbot, widget, theme) -> tuple[int, int]:
    """``widget``'s left edge in pixels (:func:`_ink_from_left`), shown, then focused."""
    qtbot.addWidget(widget)
    widget.resize(220, 40)
    widget.show()
    qtbot.waitExposed(widget)
    resting = _ink_from_left(widget.grab().toImage(), theme.surface.lower())
    widget.setFocus()
    widget.activateWindow()
    qtbot.waitUntil(widget.hasFocus)
    focused = _ink_from_left(widget.grab().toImage(), theme.surface.lower())
    widget.close()
    return resting, focused


@pytest.mark.parametrize("name", sorted(THEMES))
def test_focus_thickens_the_ring_in_every_theme_not_only_recolours_it(qtbot, name):
    """High contrast drew every box with a 2 px black edge and the focused one with a 2 px
    blue edge: the only sign of focus was a colour. Focus now doubles the edge's width."""
    from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

    app = QApplication.instance()
    theme = THEMES[name]
    try:
        apply_theme(app, name)
        for widget in (QPushButton("Start"), QLineEdit("DEMO-001")):
            resting, focused = _edge_before_and_after_focus(qtbot, widget, theme)
            assert resting >= 1, type(widget).__name__
            assert focused >= 2 * resting, (type(widget).__name__, resting, focused)
    finally:
        apply_theme(app, "light")


@pytest.mark.parametrize("name", sorted(THEMES))
def test_a_destructive_button_and_a_field_with_a_problem_show_their_focus(qtbot, name):
    """Their own edges (Remove N sessions; a reference marked wrong) came after the focus
    rule in the sheet and hid it: Tab onto the one irreversible button showed nothing."""
    from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

    app = QApplication.instance()
    theme = THEMES[name]
    try:
        apply_theme(app, name)
        remove = QPushButton("Remove 3 sessions")
        remove.setProperty("destructive", True)
        wrong = QLineEdit("FN")
        wrong.setProperty("problem", True)
        for widget in (remove, wrong):
            resting, focused = _edge_before_and_after_focus(qtbot, widget, theme)
            assert focused > resting, (type(widget).__name__, resting, focused)
    finally:
        apply_theme(app, "light")


def test_a_new_session_left_before_it_was_saved_leaves_nothing_behind(window, controller):
    store = controller.store
    window.new_session()
    assert window.stack.currentWidget() is window.prepare
    window.show_home(ask=False)  # Back, nothing typed
    window.new_session()
    window.new_session()  # New session again from Prepare
    window.records.show_history()  # off to the records
    assert store.session_ids() == []  # no "(no reference yet)" drafts under Prepared
    window.show_home()
    window.new_session()
    assert controller.act("prepare", **prepared_data())  # saved: it stays
    window.show_home()
    assert store.session_ids("draft") == [controller.store.session_ids()[0]]
    assert len(store.session_ids()) == 1


def test_home_is_refused_while_a_session_runs(window, controller):
    start_live(controller, 3)
    window.show_for_state()
    window.show_home()
    assert window.stack.currentWidget() is window.live
    assert "End it" in window.notice_text()


def test_closing_during_a_live_session_asks_first(qtbot, window, controller):
    start_live(controller, 3)
    window.show_for_state()
    asked = []
    window.confirm = lambda title, text: asked.append(text) or False
    window.close()
    assert asked
    assert "Everything so far is saved" in asked[0]
    assert window.isVisible()
    window.confirm = lambda title, text: True
    window.close()
    assert not window.isVisible()
    assert controller.state.status == "running"  # closing the window loses nothing


def test_geometry_and_theme_are_remembered(qtbot, window, tmp_path):
    window.set_theme("dark")
    window.close()
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    assert settings.value("view/theme") == "dark"
    assert not settings.value("window/geometry").isEmpty()
    window.set_theme("light")


def test_room_display_opens_and_closes(qtbot, window, controller):
    start_live(controller, 3)
    window.show_for_state()
    window.toggle_room_display()
    assert window.room_display is not None
    assert window.room_display.isVisible()
    window.toggle_room_display()
    assert not window.room_display.isVisible()


def test_changing_the_theme_in_a_meeting_keeps_the_wall_screen_legible(qtbot, window, controller):
    """On a real desktop, View → Theme during a meeting left the wall screen's card, clock
    and speaker in the body size (about 13 px on a 1080-line wall): the new style sheet
    took back the sizes the room display gives its text from its height."""
    from PySide6.QtWidgets import QApplication

    apply_theme(QApplication.instance(), "light")  # as the app starts: a style sheet
    start_live(controller, 3)
    window.show_for_state()
    window.toggle_room_display()
    display = window.room_display
    display.resize(1920, 1080)
    sizes = {
        label: label.font().pixelSize()
        for label in (display.phase, display.prompt, display.speaker, display.time_left)
    }
    assert display.prompt.font().pixelSize() == int(1080 * 0.06)
    for name in ("high_contrast", "dark", "light"):
        window.set_theme(name)
        assert {label: label.font().pixelSize() for label in sizes} == sizes, name
        assert display.time_left.font().bold()


def test_on_one_screen_the_room_display_says_where_it_is_and_goes_with_the_meeting(
    qtbot, window, controller
):
    start_live(controller, 3)
    window.show_for_state()
    window.toggle_room_display()  # the offscreen platform has one screen
    assert not window.room_display.isFullScreen()
    assert "open in its own window: no second screen was found" in window.notice_text()
    assert window.notice_text().endswith("D closes it.")  # the live screen's key
    window.toggle_room_display()
    assert window.notice_text() == ""  # closed: no longer true
    window.toggle_room_display()
    controller.act("end")
    controller.act("complete")
    window.show_home()
    assert window.stack.currentWidget() is window.home
    assert not window.room_display.isVisible()  # it stayed open, showing "Re-Think"


def test_on_a_small_screen_the_room_display_opens_inside_it(qtbot, window, controller, monkeypatch):
    """150 % display scaling makes a 1366 × 768 laptop 910 × 512 to Qt: the room display's
    960 × 540 ran off it and cut the card."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QScreen

    monkeypatch.setattr(QScreen, "availableGeometry", lambda screen: QRect(0, 0, 910, 512))
    start_live(controller, 3)
    window.show_for_state()
    window.toggle_room_display()
    display = window.room_display
    assert display.isVisible()
    assert display.width() <= 728
    assert display.height() <= 410


def test_on_one_screen_the_room_display_leaves_the_clock_in_sight(
    qtbot, window, controller, monkeypatch
):
    """With no second screen it opens as a window, raised over the laptop's: at 80 % of the
    screen it hid the facilitator's clock. It is a 16:9 window over the lower right now, a
    little over half the screen wide, and where the facilitator moves it, it stays."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QScreen

    monkeypatch.setattr(QScreen, "availableGeometry", lambda screen: QRect(0, 0, 1366, 740))
    start_live(controller, 3)
    window.resize(1366, 740)
    window.show_for_state()
    window.toggle_room_display()
    display = window.room_display
    assert display.width() == round(1366 * 0.55)
    assert abs(display.width() / display.height() - 16 / 9) < 0.02
    placed = display.geometry()
    assert placed.right() <= 1366
    assert placed.bottom() <= 740
    assert placed.left() > 1366 * 0.4
    assert placed.top() > 740 * 0.3
    clock = window.live.clock
    at = QRect(clock.mapTo(window, QPoint(0, 0)) + window.geometry().topLeft(), clock.size())
    assert not placed.intersects(at)  # the facilitator's clock stays in sight
    # Moved by the facilitator, closed with D and opened again: where they put it.
    display.move(100, 50)
    window.toggle_room_display()
    window.toggle_room_display()
    assert display.pos() == QPoint(100, 50)


def test_back_on_one_screen_the_room_display_is_a_window_not_full_screen(qtbot, window, controller):
    """Full screen on a second monitor, then that monitor unplugged: D opened it full screen
    on the laptop's own screen (the state was kept), over the facilitator's clock and circle;
    and unplugged while it was open, Qt moved it, full screen, onto the laptop's."""
    from PySide6.QtGui import QGuiApplication

    start_live(controller, 3)
    window.show_for_state()
    window.toggle_room_display()
    display = window.room_display
    window.toggle_room_display()
    full = Qt.WindowState.WindowFullScreen
    display.setWindowState(full)  # as present() leaves it on a second monitor
    display.show()
    display.close()  # D, then the monitor unplugged
    window.toggle_room_display()  # the offscreen platform has one screen
    assert display.isVisible()
    assert not display.isFullScreen()
    assert "no second screen was found" in window.notice_text()
    own = QGuiApplication.primaryScreen().availableGeometry()
    assert own.contains(display.geometry())
    # Unplugged while open and full screen: a window on the laptop's screen again.
    display.setWindowState(full)
    display._screen_removed(None)
    qtbot.waitUntil(lambda: not display.isFullScreen())
    assert display.isVisible()
    assert own.contains(display.geometry())


def test_the_demo_window_keeps_its_wall_screen_memory_apart(qtbot, make_window, controller):
    """The demo and the real app share ui.ini: a demo's wall screen opened and closed
    wiped the note that a real meeting's was open, for its resume after a crash (B and H's
    notes go by the same keys)."""
    start_live(controller, 3)
    real = make_window()
    real.show_for_state()
    real.toggle_room_display()
    demo = make_window(demo=True)  # (on the same controller: only the notes are looked at)
    demo.show_for_state()
    demo.toggle_room_display()
    assert real.settings.value("demo_" + ROOM_DISPLAY_KEY) == controller.state.id
    demo.toggle_room_display()
    assert real.settings.value(ROOM_DISPLAY_KEY) == controller.state.id
    assert real.settings.value("demo_" + ROOM_DISPLAY_KEY) == ""


@pytest.mark.parametrize("left_open", [True, False])
def test_resuming_opens_the_room_display_again_if_it_was_open(
    qtbot, make_window, controller, left_open
):
    """After a crash the wall screen comes back with the meeting, as it was."""
    start_live(controller, 3)
    first = make_window()
    first.show_for_state()
    first.toggle_room_display()
    if not left_open:
        first.toggle_room_display()  # D again: closed before the crash
    # A crash: nothing closes; a new window on the same settings resumes.
    first.room_display.blockSignals(True)
    first.room_display.hide()
    after = make_window()
    after.show_for_state()
    after.reopen_room_display()
    assert (after.room_display is not None and after.room_display.isVisible()) is left_open


def test_a_blanked_wall_screen_is_blank_again_after_a_crash(qtbot, make_window, controller):
    """B, then a crash: resumed, the wall screen came back showing the card and the
    speaker. It comes back as it was (and H's hidden card stays hidden)."""
    start_live(controller, 3)
    controller.show_card_id("clarity-1")  # a card for the room, not a facilitator's guide
    first = make_window()
    first.show_for_state()
    first.toggle_room_display()
    controller.toggle_blank()
    controller.toggle_card_on_display()
    qtbot.wait(10)  # the event loop writes the settings (never inside the key press)
    first.room_display.blockSignals(True)
    first.room_display.hide()  # a crash: nothing closes
    controller.display_blanked, controller.card_on_display = False, True  # a new process
    after = make_window()
    after.show_for_state()
    after.reopen_room_display()
    assert controller.display_blanked
    assert not controller.card_on_display
    assert after.room_display.visible_text() == ""
    assert after.live.card_display.text() == "B: room display is blank"  # the laptop says so
    controller.toggle_blank()  # B again: not blank at the next resume
    qtbot.wait(10)
    controller.display_blanked = True
    after.reopen_room_display()
    assert not controller.display_blanked
    assert after.live.card_display.text() == "H: hidden from the room display"


def test_with_no_room_display_open_the_card_line_says_what_d_will_open(qtbot, window, controller):
    """It said "B: room display is blank" with no wall screen open at all."""
    start_live(controller, 3)
    window.show_for_state()
    controller.show_card_id("clarity-1")
    line = window.live.card_display
    assert line.text() == "H: on the room display once D opens it"
    qtbot.keyClick(window.live, Qt.Key.Key_B)
    assert line.text() == "B: blank when D opens the room display"
    qtbot.keyClick(window.live, Qt.Key.Key_D)
    assert window.room_display.isVisible()
    assert line.text() == "B: room display is blank"
    qtbot.keyClick(window.live, Qt.Key.Key_B)
    assert line.text() == "H: on the room display"
    qtbot.keyClick(window.live, Qt.Key.Key_R)  # a space, on the wall
    assert line.text() == "Room display: the space (R ends it)"
    qtbot.keyClick(window.live, Qt.Key.Key_D)  # closed again
    assert line.text() == "The space, when D opens the room display"
    qtbot.keyClick(window.live, Qt.Key.Key_H)  # hidden is hidden, open or not
    qtbot.keyClick(window.live, Qt.Key.Key_R)
    assert line.text() == "H: hidden from the room display"


def test_alt_pressed_alone_leaves_space_to_the_live_screen(qtbot, window, controller):
    """A lone Alt (a slip, or half an Alt+Tab) put the menu bar in charge of the keys: Space
    then opened the File menu instead of moving the turn on, and Left and Right walked the
    menu titles. On the live screen it does nothing; Alt+S still opens the Session menu.
    Elsewhere Alt alone still goes to the menu bar, as on any Windows desktop."""
    from PySide6.QtWidgets import QApplication

    start_live(controller, 3)
    window.show_for_state()
    window.activateWindow()
    window.live.setFocus()
    qtbot.keyClick(window.live, Qt.Key.Key_Space)
    assert controller.state.current_speaker.id == "p1"

    def lone_alt() -> None:
        target = QApplication.focusWidget() or window
        qtbot.keyPress(target, Qt.Key.Key_Alt)
        qtbot.keyRelease(target, Qt.Key.Key_Alt)

    lone_alt()
    assert not window.menuBar().hasFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert QApplication.activePopupWidget() is None
    assert controller.state.current_speaker.id == "p2"
    qtbot.keyClick(window.live, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert window.session_menu.isVisible()  # Alt+S as ever
    qtbot.keyClick(window.session_menu, Qt.Key.Key_Escape)  # one Esc gives the keys back
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert controller.state.current_speaker.id == "p3"
    controller.act("end")
    window.show_for_state()  # the close: Alt alone goes to the menu bar again
    lone_alt()
    assert window.menuBar().hasFocus()
    qtbot.keyClick(window.menuBar(), Qt.Key.Key_Escape)


def test_a_letter_typed_into_an_open_menu_does_not_act_on_the_meeting(qtbot, window, controller):
    """On a real desktop, with the File menu open over the live screen, P recorded a pass
    for the speaker behind it and D closed the wall screen (Card deck's own letter): the
    live keys still had the keyboard, as the live screen kept it under the menu. A letter
    in an open menu is the menu's: its item, or nothing."""
    from PySide6.QtWidgets import QApplication

    start_live(controller, 3)
    window.show_for_state()
    window.activateWindow()
    window.live.setFocus()
    qtbot.keyClick(window.live, Qt.Key.Key_Space)
    qtbot.keyClick(window.live, Qt.Key.Key_D)
    assert window.room_display.isVisible()
    events = len(controller.store.events(controller.state.id))
    # Letters that are no item's in that menu (an item's own letter chooses it).
    for menu_key, keys in (
        (Qt.Key.Key_F, (Qt.Key.Key_P, Qt.Key.Key_1)),
        (Qt.Key.Key_V, (Qt.Key.Key_P, Qt.Key.Key_N, Qt.Key.Key_2)),
        (Qt.Key.Key_H, (Qt.Key.Key_P, Qt.Key.Key_B, Qt.Key.Key_R)),
    ):
        qtbot.keyClick(window.live, menu_key, Qt.KeyboardModifier.AltModifier)
        menu = QApplication.activePopupWidget()
        assert menu is not None
        for key in keys:
            qtbot.keyClick(menu, key)
        qtbot.keyClick(menu, Qt.Key.Key_Escape)
        assert QApplication.activePopupWidget() is None
    assert len(controller.store.events(controller.state.id)) == events
    assert controller.state.current_speaker.id == "p1"
    assert not controller.display_blanked
    assert window.room_display.isVisible()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)  # the keys are back
    assert controller.state.current_speaker.id == "p2"


def test_a_minimised_room_display_is_not_on_the_wall_and_d_brings_it_back(
    qtbot, window, controller
):
    """Minimised, the wall showed nothing but the line said it did; D then closed it (a
    second D to see it again), and a crash forgot that it had been open."""
    start_live(controller, 3)
    window.show_for_state()
    controller.show_card_id("clarity-1")
    qtbot.keyClick(window.live, Qt.Key.Key_D)
    display, line = window.room_display, window.live.card_display
    assert line.text() == "H: on the room display"
    display.showMinimized()
    assert line.text() == "H: on the room display once D opens it"
    assert window.settings.value(ROOM_DISPLAY_KEY) == controller.state.id  # still open
    qtbot.keyClick(window.live, Qt.Key.Key_D)
    assert display.isVisible()
    assert not display.isMinimized()
    assert line.text() == "H: on the room display"
    qtbot.keyClick(window.live, Qt.Key.Key_D)  # an open one closes, as before
    assert not display.isVisible()
    assert window.settings.value(ROOM_DISPLAY_KEY) == ""


def test_the_room_display_is_reopened_only_for_the_session_it_was_open_for(
    qtbot, make_window, controller
):
    first_session = start_live(controller, 3)
    first = make_window()
    first.show_for_state()
    first.toggle_room_display()
    first.close()  # quitting keeps "it was open" for that meeting
    controller.act("end")
    controller.close_session()
    start_live(controller, 3)  # a later meeting, which never used the wall screen
    assert controller.state.id != first_session.id
    after = make_window()
    after.show_for_state()
    after.reopen_room_display()
    assert after.room_display is None


def test_storage_failure_is_shown_in_plain_words(qtbot, window, controller, monkeypatch):
    shown = []
    monkeypatch.setattr(
        "PySide6.QtWidgets.QMessageBox.warning",
        lambda parent, title, text: shown.append(text),
    )
    controller.storage_failed.emit("The disk is full, so the last action could not be saved.")
    assert shown == ["The disk is full, so the last action could not be saved."]
    assert "disk is full" in window.status.text()
    # Every key press of a meeting on a full disk fails alike: one dialog, not one a press.
    controller.storage_failed.emit("The disk is full, so the last action could not be saved.")
    assert len(shown) == 1
    controller.changed.emit()  # an action saved again: the next failure is said again
    controller.storage_failed.emit("The disk is full, so the last action could not be saved.")
    assert len(shown) == 2


def test_a_record_that_cannot_be_read_is_not_called_unsaved(qtbot, window, controller):
    shown = []
    window.alert = lambda title, text: shown.append((title, text))
    controller.read_failed.emit("This session's record could not be read.")
    controller.storage_failed.emit("The disk is full.")
    assert shown == [
        ("Could not read a session", "This session's record could not be read."),
        ("Not saved", "The disk is full."),
    ]


def test_abandon_records_the_chosen_reason(qtbot, window, controller, monkeypatch):
    start_live(controller, 3)
    window.show_for_state()
    monkeypatch.setattr(
        "PySide6.QtWidgets.QInputDialog.getItem",
        lambda *args, **kw: ("Meeting could not go on", True),
    )
    window.abandon_session()
    assert controller.session is None
    events = window.controller.store.db.execute(
        "SELECT status, abandoned_reason FROM sessions"
    ).fetchall()
    assert events == [("abandoned", "interrupted")]


def test_the_session_menu_offers_only_what_the_session_can_do_now(qtbot, window, controller):
    """On Home (no session) nothing; a draft can be abandoned; a running meeting all six;
    a paused one all but giving the floor (those items did nothing when chosen)."""

    def enabled():
        window.session_menu.aboutToShow.emit()  # as the menu does when it opens
        return [
            a.text().replace("&", "").split("\t")[0]
            for a in window.session_actions
            if a.isEnabled()
        ]

    window.show_home(ask=False)
    assert enabled() == []
    window.new_session()
    assert enabled() == []  # nothing saved yet: nothing to abandon
    window.show_home(ask=False)
    from tests.ui.conftest import prepare_draft

    prepare_draft(controller, 3)
    assert enabled() == ["Abandon session…"]
    controller.close_session()
    start_live(controller, 3, present=["p1", "p2"])  # p3 absent: one to arrive
    assert enabled() == [
        "Record a late arrival or a return…",
        "Record someone leaving…",
        "Give the floor to…",
        "End session…",
        "Abandon session…",
    ]  # no late arrival to take back yet
    controller.act("arrive", "p3")
    assert "Take back a late arrival…" in enabled()
    assert "Record a late arrival or a return…" not in enabled()  # no one is away
    controller.act("toggle_pause")
    assert "Give the floor to…" not in enabled()
    assert len(enabled()) == 4
    controller.act("toggle_pause")
    controller.act("end")
    assert enabled() == ["Abandon session…"]  # the close: only abandoning it
    assert controller.finish("complete", remove_names=True)
    assert enabled() == []


def test_the_menus_teach_the_live_screen_s_keys_without_taking_them(
    window, make_window, monkeypatch
):
    """The Session items show the live screen's key for each (A, L, G, Ctrl+E) in the
    menu's shortcut column, as View shows F11; they are words after a tab, not shortcuts
    of the menu's, so the live screen keeps the keys. Not on macOS, whose native menus take
    the words after a tab as a real shortcut."""
    shown = {
        action.text().replace("&", "").split("\t")[0]: action.text().split("\t")[1]
        for menu in window.menuBar().findChildren(QMenu)
        for action in menu.actions()
        if "\t" in action.text()
    }
    assert shown == {
        "Record a late arrival or a return…": "A",
        "Record someone leaving…": "L",
        "Give the floor to…": "G",
        "End session…": "Ctrl+E",
    }
    for menu in window.menuBar().findChildren(QMenu):
        for action in menu.actions():
            if "\t" in action.text():
                assert action.shortcut().isEmpty()
    # Each is the key the keyboard map gives it.
    for name, key in (("arrival", "A"), ("departure", "L"), ("give_floor", "G"),
                      ("end_session", "Ctrl+E")):  # fmt: skip
        assert next(b for b in LIVE_KEYS if b.action == name).keys == (key,)
    monkeypatch.setattr(sys, "platform", "darwin")
    mac = make_window()
    texts = [a.text() for m in mac.menuBar().findChildren(QMenu) for a in m.actions()]
    assert "Record someone &leaving…" in texts
    assert not any("\t" in text for text in texts)


def test_late_arrival_and_leaving_through_the_menu(qtbot, window, controller, monkeypatch):
    start_live(controller, 4, present=["p1", "p2", "p3"])
    window.show_for_state()
    monkeypatch.setattr(
        "rethink_desktop.ui.widgets.choose",
        lambda parent, title, label, items, action: items[0],
    )
    window.record_arrival()
    assert controller.state.participant("p4").attendance == "late"
    window.record_departure()
    assert controller.state.participant("p1").attendance == "left_early"
    # A again: no one is absent now, so the list holds the one who left, to come back.
    offered = []
    monkeypatch.setattr(
        "rethink_desktop.ui.widgets.choose",
        lambda parent, title, label, items, action: offered.extend(items) or items[0],
    )
    window.record_arrival()
    assert offered == ["Person 1 · seat 1 · Education · left, coming back"]
    assert controller.state.participant("p1").attendance == "present"
    assert controller.session.events[-1].kind == "returned"
    # Session → Take back a late arrival: p4 has not had the floor, so it can be taken back.
    offered.clear()
    window.withdraw_arrival()
    assert offered == ["Person 4 · seat 4 · Housing"]
    assert controller.state.participant("p4").attendance == "absent"
    assert controller.session.events[-1].kind == "arrival_withdrawn"


def test_abandoning_removes_names_unless_kept(qtbot, window, controller):
    start_live(controller, 3)
    assert window.abandon("interrupted")
    assert all(p.name is None for p in controller.state.participants)


def test_f1_and_f11_work_in_the_live_view(qtbot, window, controller, monkeypatch):
    start_live(controller, 3)
    window.show_for_state()
    shown = []
    monkeypatch.setattr(window, "show_keys", lambda: shown.append("keys"))
    actions = {a.shortcut().toString(): a for a in window.findChildren(QAction)}
    assert "F1" in actions
    assert "F11" in actions
    assert not [s for s in window.live.shortcuts.values() if s.key().toString() in ("F1", "F11")]
    before = window.isFullScreen()
    actions["F11"].trigger()
    assert window.isFullScreen() != before
    actions["F11"].trigger()


def test_room_display_hands_keys_to_the_live_view(qtbot, window, controller):
    start_live(controller, 3)
    window.show_for_state()
    window.toggle_room_display()
    display = window.room_display
    assert display.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    qtbot.keyClick(display, Qt.Key.Key_B)
    assert controller.display_blanked
    qtbot.keyClick(display, Qt.Key.Key_Space)
    assert controller.state.current_speaker is not None


def test_a_held_space_on_the_room_display_moves_the_floor_once(qtbot, window, controller):
    """Handed on at every key repeat, a held Space skipped speakers (seen under X11 once the
    wall screen had the keys). The events go straight to its key handler, as when it has
    the keyboard: sent through the application, the live view's own shortcut takes them."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    start_live(controller, 4)
    window.show_for_state()
    window.toggle_room_display()
    display = window.room_display
    none = Qt.KeyboardModifier.NoModifier

    def send(key: Qt.Key, repeat: bool) -> None:
        display.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, key, none, "", repeat))

    def space(repeat: bool) -> None:
        send(Qt.Key.Key_Space, repeat)

    space(False)
    assert controller.state.current_speaker.id == "p1"
    for _ in range(5):  # the key held down: the X server repeats it
        space(True)
    assert controller.state.current_speaker.id == "p1"
    assert [e.kind for e in controller.session.events].count("next") == 1
    before = display.controller.state.turns[-1]
    scrolled = window.live.circle_scroll.verticalScrollBar().value()
    send(Qt.Key.Key_PageDown, True)  # paging may repeat, and changes no turn
    assert display.controller.state.turns[-1] == before
    assert window.live.circle_scroll.verticalScrollBar().value() >= scrolled
    space(False)  # pressed again: the next speaker
    assert controller.state.current_speaker.id == "p2"


def test_opening_a_recent_session_from_home_shows_its_record(qtbot, window, controller):
    """Enter on a finished session in Home's Recent list (or its Open button) went back to
    Home without a word."""
    from tests.ui.conftest import finished_with_names

    (done,) = finished_with_names(controller, 1)
    window.show_home(ask=False)
    window.home.refresh()
    window.home.recent_table.selectRow(0)
    window.home.open_recent_button.click()
    assert window.stack.currentWidget() is window.records.detail
    assert window.records.detail.session_id == done
    assert controller.session is None  # a record to look at, not a session to carry on


def test_the_chooser_starts_on_no_one_and_says_what_was_recorded(qtbot, window, controller):
    """L then Enter recorded the first person, often the one speaking, as leaving: the
    chooser started on them. It starts on no one now, OK waits for a choice, Enter in the
    list chooses nothing (a second L picked a name starting with L, which Enter recorded),
    the list is named by its question, and the message line says what was recorded."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QFont, QFontMetrics
    from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QPushButton

    start_live(controller, 4)
    window.show_for_state()
    seen = {}

    def answer(pick: int | None):
        def run():
            dialog = QApplication.activeModalWidget()
            assert isinstance(dialog, QDialog)
            combo = dialog.findChild(QComboBox)
            ok = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Record")
            seen.update(first=combo.currentText(), ok=ok.isEnabled(), name=combo.accessibleName())
            # Its title fits above it, as a window manager writes it: "Leavin… esktop" did not.
            bold = QFont(dialog.font())
            bold.setBold(True)
            titled = f"{dialog.windowTitle()} — {QApplication.applicationDisplayName()}"
            seen["wide"] = dialog.width() >= QFontMetrics(bold).horizontalAdvance(titled) + 100
            dialog.activateWindow()  # as a shown dialog is: the live keys are not its keys
            qtbot.waitUntil(combo.hasFocus)
            qtbot.keyClicks(combo, "P")  # a letter picks a name ("Person 1")
            seen["typed"] = combo.currentText()
            qtbot.keyClick(combo, Qt.Key.Key_Return)  # Enter in the list: nothing
            seen["still_open"] = dialog.isVisible()
            if pick is None:
                qtbot.keyClick(combo, Qt.Key.Key_Escape)
                return
            combo.setCurrentIndex(pick)
            seen["ok_after"] = ok.isEnabled()
            ok.setFocus()  # Tab to OK, then Enter
            qtbot.keyClick(ok, Qt.Key.Key_Return)

        QTimer.singleShot(0, run)

    answer(None)
    window.record_departure()
    assert seen == {"first": "Choose…", "ok": False, "name": "Who is leaving early?", "wide": True,
                    "typed": "Person 1 · seat 1 · Education", "still_open": True}  # fmt: skip
    assert all(p.attendance == "present" for p in controller.state.participants)
    answer(2)  # the second person in the list: seat 2
    window.record_departure()
    assert seen["ok_after"]
    assert controller.state.participant("p2").attendance == "left_early"
    assert window.notice_text() == (
        "Recorded: Person 2 (seat 2) left early. A mistake? A brings them back."
    )
    answer(1)
    window.record_arrival()
    assert controller.state.participant("p2").attendance != "left_early"
    assert window.notice_text() == "Recorded: Person 2 (seat 2) came back."


def test_the_speaker_leaving_is_told_the_floor_is_empty(qtbot, window, controller, monkeypatch):
    """L on the one speaking left the floor empty with only the circle to say so, and
    Ctrl+Z then gave the floor back to the one before rather than undoing the departure."""
    start_live(controller, 3)
    window.show_for_state()
    qtbot.keyClick(window.live, Qt.Key.Key_Space)
    qtbot.keyClick(window.live, Qt.Key.Key_Space)  # seat 2 speaking
    monkeypatch.setattr(window, "_choose_person", lambda *args: "p2")
    window.record_departure()
    assert controller.state.current_speaker is None
    assert window.notice_text() == (
        "Recorded: Person 2 (seat 2) left early: no one has the floor (Space: the next "
        "speaker). A mistake? A brings them back, then G gives them the floor again."
    )


def test_each_choice_of_a_person_asks_what_it_records(qtbot, window, controller, monkeypatch):
    start_live(controller, 4, present=["p1", "p2", "p3"])
    window.show_for_state()
    asked = []
    monkeypatch.setattr(
        "rethink_desktop.ui.widgets.choose",
        lambda parent, title, label, items, action: asked.append((title, label, action)) or None,
    )
    window.record_arrival()
    window.record_departure()
    window.give_floor()
    assert asked == [  # the button says what it does too (it was a plain OK)
        ("Late arrival or return", "Who has arrived late, or come back?", "Record"),
        ("Leaving early", "Who is leaving early?", "Record"),
        ("Give the floor", "Who should have the floor now?", "Give the floor"),
    ]
    assert [p.attendance for p in controller.state.participants].count("present") == 3


def test_the_chooser_stays_narrow_with_the_longest_names(qtbot, window, controller, monkeypatch):
    """Names, roles and agencies at their longest made the chooser 1,500 pixels wide."""
    from rethink_desktop.core.validation import AGENCY_MAX, NAME_MAX, ROLE_MAX

    circle = people(3)
    for n, person in enumerate(circle):
        person.update(
            name="Alexandra-Christabel Montgomery-Fitzwilliam Featherstonehaugh"[:NAME_MAX],
            role=f"Designated safeguarding lead, deputy {n}"[:ROLE_MAX],
            agency=f"Children's social care – North locality {n}"[:AGENCY_MAX],
        )
    start_live(controller, participants=circle)
    window.show_for_state()
    offered = []
    monkeypatch.setattr(
        "rethink_desktop.ui.widgets.choose",
        lambda parent, title, label, items, action: offered.extend(items) or items[2],
    )
    window.give_floor()
    assert len(offered) == 3
    assert all(len(item) <= 90 for item in offered)
    assert len(set(offered)) == 3
    assert offered[0].startswith("Alexandra-Christabel")  # typing the name still finds it
    assert offered[0].split(" · ")[0].endswith("deputy 0)")  # the role, which tells them apart
    assert controller.state.current_speaker.seat == 3  # the line chosen is the person given


def test_give_the_floor_to_any_seat(qtbot, window, controller, monkeypatch):
    start_live(controller, 12)
    window.show_for_state()
    monkeypatch.setattr(
        "rethink_desktop.ui.widgets.choose",
        lambda parent, title, label, items, action: items[-1],
    )
    window.give_floor()
    assert controller.state.current_speaker.seat == 12


def test_g_while_paused_says_why_rather_than_nothing(qtbot, window, controller, monkeypatch):
    start_live(controller, 4)
    window.show_for_state()
    asked = []
    monkeypatch.setattr("rethink_desktop.ui.widgets.choose", lambda *a: asked.append(a) or None)
    qtbot.keyClick(window.live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.live, Qt.Key.Key_G)
    assert asked == []  # no chooser for a floor that cannot be given
    assert window.notice_text() == (
        "Cannot give someone the floor while the session is paused. Ctrl+P resumes."
    )
    qtbot.keyClick(window.live, Qt.Key.Key_1)  # the seat keys say the same
    assert window.notice_text() == (
        "Cannot give someone the floor while the session is paused. Ctrl+P resumes."
    )


def test_in_a_space_the_floor_keys_say_r_ends_it_first(qtbot, window, controller, monkeypatch):
    start_live(controller, 4)
    window.show_for_state()
    window.toggle_room_display()
    asked = []
    monkeypatch.setattr("rethink_desktop.ui.widgets.choose", lambda *a: asked.append(a) or None)
    qtbot.keyClick(window.live, Qt.Key.Key_Space)
    qtbot.keyClick(window.live, Qt.Key.Key_R)
    for key in (Qt.Key.Key_Space, Qt.Key.Key_P, Qt.Key.Key_3, Qt.Key.Key_G):
        qtbot.keyClick(window.live, key)
        assert window.notice_text() == "A space is running: R ends it, then the floor can move."
    assert asked == []
    assert controller.state.current_speaker.id == "p1"
    assert "Space — time to think" in window.room_display.visible_text()
    window._sync_session_menu()
    give = next(a for a in window.session_actions if a.text() == "&Give the floor to…\tG")
    assert not give.isEnabled()
    qtbot.keyClick(window.live, Qt.Key.Key_R)
    qtbot.keyClick(window.live, Qt.Key.Key_Space)
    assert controller.state.current_speaker.id == "p2"


def test_back_from_a_checked_in_session_goes_home(qtbot, window, controller):
    from tests.ui.conftest import prepare_draft

    session = prepare_draft(controller, 3)
    controller.act("check_in", [p.id for p in session.state.participants], pulse=5)
    window.show_for_state()
    window.check_in.back_requested.emit()
    assert window.stack.currentWidget() is window.home


def test_check_in_opens_with_the_keys_on_the_first_person(qtbot, window, controller):
    # keyboard.md: Space marks present/absent, Tab moves between people, from the start.
    from PySide6.QtWidgets import QApplication

    from tests.ui.conftest import prepare_draft

    prepare_draft(controller, 3)
    window.show_check_in()
    view = window.check_in
    first = view.arrows.widgets[0]
    assert QApplication.focusWidget() is first
    qtbot.keyClick(first, Qt.Key.Key_Space)
    assert view.count_label.text() == "2 of 3 present"


def test_a_participant_rating_sees_no_menus_and_no_way_to_the_records(qtbot, window, controller):
    """The rating screen shows nothing else: while a participant holds the laptop (their
    rating, the hand-over) the menus are hidden and their shortcuts do nothing."""
    from rethink_desktop.ui.records import CLOSE_REASON

    start_live(controller, 3)
    window.show_for_state()
    with qtbot.waitActive(window):  # shown and active: its shortcuts are live
        window.show()
        window.activateWindow()
    window.end_session()
    view = window.close_view
    assert window.stack.currentWidget() is view
    assert not window.menuBar().isHidden()  # the facilitator's own steps keep their menus
    assert not window.records.history_action.isEnabled()  # but no records until complete
    assert window.records.history_action.statusTip() == CLOSE_REASON
    controller.act("record_way_forward", "yes")
    view.load()
    assert view.stack.currentIndex() == view.PULSE
    view.next()  # left unset
    assert view.stack.currentIndex() == view.INTRO  # "hand the laptop to the first person"
    assert not window.menuBar().isHidden()
    window.show_notice("Undone: Priya has the floor again.")  # the facilitator's last notice

    view.next()
    assert view.stack.currentIndex() == view.RATING
    assert window.menuBar().isHidden()
    assert window.statusBar().isHidden()
    assert window.status.text() == ""
    for keys in ("Ctrl+H", "Ctrl+Shift+D", "Ctrl+Shift+H", "Ctrl+N", "Ctrl+Q"):
        qtbot.keySequence(view.rating, keys)
        assert window.stack.currentWidget() is view, keys
        assert view.stack.currentIndex() == view.RATING, keys
        assert controller.state is not None, keys
        assert window.isVisible(), keys
    window.records.show_history()  # asked anyway: refused, with the reason
    assert window.stack.currentWidget() is view
    assert window.status.text() == CLOSE_REASON

    view.skip_person()
    assert view.stack.currentIndex() == view.HANDOVER
    assert window.menuBar().isHidden()
    for _ in range(3):  # the others, then back to the facilitator
        view.next()
        if view.stack.currentIndex() == view.RATING:
            view.skip_person()
    assert view.stack.currentIndex() == view.FINISH
    assert not window.menuBar().isHidden()
    assert not window.statusBar().isHidden()
    assert all(action.isEnabled() for action in window.menuBar().actions())
    assert controller.act("complete")
    assert window.records.history_action.isEnabled()
    qtbot.keySequence(view, "Ctrl+H")  # the same shortcut, live again
    assert window.stack.currentWidget() is window.records.history


def test_every_way_off_an_edited_prepare_screen_asks_first(qtbot, window, controller, tmp_path):
    """Home, New session, History, Dashboard, Import, Restore, Abandon and closing the window:
    each asks before unsaved preparation is lost (Import and Restore once the file is chosen),
    stays put on No, and asks once on Yes."""
    from rethink_desktop.reports.exports import export
    from tests.ui.conftest import prepare_draft

    records = window.records
    records.inform = records.warn = lambda *a: None
    export(controller.store.db, "json", tmp_path / "other.json")
    records.choose_save_file = lambda *a: str(tmp_path / "copy.sqlite")
    assert records.back_up()
    prepare_draft(controller, 3)
    window.show_for_state()
    prepare = window.prepare
    assert window.stack.currentWidget() is prepare
    asked = []
    prepare.confirm = lambda title, text: asked.append(title) or False
    qtbot.keyClicks(prepare.venue, " east")
    session = controller.state.id

    def choose(name):
        records.choose_open_file = lambda *a: str(tmp_path / name)

    ways = {
        "home": window.show_home,
        "new session": window.new_session,
        "history": records.show_history,
        "dashboard": records.show_dashboard,
        "import": lambda: choose("other.json") or records.import_file(),
        "restore": lambda: choose("copy.sqlite") or records.restore(),
        "close": window.close,
        "abandon": window.abandon_session,  # asked before the reason (nothing recorded)
    }
    for name, leave in ways.items():
        asked.clear()
        leave()
        assert asked == ["Leave without saving?"], name
        assert window.stack.currentWidget() is prepare, name
        assert controller.state.id == session, name
        assert controller.state.status == "draft", name
        assert prepare.venue.text().endswith(" east"), name

    # Import with its file dialog cancelled: nothing asked, and the edits still protected.
    records.choose_open_file = lambda *a: ""
    asked.clear()
    assert records.import_file() is None
    assert asked == []
    window.show_home()
    assert asked == ["Leave without saving?"]
    assert window.stack.currentWidget() is prepare

    prepare.confirm = lambda title, text: asked.append(title) or True
    for leave, screen in ((records.import_file, window.home), (records.show_history, None)):
        asked.clear()
        choose("other.json")
        leave()
        assert asked == ["Leave without saving?"]  # once, not again on the way to Home
        assert controller.state is None
        if screen is not None:
            assert window.stack.currentWidget() is screen
        prepare_draft(controller, 3)
        window.show_for_state()
        qtbot.keyClicks(prepare.venue, " west")
    assert window.stack.currentWidget() is prepare


def test_a_saved_or_untouched_prepare_screen_is_left_without_asking(window, controller):
    from tests.ui.conftest import prepare_draft

    prepare_draft(controller, 3)
    window.show_for_state()
    window.prepare.confirm = lambda title, text: pytest.fail("nothing to lose: no question")
    window.new_session()
    assert window.stack.currentWidget() is window.prepare
    assert controller.state.reference == ""  # the new, empty draft
    window.show_home()
    assert window.stack.currentWidget() is window.home


def test_the_resume_question_gives_meeting_time_with_pauses_left_out(window, controller, clock):
    from rethink_desktop.ui.app import Messages, offer_resume

    start_live(controller, 3)
    clock.advance(600)
    controller.act("toggle_pause")
    clock.advance(900)  # a 15-minute pause: not meeting time
    controller.act("toggle_pause")
    clock.advance(300)
    controller.close_session()  # as after a crash: the session is still running

    class Asked(Messages):
        def resume(self, parent, text):
            self.text = text
            return True

    asked = Asked(interactive=True)
    offer_resume(window, asked)
    assert "stands at 0:15:00 of meeting time (pauses left out)" in asked.text
    assert window.stack.currentWidget() is window.live


def test_a_session_not_resumed_keeps_only_the_time_recorded(window, controller, clock):
    from rethink_desktop.ui.app import Messages, offer_resume

    start_live(controller, 3)
    clock.advance(600)
    controller.act("next_turn")
    controller.close_session()  # as after a crash
    clock.advance(2 * 24 * 3600)  # opened again two days later

    class Declined(Messages):
        def resume(self, parent, text):
            return False

    offer_resume(window, Declined(interactive=True))
    state = controller.store.session(controller.store.session_ids("abandoned")[0], clock).state
    assert state.abandoned_reason == "not_resumed"
    assert state.elapsed(clock.now()) == 600
    assert window.stack.currentWidget() is window.home
    assert window.notice_text() == (
        "Session FN-2291 was ended as abandoned; its record ends at the last moment the app "
        "recorded."
    )


def test_a_session_not_resumed_and_not_saved_is_not_said_to_be_ended(
    window, controller, monkeypatch
):
    from rethink_desktop.ui.app import Messages, offer_resume

    start_live(controller, 3)
    controller.close_session()  # as after a crash

    class Declined(Messages):
        def resume(self, parent, text):
            return False

    def full(*args, **kw):  # the disk is full: nothing is saved, and the window says so
        controller.storage_failed.emit("The disk is full.")
        return False

    monkeypatch.setattr(controller, "finish", full)
    window.alert = lambda title, text: None
    offer_resume(window, Declined(interactive=True))
    assert "ended as abandoned" not in window.notice_text()
    assert window.stack.currentWidget() is window.live  # still open, as it could not end
    assert window.notice_text() == "The disk is full."


def test_a_demo_not_resumed_says_so_on_the_fresh_check_in(make_window, controller, templates):
    from rethink_desktop.ui.app import Messages, offer_resume

    demo = make_window(demo=True)
    start_live(controller, 3)
    controller.close_session()  # as after a crash

    class Declined(Messages):
        def resume(self, parent, text):
            return False

    offer_resume(demo, Declined(interactive=True))
    demo.prepare_demo()  # as the start-up does next
    assert demo.stack.currentWidget() is demo.check_in
    assert demo.notice_text().startswith("Session FN-2291 was ended as abandoned")


def test_a_second_demo_run_has_a_reference_of_its_own(make_window, controller, templates):
    demo = make_window(demo=True)
    demo.prepare_demo()
    assert controller.state.reference == "DEMO-001"
    controller.act("check_in", [p.id for p in controller.state.participants], pulse=6)
    controller.start()  # the first run goes on to its meeting
    controller.close_session()
    demo.prepare_demo()
    assert controller.state.reference == "DEMO-002"
    assert controller.state.status == "draft"


def test_in_the_demo_window_the_demo_button_starts_its_next_run(make_window, controller):
    """It said "This window is already the demo": a trainer had to quit and start the
    demo again for the next group."""
    demo = make_window(demo=True)
    demo.prepare_demo()
    controller.act("check_in", [p.id for p in controller.state.participants], pulse=6)
    controller.start()
    demo.show_for_state()
    demo.home.demo_button.click()  # the meeting is under way: it stays
    assert demo.stack.currentWidget() is demo.live
    assert controller.state.reference == "DEMO-001"
    assert demo.notice_text() == "The demo's meeting is under way: end it first."
    controller.act("end")
    controller.close_session()  # the close left for later, as after a crash
    demo.show_home()
    demo.home.demo_button.click()
    assert demo.stack.currentWidget() is demo.check_in
    assert controller.state.reference == "DEMO-002"
    demo.show_home()
    demo.home.demo_button.click()  # the run waiting is opened, not a third one made
    assert controller.state.reference == "DEMO-002"


def test_turning_names_off_on_the_complete_step_removes_them(qtbot, window, controller):
    # The View menu is there on the last step; what it says at that moment is what happens.
    window.settings.setValue("privacy/keep_names", True)
    window.keep_names_action.setChecked(True)
    start_live(controller, 3)
    controller.act("end")
    window.show_for_state()
    close = window.close_view
    assert window.stack.currentWidget() is close
    close.way.set_value("partly")
    close.next()
    close.next()  # the pulse is optional
    for _ in range(close.total):
        close.next()  # this person's form
        close.skip_person()
    close.next()
    assert "Names stay" in close.names_note.text()
    window.keep_names_action.setChecked(False)
    assert "names are replaced" in close.names_note.text()
    close.complete()
    state = controller.state
    assert state.status == "completed"
    assert state.names_removed
    assert {p.name for p in state.participants} == {None}


def test_turning_names_off_asks_and_removes_the_kept_names_there_and_then(
    qtbot, window, controller, store
):
    window.keep_names_action.setChecked(True)
    ids = finished_with_names(controller, 2)
    asked = []
    window.confirm = lambda title, text: asked.append(text) or False
    window.keep_names_action.setChecked(False)
    assert asked == [
        "Participants' names are still kept in 2 sessions. With this setting off, they are "
        "replaced by agency and role now. This cannot be undone."
    ]
    # No: nothing removed, and the setting says so.
    assert window.keep_names_action.isChecked()
    assert window.keep_names is True
    assert all(None not in names_on_disk(store, sid) for sid in ids)
    window.confirm = lambda title, text: True
    window.keep_names_action.setChecked(False)
    assert window.keep_names is False
    assert all(names_on_disk(store, sid) == [None, None, None] for sid in ids)
    assert window.notice_text() == ("Names removed from 2 sessions; they show agency and role now.")
    # With none kept, turning it on and off again asks nothing.
    window.confirm = lambda title, text: pytest.fail("no names kept: no question")
    window.keep_names_action.setChecked(True)
    window.keep_names_action.setChecked(False)
    assert window.keep_names is False


def test_names_not_removed_are_said_and_the_setting_stays_off(
    qtbot, window, controller, store, monkeypatch
):
    """A failed removal must not turn keeping names back on for the sessions to come."""
    from rethink_desktop.storage.database import DiskFullError

    window.keep_names_action.setChecked(True)
    ids = finished_with_names(controller, 1)

    def full(*args, **kwargs):
        raise DiskFullError(store.path)

    monkeypatch.setattr(store, "append", full)
    alerts = []
    window.alert = lambda title, text: alerts.append(title)
    window.keep_names_action.setChecked(False)  # the window's questions are answered yes
    assert alerts == ["Not saved"]
    assert not window.keep_names_action.isChecked()
    assert window.keep_names is False
    assert None not in names_on_disk(store, ids[0])  # still there, and said so
    assert window.notice_text() == (
        "1 session could not be changed and still has names: History's Anonymise… tries "
        "again, one session at a time."
    )


def test_names_off_on_the_close_s_last_step_follow_the_open_session(
    qtbot, window, controller, store
):
    """Completed with names kept, then the setting turned off while the close still shows:
    the open session loses its names through the controller (it kept showing them, and a
    second removal was recorded later)."""
    window.keep_names_action.setChecked(True)
    start_live(controller, 3)
    assert controller.act("end")
    assert controller.finish("complete", remove_names=False)
    sid = controller.session.id
    close = window.close_view  # on its last step, the session just completed
    close.done = True
    close.set_keep_names(True)
    assert close.names_note.text() == "Names are kept with this record."
    window.keep_names_action.setChecked(False)
    assert close.names_note.text() == "Names have been replaced by agency and role."
    assert controller.state.names_removed
    assert {p.name for p in controller.state.participants} == {None}
    assert names_on_disk(store, sid) == [None, None, None]
    assert controller.remove_names()  # nothing more to do, and nothing recorded twice
    kinds = [e.kind for e in store.events(sid)]
    assert kinds.count("names_removed") == 1


def _imported_with_names(tmp_path, store):
    from rethink_desktop.reports.exports import export
    from rethink_desktop.reports.importer import import_export
    from rethink_desktop.storage.eventlog import EventStore
    from tests.reports.test_exports import finished_session

    with EventStore.open(tmp_path / "other" / "rethink.sqlite") as other:
        session_id = finished_session(other).id
        export(other.db, "json", tmp_path / "other.json")
    assert import_export(store, tmp_path / "other.json", keep_names=True).added == [session_id]
    return session_id


def test_the_start_up_sweep_keeps_names_an_import_was_asked_to_keep(
    qtbot, tmp_path, window, controller, store
):
    from rethink_desktop.ui.app import remove_leftover_names

    imported = _imported_with_names(tmp_path, store)
    left_over = finished_with_names(controller, 1)[0]  # as after a crash before the removal
    assert window.keep_names is False
    remove_leftover_names(window)
    assert names_on_disk(store, left_over) == [None, None, None]
    assert None not in names_on_disk(store, imported)


def test_names_locked_off_by_it_go_from_imported_sessions_too(
    qtbot, tmp_path, make_window, controller, store
):
    from rethink_desktop.storage.config import Config
    from rethink_desktop.ui.app import remove_leftover_names

    imported = _imported_with_names(tmp_path, store)  # before IT locked the setting
    window = make_window(Config(keep_names=False, locked=frozenset({"keep_names"})))
    remove_leftover_names(window)
    assert set(names_on_disk(store, imported)) == {None}


def test_prepare_and_the_close_open_with_the_keys_on_their_first_control(qtbot, window, controller):
    from PySide6.QtWidgets import QApplication

    window.new_session()
    assert window.stack.currentWidget() is window.prepare
    assert QApplication.focusWidget() is window.prepare.kind
    window.show_home(ask=False)
    start_live(controller, 3)
    controller.act("end")
    window.show_for_state()
    close = window.close_view
    assert window.stack.currentWidget() is close
    assert QApplication.focusWidget() is close.way.buttons[0]  # Space answers at once


def test_no_screen_s_alt_letters_clash_with_the_menus_or_each_other(window, controller):
    # A clash makes Alt+letter only move the focus, and neither the button nor the menu act.
    import re

    from PySide6.QtWidgets import QAbstractButton, QLabel

    from tests.ui.conftest import prepare_draft

    def letters(widget) -> list[str]:
        found = []
        for child in widget.findChildren(QAbstractButton) + widget.findChildren(QLabel):
            if isinstance(child, QLabel) and child.buddy() is None:
                continue
            match = re.search(r"&([^&])", child.text().replace("&&", ""))
            if match and child.isVisibleTo(widget):
                found.append(match.group(1).lower())
        return found

    menus = [a.text() for a in window.menuBar().actions()]
    taken = {re.search(r"&(.)", text).group(1).lower() for text in menus}
    assert taken == {"f", "s", "v", "h"}
    screens = {"home": window.home}
    window.new_session()
    screens["prepare"] = window.prepare
    prepare_draft(controller, 3)
    window.show_check_in()
    screens["check-in"] = window.check_in
    for name, screen in screens.items():
        used = letters(screen)
        assert not set(used) & taken, (name, used)
        assert len(used) == len(set(used)), (name, used)


def test_the_ui_package_names_its_own_modules():
    """ui/__init__.py imports Qt-free modules early (a faster start); none of them may take
    the name of a ui module (storage.records once stood in for ui.records)."""
    import subprocess
    import sys

    code = "from rethink_desktop.ui import records; print(records.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "rethink_desktop.ui.records"


def test_a_question_box_says_its_question_in_the_box_with_no_as_the_default(qtbot):
    """The title bar is not always shown: "End the session?" must be in the box itself."""
    from PySide6.QtWidgets import QMessageBox

    from rethink_desktop.ui.widgets import question_box

    box = question_box(None, "End the session?", "The meeting clock stops and the close begins.")
    qtbot.addWidget(box)
    assert box.text() == "End the session?"
    assert box.informativeText() == "The meeting clock stops and the close begins."
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)


@pytest.mark.parametrize(("width", "height"), [(400, 200), (5000, 3000)])
def test_a_window_saved_too_small_or_too_big_opens_to_fit_this_screen(
    make_window, tmp_path, width, height
):
    """A size saved on another screen (a wall monitor), or made tiny, still opens as a
    window that fits this screen and is big enough to work in."""
    first = make_window()
    first.resize(width, height)
    first.move(500, 400)  # and far down the screen
    first.close()  # saves its geometry
    window = make_window()
    room = window.screen().availableGeometry()
    assert room.contains(window.frameGeometry())
    assert window.width() <= room.width()
    assert window.height() <= room.height()
    # As big as the screen allows, up to a working size (less the title bar and borders).
    assert window.width() >= min(1024, room.width() - 16)
    assert window.height() >= min(600, room.height() - 64)


def test_at_150_percent_the_screens_scroll_in_a_window_shorter_than_they_need(
    qtbot, window, controller
):
    """The window grew taller than a 768-pixel screen from check-in on (Start, Next and a
    participant's Save went below its edge): the screens scroll in it instead, and Tab
    brings the focused control into view."""
    from tests.ui.conftest import larger_text, prepare_draft

    with larger_text(1.5):
        window.show()
        prepare_draft(controller, 12)
        window.show_check_in()
        for page in (window.check_in, window.live, window.close_view):
            window.stack.setCurrentWidget(page)
            qtbot.wait(1)
            assert window.minimumSizeHint().height() < 400, page
        window.stack.setCurrentWidget(window.check_in)
        window.resize(1024, 420)
        qtbot.waitUntil(lambda: window.height() <= 420)
        start = window.check_in.start_button
        window.page_scroll.ensureWidgetVisible(start)
        corner = start.mapTo(window.page_scroll.viewport(), start.rect().bottomRight())
        assert window.page_scroll.viewport().rect().contains(corner)
        assert window.page_scroll.verticalScrollBar().value() > 0
        # The next screen opens at its top, not where the last one was scrolled to.
        window.stack.setCurrentWidget(window.live)
        assert window.page_scroll.verticalScrollBar().value() == 0


def test_at_150_percent_a_full_circle_s_live_screen_fits_a_laptop_without_scrolling(
    qtbot, window, controller
):
    """Sized by its preferred height in the scrolling holder, the live view ran 200 pixels
    below the window and its buttons had to be scrolled to; it fits in its minimum."""
    from tests.ui.conftest import larger_text

    with larger_text(1.5):
        window.resize(1366, 700)
        window.show()
        start_live(controller, 12)
        window.show_for_state()
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.live)
        qtbot.wait(10)
        viewport = window.page_scroll.viewport()
        assert window.stack.height() <= viewport.height()
        end = window.live.buttons["end_session"]
        corner = end.mapTo(viewport, end.rect().bottomRight())
        assert viewport.rect().contains(corner)


def test_the_screens_holder_gives_the_screen_showing_its_own_room(qtbot):
    """The holder sized the screens by the widest of them (shown or not), and kept a width
    from before its scroll bar down appeared: either way the screen scrolled sideways."""
    from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

    from rethink_desktop.ui.main_window import PageScroll

    holder, stack = PageScroll(), QStackedWidget()
    qtbot.addWidget(holder)
    page = QWidget()
    label = QLabel("Words that wrap onto more lines as the room narrows. " * 20)
    label.setWordWrap(True)
    QVBoxLayout(page).addWidget(label)
    wide = QWidget()
    wide.setMinimumWidth(2000)  # another screen, not showing
    stack.addWidget(page)
    stack.addWidget(wide)
    holder.set_page(stack)
    holder.resize(400, 200)
    holder.show()
    qtbot.waitExposed(holder)
    qtbot.wait(10)
    assert holder.verticalScrollBar().isVisible()  # taller than the room: it scrolls down
    assert not holder.horizontalScrollBar().isVisible()
    assert stack.width() == holder.viewport().width()
    assert label.height() >= label.heightForWidth(label.width())  # every line in reach
    stack.setCurrentWidget(wide)  # the wide one, showing, scrolls sideways
    qtbot.wait(10)
    assert stack.width() >= 2000


def test_at_150_percent_on_a_small_laptop_no_screen_scrolls_sideways(
    qtbot, make_window, controller
):
    """At 150 % on 1024 × 600 the live view scrolled sideways: the screens' holder gave
    every screen the room of the widest (Home, whose title and three buttons made one
    1,110-pixel line; check-in, whose circle and ten pulse buttons made 1,081). Each screen
    now asks for its own room, Home's buttons go under its title, check-in's panels one
    under the other, and the live clock is drawn smaller before it widens its panel."""
    from PySide6.QtWidgets import QApplication, QBoxLayout

    from tests.ui.conftest import finished_with_names, prepare_draft

    finished_with_names(controller, 3)  # Recent has rows, as it will in use
    prepare_draft(controller, 4)
    controller.close_session()  # and Prepared
    start_live(controller, 4)
    controller.close_session()  # and one in progress, to continue
    with on_a_small_laptop(make_window) as window:
        QApplication.processEvents()
        window.show_home(ask=False)  # shown again once the window is up (review)
        QApplication.processEvents()
        assert window.stack.width() <= window.page_scroll.viewport().width()
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.home)
        qtbot.wait(10)
        home, bar = window.home, window.page_scroll.horizontalScrollBar()
        assert not bar.isVisible()
        assert window.stack.width() <= window.page_scroll.viewport().width()
        assert home.new_button.y() > home.title.geometry().bottom()  # a line of their own
        history = home.history_button
        assert history.mapTo(window, history.rect().topRight()).x() < window.width()
        prepare_draft(controller, 12)
        window.show_check_in()
        qtbot.wait(10)
        assert not bar.isVisible()  # the circle, then the room's pulse under it
        assert window.check_in.columns.direction() == QBoxLayout.Direction.TopToBottom
        controller.close_session()
        start_live(controller, 12)
        controller.show_card_id("guide-welcome")  # a long prompt: the screen scrolls down
        window.show_for_state()
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.live)
        qtbot.wait(10)
        assert window.page_scroll.verticalScrollBar().isVisible()
        assert not bar.isVisible()  # the room the scroll bar down takes is taken from it
        assert window.stack.width() <= window.page_scroll.viewport().width()
        # With room again, Home's buttons are back beside its title.
        window.resize(1900, 900)
        window.stack.setCurrentWidget(home)
        qtbot.wait(10)
        assert home.new_button.y() < home.title.geometry().bottom()


def test_the_circle_s_talk_times_stay_in_sight_at_150_percent_on_a_small_laptop(
    qtbot, make_window, controller
):
    """The circle's scroll area asked for almost no width, so its panel was squeezed below
    its rows and their right end, the talk times, was cut off (the card's long title, which
    would not shorten, took the room). The card's title now ends in "…" instead."""
    from PySide6.QtWidgets import QApplication

    from rethink_desktop.core.agenda import load_templates
    from rethink_desktop.core.demo import demo_preparation

    controller.new_session()  # the demo's network: "Children's social care" and all
    controller.act("prepare", **demo_preparation(load_templates()["family-network"]))
    controller.act("check_in", [p.id for p in controller.state.participants], pulse=6)
    controller.start()
    controller.show_card_id("acknowledgement-1")  # "Card · Acknowledgement · Where you are…"
    controller.act("next_turn")
    with on_a_small_laptop(make_window) as window:
        window.show_for_state()
        QApplication.processEvents()
        qtbot.wait(10)
        live = window.live
        circle = live.circle_scroll
        assert circle.widget().width() <= circle.viewport().width()
        assert circle.widget().minimumSizeHint().width() <= circle.viewport().width()
        assert not window.page_scroll.horizontalScrollBar().isVisible()
        title = live.card_title
        assert title.shown_text().endswith("…") or title.width() >= title.sizeHint().width()


def test_what_takes_the_keys_is_scrolled_into_view(qtbot, make_window, controller):
    """At 150 % on 1024 × 600, Tab from Prepare's last button went round to its first
    field, Kind, which stayed out of sight above: Qt scrolls to a control only for a Tab a
    scroll area handles itself."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication, QScrollArea

    from tests.ui.conftest import prepare_draft

    def in_sight(widget) -> bool:
        holder = widget.parentWidget()
        while holder is not None:
            if isinstance(holder, QScrollArea) and holder.widget().isAncestorOf(widget):
                view = holder.viewport()
                corner = widget.mapTo(view, widget.rect().topLeft())
                if not view.rect().contains(QRect(corner, widget.size())):
                    return False
            holder = holder.parentWidget()
        return True

    prepare_draft(controller, 12)
    with on_a_small_laptop(make_window) as window:
        window.show_prepare()
        QApplication.processEvents()
        prepare = window.prepare
        prepare.check_in_button.setFocus()
        qtbot.waitUntil(prepare.check_in_button.hasFocus)
        assert in_sight(prepare.check_in_button)
        for scroll in (prepare.scroll, window.page_scroll):  # down at the last rows
            bar = scroll.verticalScrollBar()
            bar.setValue(bar.maximum())
        assert prepare.scroll.verticalScrollBar().value() > 0  # there is somewhere to scroll
        prepare.kind.setFocus(Qt.FocusReason.TabFocusReason)  # as Tab goes round
        qtbot.waitUntil(prepare.kind.hasFocus)
        assert in_sight(prepare.kind)


def test_the_dashboard_gives_way_at_150_percent_on_a_small_laptop(qtbot, make_window, controller):
    """Its right side, Home included, was cut off at 150 % on 1024 × 600 (its own scroll
    area never scrolls sideways): the controls wrap, the four tiles go two by two."""
    from PySide6.QtWidgets import QApplication

    from tests.ui.conftest import finished_with_names

    finished_with_names(controller, 2)

    def shown_dashboard(window):
        window.records.dashboard_action.trigger()
        QApplication.processEvents()
        return window.records.dashboard

    wide = make_window()
    wide.resize(1366, 768)
    wide.show()
    board = shown_dashboard(wide)
    assert len({tile.y() for tile in tiles_of(board)}) == 1  # one row of four, with room
    with on_a_small_laptop(make_window) as window:
        board = shown_dashboard(window)
        qtbot.wait(10)
        content = board.scroll.widget()
        assert content.width() <= board.scroll.viewport().width()
        home = board.home_button
        assert home.mapTo(window, home.rect().topRight()).x() < window.width()
        held, pulse, balance, way = (tile.geometry() for tile in tiles_of(board))
        assert held.y() == pulse.y() < balance.y() == way.y()  # two rows of two
        assert held.x() == balance.x() < pulse.x() == way.x()


def tiles_of(board):
    return (board.held_tile, board.pulse_tile, board.balance_tile, board.way_tile)


@pytest.mark.parametrize("size", [(1024, 600), (1024, 500)])
def test_at_150_percent_wrapped_words_are_never_cut_short_they_scroll(
    qtbot, make_window, controller, size
):
    """Given only the screens' minimum height, the card's last line went undrawn at 150 %
    on 1024 × 600 (138 of the 170 pixels it needs), with nothing to scroll to."""
    from PySide6.QtWidgets import QLabel

    from tests.ui.conftest import larger_text

    with larger_text(1.5):
        window = make_window()  # made in the larger type
        window.resize(*size)
        window.show()
        start_live(controller, 12)
        controller.show_card_id("guide-welcome")  # a long prompt
        window.show_for_state()
        qtbot.wait(20)
        live = window.live
        wrapped = [label for label in live.findChildren(QLabel)
                   if label.isVisibleTo(live) and label.wordWrap() and label.text()]  # fmt: skip
        assert live.card_prompt in wrapped
        needs = {label: label.heightForWidth(label.width()) for label in wrapped}
        short = [(label.text()[:30], label.height(), need)
                 for label, need in needs.items() if need > label.height()]  # fmt: skip
        assert short == []
