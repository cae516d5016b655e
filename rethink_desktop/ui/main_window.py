"""The main window: one screen at a time (home, prepare, check-in, live, close), menus, settings."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import cached_property, partial
from typing import TYPE_CHECKING

from PySide6 import QtWidgets
from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QObject,
    QRect,
    QSettings,
    QSignalBlocker,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QProxyStyle,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QStyleHintReturn,
    QStyleOption,
    QWidget,
)

from rethink_desktop import APP_DISPLAY_NAME, __version__
from rethink_desktop.core.agenda import Template
from rethink_desktop.core.demo import DEMO_PREFIX, demo_preparation
from rethink_desktop.core.state import (
    ABANDON_REASONS,
    FINISHED,
    GONE,
    LIVE,
    STATUSES,
    IllegalAction,
    Participant,
    SessionState,
    may_move_floor,
)
from rethink_desktop.storage.config import Config
from rethink_desktop.storage.database import StorageError
from rethink_desktop.storage.home_queries import finished_with_names
from rethink_desktop.storage.paths import AppPaths
from rethink_desktop.ui import widgets
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.home import HomeView
from rethink_desktop.ui.records import Records
from rethink_desktop.ui.theme import THEMES, apply_theme
from rethink_desktop.ui.user_settings import (
    KEEP_NAMES_KEY,
    THEME_KEY,
    effective_keep_names,
    effective_theme,
)

if TYPE_CHECKING:
    from datetime import datetime

    from rethink_desktop.ui.checkin import CheckInView
    from rethink_desktop.ui.closing import CloseView
    from rethink_desktop.ui.live import LiveView
    from rethink_desktop.ui.prepare import PrepareView
    from rethink_desktop.ui.room_display import RoomDisplay

ROOM_DISPLAY_KEY = "room_display/open_for"  # ui.ini: the session the wall screen was open for
# ui.ini: the session whose wall screen was blanked (B), or had its card hidden (H)
ROOM_BLANKED_KEY = "room_display/blanked_for"
ROOM_CARD_HIDDEN_KEY = "room_display/card_hidden_for"

log = logging.getLogger(__name__)

SET_BY_IT = " (set by IT)"


class PageScroll(QScrollArea):
    """Holds the screens: exactly the window's room when they fit in it, and scrolls when
    one needs more (150 % type on a small screen). Not ``widgetResizable``: that sized the
    screens by their preferred heights, so the live view scrolled where it had fitted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.viewport().setAutoFillBackground(False)

    def set_page(self, page: QWidget) -> None:
        self.setWidget(page)
        page.installEventFilter(self)
        if isinstance(page, QStackedWidget):
            page.currentChanged.connect(self._fit)  # each screen asks for its own room
        self._fit()

    def _fit(self) -> None:
        page = self.widget()
        if page is None:
            return
        # The screen showing, not the stack: a stack asks for the room of its widest screen,
        # so the live view scrolled sideways for Home's sake at 150 % on 1024 × 600.
        shown = (page.currentWidget() if isinstance(page, QStackedWidget) else None) or page
        needs = shown.minimumSizeHint().expandedTo(shown.minimumSize())
        size = self.viewport().size().expandedTo(needs)
        # Wrapped text needs more height as the width shrinks, which the minimum size does
        # not say: the screen showing is given at least its layout's minimum height at this
        # width (a card's last line was cut off, not scrolled to, at 150 % on 1024 × 600).
        layout = shown.layout()
        if layout is not None and layout.hasHeightForWidth():
            size.setHeight(max(size.height(), layout.totalMinimumHeightForWidth(size.width())))
        page.resize(size)

    def to_top(self) -> None:
        self.verticalScrollBar().setValue(0)
        self.horizontalScrollBar().setValue(0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A screen's needs changed (another screen joined the stack, a list grew).
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return super().eventFilter(watched, event)


def arriving(state: SessionState) -> list[Participant]:
    """Who A can choose: someone absent arrives late; someone who left (or was recorded
    leaving by mistake) comes back."""
    return [p for p in state.participants if p.attendance == "absent" or p.attendance in GONE]


def leaving(state: SessionState) -> list[Participant]:
    """Who L can choose: anyone in the room."""
    return [p for p in state.participants if p.in_room]


def withdrawable(state: SessionState) -> list[Participant]:
    """Whose late arrival can be taken back: recorded late, not yet given the floor."""
    spoke = {turn.participant_id for turn in state.turns}
    return [p for p in state.participants if p.attendance == "late" and p.id not in spoke]


def _shortened(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters, the middle giving way: "Tom (GP)" keeps its
    role, as a name keeps its start for typing to find it."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return f"{text[:head].rstrip()}…{text[len(text) - (limit - 1 - head) :].lstrip()}"


def floor_takers(state: SessionState) -> list[Participant]:
    """Who G can give the floor to: anyone in the room but the one who has it (no one while
    a space holds the floor)."""
    if state.floor_held:
        return []
    current = state.current_turn.participant_id if state.current_turn else None
    return [p for p in state.participants if p.in_room and p.id != current]


ROOM_DISPLAY_OPEN = "The room display is open in its own window"


class _MenuBarStyle(QProxyStyle):
    """The menu bar's style: the app's, but on the live screen Alt pressed alone does not
    put the menu bar in charge of the keys. There it made Space open the File menu instead
    of moving the turn on, and Left and Right walk the menu titles, after a slip of the
    thumb or half an Alt+Tab. Alt+F, Alt+S… open their menus there as anywhere. With no
    base style given, the platform's is used, as for the app's own (``FocusRingStyle``)."""

    def styleHint(
        self,
        hint: QStyle.StyleHint,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
        data: QStyleHintReturn | None = None,
    ) -> int:
        if hint == QStyle.StyleHint.SH_MenuBar_AltKeyNavigation and widget is not None:
            window = widget.window()
            if isinstance(window, MainWindow) and window._live_showing() is not None:
                return 0
        return super().styleHint(hint, option, widget, data)


def _key_hint(key: str) -> str:
    """A live screen's key, shown in a menu's shortcut column (words after a tab): not on
    macOS, whose native menus would take the text after a tab as the item's shortcut."""
    return "" if sys.platform == "darwin" else f"\t{key}"


class _MenuKeepsItsKeys(QObject):
    """An open menu keeps the plain keys typed into it (a letter, a digit, Space). The live
    screen under it keeps the keyboard focus, and its one-key shortcuts went on working
    behind the menu: P recorded a pass for the speaker, 1–9 gave someone the floor, and D,
    meant for File → Card deck, closed the wall screen. The letter now goes to the menu,
    which chooses the item it underlines, or nothing (a menu hands a key it has no item for
    to the menu bar, so the bar keeps it too). Keys with Ctrl or Alt are left to their
    shortcuts, as before."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            held = event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier
                | Qt.KeyboardModifier.AltModifier
                | Qt.KeyboardModifier.MetaModifier
            )
            if not held and event.text().isprintable() and event.text():
                event.accept()  # the menu's key: no shortcut takes it
                return True
        return super().eventFilter(watched, event)


class MainWindow(QMainWindow):
    """Holds the controller and shows the screen that fits the open session."""

    def __init__(
        self,
        paths: AppPaths,
        controller: SessionController,
        templates: dict[str, Template],
        settings: QSettings,
        *,
        demo: bool = False,
        config: Config | None = None,
    ) -> None:
        super().__init__()
        self.paths = paths
        self.controller = controller
        self.templates = templates
        self.settings = settings
        self.demo = demo
        # The demo window's View-menu choice of keeping names, kept for it alone (None: not
        # changed there): saved, it would decide what real meetings keep.
        self._demo_keep_names: bool | None = None
        # The config file's settings (records code reads backups_to_keep, retention_months).
        self.config = config if config is not None else Config()
        self.room_display: RoomDisplay | None = None
        self.confirm: Callable[[str, str], bool] = partial(widgets.ask, self)  # patched in tests
        # A warning the facilitator must see; unattended runs print it instead (ui/app.py).
        self.alert: Callable[[str, str], object] = self._warning_dialog
        self.setWindowTitle(widgets.window_title(*(["DEMO (fictional)"] if demo else [])))
        self.setAccessibleName(APP_DISPLAY_NAME)

        # Each widget is made in its place: moving a styled widget to a new parent styles its
        # whole tree again (Home three times over cost ~30 ms of start-up).
        # The screens scroll, as a whole, when the window is shorter than one needs (150 %
        # type on a 768-pixel laptop): without it the window grew taller than the screen,
        # and Start, Next or a participant's Save went below its edge. Whatever takes the
        # keys is scrolled into view (show_focus).
        self.page_scroll = PageScroll()
        self.setCentralWidget(self.page_scroll)
        self.stack = QStackedWidget(self.page_scroll)
        self.stack.setAutoFillBackground(False)
        self.page_scroll.set_page(self.stack)
        self.stack.currentChanged.connect(self.page_scroll.to_top)  # each screen from its top
        self.home = HomeView(controller.store, demo=demo, parent=self.stack)
        self.home.demo_button.setVisible(self.config.allow_demo)
        # Each screen once, as it joins the stack (they are made whole before they do).
        self.stack.widgetAdded.connect(
            lambda index: widgets.enter_presses_buttons(self.stack.widget(index))
        )
        self.stack.addWidget(self.home)
        self.stack.currentChanged.connect(self._screen_changed)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self.show_focus)
        self.status = QLabel("")
        self.status.setAccessibleName("Status")
        self.statusBar().addWidget(self.status, 1)
        self._notice_fresh = False  # said by the action now running (see _screen_changed)
        # History, detail and dashboard, and the File menu's export, import and backups.
        self.records = Records(self)

        self._wire()
        self._build_menus()
        self._restore_geometry()
        # HomeView read the store as it was built: no second read at start-up.
        self._show(self.home)
        self.home.focus_default()

    def show_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        """The control that takes the keys is scrolled into view, in every scroll area it
        is in: Qt does so only for a Tab that a scroll area handles itself, and from
        Prepare's last button Tab went round to its first field, out of sight above."""
        if new is None or new.window() is not self:
            return
        margin = new.fontMetrics().height()
        holder = new.parentWidget()
        while holder is not None and holder is not self:
            content = holder.widget() if isinstance(holder, QScrollArea) else None
            if content is not None and content.isAncestorOf(new):
                holder.ensureWidgetVisible(new, margin, margin)
            holder = holder.parentWidget()

    # --- settings -------------------------------------------------------------------------
    @property
    def keep_names(self) -> bool:
        """The config's keep_names, unless the View menu changed it and IT has not locked it
        (in the demo window, changed there: for that window only)."""
        if self._demo_keep_names is not None and not self.config.is_locked("keep_names"):
            return self._demo_keep_names
        return effective_keep_names(self.settings, self.config)

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1366, 768)
        # Saved on another screen (a wall monitor, say), it must still fit this one and be
        # big enough to work in: Qt's own fitting left it at 770 × 221 on a laptop.
        if self.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            return  # the screen decides the size
        available = self.screen().availableGeometry()
        frame = QSize(16, 64)  # title bar and borders: not known before the window shows
        room = available.size() - frame
        least = QSize(min(1024, room.width()), min(600, room.height()))
        size = self.size().boundedTo(room)
        if size.width() < least.width() or size.height() < least.height():
            size = QSize(1366, 768).boundedTo(room)
        if size != self.size():
            self.resize(size)
        outer = QRect(self.pos(), size + frame)
        if not available.contains(outer):  # back onto the screen, whole
            x = min(max(outer.left(), available.left()), available.right() - outer.width() + 1)
            y = min(max(outer.top(), available.top()), available.bottom() - outer.height() + 1)
            self.move(x, y)

    # --- wiring ---------------------------------------------------------------------------
    def _wire(self) -> None:
        ctl = self.controller
        self._unsaved_said = False  # a "Not saved" dialog was shown since the last save
        ctl.changed.connect(self._saved_again)
        ctl.changed.connect(self._follow_state)
        ctl.notice.connect(self._controller_notice)
        ctl.storage_failed.connect(self._storage_failed)
        ctl.read_failed.connect(self._read_failed)
        ctl.display_changed.connect(self._remember_room_screen)
        self.home.new_requested.connect(self.new_session)
        self.home.demo_requested.connect(self.open_demo)
        self.home.open_requested.connect(self.open_session)

    # The other screens are built the first time they are needed (a quicker start-up), each
    # in its place in the stack (see __init__).
    @cached_property
    def prepare(self) -> PrepareView:
        from rethink_desktop.ui.prepare import PrepareView

        view = PrepareView(
            self.controller,
            self.templates,
            default_template=self.config.default_template,
            parent=self.stack,
        )
        view.check_in_requested.connect(self._check_in_from_prepare)
        view.cancelled.connect(partial(self.show_home, ask=False))  # Back asked already
        view.saved.connect(lambda: self.show_notice("Saved."))
        self.stack.addWidget(view)
        return view

    @cached_property
    def check_in(self) -> CheckInView:
        from rethink_desktop.ui.checkin import CheckInView

        view = CheckInView(self.controller, parent=self.stack)
        view.back_requested.connect(self._back_from_check_in)
        self.stack.addWidget(view)
        return view

    @cached_property
    def live(self) -> LiveView:
        from rethink_desktop.ui.live import LiveView

        view = LiveView(self.controller, parent=self.stack)
        view.end_requested.connect(self.end_session)
        view.room_display_requested.connect(self.toggle_room_display)
        view.full_screen_requested.connect(self.toggle_full_screen)
        view.keys_requested.connect(self.show_keys)
        view.arrival_requested.connect(self.record_arrival)
        view.departure_requested.connect(self.record_departure)
        view.give_floor_requested.connect(self.give_floor)
        self.stack.addWidget(view)
        return view

    @cached_property
    def close_view(self) -> CloseView:
        from rethink_desktop.ui.closing import CloseView

        view = CloseView(self.controller, keep_names=self.keep_names, parent=self.stack)
        view.completed.connect(self._completed)
        view.home_requested.connect(self.show_home)
        view.private_changed.connect(lambda _private: self._sync_menu_bar())
        self.stack.addWidget(view)
        return view

    def _sync_menu_bar(self) -> None:
        """No menus (or status line) while a participant holds the laptop to rate: the
        screen shows nothing else, and none of the menus' shortcuts (Home, History…) can
        lead away from it."""
        view = self.__dict__.get("close_view")  # not built yet: no close showing either
        private = view is not None and self.stack.currentWidget() is view and view.private
        self.menuBar().setVisible(not private)
        # Nor the status line: a facilitator's notice ("Undone: Priya has the floor again.")
        # is not for the participant rating.
        self.statusBar().setVisible(not private)
        if private:
            self.status.clear()
        for action in self.menuBar().actions():
            action.setEnabled(not private)  # a hidden bar's shortcuts would still work

    def _sync_session_menu(self) -> None:
        state = self.controller.state
        # A new session not yet saved has nothing to abandon (it is dropped on leaving).
        status = state.status if state is not None and not self.controller.never_saved else None
        for action, (statuses, people) in self.session_actions.items():
            can = status in statuses and (people is None or (state is not None and people(state)))
            action.setEnabled(bool(can))

    def _action(self, menu, text: str, slot, shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        style = _MenuBarStyle()
        style.setParent(bar)  # Qt's to delete, with the menu bar (a widget's style is not)
        bar.setStyle(style)
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&New session", self.new_session, "Ctrl+N")
        self._action(file_menu, "&Home", self.show_home, "Ctrl+Shift+H")
        self.records.add_file_actions(file_menu)
        file_menu.addSeparator()
        self._action(file_menu, "Card &deck…", self.show_deck)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, "Ctrl+Q")

        session_menu = bar.addMenu("&Session")
        # Each item is there only when the open session's state lets it do something: on
        # Home, Prepare or the records they did nothing when chosen.
        unfinished = frozenset(STATUSES) - FINISHED
        # With whom each can act, where it chooses someone (greyed out with no one to choose).
        self.session_actions: dict[QAction, tuple[frozenset[str], Callable | None]] = {}
        # The live screen's own keys are shown after a tab, in the menu's shortcut column
        # (these items act only during a meeting, where the keys do): the menu teaches them,
        # but they stay the live screen's keys. Not on macOS, whose menus would make them
        # the menu's own shortcuts.
        for text, slot, statuses, people in (
            ("Record a late &arrival or a return…" + _key_hint("A"), self.record_arrival,
             LIVE, arriving),
            ("Record someone &leaving…" + _key_hint("L"), self.record_departure, LIVE, leaving),
            ("&Take back a late arrival…", self.withdraw_arrival, LIVE, withdrawable),
            ("&Give the floor to…" + _key_hint("G"), self.give_floor, frozenset({"running"}),
             floor_takers),
            ("&End session…" + _key_hint("Ctrl+E"), self.end_session, LIVE, None),
            ("A&bandon session…", self.abandon_session, unfinished, None),
        ):  # fmt: skip
            self.session_actions[self._action(session_menu, text, slot)] = (statuses, people)
        session_menu.aboutToShow.connect(self._sync_session_menu)
        self.session_menu = session_menu

        view_menu = bar.addMenu("&View")
        # No "D" beside it: the item works on every screen, the key only during a meeting.
        self._action(view_menu, "&Room display", self.toggle_room_display)
        self._action(view_menu, "&Full screen", self.toggle_full_screen, "F11")
        self.records.add_view_actions(view_menu)
        theme_locked = self.config.is_locked("theme")
        theme_menu = view_menu.addMenu("&Theme" + (SET_BY_IT if theme_locked else ""))
        theme_menu.setEnabled(not theme_locked)
        group = QActionGroup(self)
        current = effective_theme(self.settings, self.config)
        for theme in THEMES.values():
            action = QAction(theme.label, self, checkable=True)
            action.setChecked(theme.name == current)
            action.triggered.connect(lambda _=False, name=theme.name: self.set_theme(name))
            group.addAction(action)
            theme_menu.addAction(action)
        keep_locked = self.config.is_locked("keep_names")
        keep = QAction(
            "&Keep participant names after a session" + (SET_BY_IT if keep_locked else ""),
            self,
            checkable=True,
        )
        keep.setChecked(self.keep_names)
        keep.setEnabled(not keep_locked)
        keep.toggled.connect(self._set_keep_names)
        self.keep_names_action = keep
        view_menu.addAction(keep)

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard map", self.show_keys, "F1")
        self._action(help_menu, "&About", self.show_about)
        self._menu_keys = _MenuKeepsItsKeys(self)
        # The bar too: an open menu hands it a key it has no item for.
        for menu in (bar, *bar.findChildren(QMenu)):
            menu.installEventFilter(self._menu_keys)

    # --- navigation -----------------------------------------------------------------------
    def _show(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)
        focus_default = getattr(page, "focus_default", None)
        if focus_default is not None:  # the screen's own first control (check-in: a person)
            focus_default()
        else:
            page.setFocus(Qt.FocusReason.OtherFocusReason)

    def may_leave_screen(self) -> bool:
        """Whether the screen showing may give way to another (or the window close): not
        Prepare with unsaved changes, unless the facilitator agrees to lose them."""
        prepare = self.__dict__.get("prepare")  # not built: not showing either
        return prepare is None or self.stack.currentWidget() is not prepare or (prepare.may_leave())

    def show_home(self, *, ask: bool = True) -> None:
        """Home; ``ask=False`` when leaving an edited Prepare was agreed to already."""
        state = self.controller.state
        if state is not None and state.status in LIVE:
            self._show(self.live)
            self.show_notice("The session is running. End it (Ctrl+E) before leaving it.")
            return
        if ask and not self.may_leave_screen():
            return
        self.controller.close_session()
        if self.room_display is not None and self.room_display.isVisible():
            self.room_display.close()  # the meeting is over: nothing more for the wall
        self.home.refresh()
        self._show(self.home)
        self.home.focus_default()

    def show_prepare(self) -> None:
        self.prepare.load()
        self._show(self.prepare)

    def show_check_in(self) -> None:
        self.check_in.load()
        self._show(self.check_in)

    def _check_in_from_prepare(self) -> None:
        # "Saved." belongs to Prepare: on check-in it stayed up until the next message.
        self._notice_fresh = False
        self.show_check_in()

    def _back_from_check_in(self) -> None:
        # Once checked in the preparation is fixed; home is the way out.
        state = self.controller.state
        if state is not None and state.status == "checked_in":
            self.show_home()
        else:
            self.show_prepare()

    def show_live(self) -> None:
        self.live.refresh()
        self._show(self.live)

    def show_close(self) -> None:
        self.close_view.keep_names = self.keep_names
        self.close_view.load()
        self._show(self.close_view)

    def _follow_state(self) -> None:
        """Move to the screen that fits the session's status after each recorded action."""
        state = self.controller.state
        if state is None:
            return
        current = self.stack.currentWidget()
        if state.status in LIVE and current is not self.live:
            self.show_live()
        elif state.status == "closing" and current is not self.close_view:
            self.show_close()

    def new_session(self) -> None:
        state = self.controller.state
        if state is not None and state.status in LIVE:
            self.show_notice("A session is running. End it before preparing another.")
            return
        if not self.may_leave_screen():
            return
        if self.controller.new_session() is not None:
            self.show_prepare()

    def open_session(self, session_id: str) -> None:
        try:
            finished = self.controller.store.status(session_id) in FINISHED
        except StorageError as exc:
            self.controller.read_failed.emit(exc.message)
            return
        if finished:
            # A recent session from Home: its record, not the session opened to carry on
            # (it was, and went back to Home in silence).
            self.records.show_detail(session_id)
            return
        if self.controller.open_session(session_id) is None:
            return
        self.show_for_state()

    def show_for_state(self) -> None:
        state = self.controller.state
        if state is None:
            self.show_home()
        elif state.status == "draft":
            self.show_prepare()
        elif state.status == "checked_in":
            self.show_check_in()
        elif state.status in LIVE:
            self.show_live()
        elif state.status == "closing":
            self.show_close()
        else:
            self.show_home()

    def open_demo(self) -> None:
        """The demo runs as its own window on its own database, never mixed with records;
        in that window, the button starts its next run (DEMO-002…) for the next group."""
        if self.demo:
            state = self.controller.state
            if state is not None and state.status in LIVE | {"closing"}:
                self.show_for_state()
                self.show_notice("The demo's meeting is under way: end it first.")
                return
            if self.may_leave_screen():
                self.prepare_demo()
            return
        if not self.config.allow_demo:
            self.show_notice("The trainers' demo is turned off on this computer by IT.")
            return
        if getattr(sys, "frozen", False):
            program, args = sys.executable, ["--demo"]
        else:
            program, args = sys.executable, ["-m", "rethink_desktop", "--demo"]
        args += ["--data-dir", str(self.paths.data_dir)]
        from PySide6.QtCore import QProcess  # here: a few ms of start-up for a rare action

        if not QProcess.startDetached(program, args)[0]:
            self.show_notice("The demo could not be started.")

    def prepare_demo(self, before_writing: Callable[[], None] | None = None) -> None:
        """The demo window's fictional network at check-in: the run waiting, if one is (a
        draft or checked in), else a new one with the next reference (DEMO-001, DEMO-002…).
        ``before_writing`` runs first when a new one is written (the start-up's check)."""
        ctl = self.controller
        for session_id in ctl.store.session_ids("checked_in", "draft"):
            ctl.open_session(session_id)
            self.show_for_state()
            return
        template = self.templates.get("family-network") or next(iter(self.templates.values()))
        if before_writing is not None:
            before_writing()
        if ctl.new_session() is None:
            return
        from rethink_desktop.storage.history import next_reference  # not at every start

        reference = next_reference(ctl.store.db, DEMO_PREFIX)  # DEMO-001, DEMO-002, …
        ctl.act("prepare", **demo_preparation(template, reference))
        self.show_check_in()

    def _completed(self) -> None:
        self.show_notice("Session completed and saved.")
        keep = self.config.backups_to_keep
        if self.demo:
            return  # the demo never backs up (it would prune the real automatic backups)
        from rethink_desktop.storage.backups import (
            auto_backup,
            prune_backups,
            prune_safety_copies,
        )
        from rethink_desktop.storage.database import StorageError

        prune_safety_copies(self.paths.backups_dir, self.config.safety_copy_days)
        if keep <= 0:
            # Turned off: the automatic backups made before go too (they may still hold
            # sessions purged since), as they would have been rotated out.
            prune_backups(self.paths.backups_dir, 0)
            return
        try:
            auto_backup(self.controller.store.db, self.paths.backups_dir, keep=keep)
        except StorageError as exc:
            log.warning("automatic backup failed: %s", exc.message)
            self.show_notice(f"Saved, but the automatic backup failed: {exc.message}")

    # --- live-session commands ------------------------------------------------------------
    def end_session(self) -> None:
        state = self.controller.state
        if state is None or state.status not in LIVE:
            return
        if self.confirm("End the session?", "The meeting clock stops and the close begins."):
            self.controller.act("end")

    def abandon_session(self) -> None:
        state = self.controller.state
        if state is None or state.status in ("completed", "abandoned"):
            return
        if not self.may_leave_screen():  # asked before anything is recorded
            return
        reasons = list(ABANDON_REASONS.items())
        labels = [label for _, label in reasons]
        label, ok = QtWidgets.QInputDialog.getItem(
            self, "Abandon session", "Why is this session ending without a close?", labels, 0,
            False,
        )  # fmt: skip
        if ok:
            reason = reasons[labels.index(label)][0]
            if self.abandon(reason):
                self.show_home(ask=False)

    def abandon(self, reason: str, *, ended_at: datetime | None = None) -> bool:
        """End the session without a close; names go too, as on completion (unless kept).
        ``ended_at``: when the meeting's record ends, if before now (see Session.abandon)."""
        return self.controller.finish("abandon", reason, ended_at, remove_names=not self.keep_names)

    def _choose_person(
        self,
        title: str,
        question: str,
        people: list,
        returning: frozenset[str] | set[str] = frozenset(),
        action: str = "Record",
    ) -> str | None:
        """``question`` says what choosing records (each of A, L and G asked only "Who?", so
        a stray L and Enter recorded someone leaving)."""
        if not people:
            self.show_notice("There is no one to choose.")
            return None
        state = self.controller.state
        # The name first: the chooser finds an item by the letters typed ("Pri"); each began
        # with "Seat", so typing found no one.
        # Each part shortened past a length, so the chooser stays inside a laptop's screen
        # with names, roles and agencies at their longest (it grew to 1,500 pixels and its
        # buttons went off screen); the seat keeps every line its own.
        labels = [
            f"{_shortened(state.known_as(p) if state else p.label, 48)} · seat {p.seat}"
            f" · {_shortened(p.agency, 28)}" + (" · left, coming back" if p.id in returning else "")
            for p in people
        ]
        label = widgets.choose(self, title, question, labels, action)
        return people[labels.index(label)].id if label is not None else None

    def record_arrival(self) -> None:
        state = self.controller.state
        if state is None or state.status not in LIVE:
            return
        gone = {p.id for p in state.participants if p.attendance in GONE}
        pid = self._choose_person(
            "Late arrival or return",
            "Who has arrived late, or come back?",
            arriving(state),
            returning=gone,
        )
        if pid and self.controller.act("come_back" if pid in gone else "arrive", pid):
            self._say_recorded(pid, "came back" if pid in gone else "arrived late")

    def give_floor(self) -> None:
        """Open discussion: any seat, including those beyond the 1–9 keys."""
        state = self.controller.state
        if state is None or state.status not in LIVE:
            return
        try:  # refused as 1–9 are, in the same words, rather than nothing at all
            may_move_floor(state, "give someone the floor")
        except IllegalAction as exc:
            self.show_notice(str(exc))
            return
        pid = self._choose_person(
            "Give the floor",
            "Who should have the floor now?",
            floor_takers(state),
            action="Give the floor",
        )
        if pid:
            self.controller.act("pick", pid)

    def withdraw_arrival(self) -> None:
        """A late arrival recorded for the wrong person, before they have had the floor."""
        state = self.controller.state
        if state is None or state.status not in LIVE:
            return
        pid = self._choose_person(
            "Take back a late arrival",
            "Whose late arrival was recorded by mistake?",
            withdrawable(state),
            action="Take it back",
        )
        if pid and self.controller.act("withdraw_arrival", pid):
            self._say_recorded(pid, "is absent again: the late arrival was taken back")

    def record_departure(self) -> None:
        state = self.controller.state
        if state is None or state.status not in LIVE:
            return
        pid = self._choose_person("Leaving early", "Who is leaving early?", leaving(state))
        speaker = state.current_speaker
        if pid and self.controller.act("leave", pid):
            # Ctrl+Z takes back turns, not this (it gave the floor back to the one before);
            # and the floor, if theirs, is empty now, which the circle alone showed.
            if speaker is not None and speaker.id == pid:
                # Back with A alone, their turn would stay cut short: G gives it back.
                what = (": no one has the floor (Space: the next speaker). A mistake? A brings "
                        "them back, then G gives them the floor again")  # fmt: skip
            else:
                what = ". A mistake? A brings them back"
            self._say_recorded(pid, "left early" + what)

    def _say_recorded(self, pid: str, what: str) -> None:
        """What A, L or taking an arrival back recorded, on the message line (the circle's
        mark alone changed, and a wrong choice could go unseen)."""
        state = self.controller.state
        if state is not None:
            person = state.participant(pid)
            self.show_notice(f"Recorded: {state.known_as(person)} (seat {person.seat}) {what}.")

    def toggle_room_display(self) -> None:
        if self.room_display is not None and self.room_display.isMinimized():
            # Restored, not closed: it was out of the room's sight already.
            state = self.room_display.windowState() & ~Qt.WindowState.WindowMinimized
            self.room_display.setWindowState(state)
        elif self.room_display is not None and self.room_display.isVisible():
            self.room_display.close()
            if self.notice_text().startswith(ROOM_DISPLAY_OPEN):  # no longer true
                self.show_notice("")
            return
        if self.room_display is None:
            from rethink_desktop.ui.room_display import RoomDisplay

            self.room_display = RoomDisplay(self.controller, self)
            self.room_display.forward_keys_to = self.live
            self.room_display.shown_changed.connect(self._remember_room_display)
        self.room_display.present()
        self.activateWindow()  # keep the keys with the facilitator's window
        if not self.room_display.isFullScreen():
            # One screen: it opened as a window, which activating this one hid behind it.
            self.room_display.raise_()
            self.show_notice(
                f"{ROOM_DISPLAY_OPEN}: no second screen was found. "
                "Move it where the room can see it; "
                + ("D closes it." if self._live_showing() else "View → Room display closes it.")
            )

    def _room_key(self, key: str) -> str:
        """Where the wall screen's state is kept in ui.ini: the demo window keeps its own, or
        a demo stopped with its wall screen open made a real meeting, resumed after a
        crash, forget that its own had been open (and blanked)."""
        return "demo_" + key if self.demo else key

    def _remember_room_display(self, shown: bool) -> None:
        # Written at once: after a crash, resuming that session opens the wall screen again.
        state = self.controller.state
        self.settings.setValue(
            self._room_key(ROOM_DISPLAY_KEY), state.id if shown and state else ""
        )
        self.settings.sync()

    def _remember_room_screen(self) -> None:
        """B and H are written at once too: a wall screen blanked for a reason stays blank
        when the meeting is resumed after a crash (it came back showing the card)."""
        ctl, state = self.controller, self.controller.state
        if state is None or state.status not in LIVE:
            return
        for key, on in ((ROOM_BLANKED_KEY, ctl.display_blanked),
                        (ROOM_CARD_HIDDEN_KEY, not ctl.card_on_display)):  # fmt: skip
            key = self._room_key(key)
            if (self.settings.value(key, "") == state.id) != on:
                # Written by QSettings from the event loop, straight after: a sync() here
                # put two fdatasyncs inside the key press (p99 1 → 7 ms).
                self.settings.setValue(key, state.id if on else "")

    def reopen_room_display(self) -> None:
        """After resuming a live session: the room display again, if it was open when the
        app stopped (a crash, a power cut, or quitting during the meeting), blanked or with
        its card hidden if it was."""
        state = self.controller.state
        if state is not None and state.status in LIVE:
            self.controller.restore_display(
                blanked=self.settings.value(self._room_key(ROOM_BLANKED_KEY), "") == state.id,
                card_shown=self.settings.value(self._room_key(ROOM_CARD_HIDDEN_KEY), "")
                != state.id,
            )
        was_open = (
            state is not None
            and self.settings.value(self._room_key(ROOM_DISPLAY_KEY), "") == state.id
        )
        showing = self.room_display is not None and self.room_display.isVisible()
        if was_open and not showing and state is not None and state.status in LIVE:
            self.toggle_room_display()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def show_deck(self) -> None:
        from rethink_desktop.ui.deck import DeckDialog

        dialog = DeckDialog(
            self.controller, self.paths.imported_deck, self.templates, self, demo=self.demo
        )
        dialog.exec()
        dialog.deleteLater()

    def show_keys(self) -> None:
        from rethink_desktop.ui.keymap import KeyMapDialog

        KeyMapDialog(self).exec()

    def show_about(self) -> None:
        QtWidgets.QMessageBox.about(
            self,
            f"About {APP_DISPLAY_NAME}",
            f"<b>{APP_DISPLAY_NAME} {__version__}</b><br>Runs Re-Think restorative meetings: "
            "the two-hour clock, equal turns, prompt cards and process records.<br>"
            "It keeps no notes of what is said and never uses the network.<br><br>"
            f"Data folder: {self.paths.data_dir}",
        )

    def set_theme(self, name: str) -> None:
        if self.config.is_locked("theme"):
            return
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, name)
        if self.room_display is not None:
            self.room_display.restyle()
        self.settings.setValue(THEME_KEY, name)
        self.controller.changed.emit()

    def _set_keep_names(self, keep: bool) -> None:
        """Turned off, the names still kept in finished sessions go now, after a question
        (No leaves the setting on): nothing is removed later without a word."""
        kept: list[str] = []
        if not keep:
            try:
                kept = finished_with_names(self.controller.store.db)
            except StorageError as exc:
                self._read_failed(exc.message)
                self._keep_names_on()  # not knowing what it would remove, it removes nothing
                return
            if kept and not self.confirm(
                "Remove the kept names?",
                f"Participants' names are still kept in {widgets.sessions_text(len(kept))}. "
                "With this setting off, they are replaced by agency and role now. This "
                "cannot be undone.",
            ):
                self._keep_names_on()
                return
        # Removed first, so the close's last step, told of the setting next, says what
        # became of the names. The setting goes off whatever happens: a removal that fails
        # must not leave the next sessions keeping names the facilitator chose not to keep.
        removed = self.controller.remove_names_of(kept) if kept else 0
        self._store_keep_names(keep)
        if kept:
            said = []
            if removed:
                said.append(
                    f"Names removed from {widgets.sessions_text(removed)}; "
                    "they show agency and role now."
                )
            if left := len(kept) - removed:
                said.append(
                    f"{widgets.sessions_text(left).capitalize()} could not be changed and "
                    f"still {'has' if left == 1 else 'have'} names: History's Anonymise… "
                    "tries again, one session at a time."
                )
            self.show_notice(" ".join(said))

    def _keep_names_on(self) -> None:
        with QSignalBlocker(self.keep_names_action):
            self.keep_names_action.setChecked(True)
        self._store_keep_names(True)

    def _store_keep_names(self, keep: bool) -> None:
        if self.demo:
            self._demo_keep_names = keep
        elif not self.config.is_locked("keep_names"):
            self.settings.setValue(KEEP_NAMES_KEY, keep)
        close_view = self.__dict__.get("close_view")  # built: it may be showing its last step
        if close_view is not None:
            close_view.set_keep_names(self.keep_names)

    # --- messages -------------------------------------------------------------------------
    def _live_showing(self) -> LiveView | None:
        live = self.__dict__.get("live")  # not built: not showing either
        return live if live is not None and self.stack.currentWidget() is live else None

    def show_notice(self, text: str) -> None:
        """Say ``text`` on the screen's one message line: the live view's own (which the
        next saved action clears), or the status line at the foot of the window."""
        live = self._live_showing()
        if live is not None:
            self.status.clear()
            live.show_notice(text)
            return
        self.status.setText(text)
        if not self._notice_fresh:
            self._notice_fresh = True
            QTimer.singleShot(0, self._notice_aged)

    def notice_text(self) -> str:
        """What the window says now, on whichever line it says it."""
        live = self._live_showing()
        return live.notice.text() if live is not None else self.status.text()

    def _controller_notice(self, text: str) -> None:
        if self._live_showing() is None:  # the live view says it on its own line
            self.show_notice(text)

    def _notice_aged(self) -> None:
        self._notice_fresh = False

    def _screen_changed(self, _index: int) -> None:
        """A notice belongs to the screen it was said on, or to the move that brought this
        one ("The session is running…" as the live screen comes back): an older one goes."""
        if not self._notice_fresh:
            self.status.clear()
        elif self._live_showing() is not None and self.status.text():
            self.show_notice(self.status.text())  # onto the live screen's own line
        self._sync_menu_bar()
        page = self.stack.currentWidget()
        prepare = self.__dict__.get("prepare")
        if prepare is not None and page is not prepare and self.controller.never_saved:
            self.controller.close_session()  # off to the records with nothing saved

    def _warning_dialog(self, title: str, text: str) -> None:
        QtWidgets.QMessageBox.warning(self, title, text)

    def _storage_failed(self, message: str) -> None:
        """Said in a dialog once; while saving keeps failing (a full disk in the middle of a
        meeting: every key press fails alike) the status line carries it, without a dialog
        at each press. The next action that is saved ends the run of failures."""
        self.show_notice(message)
        if not self._unsaved_said:
            self._unsaved_said = True
            self.alert("Not saved", message)

    def _saved_again(self) -> None:
        self._unsaved_said = False

    def _read_failed(self, message: str) -> None:
        self.show_notice(message)
        self.alert("Could not read a session", message)

    # --- closing the window ---------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        state = self.controller.state
        if state is not None and state.status in LIVE:
            ok = self.confirm(
                "Close Re-Think Desktop?",
                "A session is running. Everything so far is saved, and the meeting clock keeps "
                "going while the app is closed. When you open the app again you can resume it.",
            )
            if not ok:
                event.ignore()
                return
        if not self.may_leave_screen():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.sync()
        if self.room_display is not None:
            # Quitting during a meeting keeps "it was open" for the resume.
            self.room_display.blockSignals(True)
            self.room_display.close()
            self.room_display.blockSignals(False)
        event.accept()
