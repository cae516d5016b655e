"""Start the Qt app: one copy per database, open the store, offer to resume, show the window."""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtWidgets
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from rethink_desktop import APP_DISPLAY_NAME, APP_NAME, __version__
from rethink_desktop.core.agenda import load_templates
from rethink_desktop.core.clock import Clock, ScaledClock, SystemClock, format_duration
from rethink_desktop.core.decks import deck_in_use
from rethink_desktop.core.resources import resource_path
from rethink_desktop.storage.config import Config, view_menu_choices
from rethink_desktop.storage.database import (
    CorruptError,
    EmptyFileError,
    StorageError,
    at_rest,
    demo_copy_refusal,
    open_or_recover,
    quick_check,
)
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.home_queries import finished_with_names
from rethink_desktop.storage.paths import AppPaths
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.lock import DataFolderError, acquire_lock, in_use_message, kept_lock
from rethink_desktop.ui.main_window import MainWindow
from rethink_desktop.ui.theme import apply_theme
from rethink_desktop.ui.user_settings import effective_theme, open_ui_settings

log = logging.getLogger(__name__)

EXIT_ALREADY_RUNNING = 3


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Re-Think")
    app.setDesktopFileName("org.rethink.desktop")  # matches the .desktop file (Wayland app id)
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        icon.addFile(str(resource_path("icons", f"rethink-{size}.png")))
    app.setWindowIcon(icon)
    return app  # type: ignore[return-value]


class Steps:
    """Logs, at debug level, how long each start-up step took (``step("database")``)."""

    def __init__(self) -> None:
        self._last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        log.debug("start-up: %s took %.0f ms", name, (now - self._last) * 1000)
        self._last = now


class Messages:
    """Dialogs, or their default answers when the app runs unattended (smoke tests)."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive

    def error(self, parent: QWidget | None, text: str) -> None:
        print(text, file=sys.stderr)
        if self.interactive:
            QtWidgets.QMessageBox.critical(parent, APP_DISPLAY_NAME, text)

    def info(self, parent: QWidget | None, text: str) -> None:
        log.info("%s", text)
        if self.interactive:
            QtWidgets.QMessageBox.information(parent, APP_DISPLAY_NAME, text)
        else:
            print(text, file=sys.stderr)  # seen in an unattended run's output, as errors are

    def resume(self, parent: QWidget | None, text: str) -> bool:
        """True to resume (the default, Enter); False to end the session as abandoned."""
        if not self.interactive:
            return True
        box = QtWidgets.QMessageBox(parent)
        box.setWindowTitle("Resume the session?")
        box.setIcon(QtWidgets.QMessageBox.Icon.Question)
        box.setText(text)
        resume = box.addButton("Resume", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton("End it as abandoned", QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(resume)
        box.exec()
        return box.clickedButton() is resume


def seconds_since_process_start() -> float | None:
    """Wall time since this process started (Linux /proc), or None where unknown."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return uptime - ticks / os.sysconf("SC_CLK_TCK")


def report_interactive(messages: Messages) -> None:
    elapsed = seconds_since_process_start()
    if elapsed is not None:
        log.info("interactive %.0f ms after the process started", elapsed * 1000)
        if not messages.interactive:
            print(f"interactive_ms={elapsed * 1000:.0f}", flush=True)


# The one message for damage found once the window is up, by the start-up reads or by the
# check after them. No promise that work will be saved: a damaged table refuses writes too.
DAMAGED_WHILE_OPEN = (
    "Part of the records file ({path}) is damaged. Re-Think Desktop has not changed it. You "
    "can carry on, but records in the damaged part may not show or export, and actions that "
    "touch it may not be saved. Restore your latest backup (File → Restore from a backup…) "
    "when there is no session in progress, or ask IT to look at the file."
)


class BackgroundCheck(QObject):
    """``PRAGMA quick_check`` of a cleanly closed file, on a thread, after the window is up.

    Its time grows with the file (a tenth of a second per few thousand sessions), so it does
    not hold up start-up; SQLite releases the GIL while it reads. ``on_problems`` runs once on
    the GUI thread if damage is found.
    """

    finished = Signal(list)

    def __init__(self, path: Path, on_problems: Callable[[list[str]], None]) -> None:
        super().__init__()
        self.path = path
        self.problems: list[str] | None = None
        self._on_problems = on_problems
        self._reported = False
        self._stopping = False
        self.finished.connect(self._report)
        self._thread = threading.Thread(target=self._run, name="quick-check", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _opened(self, conn: sqlite3.Connection) -> None:
        # SQLite asks every 1,000 steps whether to go on: the check stops within milliseconds
        # of the app closing, whenever that happens (no interrupt to time, no race).
        conn.set_progress_handler(lambda: 1 if self._stopping else 0, 1000)

    def _run(self) -> None:
        try:
            problems = quick_check(self.path, opened=self._opened)
        except sqlite3.OperationalError:
            if not self._stopping:
                log.exception("background quick_check of %s failed", self.path)
            else:  # the app is closing: the next start checks again
                log.info("background quick_check of %s stopped at exit", self.path)
            problems = []
        except StorageError as exc:
            log.warning("background quick_check of %s could not run: %s", self.path, exc)
            problems = []
        except Exception:  # a bug: logged, never allowed to take the app down
            log.exception("background quick_check of %s failed", self.path)
            problems = []
        self.problems = problems
        self.finished.emit(problems)  # queued to the GUI thread

    def _report(self, problems: list[str]) -> None:
        if problems and not self._reported:
            self._reported = True
            log.warning("quick_check found damage in %s: %s", self.path, problems[:5])
            self._on_problems(problems)

    def wait(self, *, stop: bool = True) -> None:
        """At exit: stop the check if it is still running (a big file on a slow drive must not
        keep the app alive), and report what the event loop did not get to. ``stop=False``
        lets it finish first (unattended runs, whose output is read by tests and IT)."""
        if self._thread.ident is not None:  # started
            self._stopping = stop  # the progress handler ends the check
            self._thread.join(timeout=None if not stop else 10)
        if self.problems:
            self._report(self.problems)


def was_empty(path: Path) -> bool:
    """Whether a file set aside at start-up had nothing in it (0 bytes)."""
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def show_refusal(args: argparse.Namespace, text: str) -> None:
    """A refusal before any window (the demo turned off by IT): in a dialog, since a start
    from the desktop has no console; printed too, for unattended runs and the log reader."""
    print(text, file=sys.stderr)  # first: it is the whole of it when there is no display
    if not (args.quit_after_start or args.unattended):
        make_application()
        QtWidgets.QMessageBox.critical(None, APP_DISPLAY_NAME, text)


def make_clock(args: argparse.Namespace) -> Clock:
    """The demo's clock is always a scaled one (×1 without ``--speed``): a demo run faster
    before has recorded times ahead of the real ones, and only a scaled clock catches up to
    them when the session is reopened instead of standing still until real time gets there."""
    if args.demo:
        return ScaledClock(SystemClock(), args.speed or 1)
    return SystemClock()


class BeforeWriting:
    """Called before each start-up write that needs no more of the facilitator than a
    choice at a dialog (names left by a crash removed, a session not resumed ended as
    abandoned, the demo's network prepared). A cleanly closed records file is checked on
    another thread once the window is up; before the first such write it is checked here
    instead, once, and damage raises :class:`CorruptError` with nothing written (those
    writes went into a damaged file that the message then said was unchanged)."""

    def __init__(self, unchecked: Path | None) -> None:
        self.unchecked = unchecked
        self.checked = False  # the check ran here (and found the file sound)

    def __call__(self) -> None:
        path, self.unchecked = self.unchecked, None
        if path is None:
            return
        if quick_check(path):
            log.warning("a start-up write was not made: the records file is damaged")
            raise CorruptError(path)
        self.checked = True


def _nothing_to_check() -> None:
    """The file was checked as it opened (``open_or_recover``): no check before writing."""


def offer_resume(
    window: MainWindow, messages: Messages, before_writing: Callable[[], None] = _nothing_to_check
) -> None:
    """A session left running (crash, power cut, kill) is resumed with its true clock."""
    ctl = window.controller
    for session_id in ctl.store.session_ids("running", "paused", "closing"):
        session = ctl.open_session(session_id)
        if session is None:
            return
        state = session.state
        now = session.now()
        elapsed = format_duration(state.elapsed(now), always_hours=True)
        if state.status == "running":
            detail = (
                f"The meeting clock kept running while the app was closed: it stands at "
                f"{elapsed} of meeting time (pauses left out)."
            )
        elif state.status == "paused":
            detail = f"It was paused at {elapsed}."
        else:
            detail = "It was at the close."
        text = f"Session {state.reference} was still open when the app stopped. {detail}"
        if messages.resume(window, text):
            log.info("resumed session at %s elapsed", elapsed)
            if not messages.interactive:
                print(f"resumed {session_id} status={state.status} elapsed={elapsed}", flush=True)
            window.show_for_state()
            window.reopen_room_display()
            return
        # What went on after the app stopped was never recorded: the record ends there.
        before_writing()
        if not window.abandon("not_resumed", ended_at=state.updated_at):
            window.show_for_state()  # still open (the window has said why it was not saved)
            return
        window.show_home()
        # Said, so the demo's fresh check-in (or Home) does not look as if nothing happened.
        window.show_notice(
            f"Session {state.reference} was ended as abandoned; its record ends at the last "
            "moment the app recorded."
        )


def remove_leftover_names(
    window: MainWindow, before_writing: Callable[[], None] = _nothing_to_check
) -> None:
    """Names must not outlive a session finished here unless the settings keep them (a crash
    came between the completion and the removal). Names brought in by ``import --keep-names``
    were asked for and stay, unless IT has locked keep_names off; turning the setting off in
    the View menu asks about all of them there and then (MainWindow._set_keep_names)."""
    if window.keep_names:
        return
    ctl = window.controller
    locked = window.config.is_locked("keep_names")
    finished = finished_with_names(ctl.store.db, imported=locked)
    if finished:
        before_writing()
        ctl.remove_names_of(finished)


def install_excepthook(messages: Messages) -> None:
    """A bug is logged with its traceback and the facilitator gets a short, calm message."""

    def hook(kind: type[BaseException], value: BaseException, tb: object) -> None:
        log.critical("unexpected error", exc_info=(kind, value, tb))  # type: ignore[arg-type]
        messages.error(
            None,
            "Something went wrong inside Re-Think Desktop. Everything recorded so far is "
            "saved. If the app misbehaves, close it and open it again; the session can be "
            "resumed. The details are in the log for IT.",
        )

    sys.excepthook = hook


def run_app(paths: AppPaths, args: argparse.Namespace, config: Config | None = None) -> int:
    """Start-up order: lock → database → resources → window → resume or demo."""
    config = config if config is not None else Config()
    app = make_application()
    messages = Messages(interactive=not (args.quit_after_start or args.unattended))
    settings = open_ui_settings(paths.config_dir)
    if log.isEnabledFor(logging.DEBUG):  # beside the settings main() logs; as `check` says
        chosen = view_menu_choices(Path(settings.fileName()), config)
        log.debug("chosen in the View menu (wins over the config): %s", chosen or "nothing")
    apply_theme(app, effective_theme(settings, config))

    db_path = paths.demo_database if args.demo else paths.database
    step = Steps()
    try:
        lock = acquire_lock(db_path.with_suffix(".lock"))
    except DataFolderError as exc:
        # Each refusal's reason goes to the log too, for IT (paths and kinds, never names).
        log.error("start refused, the data folder cannot be used: %s", exc.message)
        messages.error(None, exc.message)
        return 1
    if lock is None:
        log.warning(
            "start refused (exit status %d): another copy of the app, or an import, restore "
            "or purge, holds the lock on %s",
            EXIT_ALREADY_RUNNING,
            db_path,
        )
        messages.error(
            None,
            in_use_message(
                db_path,
                "If the app is already open, use that window (a second copy could confuse the "
                "records); if a command is running, wait for it to finish, then open the app "
                "again.",
            ),
        )
        return EXIT_ALREADY_RUNNING
    # Deleted with its folder while the app runs, the lock file is made again when the
    # records are written back there.
    with kept_lock(lock):
        # After a crash the file is checked now (and set aside if damaged); one closed cleanly in
        # WAL mode is checked on another thread once the window is up (a WAL reader sees a
        # consistent file while the app writes; in rollback-journal mode it would not).
        step("lock")
        check_later = db_path.exists() and at_rest(db_path)
        # Before it is opened: opening upgrades a file of an older version.
        demo_copy = None if args.demo else demo_copy_refusal(db_path)
        if demo_copy is not None:  # its meetings must not run, or be backed up, as real ones
            log.warning("the records file is a copy of the trainers' demo; not opened")
            messages.error(None, demo_copy)
            lock.unlock()
            return 1
        try:
            db, moved_to = open_or_recover(db_path, check=not check_later)
        except StorageError as exc:
            log.error(
                "start refused, the records %s cannot be opened: %s: %s",
                db_path,
                type(exc).__name__,
                exc.message,
            )
            messages.error(None, exc.message)
            lock.unlock()
            return 1
        step("database, integrity check " + ("to follow" if check_later else "included"))
        store = EventStore(db, db_path)
        try:
            templates = load_templates()
            deck, _, deck_problem = deck_in_use(paths.imported_deck, templates)
        except ValueError as exc:
            # The installation's own files (not a facilitator's): their fault can be logged.
            log.error(
                "start refused, a bundled resource cannot be used: %s: %s", type(exc).__name__, exc
            )
            messages.error(
                None,
                f"A card deck or agenda template of this installation cannot be used: {exc} "
                "Nothing has been changed. Ask IT to put the file right (or reinstall the app); "
                "`rethink-desktop check` names every problem.",
            )
            store.close()
            lock.unlock()
            return 1

        step(f"resources ({len(deck)} cards, {len(templates)} templates)")
        install_excepthook(messages)
        controller = SessionController(store, make_clock(args), deck, demo=args.demo)
        window = MainWindow(paths, controller, templates, settings, demo=args.demo, config=config)
        if not messages.interactive:
            window.confirm = lambda title, text: True
            window.alert = lambda title, text: messages.error(window, f"{title}: {text}")
        window.show()
        step("window")
        if moved_to is not None:
            # The words storage.md gives: where the file went, and the backup that gets the
            # records back (the app's own wording here never mentioned the backup).
            messages.info(
                window,
                EmptyFileError(db_path, moved_to).message
                if was_empty(moved_to)
                else CorruptError(db_path, moved_to).message,
            )
        if deck_problem is not None:  # the bundled deck instead: the meeting goes on
            log.warning("the imported card deck cannot be used; the bundled deck is in use")
            messages.info(window, deck_problem)
        before_writing = BeforeWriting(db_path if check_later else None)
        try:
            remove_leftover_names(window, before_writing)
            offer_resume(window, messages, before_writing)
            if args.demo and controller.session is None:
                window.prepare_demo(before_writing)
        except StorageError as exc:
            # A file that reads badly (damage, a drive gone): say so; Home shows what it can.
            log.warning("start-up reads failed: %s", type(exc).__name__)
            damaged = isinstance(exc, CorruptError)
            messages.error(
                window, DAMAGED_WHILE_OPEN.format(path=db_path) if damaged else exc.message
            )
            check_later = check_later and not damaged  # known already: not told a second time
        # Checked already before a start-up write: not a second time on a thread.
        check_later = check_later and not before_writing.checked
        background = None
        if check_later:
            # After the start-up writes (names sweep, resume): a reader on the file would make
            # their WAL checkpoint wait.
            text = DAMAGED_WHILE_OPEN.format(path=db_path)
            background = BackgroundCheck(db_path, lambda _problems: messages.error(window, text))
            background.start()
        # The first turn of the event loop: the window is up and takes keys.
        QTimer.singleShot(0, lambda: report_interactive(messages))
        if args.quit_after_start:
            QTimer.singleShot(0, window.close)
        code = app.exec()
        if background is not None:
            background.wait(stop=messages.interactive)
        controller.close_session()
        controller.store.close()  # a restore may have replaced the store that was opened here
        lock.unlock()
        return code
