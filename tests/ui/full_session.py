"""One whole meeting driven through the real window: check-in, live keys, the close, completion.

Shared by the privacy tests (no names in logs) and the no-network test.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage.config import Config
from rethink_desktop.storage.paths import AppPaths
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NONE = Qt.KeyboardModifier.NoModifier

# Every live key that needs no dialog (F1 and A/L open modal dialogs; F11 is window chrome).
LIVE_KEY_PRESSES: tuple[tuple[Qt.Key, Qt.KeyboardModifier], ...] = (
    (Qt.Key.Key_Space, NONE),  # first turn
    (Qt.Key.Key_Space, NONE),  # next turn
    (Qt.Key.Key_P, NONE),  # a pass
    (Qt.Key.Key_Z, CTRL),  # undo
    (Qt.Key.Key_Z, CTRL | SHIFT),  # redo
    (Qt.Key.Key_2, NONE),  # direct pick
    (Qt.Key.Key_R, NONE),  # space timer on
    (Qt.Key.Key_R, NONE),  # and off
    (Qt.Key.Key_Right, NONE),  # cards
    (Qt.Key.Key_Left, NONE),
    (Qt.Key.Key_D, NONE),  # room display on
    (Qt.Key.Key_H, NONE),
    (Qt.Key.Key_H, NONE),
    (Qt.Key.Key_B, NONE),
    (Qt.Key.Key_B, NONE),
    (Qt.Key.Key_D, NONE),  # room display off
    (Qt.Key.Key_P, CTRL),  # pause
    (Qt.Key.Key_P, CTRL),  # resume
    (Qt.Key.Key_N, NONE),  # next phase
    (Qt.Key.Key_Space, NONE),
    (Qt.Key.Key_Space, NONE),
    (Qt.Key.Key_N, NONE),
    (Qt.Key.Key_Space, NONE),
)


def make_window(
    qtbot, paths: AppPaths, controller: SessionController, templates, settings: QSettings,
    config: Config | None = None, *, demo: bool = False,
) -> MainWindow:  # fmt: skip
    window = MainWindow(paths, controller, templates, settings, demo=demo, config=config)
    window.confirm = lambda title, text: True
    qtbot.addWidget(window)
    # Active, so that the live view's shortcuts reach it as they would in the room.
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def drive_full_session(qtbot, window: MainWindow, clock: FakeClock) -> None:
    """From the check-in screen of a prepared session to a completed record."""
    ctl = window.controller
    assert window.stack.currentWidget() is window.check_in
    window.check_in.pulse.set_value(7)
    assert window.check_in.start_session()
    assert window.stack.currentWidget() is window.live
    live = window.live
    live.setFocus()
    for key, modifier in LIVE_KEY_PRESSES:
        clock.advance(95)
        qtbot.keyClick(live, key, modifier)
    assert ctl.state is not None
    assert len(ctl.state.turns) >= 4
    clock.advance(600)
    qtbot.keyClick(live, Qt.Key.Key_E, CTRL)  # end (the confirmation is patched)
    assert ctl.state.status == "closing"
    assert window.stack.currentWidget() is window.close_view

    close = window.close_view
    close.way.set_value("partly")
    close.next()
    close.pulse.set_value(3)
    close.next()
    for person in range(close.total):
        close.next()  # intro or hand-over → this person's form
        for n, choices in enumerate(close.rating.questions.values()):
            answer = (person + n) % 5
            button = choices.skip_button if answer == 0 else choices.buttons[answer - 1]
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        close.save_rating()
    close.next()
    close.complete()
    assert ctl.state.status == "completed"
    assert len(ctl.state.ratings) == close.total
